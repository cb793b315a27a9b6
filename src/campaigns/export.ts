import { batchesById, pathWithQuery, registerExport, type ExportSource } from '../exports/registry.js';
import { isAppEnabled } from '../marketplace/service.js';
import { toUnits } from '../platform/money.js';
import { offerOf } from './compute.js';
import { countCampaignEntries, listCampaignEntriesForExport, parseCampaignFilters } from './queries.js';

/**
 * "Descargar" on Cartera castigada: the entries the tray's filters select, with the tray's
 * columns (the client's document apart, the discount as a percentage). Amounts go out as
 * numbers in the currency's units, as the offer stands today.
 */
export const campaignsExport: ExportSource = {
  kind: 'campaigns',
  permissions: ['receivables'],
  available: (tenant) => isAppEnabled(tenant, 'charged_off'),
  trayPath: (query) => pathWithQuery('/app/campaigns', query),
  async prepare({ db, tenant, query, today, t }) {
    const filters = parseCampaignFilters(query, tenant.currency);
    const units = (minor: number | null) => (minor === null ? null : toUnits(minor, tenant.currency));
    return {
      headers: [
        t('campaigns.client'),
        t('clients.field.documentType'),
        t('clients.field.documentNumber'),
        t('campaigns.campaignCode'),
        t('campaigns.debtAmount'),
        `${t('campaigns.discount')} (%)`,
        t('campaigns.campaignAmount'),
        t('campaigns.totalDue'),
        t('campaigns.endDate'),
        t('campaigns.state'),
        t('campaigns.advisor'),
      ],
      count: async () => (await countCampaignEntries(db, tenant.id, filters, today, Number.MAX_SAFE_INTEGER - 1)).total,
      batches: () =>
        batchesById(
          (afterId, limit) => listCampaignEntriesForExport(db, tenant.id, filters, today, { afterId, limit }),
          (row) => row.entry.id,
          (row) => {
            const offer = offerOf(row.entry, today);
            return [
              row.clientName,
              row.documentType,
              row.documentNumber,
              row.entry.campaignCode,
              units(offer.debt),
              offer.discountAmount ? offer.discountPercent : null,
              units(offer.campaignAmount),
              units(offer.owed),
              row.entry.endDate,
              t(`campaigns.state.${offer.state}`),
              row.advisorName,
            ];
          },
        ),
    };
  },
};

registerExport(campaignsExport);
