import { and, eq } from 'drizzle-orm';
import { clients } from '../../src/clients/schema.js';
import { clientEvents } from '../../src/events/schema.js';
import { paymentOrders } from '../../src/payment-orders/schema.js';
import { createOrder } from '../../src/payment-orders/service.js';
import { payments } from '../../src/payments/schema.js';
import type { Scope } from '../../src/platform/scope.js';
import type { Tenant } from '../../src/tenants/schema.js';
import type { Harness } from '../support/app.js';

let sequence = 0;

/** A debtor of the tenant, inserted directly: the clients' own forms are tested elsewhere. */
export async function newClient(h: Harness, tenant: Tenant, attributes: Partial<typeof clients.$inferInsert> = {}) {
  sequence++;
  const [client] = await h.db
    .insert(clients)
    .values({ tenantId: tenant.id, documentType: 'DNI', documentNumber: String(40_000_000 + sequence), name: `Cliente ${sequence}`, ...attributes })
    .returning();
  return client!;
}

export function scopeFor(h: Harness, tenant: Tenant, actor: { id: number; name: string } | null = null): Scope {
  return { tenantId: tenant.id, actor, db: h.db, clock: h.clock };
}

/** An order through the service, so the client's stored balances follow. */
export async function newOrder(
  h: Harness,
  tenant: Tenant,
  clientId: number,
  fields: Partial<{ paymentCode: string; product: string | null; amount: number; interest: number; discounts: number; issueDate: string; dueDate: string; annulled: boolean }> = {},
) {
  sequence++;
  const result = await createOrder(scopeFor(h, tenant), clientId, {
    paymentCode: `OP-${sequence}`,
    product: 'Tarjeta',
    amount: 100_00,
    interest: 0,
    discounts: 0,
    issueDate: '2026-01-01',
    dueDate: '2026-03-31',
    annulled: false,
    ...fields,
  });
  if (!result.ok) throw new Error(JSON.stringify(result));
  return result.order;
}

export async function clientRow(h: Harness, tenant: Tenant, clientId: number) {
  const [row] = await h.db.select().from(clients).where(and(eq(clients.tenantId, tenant.id), eq(clients.id, clientId)));
  return row!;
}

export async function ordersOf(h: Harness, tenant: Tenant, clientId: number) {
  return h.db
    .select()
    .from(paymentOrders)
    .where(and(eq(paymentOrders.tenantId, tenant.id), eq(paymentOrders.clientId, clientId)))
    .orderBy(paymentOrders.id);
}

export async function eventsOf(h: Harness, tenant: Tenant, clientId: number) {
  return h.db
    .select()
    .from(clientEvents)
    .where(and(eq(clientEvents.tenantId, tenant.id), eq(clientEvents.clientId, clientId)))
    .orderBy(clientEvents.id);
}

/** A client's payments, in the order they were registered. */
export function paymentsOf(h: Harness, tenant: Tenant, clientId: number) {
  return h.db.select().from(payments).where(and(eq(payments.tenantId, tenant.id), eq(payments.clientId, clientId))).orderBy(payments.id);
}
