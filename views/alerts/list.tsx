import type { AlertRow } from '../../src/alerts/service.js';
import { wordFor } from '../../src/events/describe.js';
import { PostForm } from '../components/forms.js';
import { ChargedOffBadge } from '../clients/parts.js';
import { DataTable } from '../components/table.js';
import { ScopeTabs } from '../components/scope-tabs.js';
import { useView } from '../context.js';

function ResolveButton({ id, back, clientName }: { id: number; back: string; clientName: string }) {
  const { t } = useView();
  return (
    <PostForm action={`/app/alerts/${id}/resolution`}>
      <input type="hidden" name="back" value={back} />
      <button type="submit" class="small" aria-label={`${t('alerts.resolve')}: ${clientName}`}>
        {t('alerts.resolve')}
      </button>
    </PostForm>
  );
}

/** Alertas: what debtors asked for, the oldest first; an advisor sees their clients' by default. */
export function AlertsPage(props: { rows: AlertRow[]; chargedOff: ReadonlySet<number>; scope: 'mine' | 'all'; back: string }) {
  const { t, dateTime } = useView();
  return (
    <>
      <div class="page-header">
        <h1>{t('alerts.title')}</h1>
      </div>
      <ScopeTabs label={t('alerts.title')} scope={props.scope} mine="/app/alerts" all="/app/alerts?scope=all" />
      {props.rows.length === 0 ? (
        <p class="panel">{t('alerts.empty')}</p>
      ) : (
        <DataTable
          rows={props.rows}
          columns={[
            {
              heading: t('alerts.client'),
              cell: (row) => (
                <>
                  <a href={`/app/clients/${row.clientId}`}>{row.clientName}</a> <ChargedOffBadge client={{ activeCampaign: props.chargedOff.has(row.clientId) }} />
                  <br />
                  <small>
                    {row.documentType} {row.documentNumber}
                    {row.phone ? ` · ${row.phone}` : ''}
                  </small>
                </>
              ),
            },
            {
              heading: t('alerts.kind'),
              cell: (row) => (
                <>
                  {t(`alerts.kind.${row.kind}`)}
                  <br />
                  <small>{wordFor(t, row.source, ['alerts.source.'])}</small>
                  <AlertNote row={row} />
                </>
              ),
            },
            { heading: t('alerts.since'), cell: (row) => <time datetime={row.createdAt.toISOString()}>{dateTime(row.createdAt)}</time> },
            { heading: t('alerts.advisor'), cell: (row) => row.advisorName ?? t('alerts.noAdvisor') },
            {
              heading: <span class="visually-hidden">{t('alerts.resolve')}</span>,
              kind: 'actions',
              cell: (row) => <ResolveButton id={row.id} back={props.back} clientName={row.clientName} />,
            },
          ]}
        />
      )}
    </>
  );
}

/**
 * What the alert carries: the debtor's words (a reason), or for claims raised from the portal
 * their numbers, as links for those who may open claims.
 */
function AlertNote({ row }: { row: AlertRow }) {
  const { can } = useView();
  if (!row.note) return null;
  if (row.kind !== 'claim_from_portal') return (
    <>
      <br />
      <small>{row.note}</small>
    </>
  );
  const numbers = row.note.match(/\d+/g) ?? [];
  const open = can('claims.view') || can('claims.edit');
  return (
    <>
      <br />
      <small>
        {numbers.map((n, i) => (
          <>
            {i > 0 && ', '}
            {open ? <a href={`/app/claims/${n}`}>#{n}</a> : `#${n}`}
          </>
        ))}
      </small>
    </>
  );
}

/** The client's open alerts, on the client's page. */
export function ClientAlerts(props: { rows: AlertRow[]; clientId: number }) {
  const { t, dateTime } = useView();
  if (props.rows.length === 0) return null;
  return (
    <section class="panel alerts" aria-labelledby="client-alerts">
      <h2 id="client-alerts">{t('alerts.onClient')}</h2>
      <ul class="plain">
        {props.rows.map((row) => (
          <li>
            <strong>{t(`alerts.kind.${row.kind}`)}</strong> · <time datetime={row.createdAt.toISOString()}>{dateTime(row.createdAt)}</time>
            <ResolveButton id={row.id} back={`/app/clients/${props.clientId}`} clientName={row.clientName} />
          </li>
        ))}
      </ul>
    </section>
  );
}
