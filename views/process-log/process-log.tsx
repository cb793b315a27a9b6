import { aboutOf, filterStates, type ProcessFilters, type ProcessRow } from '../../src/process-log/queries.js';
import { processKinds, type FileProcess } from '../../src/process-log/schema.js';
import { translateMessage } from '../../src/platform/i18n/index.js';
import { PastLastPage } from '../components/pager.js';
import type { Translate } from '../../src/platform/i18n/index.js';
import { useView } from '../context.js';

const running = (p: Pick<FileProcess, 'state' | 'scheduledFor'>, now: Date) =>
  (p.state === 'queued' || p.state === 'running') && !(p.scheduledFor && p.scheduledFor > now);

/**
 * Without JavaScript nothing polls a running job: the page says so and offers to look again.
 * It does not reload itself: a page that reloads every few seconds sends the keyboard and a
 * screen reader back to its start each time, with no way to stop it while a job waits.
 */
export function RefreshWithoutScript() {
  const { t } = useView();
  return (
    <noscript>
      <p class="hint">
        {t('processLog.stillRunning')} <a href="">{t('processLog.refresh')}</a>
      </p>
    </noscript>
  );
}

export function ProcessProgress(props: { process: FileProcess }) {
  const { t, number } = useView();
  const p = props.process;
  if (p.state !== 'running' && p.state !== 'queued') return null;
  // Waiting for its columns to be chosen, an upload waits for a person: nothing runs.
  if (p.kind === 'import' && p.stage === 'mapping') return null;
  // An apply is one transaction: there is no part of it written to count, only its end.
  const applying = p.kind === 'import' && p.stage === 'applying';
  const total = applying ? null : p.progressTotal;
  const label = applying
    ? t('processLog.applying', { count: number((p.counts.create ?? 0) + (p.counts.update ?? 0)) })
    : total
      ? t('processLog.progressOf', { done: number(p.progressDone), total: number(total) })
      : t('processLog.progressRows', { done: number(p.progressDone) });
  return (
    <>
      {total ? <progress max={total} value={Math.min(p.progressDone, total)} aria-label={label} /> : <progress aria-label={label} />}
      <span class="hint"> {label}</span>
    </>
  );
}

/** A process's state in words, as its badge says it. */
export function processStateLabel(t: Translate, p: Pick<FileProcess, 'kind' | 'stage' | 'state'>): string {
  return p.kind === 'import' && p.stage === 'validated' && p.state !== 'failed' ? t('processLog.state.checked') : t(`processLog.state.${p.state}`);
}

/** What the state's live announcement follows: a change of either is said once. */
export const processStateKey = (p: Pick<FileProcess, 'stage' | 'state'>) => `${p.state}:${p.stage ?? ''}`;

export function StateBadge(props: { process: FileProcess }) {
  const { t, dateTime } = useView();
  const p = props.process;
  // An upload checked and not yet applied has loaded nothing: it is not shown as completed.
  if (p.kind === 'import' && p.stage === 'validated' && p.state !== 'failed') {
    return (
      <>
        <span class="badge badge-muted">{t('processLog.state.checked')}</span>
        <span class="hint"> {t('processLog.awaitingApply')}</span>
      </>
    );
  }
  const tone = p.state === 'failed' ? 'badge-error' : p.state === 'completed' ? 'badge-ok' : p.state === 'completed_with_errors' ? 'badge-warn' : 'badge-muted';
  return (
    <>
      <span class={`badge ${tone}`}>{t(`processLog.state.${p.state}`)}</span>
      {p.kind === 'import' && p.stage === 'mapping' && p.state === 'queued' && <span class="hint"> {t('processLog.awaitingMapping')}</span>}
      {p.scheduledFor && p.state === 'queued' && <span class="hint"> {t('processLog.scheduledFor', { at: dateTime(p.scheduledFor) })}</span>}
    </>
  );
}

function Files(props: { process: FileProcess }) {
  const { t, can } = useView();
  const p = props.process;
  const link = (file: string, label: string) => (
    <li>
      <a id={`process-${p.id}-${file}`} href={`/app/process-log/${p.id}/files/${file}`}>
        {label}
      </a>
    </li>
  );
  return (
    <ul class="file-list">
      {p.originalKey && can('imports') && link('original', p.originalName ?? t('processLog.file.original'))}
      {p.errorReportKey && can('imports') && link('errors', t('processLog.file.errors'))}
      {p.resultKey && can('reports.download') && link('result', t('processLog.file.result', { format: p.format.toUpperCase() }))}
    </ul>
  );
}

