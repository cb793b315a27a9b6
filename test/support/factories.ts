import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Permission, Role } from '../../src/platform/permissions.js';
import type { Tenant } from '../../src/tenants/schema.js';
import { createTenant } from '../../src/tenants/service.js';
import { users, type User } from '../../src/users/schema.js';
import { createUser } from '../../src/users/service.js';
import type { Harness } from './app.js';

let sequence = 0;
const unique = () => `${Date.now().toString(36)}${(sequence++).toString(36)}${randomBytes(2).toString('hex')}`;

export async function newTenant(
  h: Harness,
  attributes: Partial<{ subdomain: string; name: string; timezone: string; currency: string; locale: string; plan: 'essential' | 'pro' }> = {},
): Promise<Tenant> {
  const result = await createTenant(h.db, {
    name: attributes.name ?? 'Financiera Andina',
    subdomain: attributes.subdomain ?? `t${unique()}`,
    timezone: attributes.timezone ?? 'America/Lima',
    currency: attributes.currency ?? 'PEN',
    locale: attributes.locale ?? 'es-PE',
    plan: attributes.plan ?? 'pro',
  });
  if (!result.ok) throw new Error(result.error);
  return result.tenant;
}

export type Staff = User & { password: string };

/** A staff user; `grant`/`revoke` change single permissions from the role's defaults. */
export async function addStaff(
  h: Harness,
  tenant: Tenant,
  attributes: { role?: Role; name?: string; email?: string; password?: string; grant?: Permission[]; revoke?: Permission[]; language?: 'es' | 'en' } = {},
): Promise<Staff> {
  const password = attributes.password ?? 'correct-horse-battery';
  const result = await createUser(
    { tenantId: tenant.id, actor: null, db: h.db, clock: h.clock },
    {
      name: attributes.name ?? 'Ana Torres',
      email: attributes.email ?? `user-${unique()}@example.pe`,
      role: attributes.role ?? 'advisor',
      password,
    },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const overrides: Record<string, boolean> = {};
  for (const p of attributes.grant ?? []) overrides[p] = true;
  for (const p of attributes.revoke ?? []) overrides[p] = false;
  const [user] = await h.db
    .update(users)
    .set({ permissionOverrides: overrides, language: attributes.language ?? null })
    .where(and(eq(users.tenantId, tenant.id), eq(users.id, result.user.id)))
    .returning();
  return { ...user!, password };
}

/** A client already logged in as the given staff user on their tenant. */
export async function loggedIn(h: Harness, tenant: Tenant, staff: Staff) {
  return h.client(tenant).login(staff);
}
