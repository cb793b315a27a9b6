import { dayText } from '../platform/dates.js';
import { isMessageKey, type MessageKey, type Translate } from '../platform/i18n/index.js';

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Who did what an event records: the staff member, the debtor (what they did on a portal),
 * or the system (jobs, rules).
 */
export function actorOf(t: Translate, event: { type: string; actorName: string | null; data: Record<string, unknown> }): string {
  if (event.actorName) return event.actorName;
  // The countdown running out is the server's doing, seen on a debtor's visit.
  const onPortal = (event.type.startsWith('portal.') || event.type.startsWith('recovery.')) && event.type !== 'recovery.countdown_expired';
  const debtor = onPortal || event.data.source === 'portal';
  return t(debtor ? 'clients.interactions.debtor' : 'clients.interactions.system');
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
  // A campaign entry's terms (campaign.entry_updated), under the upload's own names.
  debtAmount: 'campaignImports.field.debtAmount',
  discountType: 'campaignImports.field.discountType',
  discountValue: 'campaignImports.field.discountValue',
  endDate: 'campaignImports.field.endDate',
  paymentCode: 'campaignImports.field.paymentCode',
  entryPhone: 'campaignImports.field.phone',
  // A payment order's (order.created, order.updated), money in minor units.
  orderCode: 'orders.paymentCode',
  product: 'orders.product',
  amount: 'orders.amount',
  interest: 'orders.interest',
  discounts: 'orders.discounts',
  issueDate: 'orders.issueDate',
  dueDate: 'orders.dueDate',
};

/** Fields whose values are money in minor units. */
const MONEY_FIELDS = new Set(['amount', 'interest', 'discounts']);

