import { sql, type SQL } from 'drizzle-orm';
import { rows, type Db } from '../db/index.js';

/** A payment still to verify, of a payment order or of a charged-off campaign entry. */
export interface PaymentToVerify {
  kind: 'order' | 'campaign';
  id: number;
  /** The client's statement, or the campaign entry's page, where it is verified or refused. */
  href: string;
  clientId: number;
  clientName: string;
  documentType: string;
  documentNumber: string;
  amount: number;
  paidOn: string;
  method: string;
  source: string;
  hasReceipt: boolean;
  reportedAt: Date;
  advisorName: string | null;
}

export const TO_VERIFY_PAGE = 100;

/** Which payments waiting a user asks for: their own clients' (as advisor or supervisor) and those of no advisor, or all. */
export interface ToVerifyOptions {
  mineOf?: number;
  campaigns: boolean;
}

/** The payments waiting, of orders and of campaigns, as one set of rows. */
function waiting(tenantId: number, options: ToVerifyOptions): SQL {
  const mine = options.mineOf === undefined ? sql`true` : sql`(c.advisor_id = ${options.mineOf} or c.supervisor_id = ${options.mineOf} or c.advisor_id is null)`;
  const campaigns = options.campaigns
    ? sql`
      union all
      select 'campaign' as kind, p.id, '/app/campaigns/' || p.entry_id as href, c.id as client_id, c.name as client_name, c.document_type, c.document_number,
             p.amount, p.paid_on::text as paid_on, p.method, p.source, p.receipt_key is not null as has_receipt, p.created_at as reported_at, u.name as advisor_name
        from campaign_payments p
        join campaign_entries e on e.tenant_id = p.tenant_id and e.id = p.entry_id
        join clients c on c.tenant_id = e.tenant_id and c.id = e.client_id
        left join users u on u.tenant_id = c.tenant_id and u.id = c.advisor_id
       where p.tenant_id = ${tenantId} and p.state = 'por_verificar' and c.deleted_at is null and ${mine}`
    : sql``;
  return sql`(
      select 'order' as kind, p.id, '/app/clients/' || c.id || '/statement#payments' as href, c.id as client_id, c.name as client_name,
             c.document_type, c.document_number, p.amount, p.paid_on::text as paid_on, p.method, p.source,
             p.receipt_key is not null as has_receipt, p.created_at as reported_at, u.name as advisor_name
        from payments p
        join clients c on c.tenant_id = p.tenant_id and c.id = p.client_id
        left join users u on u.tenant_id = c.tenant_id and u.id = c.advisor_id
       where p.tenant_id = ${tenantId} and p.state = 'por_verificar' and c.deleted_at is null and ${mine}
      ${campaigns}
    ) waiting`;
}

/** How many payments wait, for the page's count and its pages. */
export async function countPaymentsToVerify(db: Db, tenantId: number, options: ToVerifyOptions): Promise<number> {
  const [row] = await rows<{ n: number }>(db, sql`select count(*)::int as n from ${waiting(tenantId, options)}`);
  return row?.n ?? 0;
}

/**
 * Payments still to verify, the longest waiting first, a page at a time: what debtors reported
 * from the portals and what staff registered, of orders and (the app switched on) of
 * charged-off campaign entries.
 */
export async function listPaymentsToVerify(db: Db, tenantId: number, options: ToVerifyOptions & { page: number }): Promise<PaymentToVerify[]> {
  const found = await rows<{
    kind: 'order' | 'campaign';
    id: number;
    href: string;
    client_id: number;
    client_name: string;
    document_type: string;
    document_number: string;
    amount: number;
    paid_on: string;
    method: string;
    source: string;
    has_receipt: boolean;
    reported_at: Date | string;
    advisor_name: string | null;
  }>(db, sql`select * from ${waiting(tenantId, options)} order by reported_at, kind, id limit ${TO_VERIFY_PAGE} offset ${(options.page - 1) * TO_VERIFY_PAGE}`);
  return found.map((r) => ({
    kind: r.kind,
    id: Number(r.id),
    href: r.href,
    clientId: Number(r.client_id),
    clientName: r.client_name,
    documentType: r.document_type,
    documentNumber: r.document_number,
    amount: Number(r.amount),
    paidOn: r.paid_on,
    method: r.method,
    source: r.source,
    hasReceipt: r.has_receipt,
    reportedAt: new Date(r.reported_at),
    advisorName: r.advisor_name,
  }));
}
