import { and, eq } from 'drizzle-orm';
import { refreshClientBalances } from '../../src/clients/derived.js';
import { clients, type Client } from '../../src/clients/schema.js';
import { paymentOrders } from '../../src/payment-orders/schema.js';
import type { Tenant } from '../../src/tenants/schema.js';
import type { Harness } from '../support/app.js';

let sequence = 0;

/** A client row written directly, as an import would leave it. */
export async function seedClient(h: Harness, tenant: Tenant, attributes: Partial<typeof clients.$inferInsert> = {}): Promise<Client> {
  sequence += 1;
  const [client] = await h.db
    .insert(clients)
    .values({
      tenantId: tenant.id,
      documentType: 'DNI',
      documentNumber: String(40_000_000 + sequence),
      name: `Cliente ${sequence}`,
      ...attributes,
    })
    .returning();
  return client!;
}

/** An unpaid order due on `dueDate` (or a paid/annulled one), with the client's stored state refreshed. */
export async function addOrder(
  h: Harness,
  tenant: Tenant,
  client: Pick<Client, 'id'>,
  order: { dueDate: string; amount?: number; paid?: boolean; annulled?: boolean; paymentCode?: string; issueDate?: string; interest?: number; discounts?: number },
) {
  sequence += 1;
  const amount = order.amount ?? 10_000;
  await h.db.insert(paymentOrders).values({
    tenantId: tenant.id,
    clientId: client.id,
    paymentCode: order.paymentCode ?? `OP-${sequence}`,
    amount,
    interest: order.interest ?? 0,
    discounts: order.discounts ?? 0,
    paid: order.paid ? amount : 0,
    issueDate: order.issueDate ?? '2025-01-01',
    dueDate: order.dueDate,
    annulled: order.annulled ?? false,
  });
  await refreshClientBalances(h.db, tenant.id, [client.id]);
}

export async function storedClient(h: Harness, tenant: Tenant, id: number): Promise<Client | undefined> {
  const [client] = await h.db
    .select()
    .from(clients)
    .where(and(eq(clients.tenantId, tenant.id), eq(clients.id, id)));
  return client;
}

export async function clientsOf(h: Harness, tenant: Tenant): Promise<Client[]> {
  return h.db.select().from(clients).where(eq(clients.tenantId, tenant.id));
}

/** The names in the tray's table, in the order shown. */
export function namesIn(html: string): string[] {
  const body = html.split('<tbody>')[1]?.split('</tbody>')[0] ?? '';
  return [...body.matchAll(/<a href="\/app\/clients\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]!);
}
