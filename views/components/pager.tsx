import { useView } from '../context.js';

/** Previous/next links that keep every other query parameter; works with and without htmx. */
export function Pager(props: { path: string; query: Record<string, string | undefined>; page: number; pageSize: number; total: number; capped: boolean; target?: string; shown?: number }) {
  const { t, number } = useView();
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  const href = (page: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(props.query)) if (v !== undefined && v !== '' && k !== 'page') params.set(k, v);
    if (page > 1) params.set('page', String(page));
    const qs = params.toString();
    return `${props.path}${qs ? `?${qs}` : ''}`;
  };
  const hx = (page: number) => (props.target ? { 'hx-get': href(page), 'hx-target': props.target, 'hx-push-url': 'true' } : {});
  return (
    <nav class="pager" aria-label={t('common.page', { page: props.page })}>
      <span>{props.capped ? t('common.resultsCapped', { count: number(props.total) }) : t('common.results', { count: number(props.total) })}</span>
      {props.page > 1 && (
        <a id="page-previous" href={href(props.page - 1)} rel="prev" {...hx(props.page - 1)}>
          {t('common.previous')}
        </a>
      )}
      <span>{t('common.page', { page: props.page })}</span>
      {/* A short page is the last, whatever a capped count leaves unknown. */}
      {(props.shown === undefined || props.shown === props.pageSize) && (props.capped || props.page < pages) && (
        <a id="page-next" href={href(props.page + 1)} rel="next" {...hx(props.page + 1)}>
          {t('common.next')}
        </a>
      )}
    </nav>
  );
}
