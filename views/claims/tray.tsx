import { claimFilterParams, claimFiltersQuery, PAGE_SIZE, type ClaimableOrder, type ClaimFilters, type ClaimRow } from '../../src/claims/queries.js';
import { claimCategories } from '../../src/claims/schema.js';
import { ErrorSummary, filterTrigger, PostForm, type FieldErrors } from '../components/forms.js';
import { PageStep, PastLastPage, previousPage } from '../components/pager.js';
import { ResultsStatus } from '../components/results-status.js';
import { DownloadForm } from '../exports/confirm.js';
import { useView } from '../context.js';
import { AlertBadges, categoryLabel, ClaimFields, duration, StateBadge } from './parts.js';

const COLUMNS = 9;

export interface TrayResult {
  rows: ClaimRow[];
  total: number;
  capped: boolean;
}

/** Reclamos: filters in the URL, the table below; the filter form and pager only get enhanced by htmx. */
export function ClaimsTray(props: { filters: ClaimFilters; result: TrayResult; advisors: { id: number; name: string; role: string }[] }) {
  const { t, can } = useView();
  return (
    <>
      <div class="page-header">
        <h1>{t('claims.title')}</h1>
        <div class="toolbar">
          {can('claims.edit') && (
            <a class="button primary" href="/app/claims/new">
              {t('common.create')}
            </a>
          )}
        </div>
      </div>
      <ClaimFilterForm filters={props.filters} advisors={props.advisors} />
      <ResultsStatus id="claims-status" />
      <ClaimResults filters={props.filters} result={props.result} />
    </>
  );
}

