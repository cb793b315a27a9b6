import type { ClaimRow } from '../../src/claims/queries.js';
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
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t('claims.number')}</th>
                <th scope="col">{t('claims.category')}</th>
                <th scope="col">{t('claims.state')}</th>
                <th scope="col">{t('claims.orders')}</th>
                <th scope="col">{t('claims.createdAt')}</th>
                <th scope="col">{t('claims.timeToResolve')}</th>
              </tr>
            </thead>
            <tbody>
              {props.claims.map((c) => (
                <tr>
                  <td>
                    <a href={`/app/claims/${c.id}`}>#{c.id}</a>
                  </td>
                  <td>{categoryLabel(t, c.category)}</td>
                  <td>
                    <StateBadge state={c.state} />
                  </td>
                  <td>{c.orderCodes.join(', ')}</td>
                  <td>{date(c.createdAt)}</td>
                  <td>{c.state === 'cerrado' ? duration(t, c.resolutionSeconds) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
