import type { ClientVariable } from '../../src/clients/fields.js';
import { claimCategories, filterParams, statusFilters, trayLimits, type ClientColumn, type ClientFilters, type ClientRow, type SortKey, type TrayOrder } from '../../src/clients/queries.js';
import { contactabilities, portfolios } from '../../src/clients/schema.js';
import type { MessageKey, Translate } from '../../src/platform/i18n/index.js';
import { situations } from '../../src/clients/situation.js';
import { Field, filterTrigger, PostForm, Select } from '../components/forms.js';
import { PageStep, PastLastPage, pageHref, previousPage } from '../components/pager.js';
import { ResultsStatus } from '../components/results-status.js';
import { DownloadForm } from '../exports/confirm.js';
import { useView, type ViewContext } from '../context.js';
import { escapeHtml, markup } from '../components/markup.js';
import { chargedOffBadge, Icon, iconLink, IconSprite, situationBadge, statusBadge } from './parts.js';

export interface TrayProps {
  rows: ClientRow[];
  columns: ClientColumn[];
  available: ClientColumn[];
  filters: ClientFilters;
  order: TrayOrder;
  total: { count: number; capped: boolean };
  staff: { id: number; name: string; role: string }[];
  variables: ClientVariable[];
}

const RESULTS = 'clients-results';
const STATUS = 'clients-status';

/** What an htmx filter, sort or page gets: the results, and their count for screen readers. */
export function ClientsFragment(props: TrayProps) {
  return (
    <>
      <ClientsResults {...props} />
      <ResultsStatus id={STATUS} total={props.total} oob />
    </>
  );
}
const FILTERS = 'clients-filters';

/** Which column a sortable heading sorts by. */
const sortOf: Record<string, SortKey> = { name: 'name', document: 'document', situation: 'situation', totalBalance: 'balance' };

/** The filters and the order as query parameters, leaving out what is the tray's default. */
function trayParams(filters: ClientFilters, order: Partial<TrayOrder>): Record<string, string> {
  const params = filterParams(filters);
  if (order.sort && order.sort !== 'name') params.sort = order.sort;
  if (order.dir === 'desc') params.dir = 'desc';
  if (order.page && order.page > 1) params.page = String(order.page);
  return params;
}

function trayUrl(filters: ClientFilters, order: Partial<TrayOrder>): string {
  const qs = new URLSearchParams(trayParams(filters, order)).toString();
  return qs ? `/app/clients?${qs}` : '/app/clients';
}

/** A link the results swap in place of, pushing its URL (without JavaScript, a plain link). */
// The focus htmx gives back (a pager's step, a sort heading) is scrolled into view.
const hxLink = (href: string) => ({ 'hx-get': href, 'hx-target': `#${RESULTS}`, 'hx-swap': 'innerHTML focus-scroll:true', 'hx-push-url': 'true' });

export function ClientsTray(props: TrayProps) {
  const { t, can } = useView();
  const f = props.filters;
  const supervisors = props.staff.filter((s) => s.role !== 'advisor');
  const advisors = props.staff;
  return (
    <>
      <div class="page-header">
        <h1>{t('clients.title')}</h1>
        <div class="toolbar">
          {can('clients.edit') && (
            <a class="button primary" href="/app/clients/new">
              {t('clients.create')}
            </a>
          )}
        </div>
      </div>
      <IconSprite />
      <ColumnChooser available={props.available} chosen={props.columns} />
      <form method="get" action="/app/clients" id={FILTERS} class="panel clients-filters" role="search" hx-get="/app/clients" hx-target={`#${RESULTS}`} hx-push-url="true" hx-trigger={filterTrigger(FILTERS)}>
        <Field name="q" type="search" label={t('clients.filter.search')} hint={t('clients.filter.searchHint')} value={f.q} />
        <div class="filter-grid">
          <Select name="status" label={t('clients.field.status')} value={f.status} blank={t('common.all')} options={statusFilters.map((s) => ({ value: s, label: t(`clients.status.${s}`) }))} />
          <Select name="portfolio" label={t('clients.field.portfolio')} value={f.portfolio} blank={t('common.all')} options={portfolios.map((p) => ({ value: p, label: t(`clients.portfolio.${p}`) }))} />
          <Select name="supervisor" label={t('clients.field.supervisor')} value={f.supervisorId ? String(f.supervisorId) : ''} blank={t('common.all')} options={supervisors.map((s) => ({ value: String(s.id), label: s.name }))} />
          <Select name="advisor" label={t('clients.field.advisor')} value={f.advisorId ? String(f.advisorId) : ''} blank={t('common.all')} options={advisors.map((s) => ({ value: String(s.id), label: s.name }))} />
          <Select name="situation" label={t('clients.field.situation')} value={f.situation} blank={t('common.all')} options={situations.map((s) => ({ value: s, label: t(`situation.${s}`) }))} />
          <Field name="alert" label={t('clients.field.contactAlerts')} value={f.alert} />
          <Select name="contactability" label={t('clients.field.contactability')} value={f.contactability} blank={t('common.all')} options={contactabilities.map((c) => ({ value: c, label: t(`clients.contactability.${c}`) }))} />
          <Field name="segment" label={t('clients.field.segment')} value={f.segment} />
          <Select name="claim" label={t('clients.field.claimCategory')} value={f.claimCategory} blank={t('common.all')} options={claimCategories.map((c) => ({ value: c, label: t(`claimCategory.${c}`) }))} />
          {props.variables.map((variable) => (
            <Field name={`var.${variable.key}`} label={variable.label} value={f.variables[variable.key]} />
          ))}
        </div>
        <div class="form-actions">
          <button type="submit" class="primary">
            {t('common.filter')}
          </button>
          <a href="/app/clients">{t('common.clear')}</a>
        </div>
      </form>
      <ResultsStatus id={STATUS} />
      <div id={RESULTS}>
        <ClientsResults {...props} />
      </div>
    </>
  );
}

