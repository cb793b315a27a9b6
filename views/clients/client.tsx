import type { AlertRow } from '../../src/alerts/service.js';
import { PastLastPage } from '../components/pager.js';
import { ClientAlerts } from '../alerts/list.js';
import type { ClientVariable } from '../../src/clients/fields.js';
import type { ClientRow } from '../../src/clients/queries.js';
import { actorOf, changeLines, detailLines, eventLabel, type ChangeNames } from '../../src/events/describe.js';
import { isMessageKey, type MessageKey } from '../../src/platform/i18n/index.js';
import type { ClaimRow } from '../../src/claims/queries.js';
import { ClientClaims } from '../claims/client-claims.js';
import { PostForm } from '../components/forms.js';
import { DownloadForm } from '../exports/confirm.js';
import { useView } from '../context.js';
import { Balance } from '../payment-orders/orders.js';
import { ChargedOffBadge, ClientTabs, SituationBadge, StatusBadge } from './parts.js';

function ClientHeading({ client }: { client: ClientRow }) {
  return (
    <div class="page-header">
      <div>
        <h1>{client.name}</h1>
        <p class="client-document">
          {client.documentType} {client.documentNumber}
        </p>
      </div>
      <div class="toolbar">
        <SituationBadge situation={client.situation} />
        <StatusBadge client={client} />
        <ChargedOffBadge client={client} />
      </div>
    </div>
  );
}

export function ClientPage(props: { client: ClientRow; variables: ClientVariable[]; claims: ClaimRow[]; alerts?: AlertRow[] }) {
  const { t, can, money, number, date } = useView();
  const c = props.client;
  return (
    <>
      <ClientHeading client={c} />
      <ClientTabs clientId={c.id} current="client" />
      {c.deletedAt && (
        <div class="panel deleted-notice" role="status">
          <p>{t('clients.page.deletedOn', { date: date(c.deletedAt) })}</p>
          {can('clients.delete') && (
            <PostForm action={`/app/clients/${c.id}/restoration`}>
              <button type="submit" class="primary">
                {t('clients.action.restore')}
              </button>
            </PostForm>
          )}
        </div>
      )}
      <ClientAlerts rows={props.alerts ?? []} clientId={c.id} />
      <div class="client-totals">
        <div class="panel">
          <p class="total-label">{t('clients.field.totalBalance')}</p>
          <p class="total-value">
            <Balance minor={c.totalBalance} />
          </p>
        </div>
        <div class="panel">
          <p class="total-label">{t('clients.field.unpaidOrders')}</p>
          <p class="total-value">{number(c.unpaidOrders)}</p>
        </div>
        <div class="panel">
          <p class="total-label">{t('clients.field.daysPastDue')}</p>
          <p class="total-value">{number(c.daysPastDue)}</p>
        </div>
      </div>
      <section class="panel" aria-labelledby="client-data">
        <h2 id="client-data">{t('clients.page.data')}</h2>
        <dl class="client-data">
          <dt>{t('clients.field.email')}</dt>
          <dd>{c.email ? <a href={`mailto:${c.email}`}>{c.email}</a> : t('common.none')}</dd>
          <dt>{t('clients.field.phone')}</dt>
          <dd>{c.phone ? <a href={`tel:${c.phone}`}>{c.phone}</a> : t('common.none')}</dd>
          <dt>{t('clients.field.contactability')}</dt>
          <dd>{t(`clients.contactability.${c.contactability}`)}</dd>
          <dt>{t('clients.field.contactAlerts')}</dt>
          <dd>{c.contactAlerts.length > 0 ? c.contactAlerts.join(', ') : t('common.none')}</dd>
          <dt>{t('clients.field.segment')}</dt>
          <dd>{c.segment ?? t('common.none')}</dd>
          <dt>{t('clients.field.portfolio')}</dt>
          <dd>{t(`clients.portfolio.${c.portfolio}`)}</dd>
          <dt>{t('clients.field.supervisor')}</dt>
          <dd>{c.supervisorName ?? t('clients.field.noOne')}</dd>
          <dt>{t('clients.field.advisor')}</dt>
          <dd>{c.advisorName ?? t('clients.field.noOne')}</dd>
          {c.openClaimCategories.length > 0 && (
            <>
              <dt>{t('clients.field.claimCategory')}</dt>
              <dd>{c.openClaimCategories.map((cat) => (isMessageKey(`claimCategory.${cat}`) ? t(`claimCategory.${cat}` as MessageKey) : cat)).join(', ')}</dd>
            </>
          )}
          {props.variables.map((variable) => (
            <>
              <dt>{variable.label}</dt>
              <dd>{c.additional[variable.key] ?? t('common.none')}</dd>
            </>
          ))}
        </dl>
      </section>
      <ClientClaims claims={props.claims} clientId={c.id} />
      <div class="form-actions">
        <a class="button" href={`/app/clients/${c.id}/statement`}>
          {t('clients.action.statement')}
        </a>
        <a class="button" href={`/app/clients/${c.id}/interactions`}>
          {t('clients.interactions.title')}
        </a>
        {!c.deletedAt && can('clients.edit') && (
          <a class="button" href={`/app/clients/${c.id}/edit`}>
            {t('clients.edit')}
          </a>
        )}
        {!c.deletedAt && can('clients.delete') && (
          <a class="button danger" href={`/app/clients/${c.id}/deletion`}>
            {t('clients.action.delete')}
          </a>
        )}
        <a href="/app/clients">{t('clients.backToTray')}</a>
      </div>
    </>
  );
}

