import { eq, sql } from 'drizzle-orm';
import type { Scope } from '../platform/scope.js';
import { forgetTenantCache } from '../platform/tenancy.js';
import { tenants, type Tenant } from '../tenants/schema.js';
import { appActivations } from './schema.js';

/** The marketplace (Mercado de aplicaciones): what each app costs per plan, in US cents a month. */
export const marketplaceApps = {
  charged_off: { priceUsdCents: { pro: 0, essential: 2500 } },
} as const;

export type AppKey = keyof typeof marketplaceApps;

export function isAppKey(value: string): value is AppKey {
  return value in marketplaceApps;
}

export function isAppEnabled(tenant: Pick<Tenant, 'enabledApps'> | undefined, app: AppKey): boolean {
  return Boolean(tenant?.enabledApps.includes(app));
}

export function appPrice(tenant: Pick<Tenant, 'plan'>, app: AppKey): number {
  return marketplaceApps[app].priceUsdCents[tenant.plan];
}

export type ActivationResult = { ok: true } | { ok: false; error: 'marketplace.confirmPrice' };

/**
 * Switches an app on. When it has a price on the tenant's plan, the admin must have seen and
 * accepted that price; the activation (who, when, price) is recorded for billing.
 */
export async function enableApp(scope: Scope, options: { tenant: Tenant; app: AppKey; acceptedPriceUsdCents: number | null }): Promise<ActivationResult> {
  const price = appPrice(options.tenant, options.app);
  if (price > 0 && options.acceptedPriceUsdCents !== price) return { ok: false, error: 'marketplace.confirmPrice' };
  await scope.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(tenants)
      .set({ enabledApps: sql`array_append(${tenants.enabledApps}, ${options.app})`, updatedAt: scope.clock.now() })
      .where(sql`${tenants.id} = ${scope.tenantId} and not (${options.app} = any(${tenants.enabledApps}))`)
      .returning({ id: tenants.id });
    if (!updated) return;
    await tx.insert(appActivations).values({
      tenantId: scope.tenantId,
      app: options.app,
      action: 'enabled',
      plan: options.tenant.plan,
      priceUsdCents: price,
      actorId: scope.actor?.id ?? null,
      occurredAt: scope.clock.now(),
    });
  });
  forgetTenantCache();
  return { ok: true };
}

/** Switches an app off. Its data stays; enabling it again shows everything as it was. */
export async function disableApp(scope: Scope, options: { tenant: Tenant; app: AppKey }): Promise<void> {
  await scope.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(tenants)
      .set({ enabledApps: sql`array_remove(${tenants.enabledApps}, ${options.app})`, updatedAt: scope.clock.now() })
      .where(sql`${tenants.id} = ${scope.tenantId} and ${options.app} = any(${tenants.enabledApps})`)
      .returning({ id: tenants.id });
    if (!updated) return;
    await tx.insert(appActivations).values({
      tenantId: scope.tenantId,
      app: options.app,
      action: 'disabled',
      plan: options.tenant.plan,
      priceUsdCents: 0,
      actorId: scope.actor?.id ?? null,
      occurredAt: scope.clock.now(),
    });
  });
  forgetTenantCache();
}

export async function activationHistory(scope: Pick<Scope, 'db' | 'tenantId'>) {
  return scope.db
    .select()
    .from(appActivations)
    .where(eq(appActivations.tenantId, scope.tenantId))
    .orderBy(sql`${appActivations.occurredAt} desc, ${appActivations.id} desc`);
}
