import { batchesAfter, pathWithQuery, registerExport, type ExportSource } from '../exports/registry.js';
import { isAppEnabled } from '../marketplace/service.js';
import { toUnits } from '../platform/money.js';
import { offerOf } from './compute.js';
import { countCampaignEntries, listCampaignEntriesForExport, parseCampaignFilters, type CampaignExportRow } from './queries.js';

/**
 * "Descargar" on Cartera castigada: the entries the tray's filters select. The upload's
 * columns come first, under the upload's own names and in its order, so that a downloaded
 * file can be edited and uploaded again; then what the system works out (the discount as a
 * percentage, the campaign amount, the total due, the state) and the advisor. Amounts go out
 * as numbers in the currency's units, as the offer stands today. A finished campaign's
 * discount has gone back to the original debt (SPEC 5), so its discount cells are empty.
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
        t('campaignImports.field.documentType'),
        t('campaignImports.field.documentNumber'),
        t('campaignImports.field.name'),
        t('campaignImports.field.email'),
        t('campaignImports.field.phone'),
        t('campaignImports.field.campaignCode'),
        t('campaignImports.field.debtAmount'),
        t('campaignImports.field.discountType'),
        t('campaignImports.field.discountValue'),
        t('campaignImports.field.endDate'),
        t('campaignImports.field.paymentCode'),
        t('campaigns.export.discountPercent'),
        t('campaigns.campaignAmount'),
        t('campaigns.totalDue'),
        t('campaigns.state'),
        t('campaigns.advisor'),
      ],
      kinds: [null, null, null, null, null, null, 'money', null, 'decimal', 'date', null, null, 'money', 'money', null, null],
      count: async () => (await countCampaignEntries(db, tenant.id, filters, today, Number.MAX_SAFE_INTEGER - 1)).total,
      batches: () =>
        batchesAfter<CampaignExportRow>(
          (last, limit) => listCampaignEntriesForExport(db, tenant.id, filters, today, { beforeId: last?.entry.id, limit }),
          (row) => {
            const offer = offerOf(row.entry, today);
            const { entry } = row;
            const discounted = offer.discountAmount !== null;
            // The value as the upload takes it: a percentage as typed (30, 12.5), an amount in units.
            const discountValue = entry.discountType === 'porcentaje' ? entry.discountValue / 100 : units(entry.discountValue);
            return [
              row.documentType,
              row.documentNumber,
              row.clientName,
              row.clientEmail,
              entry.phone,
              entry.campaignCode,
              units(offer.debt),
              discounted ? entry.discountType : null,
              discounted ? discountValue : null,
              entry.endDate,
              entry.paymentCode,
              offer.discountAmount ? offer.discountPercent : null,
              units(offer.campaignAmount),
              units(offer.owed),
              t(`campaigns.state.${offer.state}`),
              row.advisorName,
            ];
          },
        ),
    };
  },
};

registerExport(campaignsExport);
