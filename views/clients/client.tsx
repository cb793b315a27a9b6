import type { AlertRow } from '../../src/alerts/service.js';
import { ClientAlerts } from '../alerts/list.js';
import type { ClientVariable } from '../../src/clients/fields.js';
import type { ClientRow } from '../../src/clients/queries.js';
import { isMessageKey, type MessageKey, type Translate } from '../../src/platform/i18n/index.js';
import type { ClaimRow } from '../../src/claims/queries.js';
import { ClientClaims } from '../claims/client-claims.js';
import { PostForm } from '../components/forms.js';
import { useView } from '../context.js';
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
          <p class="total-value">{money(c.totalBalance)}</p>
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

/** `events.<type>` when some part of the catalogue names the event; the type itself otherwise. */
export function eventLabel(t: Translate, type: string): string {
  const key = `events.${type}`;
  return isMessageKey(key) ? t(key) : type;
}

const fieldLabels: Record<string, MessageKey> = {
  documentType: 'clients.field.documentType',
  documentNumber: 'clients.field.documentNumber',
  name: 'clients.field.name',
  email: 'clients.field.email',
  phone: 'clients.field.phone',
  segment: 'clients.field.segment',
  status: 'clients.field.status',
  supervisorId: 'clients.field.supervisor',
  advisorId: 'clients.field.advisor',
  contactability: 'clients.field.contactability',
  contactAlerts: 'clients.field.contactAlerts',
  portfolio: 'clients.field.portfolio',
  additional: 'clients.field.additional',
};

function shown(value: unknown, people: Map<number, string>, field: string, t: Translate): string {
  if (value === null || value === undefined || value === '') return t('common.none');
  if ((field === 'supervisorId' || field === 'advisorId') && typeof value === 'number') return people.get(value) ?? String(value);
  if (Array.isArray(value)) return value.length > 0 ? value.join(', ') : t('common.none');
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length > 0 ? entries.map(([k, v]) => `${k}: ${String(v)}`).join(', ') : t('common.none');
  }
  return String(value);
}

function Changes(props: { data: Record<string, unknown>; people: Map<number, string> }) {
  const { t } = useView();
  const changes = props.data.changes;
  if (!changes || typeof changes !== 'object') return null;
  const entries = Object.entries(changes as Record<string, [unknown, unknown]>).filter(([, pair]) => Array.isArray(pair));
  if (entries.length === 0) return null;
  return (
    <ul class="event-changes">
      {entries.map(([field, [before, after]]) => (
        <li>
          {fieldLabels[field] ? t(fieldLabels[field]) : field}: {shown(before, props.people, field, t)} → {shown(after, props.people, field, t)}
        </li>
      ))}
    </ul>
  );
}

/** What the debtor chose on a portal: the reason they gave, the way to pay they picked. */
function EventDetail(props: { data: Record<string, unknown> }) {
  const { t } = useView();
  const { reason, method } = props.data;
  const lines: string[] = [];
  if (typeof reason === 'string') lines.push(t('events.detail.reason', { value: reason }));
  if (method === 'online' || method === 'receipt' || method === 'promise') lines.push(t('events.detail.method', { value: t(`events.detail.method.${method}`) }));
  if (lines.length === 0) return null;
  return (
    <ul class="event-changes">
      {lines.map((line) => (
        <li>{line}</li>
      ))}
    </ul>
  );
}

export function InteractionsPage(props: { client: ClientRow; events: EventItem[]; page: number; hasMore: boolean; people: Map<number, string> }) {
  const { t, dateTime } = useView();
  const c = props.client;
  const href = (page: number) => `/app/clients/${c.id}/interactions${page > 1 ? `?page=${page}` : ''}`;
  return (
    <>
      <ClientHeading client={c} />
      <ClientTabs clientId={c.id} current="interactions" />
      <h2>{t('clients.interactions.title')}</h2>
      {props.events.length === 0 ? (
        <p class="panel">{t('clients.interactions.empty')}</p>
      ) : (
        <ol class="client-timeline">
          {props.events.map((event) => (
            <li class="panel">
              <p class="event-head">
                <strong>{eventLabel(t, event.type)}</strong> <time datetime={event.occurredAt.toISOString()}>{dateTime(event.occurredAt)}</time>
                {' · '}
                {event.actorName ?? t('clients.interactions.system')}
              </p>
              <Changes data={event.data} people={props.people} />
              <EventDetail data={event.data} />
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