function shown(value: unknown, people: ReadonlyMap<number, string>, field: string, t: Translate, money: (minor: number) => string): string {
  if (value === null || value === undefined || value === '') return t('common.none');
  if (MONEY_FIELDS.has(field) && typeof value === 'number') return money(value);
  if ((field === 'supervisorId' || field === 'advisorId') && typeof value === 'number') return people.get(value) ?? String(value);
  // A day as the pages show it (dd/mm/yyyy).
  if (typeof value === 'string' && ISO_DAY.test(value)) return dayText(value);
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

/** Names an edit's values are shown by: staff by id, additional variables by key. */
export interface ChangeNames {
  people: ReadonlyMap<number, string>;
  variables: ReadonlyMap<string, string>;
}

/**
 * Each field an edit changed, as "Field: before → after" (staff shown by name, money in the
 * tenant's currency); each additional variable that changed on a line of its own, under its
 * name (its key, for a variable since deleted).
 */
export function changeLines(t: Translate, data: Record<string, unknown>, names: ChangeNames, money: (minor: number) => string): string[] {
  const changes = data.changes;
  if (!changes || typeof changes !== 'object') return [];
  // In the order of the form (jsonb keeps its keys in an order of its own).
  const order = Object.keys(fieldLabels);
  const rank = (field: string) => (order.includes(field) ? order.indexOf(field) : order.length);
  const line = (label: string, before: string, after: string) => `${label}: ${before} → ${after}`;
  return Object.entries(changes as Record<string, [unknown, unknown]>)
    .sort(([a], [b]) => rank(a) - rank(b))
    .flatMap(([field, pair]) => {
      if (!Array.isArray(pair)) return [];
      const [before, after] = pair;
      if (field === 'additional') {
        const was = (before ?? {}) as Record<string, unknown>;
        const is = (after ?? {}) as Record<string, unknown>;
        const text = (value: unknown) => (value === undefined || value === null || value === '' ? t('common.none') : String(value));
        return [...new Set([...Object.keys(was), ...Object.keys(is)])]
          .filter((key) => text(was[key]) !== text(is[key]))
          .map((key) => line(names.variables.get(key) ?? key, text(was[key]), text(is[key])));
      }
      const from = shown(before, names.people, field, t, money);
      const to = shown(after, names.people, field, t, money);
      // A field that was empty and stays empty says nothing.
      return from === to ? [] : [line(fieldLabels[field] ? t(fieldLabels[field]) : field, from, to)];
    });
}

/** A coded value in words when the catalogue has it under one of these prefixes, else as stored. */
export function wordFor(t: Translate, value: string, prefixes: string[]): string {
  for (const prefix of prefixes) {
    const key = `${prefix}${value}`;
    if (isMessageKey(key)) return t(key);
  }
  return value;
}

/**
 * What an event carries, as the lines under it: the campaign or claim it is about, the
 * amount, the orders a payment went to (code and amount each), the way, reference and day
 * of a payment, the day promised, what the debtor chose on a portal. `money` writes minor
 * units in the tenant's currency.
 */
export function detailLines(t: Translate, data: Record<string, unknown>, money: (minor: number) => string): string[] {
  const lines: string[] = [];
  const { campaign, claimId, category, amount, debt, campaignAmount, orders, method, reference, paidOn, reason, kind } = data;
  if (typeof campaign === 'string') lines.push(t('events.detail.campaign', { value: campaign }));
  // An order's own event names it (its changes say the rest); a payment names its orders below.
  if (typeof data.paymentCode === 'string' && typeof data.orderId === 'number') lines.push(t('events.detail.order', { value: data.paymentCode }));
  if (typeof claimId === 'number') {
    const what = typeof category === 'string' ? wordFor(t, category, ['claims.category.']) : '';
    lines.push(t('events.detail.claim', { number: claimId, category: what }).trim());
  }
  // A claim's edit names what changed; the claim's own history says from what to what.
  if (typeof claimId === 'number' && Array.isArray(data.fields) && data.fields.length > 0) {
    lines.push(t('events.detail.claimFields', { value: data.fields.map((field) => wordFor(t, String(field), ['claims.field.'])).join(', ') }));
  }
  if (typeof kind === 'string') lines.push(wordFor(t, kind, ['alerts.kind.']));
  if (typeof debt === 'number') lines.push(t('events.detail.debt', { value: money(debt) }));
  if (typeof campaignAmount === 'number') lines.push(t('events.detail.campaignAmount', { value: money(campaignAmount) }));
  if (typeof amount === 'number') lines.push(t('events.detail.amount', { value: money(amount) }));
  if (Array.isArray(orders) && orders.length > 0) {
    const each = orders.map((o: { paymentCode?: unknown; amount?: unknown }) => `${String(o.paymentCode ?? '')}${typeof o.amount === 'number' ? ` (${money(o.amount)})` : ''}`);
    lines.push(t('events.detail.orders', { value: each.join(', ') }));
  }
  if (typeof method === 'string') lines.push(t('events.detail.method', { value: wordFor(t, method, ['events.detail.method.', 'payments.method.']) }));
  if (typeof reference === 'string' && reference !== '') lines.push(t('events.detail.reference', { value: reference }));
  if (typeof paidOn === 'string' && ISO_DAY.test(paidOn)) lines.push(t('events.detail.paidOn', { value: dayText(paidOn) }));
  const promised = data.promisedDate ?? data.date;
  if (typeof promised === 'string' && ISO_DAY.test(promised)) lines.push(t('events.detail.promisedDate', { value: dayText(promised) }));
  if (typeof reason === 'string') lines.push(t('events.detail.reason', { value: reason }));
  // A message sent to the debtor: where, and until when its link opens. (`to` is taken: a
  // payment's or promise's state changes say from what to what.)
  if (typeof data.sentTo === 'string') lines.push(t('events.detail.sentTo', { value: data.sentTo }));
  if (typeof data.expiresOn === 'string' && ISO_DAY.test(data.expiresOn)) lines.push(t('events.detail.expiresOn', { value: dayText(data.expiresOn) }));
  // The upload that changed the client.
  if (typeof data.file === 'string' && typeof data.processId === 'number') lines.push(t('events.detail.file', { value: data.file }));
  // A promise kept because the client came to owe nothing rather than by a payment.
  if (data.settled === true) lines.push(t('events.detail.settled'));
  return lines;
}
