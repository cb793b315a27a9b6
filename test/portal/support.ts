import { and, eq, sql } from 'drizzle-orm';
import { campaignEntries } from '../../src/campaigns/schema.js';
import type { Client } from '../../src/clients/schema.js';
import { payments, promises } from '../../src/payments/schema.js';
import { portalSettings } from '../../src/portal/schema.js';
import { tenants, type Tenant } from '../../src/tenants/schema.js';
import { forgetTenantCache } from '../../src/platform/tenancy.js';
import type { Harness, TestClient } from '../support/app.js';
import { newClient, newOrder } from '../payments/support.js';

export { eventsOf, newClient, newOrder } from '../payments/support.js';

/** A debtor with a phone and an email on file. */
export async function debtor(h: Harness, tenant: Tenant, attributes: Partial<Client> = {}) {
  return newClient(h, tenant, { phone: '+51987654321', email: 'rosa@example.pe', name: 'Rosa Quispe', ...attributes });
}

/** Both identification steps, as a browser posts them. */
export async function identify(browser: TestClient, client: Pick<Client, 'documentType' | 'documentNumber'>, contact: string) {
  const first = await browser.post('/identificacion', { documentType: client.documentType, documentNumber: client.documentNumber });
  if (first.status !== 303) throw new Error(`document step answered ${first.status}`);
  return browser.post('/verificacion', { contact });
}

export async function signedIn(h: Harness, tenant: Tenant, client: Client): Promise<TestClient> {
  const browser = h.client(tenant);
  const response = await identify(browser, client, client.phone ?? client.email ?? '');
  if (response.status !== 303) throw new Error(`identification answered ${response.status}`);
  return browser;
}

/** A multipart form with the CSRF token, as the browser sends an upload. */
export function multipart(browser: TestClient, fields: Record<string, string>, files: Record<string, { bytes: Uint8Array; name: string; type: string }> = {}) {
  const form = new FormData();
  form.append('_csrf', browser.csrfToken);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const [k, f] of Object.entries(files)) form.append(k, new File([f.bytes as Uint8Array<ArrayBuffer>], f.name, { type: f.type }));
  return form;
}

/** The smallest valid PNG (1×1). */
export const tinyPng = Uint8Array.from(
  Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'),
);

export async function paymentsOf(h: Harness, tenant: Tenant, clientId: number) {
  return h.db.select().from(payments).where(and(eq(payments.tenantId, tenant.id), eq(payments.clientId, clientId)));
}

export async function promisesOf(h: Harness, tenant: Tenant, clientId: number) {
  return h.db.select().from(promises).where(and(eq(promises.tenantId, tenant.id), eq(promises.clientId, clientId)));
}

export async function setPortal(h: Harness, tenant: Tenant, values: Partial<typeof portalSettings.$inferInsert>) {
  await h.db.insert(portalSettings).values({ tenantId: tenant.id, ...values }).onConflictDoUpdate({ target: portalSettings.tenantId, set: values });
}

/** Switches the Cartera castigada app on, as an admin does in the marketplace. */
export async function enableChargedOff(h: Harness, tenant: Tenant) {
  await h.db
    .update(tenants)
    .set({ enabledApps: sql`array_append(${tenants.enabledApps}, 'charged_off')` })
    .where(and(eq(tenants.id, tenant.id), sql`not ('charged_off' = any(${tenants.enabledApps}))`));
  forgetTenantCache();
}

/** An active charged-off campaign entry for the client, as an upload would leave it (the app is on). */
export async function activeCampaign(h: Harness, tenant: Tenant, clientId: number, attributes: Partial<typeof campaignEntries.$inferInsert> = {}) {
  await enableChargedOff(h, tenant);
  await h.db.insert(campaignEntries).values({
    tenantId: tenant.id,
    clientId,
    campaignCode: 'CAMP-1',
    debtAmount: 1000_00,
    discountType: 'porcentaje',
    discountValue: 5000,
    campaignAmount: 500_00,
    endDate: '2026-12-31',
    ...attributes,
  });
}

/** The page without what legitimately differs between two answers: the CSRF token. */
export const withoutToken = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, '');
