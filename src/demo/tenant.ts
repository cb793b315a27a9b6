import type { Db } from '../db/index.js';
import { findTenantBySubdomain } from '../tenants/queries.js';
import type { Tenant } from '../tenants/schema.js';
import { createTenant } from '../tenants/service.js';
import { findUserByEmail } from '../users/queries.js';
import { createUser } from '../users/service.js';
import { systemClock } from '../platform/clock.js';

export const DEMO = {
  subdomain: 'demo',
  name: 'Financiera Demo',
  admin: { name: 'Admin Demo', email: 'admin@demo.saldo.pe', password: 'saldo-demo-2026' },
} as const;

/** The demo tenant (Lima, soles) with its admin; creating it twice changes nothing. */
export async function ensureDemoTenant(db: Db): Promise<{ tenant: Tenant; created: boolean }> {
  let tenant = await findTenantBySubdomain(db, DEMO.subdomain);
  let created = false;
  if (!tenant) {
    const result = await createTenant(db, {
      name: DEMO.name,
      subdomain: DEMO.subdomain,
      timezone: 'America/Lima',
      currency: 'PEN',
      locale: 'es-PE',
      plan: 'pro',
      whatsappNumber: '+51999888777',
    });
    if (!result.ok) throw new Error(`Could not create the demo tenant: ${result.error}`);
    tenant = result.tenant;
    created = true;
  }
  if (!(await findUserByEmail(db, tenant.id, DEMO.admin.email))) {
    const result = await createUser({ tenantId: tenant.id, actor: null, db, clock: systemClock }, { ...DEMO.admin, role: 'admin' });
    if (!result.ok) throw new Error('Could not create the demo admin');
  }
  return { tenant, created };
}
