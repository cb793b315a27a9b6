import type { CampaignFilters, CampaignRow } from '../../src/campaigns/queries.js';
import { offerOf } from '../../src/campaigns/compute.js';
import type { IsoDate } from '../../src/platform/dates.js';
import { filterTrigger } from '../components/forms.js';
import { Pager, PastLastPage, pageHref } from '../components/pager.js';
import { ResultsStatus } from '../components/results-status.js';
import { DownloadForm } from '../exports/confirm.js';
import { useView } from '../context.js';

interface TrayProps {
  rows: CampaignRow[];
  total: number;
  capped: boolean;
  filters: CampaignFilters;
  query: Record<string, string | undefined>;
  advisors: { id: number; name: string }[];
  today: IsoDate;
  pageSize: number;
}

/**
 * A discount as it was given: a percentage first, or for a fixed amount the amount first,
 * with the other beside it ("30% (S/ 300.00)", "S/ 234.56 (19%)").
 */
export function discountText(type: string | null, offer: Pick<ReturnType<typeof offerOf>, 'discountPercent' | 'discountAmount'>, money: (minor: number) => string): string | null {
  if (offer.discountPercent === null || offer.discountAmount === null || offer.discountAmount === 0) return null;
  return type === 'monto' ? `${money(offer.discountAmount)} (${offer.discountPercent}%)` : `${offer.discountPercent}% (${money(offer.discountAmount)})`;
}

export function StateBadge({ state }: { state: 0 | 1 | 2 }) {
  const { t } = useView();
  const kind = state === 0 ? 'badge-warn' : state === 1 ? 'badge-ok' : 'badge-muted';
  return <span class={`badge ${kind}`}>{t(`campaigns.state.${state}`)}</span>;
}

/** What an htmx filter or page gets: the results, and their count for screen readers. */
export function CampaignFragment(props: TrayProps) {
  return (
    <>
      <CampaignResults {...props} />
      <ResultsStatus id="campaigns-status" total={{ count: props.total, capped: props.capped }} oob />
    </>
  );
}

