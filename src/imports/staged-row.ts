/** A checked row as import_rows stages it: a line of COPY's text format. */
import type { ValidRow } from './rows.js';

/** The columns of import_rows a staged row fills, in the order COPY receives them. */
export const STAGED_COLUMNS = [
  'tenant_id', 'process_id', 'line', 'first_of_client', 'document_type', 'document_number', 'name', 'email', 'phone', 'segment',
  'status', 'contactability', 'portfolio', 'contact_alerts', 'supervisor_id', 'advisor_id', 'additional', 'payment_code', 'product', 'amount', 'interest', 'discounts',
  'issue_date', 'due_date', 'annulled', 'client_unpaid', 'client_oldest', 'client_balance',
].join(', ');

const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value in COPY's text format: \N for null, backslash escapes for what would end a field or row. */
function field(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : value;
}

/** A text[] as an array literal, every element quoted (so commas, braces and NULL stay text). */
function arrayLiteral(values: readonly string[] | null | undefined): string | null {
  if (!values) return null;
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/** The additional variables a row fills, as jsonb text; null when it fills none (blank cells keep what is stored). */
function variablesJson(values: Record<string, string> | undefined): string | null {
  if (!values) return null;
  for (const _ in values) return JSON.stringify(values);
  return null;
}

/** A client's columns of a staged row, in COPY text: the same client gives the same text. */
export function clientText(client: ValidRow['client']): string {
  return [
    field(client.documentType), field(client.documentNumber), field(client.name), field(client.email), field(client.phone), field(client.segment),
    field(client.status), field(client.contactability), field(client.portfolio), field(arrayLiteral(client.contactAlerts)),
    field(client.supervisorId), field(client.advisorId), field(variablesJson(client.additional)),
  ].join('\t');
}

/**
 * One staged row as COPY text, its client's columns given as clientText made them, up to
 * the client's totals: `totals` ends the line.
 */
export function copyLine(tenantId: number, processId: number, row: ValidRow, first: boolean, client: string): string {
  const { order } = row;
  return [
    field(tenantId), field(processId), field(row.line), field(first), client,
    field(order?.paymentCode), field(order?.product), field(order?.amount), field(order?.interest), field(order?.discounts),
    field(order?.issueDate), field(order?.dueDate), field(order?.annulled),
  ].join('\t');
}

/** What a client's staged orders add up to, as a new client is written with them. */
export interface ClientTotals {
  unpaid: number;
  oldest: string | null;
  balance: number;
}

/** The end of a staged row's line: its client's totals on the client's first row, nothing on the others. */
export function totals(of: ClientTotals | null): string {
  return of ? `\t${of.unpaid}\t${field(of.oldest)}\t${of.balance}\n` : '\t\\N\t\\N\t\\N\n';
}

/** Adds an order to its client's totals, as the receivables state counts it (see refreshClientBalances). */
export function addOrder(to: ClientTotals, order: ValidRow['order']): void {
  if (order === null || order.annulled) return;
  const owed = order.amount + (order.interest ?? 0) - (order.discounts ?? 0);
  to.balance += owed;
  if (owed <= 0) return;
  to.unpaid++;
  if (to.oldest === null || order.dueDate < to.oldest) to.oldest = order.dueDate;
}