function ClaimFilterForm({ filters, advisors }: { filters: ClaimFilters; advisors: { id: number; name: string; role: string }[] }) {
  const { t } = useView();
  return (
    <form
      method="get"
      action="/app/claims"
      id="claim-filters"
      class="panel claim-filters"
      role="search"
      hx-get="/app/claims"
      hx-target="#claims-results"
      hx-swap="outerHTML"
      hx-push-url="true"
      hx-trigger={filterTrigger('claim-filters')}
    >
      <div class="claim-filter-grid">
        <div class="field">
          <label for="f-q">{t('common.search')}</label>
          <input id="f-q" name="q" type="search" value={filters.q} placeholder={t('claims.searchHint')} />
        </div>
        <div class="field">
          <label for="f-state">{t('claims.state')}</label>
          <select id="f-state" name="state">
            {(['abierto', 'cerrado', 'todos'] as const).map((s) => (
              <option value={s} selected={filters.state === s}>
                {t(`claims.state.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-category">{t('claims.category')}</label>
          <select id="f-category" name="category">
            <option value="">{t('common.all')}</option>
            {claimCategories.map((c) => (
              <option value={c} selected={filters.category === c}>
                {categoryLabel(t, c)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-client">{t('claims.client')}</label>
          <input id="f-client" name="client" type="text" value={filters.client} />
        </div>
        <div class="field">
          <label for="f-from">{t('claims.from')}</label>
          <input id="f-from" name="from" type="date" value={filters.from} />
        </div>
        <div class="field">
          <label for="f-to">{t('claims.to')}</label>
          <input id="f-to" name="to" type="date" value={filters.to} />
        </div>
        <div class="field">
          <label for="f-supervisor">{t('clients.field.supervisor')}</label>
          <select id="f-supervisor" name="supervisor">
            <option value="">{t('common.all')}</option>
            {advisors
              .filter((a) => a.role !== 'advisor')
              .map((a) => (
                <option value={String(a.id)} selected={filters.supervisorId === a.id}>
                  {a.name}
                </option>
              ))}
          </select>
        </div>
        <div class="field">
          <label for="f-advisor">{t('claims.advisor')}</label>
          <select id="f-advisor" name="advisor">
            <option value="">{t('common.all')}</option>
            {advisors.map((a) => (
              <option value={String(a.id)} selected={filters.advisorId === a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-alerts">{t('claims.alerts')}</label>
          <select id="f-alerts" name="alerts">
            <option value="">{t('common.all')}</option>
            <option value="yes" selected={filters.alerts === 'yes'}>
              {t('claims.alerts.yes')}
            </option>
            <option value="no" selected={filters.alerts === 'no'}>
              {t('claims.alerts.no')}
            </option>
          </select>
        </div>
      </div>
      {filters.clientId && (
        <p class="hint">
          <input type="hidden" name="clientId" value={String(filters.clientId)} />
          {t('claims.oneClient')} <a href="/app/claims">{t('claims.allClients')}</a>
        </p>
      )}
      <div class="toolbar">
        <button type="submit" class="primary">
          {t('common.filter')}
        </button>
        <a href="/app/claims">{t('common.clear')}</a>
      </div>
    </form>
  );
}

/** What an htmx filter or page gets: the results, and their count for screen readers. */
export function ClaimsFragment(props: { filters: ClaimFilters; result: TrayResult }) {
  return (
    <>
      <ClaimResults {...props} />
      <ResultsStatus id="claims-status" total={{ count: props.result.total, capped: props.result.capped }} oob />
    </>
  );
}

/** The part the filter form and the pager swap: count, table and pager. */
export function ClaimResults({ filters, result }: { filters: ClaimFilters; result: TrayResult }) {
  const { t, number, can } = useView();
  const back = `/app/claims${claimFiltersQuery(filters, filters.page)}`;
  const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
  const previous = previousPage(filters.page, { count: result.total, capped: result.capped, pageSize: PAGE_SIZE });
  const pageLink = (page: number) => `/app/claims${claimFiltersQuery(filters, page)}`;
  const hx = (href: string) => ({ 'hx-get': href, 'hx-target': '#claims-results', 'hx-swap': 'outerHTML focus-scroll:true', 'hx-push-url': 'true' });
  return (
    <div id="claims-results">
      <div class="toolbar results-toolbar">
        <p class="hint">
          {result.capped ? t('common.resultsCapped', { count: number(result.total) }) : t('common.results', { count: number(result.total) })}
        </p>
        {/* "Descargar" exports exactly these filters; it sits in the swapped part so it follows an htmx filter. */}
        {can('reports.download') && <DownloadForm kind="claims" query={claimFilterParams(filters)} />}
      </div>
      <div class="table-wrap">
        <table class="table claims">
          <thead>
            <tr>
              <th scope="col">{t('claims.number')}</th>
              <th scope="col">{t('claims.client')}</th>
              <th scope="col">{t('claims.category')}</th>
              <th scope="col">{t('claims.state')}</th>
              <th scope="col">{t('claims.orders')}</th>
              <th scope="col">{t('claims.createdAt')}</th>
              <th scope="col">{t('claims.timeToResolve')}</th>
              <th scope="col">{t('claims.advisor')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {result.rows.length === 0 && (
              <tr>
                <td colspan={COLUMNS}>
                  {result.total > 0 ? <PastLastPage total={{ count: result.total, capped: result.capped, pageSize: PAGE_SIZE }} firstPage={pageLink(1)} /> : t('common.noResults')}
                </td>
              </tr>
            )}
            {result.rows.map((row) => (
              <ClaimTrayRow row={row} back={back} />
            ))}
          </tbody>
        </table>
      </div>
      {pages > 1 && (
        <nav class="pager" aria-label={t('common.page', { page: filters.page })}>
          <PageStep rel="prev" href={previous === null ? null : pageLink(previous)} hx={hx(pageLink(previous ?? 1))} />
          <span>{t('common.page', { page: filters.page })}</span>
          <PageStep rel="next" href={filters.page < pages ? pageLink(filters.page + 1) : null} hx={hx(pageLink(filters.page + 1))} />
        </nav>
      )}
    </div>
  );
}

/** A one-button form that closes or reopens the claim; htmx swaps the row, without it the page posts and comes back. */
export function StateButton(props: { row: { id: number; state: 'abierto' | 'cerrado' }; back: string; inRow: boolean; autofocus?: boolean }) {
  const { t } = useView();
  const action = props.row.state === 'abierto' ? 'closure' : 'reopening';
  const url = `/app/claims/${props.row.id}/${action}`;
  const hx = props.inRow ? { 'hx-post': url, 'hx-target': 'closest tr', 'hx-swap': 'outerHTML' } : {};
  return (
    <PostForm action={url} class="claim-state-form" {...hx}>
      <input type="hidden" name="back" value={props.back} />
      <button type="submit" class={props.row.state === 'abierto' ? undefined : 'link'} autofocus={props.autofocus}>
        {t(props.row.state === 'abierto' ? 'claims.close' : 'claims.reopen')}
      </button>
    </PostForm>
  );
}

/**
 * A row of the tray. Swapped in by htmx in place of what was pressed, it gives the focus back
 * where the keyboard was: to "Editar" after the editor, to the state button after closing or
 * reopening.
 */
export function ClaimTrayRow(props: { row: ClaimRow; back: string; error?: string; focus?: 'edit' | 'state' }) {
  const { t, date, can } = useView();
  const { row, back } = props;
  const edit = `/app/claims/${row.id}/edit?back=${encodeURIComponent(back)}`;
  return (
    <tr id={`claim-${row.id}`}>
      <td>
        <a href={`/app/claims/${row.id}`}>#{row.id}</a> {row.source === 'portal' && <span class="badge">{t('claims.fromPortal')}</span>}
      </td>
      <td>
        {row.clientName} {row.clientDeleted && <span class="badge badge-muted">{t('claims.clientDeleted')}</span>} <AlertBadges alerts={row.contactAlerts} />
      </td>
      <td>{categoryLabel(t, row.category)}</td>
      <td>
        <StateBadge state={row.state} />
      </td>
      <td>{row.orderCodes.join(', ')}</td>
      <td>{date(row.createdAt)}</td>
      <td>{row.state === 'cerrado' ? duration(t, row.resolutionSeconds) : '—'}</td>
      <td>{row.advisorName ?? '—'}</td>
      <td class="actions">
        {can('claims.edit') && (
          <>
            <a href={edit} hx-get={`/app/claims/${row.id}/edit`} hx-target="closest tr" hx-swap="outerHTML" autofocus={props.focus === 'edit'}>
              {t('common.edit')}
            </a>
            <StateButton row={row} back={back} inRow autofocus={props.focus === 'state'} />
          </>
        )}
        {props.error && (
          <p class="error" role="alert">
            {props.error}
          </p>
        )}
      </td>
    </tr>
  );
}

/** The row turned into its edit form (htmx); saving or cancelling swaps the row back. */
export function ClaimRowEditor(props: {
  row: ClaimRow;
  values: { category?: string; description?: string; comments?: string | null; orderIds: string[] };
  orders: ClaimableOrder[];
  errors?: FieldErrors;
  back: string;
}) {
  const { t } = useView();
  const { row } = props;
  return (
    <tr id={`claim-${row.id}`} class="claim-editing">
      <td colspan={COLUMNS}>
        <PostForm action={`/app/claims/${row.id}`} hx-post={`/app/claims/${row.id}`} hx-target="closest tr" hx-swap="outerHTML">
          <p>
            <strong>{t('claims.numbered', { id: row.id })}</strong> · {row.clientName} · <StateBadge state={row.state} />
          </p>
          <input type="hidden" name="back" value={props.back} />
          <ErrorSummary errors={props.errors} prefix={`c${row.id}`} />
          <ClaimFields
            prefix={`c${row.id}`}
            values={props.values}
            orders={props.orders}
            errors={props.errors}
            closed={row.state === 'cerrado'}
            storedComments={row.comments}
            autofocus
          />
          <div class="form-actions">
            <button type="submit" class="primary">
              {t('common.save')}
            </button>
            <a href={props.back} hx-get={`/app/claims/${row.id}/row`} hx-target="closest tr" hx-swap="outerHTML">
              {t('common.cancel')}
            </a>
          </div>
        </PostForm>
      </td>
    </tr>
  );
}
