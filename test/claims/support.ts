import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { claimEvents, claimOrders, claims } from '../../src/claims/schema.js';
import { refreshClientBalances } from '../../src/clients/derived.js';
import { clients, type Client } from '../../src/clients/schema.js';
import type { Db } from '../../src/db/index.js';
import { clientEvents } from '../../src/events/schema.js';
import { paymentOrders, type PaymentOrder } from '../../src/payment-orders/schema.js';
import type { Scope } from '../../src/platform/scope.js';
import type { Tenant } from '../../src/tenants/schema.js';
import type { Harness } from '../support/app.js';
import type { Staff } from '../support/factories.js';

const unique = () => randomBytes(4).toString('hex');

/** A client with its stored balances computed, as the clients and orders services will leave it. */
export async function addClient(
  h: Harness,
  tenant: Tenant,
  attributes: Partial<Pick<Client, 'name' | 'documentNumber' | 'email' | 'phone' | 'advisorId' | 'supervisorId' | 'contactAlerts'>> = {},
): Promise<Client> {
  const [client] = await h.db
    .insert(clients)
    .values({
      tenantId: tenant.id,
      documentType: 'DNI',
      documentNumber: attributes.documentNumber ?? `4${Math.floor(Math.random() * 1e7)}`.padEnd(8, '0'),
      name: attributes.name ?? 'Carla Quispe',
      email: attributes.email ?? null,
      phone: attributes.phone ?? null,
      advisorId: attributes.advisorId ?? null,
      supervisorId: attributes.supervisorId ?? null,
      contactAlerts: attributes.contactAlerts ?? [],
    })
    .returning();
  return client!;
}

export async function addOrder(
  h: Harness,
  tenant: Tenant,
  client: Client,
  attributes: Partial<Pick<PaymentOrder, 'paymentCode' | 'amount' | 'dueDate' | 'issueDate' | 'product'>> = {},
): Promise<PaymentOrder> {
  const [order] = await h.db
    .insert(paymentOrders)
    .values({
      tenantId: tenant.id,
      clientId: client.id,
      paymentCode: attributes.paymentCode ?? `OP-${unique()}`,
      product: attributes.product ?? 'Crédito vehicular',
      amount: attributes.amount ?? 150_000,
      issueDate: attributes.issueDate ?? '2026-01-01',
      dueDate: attributes.dueDate ?? '2026-02-01',
    })
    .returning();
  await refreshClientBalances(h.db, tenant.id, [client.id]);
  return order!;
}

/** A client who owes, with two orders, ready to dispute them. */
export async function debtor(h: Harness, tenant: Tenant, attributes: Parameters<typeof addClient>[2] = {}) {
  const client = await addClient(h, tenant, attributes);
  const first = await addOrder(h, tenant, client, { dueDate: '2026-02-01' });
  const second = await addOrder(h, tenant, client, { dueDate: '2026-02-20' });
  return { client, orders: [first, second] as const };
}

export function scopeFor(h: Harness, tenant: Tenant, actor: Staff | null, db: Db = h.db): Scope {
  return { tenantId: tenant.id, actor, db, clock: h.clock };
}

export async function clientRow(h: Harness, tenant: Tenant, clientId: number): Promise<Client> {
  const [row] = await h.db.select().from(clients).where(and(eq(clients.tenantId, tenant.id), eq(clients.id, clientId)));
  return row!;
}

export async function claimsOf(db: Db, tenant: Tenant, clientId: number) {
  return db.select().from(claims).where(and(eq(claims.tenantId, tenant.id), eq(claims.clientId, clientId)));
}

/** Everything the claims feature has written for a tenant, to check that a refusal wrote nothing. */
export async function claimsFootprint(db: Db, tenant: Tenant) {
  const [claimRows, links, history, events] = await Promise.all([
    db.select().from(claims).where(eq(claims.tenantId, tenant.id)),
    db.select().from(claimOrders).where(eq(claimOrders.tenantId, tenant.id)),
    db.select().from(claimEvents).where(eq(claimEvents.tenantId, tenant.id)),
    db.select().from(clientEvents).where(eq(clientEvents.tenantId, tenant.id)),
  ]);
  const [clientRows] = await Promise.all([db.select().from(clients).where(eq(clients.tenantId, tenant.id))]);
  return JSON.stringify({
    claims: claimRows.sort((a, b) => a.id - b.id),
    links: links.sort((a, b) => a.claimId - b.claimId || a.orderId - b.orderId),
    history: history.length,
    events: events.length,
    clients: clientRows.map((c) => [c.id, c.openClaims, c.openClaimCategories]).sort(),
  });
}
