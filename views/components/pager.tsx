import { useView } from '../context.js';

/** A page of a list, keeping every other query parameter. */
export function pageHref(path: string, query: Record<string, string | undefined>, page: number): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '' && k !== 'page') params.set(k, v);
  if (page > 1) params.set('page', String(page));
  const qs = params.toString();
  return `${path}${qs ? `?${qs}` : ''}`;
}

/**
 * What a page past the last says (an old link, a page typed in) when the filters do find
 * rows: where the results end; past a capped count, or in a list that does not count its
 * rows (no `total`), where the end is not known, only that.
 */
export function PastLastPage(props: { firstPage: string; total?: { count: number; capped: boolean; pageSize: number } }) {
  const { t, number } = useView();
  const { total } = props;
  return (
    <p class="panel">
      {!total || total.capped ? t('common.pastResults') : t('common.pastLastPage', { last: number(Math.max(1, Math.ceil(total.count / total.pageSize))) })}{' '}
      <a href={props.firstPage}>{t('common.firstPage')}</a>
    </p>
  );
}

/**
 * The page "Anterior" leads to: the one before, or, from a page past the end of a counted
 * list, the last page there is (not the empty one before it). Null on the first page.
 */
export function previousPage(page: number, total?: { count: number; capped: boolean; pageSize: number }): number | null {
  if (page <= 1) return null;
  if (!total || total.capped) return page - 1;
  return Math.min(page - 1, Math.max(1, Math.ceil(total.count / total.pageSize)));
}

/**
 * "Anterior" or "Siguiente": a link, or where there is no such page, the same word kept in
 * its place, dimmed and focusable by script only. htmx gives the focus back to the element
 * with the pressed link's id: on the first or the last page it finds this one, and the
 * keyboard stays on the pager instead of going back to the page's start. The pagers' swaps
 * say `focus-scroll:true`, so the focus given back is also seen.
 */
export function PageStep(props: { rel: 'prev' | 'next'; href: string | null; hx?: Record<string, string> | undefined }) {
  const { t } = useView();
  const id = props.rel === 'prev' ? 'page-previous' : 'page-next';
  const label = t(props.rel === 'prev' ? 'common.previous' : 'common.next');
  if (!props.href) {
    return (
      <span id={id} class="pager-end" tabindex={-1} aria-disabled="true">
        {label}
      </span>
    );
  }
  return (
    <a id={id} href={props.href} rel={props.rel} {...props.hx}>
      {label}
    </a>
  );
}

/** Previous/next links that keep every other query parameter; works with and without htmx. */
export function Pager(props: { path: string; query: Record<string, string | undefined>; page: number; pageSize: number; total: number; capped: boolean; target?: string; shown?: number }) {
  const { t, number } = useView();
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  const href = (page: number) => pageHref(props.path, props.query, page);
  const previous = previousPage(props.page, { count: props.total, capped: props.capped, pageSize: props.pageSize });
  // The target is the part that holds the results, pager included: the answer replaces it whole.
  const hx = (page: number) => (props.target ? { 'hx-get': href(page), 'hx-target': props.target, 'hx-swap': 'outerHTML focus-scroll:true', 'hx-push-url': 'true' } : undefined);
  return (
    <nav class="pager" aria-label={t('common.page', { page: props.page })}>
      <span>{props.capped ? t('common.resultsCapped', { count: number(props.total) }) : t('common.results', { count: number(props.total) })}</span>
      <PageStep rel="prev" href={previous === null ? null : href(previous)} hx={hx(previous ?? 1)} />
      <span>{t('common.page', { page: props.page })}</span>
      {/* A short page is the last, whatever a capped count leaves unknown. */}
      <PageStep rel="next" href={(props.shown === undefined || props.shown === props.pageSize) && (props.capped || props.page < pages) ? href(props.page + 1) : null} hx={hx(props.page + 1)} />
    </nav>
  );
}
