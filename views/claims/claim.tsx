import type { ClaimHistoryEntry, ClaimRow } from '../../src/claims/queries.js';
import { isClaimCategory } from '../../src/claims/schema.js';
import type { Translate } from '../../src/platform/i18n/index.js';
import { ErrorSummary, type FieldErrors } from '../components/forms.js';
import { DataTable } from '../components/table.js';
import { useView } from '../context.js';
import { AlertBadges, categoryLabel, duration, StateBadge } from './parts.js';
import { StateButton } from './tray.js';

type HistoryValue = ClaimHistoryEntry['before'];

function shown(t: Translate, field: string, value: HistoryValue): string {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.length ? value.join(', ') : '—';
  if (field === 'category' && isClaimCategory(value)) return categoryLabel(t, value);
  if (field === 'state' && (value === 'abierto' || value === 'cerrado')) return t(`claims.state.${value}`);
  return value;
}

const fieldLabels = {
  state: 'claims.field.state',
  category: 'claims.field.category',
  description: 'claims.field.description',
  comments: 'claims.field.comments',
  orders: 'claims.field.orders',
} as const;

/** One claim: what it is about, how long it took, and every change with who and when. */
export function ClaimPage(props: { row: ClaimRow; history: ClaimHistoryEntry[]; now: Date; errors?: FieldErrors }) {
  const { t, can, date, dateTime } = useView();
  const { row } = props;
  const back = `/app/claims/${row.id}`;
  const openFor = Math.floor((props.now.getTime() - row.openedAt.getTime()) / 1000) + (row.resolutionSeconds ?? 0);
  return (
    <>
      <div class="page-header">
        <h1>
          {t('claims.numbered', { id: row.id })} <StateBadge state={row.state} /> {row.source === 'portal' && <span class="badge">{t('claims.fromPortal')}</span>}
        </h1>
        {can('claims.edit') && (
          <div class="toolbar">
            <a class="button" href={`/app/claims/${row.id}/edit?back=${encodeURIComponent(back)}`}>
              {t('common.edit')}
            </a>
            <StateButton row={row} back={back} inRow={false} />
          </div>
        )}
      </div>
      <ErrorSummary errors={props.errors} />
      <dl class="claim-details panel">
        <dt>{t('claims.client')}</dt>
        <dd>
          {can('receivables') ? <a href={`/app/clients/${row.clientId}`}>{row.clientName}</a> : row.clientName}{' '}
          {row.clientDeleted && <span class="badge badge-muted">{t('claims.clientDeleted')}</span>} <AlertBadges alerts={row.contactAlerts} />
        </dd>
        <dt>{t('claims.category')}</dt>
        <dd>{categoryLabel(t, row.category)}</dd>
        <dt>{t('claims.orders')}</dt>
        <dd>{row.orderCodes.join(', ')}</dd>
        <dt>{t('claims.description')}</dt>
        <dd class="claim-text">{row.description}</dd>
        <dt>{t('claims.comments')}</dt>
        <dd class="claim-text">{row.comments ?? '—'}</dd>
        <dt>{t('claims.createdAt')}</dt>
        <dd>{date(row.createdAt)}</dd>
        <dt>{t('claims.closedAt')}</dt>
        <dd>{row.closedAt ? date(row.closedAt) : '—'}</dd>
        <dt>{t('claims.timeToResolve')}</dt>
        <dd>{row.state === 'cerrado' ? duration(t, row.resolutionSeconds) : t('claims.stillOpen', { duration: duration(t, openFor) })}</dd>
        <dt>{t('claims.advisor')}</dt>
        <dd>{row.advisorName ?? '—'}</dd>
      </dl>
      <h2>{t('claims.history')}</h2>
      <DataTable
        class="claim-history"
        rows={props.history}
        columns={[
          { heading: t('claims.when'), cell: (e) => dateTime(e.occurredAt) },
          // Without a staff user: the debtor, for what they raised from the portal; the system otherwise.
          { heading: t('claims.who'), cell: (e) => e.actorName ?? (row.source === 'portal' && e.occurredAt.getTime() === row.createdAt.getTime() ? t('clients.interactions.debtor') : t('claims.system')) },
          {
            heading: t('claims.change'),
            kind: 'text',
            cell: (e) => (
              <>
                <strong>{e.field in fieldLabels ? t(fieldLabels[e.field as keyof typeof fieldLabels]) : e.field}:</strong> {shown(t, e.field, e.before)} →{' '}
                {shown(t, e.field, e.after)}
              </>
            ),
          },
        ]}
      />
    </>
  );
}