function Counts(props: { process: FileProcess }) {
  const { t, number } = useView();
  const c = props.process.counts;
  if (props.process.kind === 'export') return <>{c.rows !== undefined ? t('processLog.countRows', { count: number(c.rows) }) : '—'}</>;
  if (c.rows === undefined) return <>—</>;
  // Only an applied upload's counts are what was done; otherwise (checked, applying, failed,
  // discarded) they are what the check found applying would do, as the upload's page says.
  const done = props.process.stage === 'applied';
  return (
    <>
      {t(done ? 'processLog.countImport' : 'processLog.countChecked', {
        rows: t('processLog.countRows', { count: number(c.rows) }),
        create: number(c.create ?? 0),
        update: number(c.update ?? 0),
        unchanged: number(c.unchanged ?? 0),
        rejected: number(c.rejected ?? 0),
      })}
    </>
  );
}

/** One row; while its job runs, HTMX fetches it again every two seconds. */
export function ProcessRowView(props: { row: ProcessRow; now: Date }) {
  const { t, dateTime } = useView();
  const p = props.row;
  const live = running(p, props.now);
  const about = aboutOf(p);
  const kind = t(`processLog.kind.${p.kind}`, { subject: translateMessage(t, `processLog.subject.${p.subject}`) }) + (about ? ` · ${about}` : '');
  return (
    <tr id={`process-${p.id}`} {...(live ? { 'hx-get': `/app/process-log/${p.id}/row`, 'hx-trigger': 'every 2s', 'hx-swap': 'outerHTML' } : {})}>
      <td>
        {/* Links keep ids: htmx gives the focus back to them when the live row is fetched again. */}
        {p.kind === 'import' ? (
          <a id={`process-${p.id}-open`} href={`/app/imports/${p.id}`}>
            {kind}
          </a>
        ) : (
          kind
        )}
      </td>
      <td>{p.userName ?? '—'}</td>
      <td>{dateTime(p.createdAt)}</td>
      <td>
        <StateBadge process={p} />
        <ProcessProgress process={p} />
        {p.error && <p class="error">{translateMessage(t, p.error)}</p>}
      </td>
      <td>
        <Counts process={p} />
      </td>
      <td>
        <Files process={p} />
      </td>
    </tr>
  );
}

export function ProcessLogPage(props: { rows: ProcessRow[]; filters: ProcessFilters; users: { id: number; name: string }[]; more: boolean; now: Date; query: string }) {
  const { t, can } = useView();
  const f = props.filters;
  const pageLink = (page: number) => {
    const q = new URLSearchParams(props.query);
    q.set('page', String(page));
    return `/app/process-log?${q}`;
  };
  return (
    <>
      <div class="page-header">
        <h1>{t('processLog.title')}</h1>
        {can('imports') && (
          <a class="button" href="/app/imports/new">
            {t('imports.new')}
          </a>
        )}
      </div>
      <form method="get" action="/app/process-log" class="filters panel" hx-get="/app/process-log" hx-target="#process-rows" hx-select="#process-rows" hx-swap="outerHTML" hx-push-url="true">
        <label>
          {t('processLog.filter.kind')}
          <select name="kind">
            <option value="">{t('common.all')}</option>
            {processKinds.map((k) => (
              <option value={k} selected={f.kind === k}>
                {t(`processLog.kindName.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('processLog.filter.user')}
          <select name="user">
            <option value="">{t('common.all')}</option>
            {props.users.map((u) => (
              <option value={String(u.id)} selected={f.userId === u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('processLog.filter.state')}
          <select name="state">
            <option value="">{t('common.all')}</option>
            {filterStates.map((s) => (
              <option value={s} selected={f.state === s}>
                {t(`processLog.state.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('processLog.filter.from')}
          <input type="date" name="from" value={f.from ?? ''} />
        </label>
        <label>
          {t('processLog.filter.to')}
          <input type="date" name="to" value={f.to ?? ''} />
        </label>
        <button type="submit">{t('common.filter')}</button>
      </form>
      <div class="table-wrap" id="process-rows">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t('processLog.col.type')}</th>
              <th scope="col">{t('processLog.col.user')}</th>
              <th scope="col">{t('processLog.col.when')}</th>
              <th scope="col">{t('processLog.col.state')}</th>
              <th scope="col">{t('processLog.col.counts')}</th>
              <th scope="col">{t('processLog.col.files')}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <ProcessRowView row={row} now={props.now} />
            ))}
          </tbody>
        </table>
        {/* Past the last page (an old link), the log says only that: it does not count its entries. */}
        {props.rows.length === 0 && (f.page > 1 ? <PastLastPage firstPage={pageLink(1)} /> : <p>{t('common.noResults')}</p>)}
        {props.rows.some((row) => running(row, props.now)) && <RefreshWithoutScript />}
        <nav class="pager">
          {f.page > 1 && <a href={pageLink(f.page - 1)}>{t('common.previous')}</a>}
          {props.more && <a href={pageLink(f.page + 1)}>{t('common.next')}</a>}
        </nav>
      </div>
    </>
  );
}
