import { isMessageKey, type MessageKey, type Translate } from '../platform/i18n/index.js';

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
  // A campaign entry's terms (campaign.entry_updated), under the upload's own names.
  debtAmount: 'campaignImports.field.debtAmount',
  discountType: 'campaignImports.field.discountType',
  discountValue: 'campaignImports.field.discountValue',
  endDate: 'campaignImports.field.endDate',
  paymentCode: 'campaignImports.field.paymentCode',
  entryPhone: 'campaignImports.field.phone',
};

function shown(value: unknown, people: ReadonlyMap<number, string>, field: string, t: Translate): string {
  if (value === null || value === undefined || value === '') return t('common.none');
  if ((field === 'supervisorId' || field === 'advisorId') && typeof value === 'number') return people.get(value) ?? String(value);
  // A day as the pages show it (dd/mm/yyyy).
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value.slice(8)}/${value.slice(5, 7)}/${value.slice(0, 4)}`;
  if (Array.isArray(value)) return value.length > 0 ? value.join(', ') : t('common.none');
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length > 0 ? entries.map(([k, v]) => `${k}: ${String(v)}`).join(', ') : t('common.none');
  }
  // Fields with a closed list of values are shown with their labels, as the client page shows them.
  const label = `clients.${field}.${String(value)}`;
  if ((field === 'status' || field === 'contactability' || field === 'portfolio') && isMessageKey(label)) return t(label);
  return String(value);
}

/** Each field an edit changed, as "Field: before → after" (staff shown by name). */
export function changeLines(t: Translate, data: Record<string, unknown>, people: ReadonlyMap<number, string>): string[] {
  const changes = data.changes;
  if (!changes || typeof changes !== 'object') return [];
  return Object.entries(changes as Record<string, [unknown, unknown]>)
    // A field that was empty and stays empty (no additional variables at creation) says nothing.
    .filter(([field, pair]) => Array.isArray(pair) && shown(pair[0], people, field, t) !== shown(pair[1], people, field, t))
    .map(([field, [before, after]]) => `${fieldLabels[field] ? t(fieldLabels[field]) : field}: ${shown(before, people, field, t)} → ${shown(after, people, field, t)}`);
}

/** What the debtor chose on a portal: the reason they gave, the way to pay they picked. */
export function detailLines(t: Translate, data: Record<string, unknown>): string[] {
  const { reason, method } = data;
  const lines: string[] = [];
  if (typeof reason === 'string') lines.push(t('events.detail.reason', { value: reason }));
  if (method === 'online' || method === 'receipt' || method === 'promise') lines.push(t('events.detail.method', { value: t(`events.detail.method.${method}`) }));
  return lines;
}
