import { and, eq, sql } from 'drizzle-orm';
import * as v from 'valibot';
import type { Db } from '../db/index.js';
import { isValidTimeZone } from '../platform/dates.js';
import { isCurrencyCode } from '../platform/money.js';
import { tenantSubdomainAliases, tenants, type Tenant } from './schema.js';

const RESERVED = new Set(['www', 'app', 'api', 'admin', 'static', 'mail', 'saldo']);

export const SubdomainSchema = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  // Each rule of a DNS label says its own refusal: the characters, the ends, the length.
  v.minLength(1, 'tenants.subdomainRequired'),
  v.regex(/^[a-z0-9-]*$/, 'tenants.subdomainInvalid'),
  v.check((s) => !s.startsWith('-') && !s.endsWith('-'), 'tenants.subdomainHyphenEnds'),
  v.maxLength(63, 'tenants.subdomainTooLong'),
  v.check((s) => !RESERVED.has(s), 'tenants.subdomainReserved'),
);

export const NewTenantSchema = v.object({
  name: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(120)),
  subdomain: SubdomainSchema,
  timezone: v.pipe(v.string(), v.check(isValidTimeZone, 'tenants.timezoneInvalid')),
  currency: v.pipe(v.string(), v.toUpperCase(), v.check(isCurrencyCode, 'tenants.currencyInvalid')),
  locale: v.pipe(v.string(), v.regex(/^[a-z]{2}-[A-Z]{2}$/, 'tenants.localeInvalid')),
  plan: v.optional(v.picklist(['essential', 'pro']), 'essential'),
  whatsappNumber: v.optional(v.nullable(v.string()), null),
});

export type NewTenant = v.InferInput<typeof NewTenantSchema>;

export type TenantResult = { ok: true; tenant: Tenant } | { ok: false; error: 'tenants.subdomainTaken' };

async function subdomainInUse(db: Db, subdomain: string, exceptTenantId?: number): Promise<boolean> {
  const [owner] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.subdomain, subdomain)).limit(1);
  if (owner && owner.id !== exceptTenantId) return true;
  const [alias] = await db
    .select({ tenantId: tenantSubdomainAliases.tenantId })
    .from(tenantSubdomainAliases)
    .where(eq(tenantSubdomainAliases.subdomain, subdomain))
    .limit(1);
  return Boolean(alias && alias.tenantId !== exceptTenantId);
}

export async function createTenant(db: Db, input: NewTenant): Promise<TenantResult> {
  const data = v.parse(NewTenantSchema, input);
  return db.transaction(async (tx) => {
    if (await subdomainInUse(tx, data.subdomain)) return { ok: false, error: 'tenants.subdomainTaken' } as const;
    const [tenant] = await tx
      .insert(tenants)
      .values({ ...data, country: data.locale.slice(3, 5) })
      .returning();
    return { ok: true, tenant: tenant! } as const;
  });
}

/**
 * Moves a tenant to a new subdomain. The old one is kept as an alias that answers with a
 * 301 to the new host, so links already sent to debtors keep working.
 */
export async function changeSubdomain(db: Db, options: { tenantId: number; subdomain: string }): Promise<TenantResult> {
  const subdomain = v.parse(SubdomainSchema, options.subdomain);
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(tenants).where(eq(tenants.id, options.tenantId)).for('update');
    if (!current) throw new Error(`tenant ${options.tenantId} not found`);
    if (current.subdomain === subdomain) return { ok: true, tenant: current } as const;
    if (await subdomainInUse(tx, subdomain, options.tenantId)) return { ok: false, error: 'tenants.subdomainTaken' } as const;
    await tx
      .delete(tenantSubdomainAliases)
      .where(and(eq(tenantSubdomainAliases.tenantId, options.tenantId), eq(tenantSubdomainAliases.subdomain, subdomain)));
    await tx.insert(tenantSubdomainAliases).values({ subdomain: current.subdomain, tenantId: options.tenantId }).onConflictDoNothing();
    const [tenant] = await tx
      .update(tenants)
      .set({ subdomain, updatedAt: sql`now()` })
      .where(eq(tenants.id, options.tenantId))
      .returning();
    return { ok: true, tenant: tenant! } as const;
  });
}
