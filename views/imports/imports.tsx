import { clientsOnly, type ImportField, type ImportSubject, type Mapping } from '../../src/imports/fields.js';
import { mappingOf, mayDiscard } from '../../src/imports/service.js';
import type { FileProcess } from '../../src/process-log/schema.js';
import { translateMessage } from '../../src/platform/i18n/index.js';
import { ErrorSummary, FileInput, PostForm, useMessage, type FieldErrors } from '../components/forms.js';
import { ResultsStatus } from '../components/results-status.js';
import { useView } from '../context.js';
import { processStateKey, processStateLabel, ProcessProgress, RefreshWithoutScript, StateBadge } from '../process-log/process-log.js';

export function UploadPage(props: { subject: ImportSubject; errors?: FieldErrors; limitMb: number; maxRows: number }) {
  const { t, number } = useView();
  const campaigns = props.subject === 'campaign_entries';
  const limits = { limit: props.limitMb, rows: number(props.maxRows) };
  return (
    <>
      <h1>{t(campaigns ? 'campaignImports.title' : 'imports.title')}</h1>
      <p>{campaigns ? t('campaignImports.intro', limits) : t('imports.intro', limits)}</p>
      <p>
        <a href={campaigns ? '/app/imports/template.xlsx?kind=campaign_entries' : '/app/imports/template.xlsx'}>{t('imports.template')}</a>
      </p>
      <ErrorSummary errors={props.errors} />
      <PostForm action="/app/imports" enctype="multipart/form-data">
        {campaigns && <input type="hidden" name="kind" value="campaign_entries" />}
        <FileInput name="file" label={t('imports.file')} hint={t('imports.fileHint')} errors={props.errors} accept=".xlsx,.xls,.csv" required />
        <div class="form-actions">
          <button type="submit" class="primary">
            {t('imports.upload')}
          </button>
        </div>
      </PostForm>
    </>
  );
}

