import type { ClaimRow } from '../../src/claims/queries.js';
import { DataTable } from '../components/table.js';
import { useView } from '../context.js';
import { categoryLabel, duration, StateBadge } from './parts.js';

/**
 * The client page's claims section (rows from `listClientClaims`): open ones first, each
 * linking to the claim. Shown to users who may see claims.
 */
export function ClientClaims(props: { claims: ClaimRow[]; clientId: number }) {
  const { t, can, date } = useView();
  if (!can('claims.view') && !can('claims.edit')) return null;
  return (
    <section class="client-claims" aria-labelledby="client-claims-title">
      <div class="page-header">
        <h2 id="client-claims-title">{t('claims.ofClient')}</h2>
        <a href={`/app/claims?state=todos&clientId=${props.clientId}`}>{t('claims.title')}</a>
      </div>
      {props.claims.length === 0 ? (
        <p class="hint">{t('claims.noneForClient')}</p>
      ) : (
        <DataTable
          rows={props.claims}
          columns={[
            { heading: t('claims.number'), cell: (c) => <a href={`/app/claims/${c.id}`}>#{c.id}</a> },
            { heading: t('claims.category'), cell: (c) => categoryLabel(t, c.category) },
            { heading: t('claims.state'), cell: (c) => <StateBadge state={c.state} /> },
            { heading: t('claims.orders'), cell: (c) => c.orderCodes.join(', ') },
            { heading: t('claims.createdAt'), cell: (c) => date(c.createdAt) },
            { heading: t('claims.timeToResolve'), cell: (c) => (c.state === 'cerrado' ? duration(t, c.resolutionSeconds) : '—') },
          ]}
        />
      )}
    </section>
  );
}