function ColumnChooser(props: { available: ClientColumn[]; chosen: ClientColumn[] }) {
  const { t } = useView();
  const chosen = new Set(props.chosen.map((c) => c.key));
  return (
    <details class="column-chooser">
      <summary>{t('clients.columns.choose')}</summary>
      <PostForm action="/app/clients/columns">
        <fieldset>
          <legend>{t('clients.columns.legend')}</legend>
          <div class="column-options">
            {props.available.map((column) => (
              <div class="checkbox">
                <input type="checkbox" id={`col-${column.key}`} name="columns" value={column.key} checked={chosen.has(column.key)} />
                <label for={`col-${column.key}`}>{column.heading ?? t(column.label)}</label>
              </div>
            ))}
          </div>
        </fieldset>
        <button type="submit">{t('clients.columns.save')}</button>
      </PostForm>
    </details>
  );
}

/** The part a filter, sort or page change swaps: the count, the table and the pager. */
export function ClientsResults(props: TrayProps) {
  const { t, number, can } = useView();
  const { filters, order, total } = props;
  const lastPage = Math.max(1, Math.ceil(total.count / trayLimits.pageSize));
  const previous = previousPage(order.page, { ...total, pageSize: trayLimits.pageSize });
  return (
    <>
      {/* The sort travels with the results, so a filter change after an htmx sort keeps it. */}
      {order.sort !== 'name' && <input type="hidden" name="sort" value={order.sort} form={FILTERS} />}
      {order.dir === 'desc' && <input type="hidden" name="dir" value="desc" form={FILTERS} />}
      <div class="toolbar results-toolbar">
        <p class="results-count">
          {total.capped ? t('clients.countCapped', { count: number(total.count) }) : t('clients.count', { count: number(total.count) })}
        </p>
        {/* "Descargar" exports exactly these filters, in this order; it sits in the swapped part so it follows them. */}
        {can('reports.download') && <DownloadForm kind="clients" query={trayParams(filters, { sort: order.sort, dir: order.dir })} />}
      </div>
      {props.rows.length === 0 && total.count > 0 ? (
        // A page past the last (an old link, a page typed in): the filters do find clients.
        // Past a capped count, where the last page is not known, it says only that.
        <PastLastPage total={{ ...total, pageSize: trayLimits.pageSize }} firstPage={pageHref('/app/clients', filterParams(filters), 1)} />
      ) : props.rows.length === 0 ? (
        <p class="panel">{t('common.noResults')}</p>
      ) : (
        <div class="table-wrap">
          <table class="table clients-table">
            <caption class="visually-hidden">{t('clients.title')}</caption>
            <thead>
              <tr>
                {props.columns.map((column) => (
                  <SortableHeading column={column} filters={filters} order={order} />
                ))}
                <th scope="col" class="actions">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              <ClientRows rows={props.rows} columns={props.columns} />
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label={t('clients.pages')}>
        <PageStep rel="prev" href={previous === null ? null : trayUrl(filters, { ...order, page: previous })} hx={hxLink(trayUrl(filters, { ...order, page: previous ?? 1 }))} />
        <span>{t('common.page', { page: order.page })}</span>
        {/* A short page is the last, whatever a capped count leaves unknown. */}
        <PageStep
          rel="next"
          href={props.rows.length === trayLimits.pageSize && (total.capped || order.page < lastPage) ? trayUrl(filters, { ...order, page: order.page + 1 }) : null}
          hx={hxLink(trayUrl(filters, { ...order, page: order.page + 1 }))}
        />
      </nav>
    </>
  );
}

// The arrows as character references, as `escapeHtml` writes every character above U+00FF:
// one such character anywhere in a page makes V8 keep the whole page as two-byte text.
const sortedUp = markup(' &#9650;');
const sortedDown = markup(' &#9660;');

function SortableHeading(props: { column: ClientColumn; filters: ClientFilters; order: TrayOrder }) {
  const { t } = useView();
  const label = props.column.heading ?? t(props.column.label);
  const sort = sortOf[props.column.key];
  const cls = props.column.numeric ? 'num' : undefined;
  if (!sort) {
    return (
      <th scope="col" class={cls}>
        {label}
      </th>
    );
  }
  const current = props.order.sort === sort;
  const dir = current && props.order.dir === 'asc' ? 'desc' : 'asc';
  const href = trayUrl(props.filters, { sort, dir });
  return (
    <th scope="col" class={cls} aria-sort={current ? (props.order.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
      {/* With an id, htmx gives the focus back to the heading after the swap (keyboard users stay where they were). */}
      <a id={`sort-${sort}`} href={href} {...hxLink(href)}>
        {label}
        {current && <span aria-hidden="true">{props.order.dir === 'asc' ? sortedUp : sortedDown}</span>}
      </a>
    </th>
  );
}

interface RowActions {
  allowed: { edit: boolean; delete: boolean };
  editOf: (nameHtml: string) => string;
  statementOf: (nameHtml: string) => string;
  interactionsOf: (nameHtml: string) => string;
  deleteOf: (nameHtml: string) => string;
}

/**
 * A message with a `{name}` as HTML, worked out once per page instead of once per row: the
 * row gives its name already escaped, and the words around it were escaped here.
 */
function withName(t: Translate, key: MessageKey): (nameHtml: string) => string {
  const mark = '\u0000';
  const parts = escapeHtml(t(key, { name: mark })).split(mark);
  const [before, after] = parts;
  return parts.length === 2 ? (nameHtml) => before + nameHtml + after : (nameHtml) => parts.join(nameHtml);
}

/**
 * The table's rows as strings rather than JSX (../components/markup.ts): a page has 25 rows
 * of some twenty elements each, and the cost per element made most of the time spent
 * rendering the tray.
 */
function ClientRows({ rows, columns }: { rows: ClientRow[]; columns: ClientColumn[] }) {
  const view = useView();
  const { t, can } = view;
  const labels: RowActions = {
    allowed: { edit: can('clients.edit'), delete: can('clients.delete') },
    editOf: withName(t, 'clients.action.editOf'),
    statementOf: withName(t, 'clients.action.statementOf'),
    interactionsOf: withName(t, 'clients.action.interactionsOf'),
    deleteOf: withName(t, 'clients.action.deleteOf'),
  };
  return rows.map((row) => markup(clientRow(row, columns, view, labels)));
}

function clientRow(row: ClientRow, columns: ClientColumn[], view: ViewContext, labels: RowActions): string {
  const { allowed } = labels;
  // The name is escaped once and goes into the first cell and every action's label.
  const name = escapeHtml(row.name);
  let cells = '';
  for (const column of columns) cells += clientCell(row, column, view, name);
  // "Cartera castigada" goes with the name; without the name's column, in the first cell.
  if (!columns.some((column) => column.key === 'name')) {
    const badge = chargedOffBadge(view.t, row);
    if (badge) cells = cells.replace('</td>', ` ${badge}</td>`);
  }
  // Ids are digits: the links need no escaping.
  const base = `/app/clients/${row.id}`;
  let actions = '';
  if (!row.deletedAt && allowed.edit) actions += iconLink(`${base}/edit`, 'pencil', labels.editOf(name));
  actions += iconLink(`${base}/statement`, 'eye', labels.statementOf(name));
  actions += iconLink(`${base}/interactions`, 'envelope', labels.interactionsOf(name));
  if (!row.deletedAt && allowed.delete) actions += iconLink(`${base}/deletion`, 'bin', labels.deleteOf(name));
  if (row.deletedAt && allowed.delete) {
    const restore = view.t('clients.action.restoreOf', { name: row.name });
    actions += (
      <PostForm action={`${base}/restoration`} class="inline-action">
        <button type="submit" class="icon-button" title={restore}>
          {Icon({ name: 'restore', label: restore })}
        </button>
      </PostForm>
    ).toString();
  }
  return `<tr${row.deletedAt ? ' class="deleted"' : ''}>${cells}<td class="actions">${actions}</td></tr>`;
}

function clientCell(row: ClientRow, column: ClientColumn, { t, money, number }: ViewContext, nameHtml: string): string {
  switch (column.key) {
    case 'name':
      return `<td><a href="/app/clients/${row.id}">${nameHtml}</a> ${chargedOffBadge(t, row)}</td>`;
    case 'status':
      return `<td>${statusBadge(t, row)}</td>`;
    case 'situation':
      return `<td>${situationBadge(t, row.situation)}</td>`;
    case 'totalBalance':
      // Paid beyond what is owed (a tenant that allows it): a credit, said in words.
      return row.totalBalance < 0
        ? `<td class="num"><span class="credit">${escapeHtml(t('statement.credit'))} ${escapeHtml(money(-row.totalBalance))}</span></td>`
        : `<td class="num">${escapeHtml(money(row.totalBalance))}</td>`;
    case 'email':
      // An address has no spaces: it may break anywhere rather than push the actions out of sight.
      return `<td class="email">${escapeHtml(String(column.value(row, t)))}</td>`;
    case 'daysPastDue':
      return `<td class="num">${escapeHtml(number(row.daysPastDue))}</td>`;
    default:
      return `<td${column.numeric ? ' class="num"' : ''}>${escapeHtml(String(column.value(row, t)))}</td>`;
  }
}