function MappingForm(props: { process: FileProcess; fields: ImportField[]; headers: string[]; mapping: Mapping; errors?: FieldErrors }) {
  const { t } = useView();
  const message = useMessage();
  return (
    <PostForm action={`/app/imports/${props.process.id}/mapping`}>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">{t('imports.mapping.field')}</th>
            <th scope="col">{t('imports.mapping.column')}</th>
          </tr>
        </thead>
        <tbody>
          {props.fields.map((field) => {
            const error = props.errors?.[field.key];
            return (
              <tr class={error ? 'field-error' : undefined}>
                <td>
                  <label for={`f-map-${field.key}`}>
                    {field.heading ?? t(field.label)}
                    {field.required ? ' *' : ''}
                  </label>
                  {error && (
                    <p class="error" id={`f-map-${field.key}-error`}>
                      {message(error)}
                    </p>
                  )}
                </td>
                <td>
                  <select id={`f-map-${field.key}`} name={`map.${field.key}`} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `f-map-${field.key}-error` : undefined}>
                    <option value="">{t('imports.mapping.none')}</option>
                    {props.headers.map((header, index) => (
                      <option value={String(index)} selected={props.mapping[field.key] === index}>
                        {header || t('imports.mapping.untitled', { n: index + 1 })}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div class="form-actions">
        <button type="submit" class="primary">
          {t('imports.mapping.submit')}
        </button>
      </div>
    </PostForm>
  );
}

function Summary(props: { process: FileProcess }) {
  const { t, number } = useView();
  const c = props.process.counts;
  // Once applied, the counts are what was done, not what would be.
  const done = props.process.stage === 'applied';
  return (
    <dl class="summary">
      <dt>{t('imports.summary.rows')}</dt>
      <dd>{number(c.rows ?? 0)}</dd>
      <dt>{t(done ? 'imports.summary.created' : 'imports.summary.create')}</dt>
      <dd>{number(c.create ?? 0)}</dd>
      <dt>{t(done ? 'imports.summary.updated' : 'imports.summary.update')}</dt>
      <dd>{number(c.update ?? 0)}</dd>
      <dt>{t('imports.summary.unchanged')}</dt>
      <dd>{number(c.unchanged ?? 0)}</dd>
      <dt>{t('imports.summary.rejected')}</dt>
      <dd>{number(c.rejected ?? 0)}</dd>
    </dl>
  );
}

/**
 * What a poll of a running upload answers: its part of the page, and, when its state changed
 * since the poll before (`was`), the new state to the live region for screen readers. Said
 * once, not at every poll: the progress bar is there to be read when wanted.
 */
export function ImportStatusFragment(props: { process: FileProcess; was: string | undefined }) {
  const { t } = useView();
  const changed = props.was !== undefined && props.was !== processStateKey(props.process);
  return (
    <>
      <ImportStatus process={props.process} />
      {changed && <ResultsStatus id="import-state" text={processStateLabel(t, props.process)} oob />}
    </>
  );
}

/** The part of the import page that follows the job; refreshed by HTMX while it runs. */
export function ImportStatus(props: { process: FileProcess }) {
  const { t } = useView();
  const p = props.process;
  const live = p.state === 'queued' || p.state === 'running';
  return (
    // Polled while it runs; what changes is said from the live region beside it (ImportStateChange).
    <section id="import-status" {...(live && p.stage !== 'mapping' ? { 'hx-get': `/app/imports/${p.id}/status?was=${encodeURIComponent(processStateKey(p))}`, 'hx-trigger': 'every 2s', 'hx-swap': 'outerHTML' } : {})}>
      <p>
        <StateBadge process={p} /> <ProcessProgress process={p} />
      </p>
      {live && p.stage !== 'mapping' && <RefreshWithoutScript />}
      {p.error && <p class="error">{translateMessage(t, p.error)}</p>}
      {(p.stage === 'validated' || p.stage === 'applied' || p.stage === 'applying') && (
        <>
          {p.subject === 'clients' && clientsOnly(mappingOf(p)) && <p>{t('imports.clientsOnly')}</p>}
          <Summary process={p} />
        </>
      )}
      {p.errorReportKey && (
        <p>
          <a href={`/app/process-log/${p.id}/files/errors`}>{t('imports.errorReport')}</a>
        </p>
      )}
      {p.stage === 'validated' && (
        <PostForm action={`/app/imports/${p.id}/application`}>
          <p>{t('imports.applyHint')}</p>
          <button type="submit" class="primary">
            {t('imports.apply')}
          </button>
        </PostForm>
      )}
      {p.stage === 'applied' && <p>{(p.counts.create ?? 0) + (p.counts.update ?? 0) === 0 ? t('imports.nothingToApply') : t('imports.applied')}</p>}
      {p.stage === 'discarded' && <p>{t('imports.discardedHint')}</p>}
      {/* An upload waiting for its columns or its apply can be let go; nothing of it was loaded. */}
      {mayDiscard(p) && (
        <PostForm action={`/app/imports/${p.id}/discard`}>
          <button type="submit">
            {t('imports.discard')}
          </button>
        </PostForm>
      )}
    </section>
  );
}

export function ImportPage(props: { process: FileProcess; fields: ImportField[]; headers: string[]; mapping: Mapping; errors?: FieldErrors }) {
  const { t } = useView();
  const p = props.process;
  const mappable = p.stage === 'mapping' || p.stage === 'validated';
  return (
    <>
      <h1>{t('imports.titleOf', { name: p.originalName ?? '' })}</h1>
      {/* Each line leads to its field's column choice, named as the mapping names it. */}
      <ErrorSummary errors={props.errors} prefix="f-map" labels={Object.fromEntries(props.fields.map((field) => [field.key, field.heading ?? t(field.label)]))} />
      <ImportStatus process={p} />
      <ResultsStatus id="import-state" />
      {mappable && (
        <>
          <h2>{t('imports.mapping.title')}</h2>
          <p>{t('imports.mapping.intro')}</p>
          {p.subject === 'clients' && <p>{t('imports.mapping.orders')}</p>}
          <MappingForm process={p} fields={props.fields} headers={props.headers} mapping={props.mapping} errors={props.errors} />
        </>
      )}
    </>
  );
}