export function CampaignResults(props: TrayProps) {
  const { t, money, date, can } = useView();
  return (
    <div id="campaign-results">
      {/* "Descargar" exports these filters; it sits in the swapped part so it follows them. */}
      {can('reports.download') && (
        <div class="toolbar results-toolbar">
          <DownloadForm kind="campaigns" query={props.query} />
        </div>
      )}
      {props.rows.length === 0 && props.total > 0 ? (
        <PastLastPage total={{ count: props.total, capped: props.capped, pageSize: props.pageSize }} firstPage={pageHref('/app/campaigns', props.query, 1)} />
      ) : props.rows.length === 0 ? (
        <p class="panel">{t('campaigns.empty')}</p>
      ) : (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t('campaigns.client')}</th>
                <th scope="col">{t('campaigns.campaignCode')}</th>
                <th scope="col" class="num">{t('campaigns.debtAmount')}</th>
                <th scope="col">{t('campaigns.discount')}</th>
                <th scope="col" class="num">{t('campaigns.campaignAmount')}</th>
                <th scope="col" class="num">{t('campaigns.totalDue')}</th>
                <th scope="col">{t('campaigns.endDate')}</th>
                <th scope="col">{t('campaigns.state')}</th>
                <th scope="col">{t('campaigns.advisor')}</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((row) => {
                const offer = offerOf(row.entry, props.today);
                return (
                  <tr>
                    <td>
                      <a href={`/app/campaigns/${row.entry.id}`}>{row.clientName}</a>
                      <br />
                      <small>
                        {row.documentType} {row.documentNumber}
                      </small>
                    </td>
                    <td>{row.entry.campaignCode}</td>
                    <td class="num">{offer.discountAmount ? <s>{money(offer.debt)}</s> : money(offer.debt)}</td>
                    <td>{discountText(row.entry.discountType, offer, money) ?? t('campaigns.noDiscount')}</td>
                    <td class="num">{offer.campaignAmount === null ? '—' : money(offer.campaignAmount)}</td>
                    <td class="num">{money(offer.owed)}</td>
                    <td>{row.entry.endDate ? date(row.entry.endDate) : t('campaigns.openEnded')}</td>
                    <td>
                      <StateBadge state={offer.state} />
                    </td>
                    <td>{row.advisorName ?? '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Pager path="/app/campaigns" query={props.query} page={props.filters.page} pageSize={props.pageSize} total={props.total} capped={props.capped} shown={props.rows.length} target="#campaign-results" />
    </div>
  );
}

export function CampaignTray(props: TrayProps & { canEdit: boolean }) {
  const { t, can } = useView();
  const q = props.query;
  return (
    <>
      <div class="page-header">
        <h1>{t('campaigns.title')}</h1>
        <p class="actions">
          {can('imports') && (
            <>
              <a href="/app/imports/template.xlsx?kind=campaign_entries">{t('campaignImports.template')}</a>
              <a class="button" href="/app/imports/new?kind=campaign_entries">
                {t('campaignImports.upload')}
              </a>
            </>
          )}
          {props.canEdit && (
            <a class="button primary" href="/app/campaigns/new">
              {t('campaigns.new')}
            </a>
          )}
        </p>
      </div>
      <form method="get" action="/app/campaigns" id="campaign-filters" class="panel" hx-get="/app/campaigns" hx-target="#campaign-results" hx-swap="outerHTML" hx-push-url="true" hx-trigger={filterTrigger('campaign-filters')}>
        <div class="filter-grid">
          <div class="field">
            <label for="f-q">{t('campaigns.search')}</label>
            <input id="f-q" name="q" type="search" value={q.q ?? ''} />
          </div>
          <div class="field">
            <label for="f-campaign">{t('campaigns.campaignCode')}</label>
            <input id="f-campaign" name="campaign" value={q.campaign ?? ''} />
          </div>
          <div class="field">
            <label for="f-state">{t('campaigns.state')}</label>
            <select id="f-state" name="state">
              <option value="">{t('common.all')}</option>
              {(['0', '1', '2'] as const).map((s) => (
                <option value={s} selected={props.filters.state === s}>
                  {t(`campaigns.state.${s}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="f-discountType">{t('campaigns.discountType')}</label>
            <select id="f-discountType" name="discountType">
              <option value="">{t('common.all')}</option>
              {(['porcentaje', 'monto'] as const).map((d) => (
                <option value={d} selected={props.filters.discountType === d}>
                  {t(`campaigns.discountType.${d}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="f-endFrom">{t('campaigns.endFrom')}</label>
            <input id="f-endFrom" name="endFrom" type="date" value={props.filters.endFrom ?? ''} />
          </div>
          <div class="field">
            <label for="f-endTo">{t('campaigns.endTo')}</label>
            <input id="f-endTo" name="endTo" type="date" value={props.filters.endTo ?? ''} />
          </div>
          <div class="field">
            <label for="f-amountFrom">{t('campaigns.amountFrom')}</label>
            <input id="f-amountFrom" name="amountFrom" inputmode="decimal" value={(props.filters.amountsSwapped ? q.amountTo : q.amountFrom) ?? ''} />
          </div>
          <div class="field">
            <label for="f-amountTo">{t('campaigns.amountTo')}</label>
            <input id="f-amountTo" name="amountTo" inputmode="decimal" value={(props.filters.amountsSwapped ? q.amountFrom : q.amountTo) ?? ''} />
          </div>
          <div class="field">
            <label for="f-advisor">{t('campaigns.advisor')}</label>
            <select id="f-advisor" name="advisor">
              <option value="">{t('common.all')}</option>
              {props.advisors.map((a) => (
                <option value={String(a.id)} selected={props.filters.advisor === a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div class="form-actions">
          <button type="submit" class="primary">
            {t('common.filter')}
          </button>
          <a href="/app/campaigns">{t('common.clear')}</a>
        </div>
      </form>
      <ResultsStatus id="campaigns-status" />
      <CampaignResults {...props} />
    </>
  );
}