export function DeletionPage(props: { client: ClientRow }) {
  const { t, money } = useView();
  const c = props.client;
  return (
    <>
      <h1>{t('clients.deletion.title', { name: c.name })}</h1>
      <div class="panel">
        <p>{t('clients.deletion.body', { document: `${c.documentType} ${c.documentNumber}`, balance: money(c.totalBalance) })}</p>
        <p>{t('clients.deletion.restorable')}</p>
        <PostForm action={`/app/clients/${c.id}/deletion`}>
          <div class="form-actions">
            <button type="submit" class="danger">
              {t('clients.deletion.confirm')}
            </button>
            <a href={`/app/clients/${c.id}`}>{t('common.cancel')}</a>
          </div>
        </PostForm>
      </div>
    </>
  );
}

export interface EventItem {
  id: number;
  type: string;
  data: Record<string, unknown>;
  occurredAt: Date;
  actorName: string | null;
}

/** Lines under an event: what an edit changed, what a debtor chose. */
function EventLines(props: { lines: string[] }) {
  if (props.lines.length === 0) return null;
  return (
    <ul class="event-changes">
      {props.lines.map((line) => (
        <li>{line}</li>
      ))}
    </ul>
  );
}

export function InteractionsPage(props: { client: ClientRow; events: EventItem[]; page: number; hasMore: boolean; names: ChangeNames }) {
  const { t, dateTime, can, money } = useView();
  const c = props.client;
  const href = (page: number) => `/app/clients/${c.id}/interactions${page > 1 ? `?page=${page}` : ''}`;
  return (
    <>
      <ClientHeading client={c} />
      <ClientTabs clientId={c.id} current="interactions" />
      <div class="page-header">
        <h2>{t('clients.interactions.title')}</h2>
        {can('reports.download') && props.events.length > 0 && <DownloadForm kind="interactions" query={{ client: String(c.id) }} />}
      </div>
      {props.events.length === 0 && props.page > 1 ? (
        <PastLastPage firstPage={href(1)} />
      ) : props.events.length === 0 ? (
        <p class="panel">{t('clients.interactions.empty')}</p>
      ) : (
        <ol class="client-timeline">
          {props.events.map((event) => (
            <li class="panel">
              <p class="event-head">
                <strong>{eventLabel(t, event.type)}</strong> <time datetime={event.occurredAt.toISOString()}>{dateTime(event.occurredAt)}</time>
                {' · '}
                {actorOf(t, event)}
              </p>
              <EventLines lines={changeLines(t, event.data, props.names, money)} />
              <EventLines lines={detailLines(t, event.data, money)} />
            </li>
          ))}
        </ol>
      )}
      <nav class="pager" aria-label={t('clients.pages')}>
        {props.page > 1 && (
          <a href={href(props.page - 1)} rel="prev">
            {t('common.previous')}
          </a>
        )}
        <span>{t('common.page', { page: props.page })}</span>
        {props.hasMore && (
          <a href={href(props.page + 1)} rel="next">
            {t('common.next')}
          </a>
        )}
      </nav>
    </>
  );
}
