import type { ClaimableOrder, ClaimClient, ClaimRow } from '../../src/claims/queries.js';
import { ErrorSummary, PostForm, type FieldErrors } from '../components/forms.js';
import { ResultsStatus } from '../components/results-status.js';
import { useView } from '../context.js';
import { AlertBadges, ClaimFields, StateBadge } from './parts.js';

type Values = { category?: string; description?: string; comments?: string | null; orderIds: string[] };
type Found = { id: number; name: string; documentType: string; documentNumber: string };

/** What an htmx search of the picker gets: its results, and their count for screen readers. */
export function ClientPickerFragment(props: { query: string; found: Found[] | null }) {
  return (
    <>
      <ClientPicker {...props} />
      {props.found && <ResultsStatus id="picker-status" total={{ count: props.found.length, capped: false }} oob />}
    </>
  );
}

/** The client search of the new-claim form: a GET form whose results are links, so it needs no script. */
export function ClientPicker(props: { query: string; found: Found[] | null }) {
  const { t, can } = useView();
  return (
    <div id="client-picker">
      <form method="get" action="/app/claims/new" class="inline" role="search" hx-get="/app/claims/new" hx-target="#client-picker" hx-swap="outerHTML" hx-push-url="true">
        <div class="field">
          <label for="f-clientQ">{t('claims.pickClient')}</label>
          <input id="f-clientQ" name="clientQ" type="search" value={props.query} placeholder={t(can('receivables') ? 'claims.clientSearchDocument' : 'claims.clientSearch')} />
        </div>
        <button type="submit">{t('common.search')}</button>
      </form>
      {props.found && props.found.length === 0 && <p class="hint">{t('claims.noClients')}</p>}
      {props.found && props.found.length > 0 && (
        <ul class="claim-client-results">
          {props.found.map((c) => (
            <li>
              <a href={`/app/claims/new?clientId=${c.id}`}>
                {c.name}
                {can('receivables') && (
                  <span class="hint">
                    {' '}
                    · {c.documentType} {c.documentNumber}
                  </span>
                )}
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ClientSummary({ client, change }: { client: ClaimClient; change?: boolean }) {
  const { t, can } = useView();
  return (
    <p class="claim-client">
      <strong>{t('claims.client')}:</strong>{' '}
      {can('receivables') ? <a href={`/app/clients/${client.id}`}>{client.name}</a> : client.name}
      {can('receivables') && (
        <span class="hint">
          {' '}
          · {client.documentType} {client.documentNumber}
        </span>
      )}{' '}
      <AlertBadges alerts={client.contactAlerts} />
      {change && (
        <>
          {' '}
          <a href="/app/claims/new">{t('claims.changeClient')}</a>
        </>
      )}
    </p>
  );
}

/** "Crear": first the client, then its orders, the category and the description. */
export function NewClaimPage(props: {
  query: string;
  found: Found[] | null;
  client: ClaimClient | undefined;
  orders: ClaimableOrder[];
  values: Values;
  errors?: FieldErrors;
}) {
  const { t } = useView();
  return (
    <>
      <h1>{t('claims.new')}</h1>
      <ErrorSummary errors={props.errors} />
      {props.client ? (
        <>
          <ClientSummary client={props.client} change />
          <PostForm action="/app/claims">
            <input type="hidden" name="clientId" value={String(props.client.id)} />
            <ClaimFields prefix="f" values={props.values} orders={props.orders} errors={props.errors} closed={false} />
            <div class="form-actions">
              <button type="submit" class="primary">
                {t('common.save')}
              </button>
              <a href="/app/claims">{t('common.cancel')}</a>
            </div>
          </PostForm>
        </>
      ) : (
        <>
          <ClientPicker query={props.query} found={props.found} />
          <ResultsStatus id="picker-status" />
        </>
      )}
    </>
  );
}

/** The edit form as a page of its own: what the tray's inline editing falls back to without script. */
export function EditClaimPage(props: { row: ClaimRow; client: ClaimClient | undefined; orders: ClaimableOrder[]; values: Values; errors?: FieldErrors; back: string }) {
  const { t } = useView();
  const { row } = props;
  return (
    <>
      <h1>
        {t('claims.edit')} #{row.id} <StateBadge state={row.state} />
      </h1>
      <ErrorSummary errors={props.errors} />
      {props.client && <ClientSummary client={props.client} />}
      <PostForm action={`/app/claims/${row.id}`}>
        <input type="hidden" name="back" value={props.back} />
        <ClaimFields prefix="f" values={props.values} orders={props.orders} errors={props.errors} closed={row.state === 'cerrado'} storedComments={row.comments} />
        <div class="form-actions">
          <button type="submit" class="primary">
            {t('common.save')}
          </button>
          <a href={props.back}>{t('common.cancel')}</a>
        </div>
      </PostForm>
    </>
  );
}
