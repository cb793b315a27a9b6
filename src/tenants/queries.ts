import { eq } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import type { Clock } from '../platform/clock.js';
import { todayIn, type IsoDate } from '../platform/dates.js';
import { tenantSubdomainAliases, tenants, type Tenant } from './schema.js';

export async function findTenantBySubdomain(db: Db, subdomain: string): Promise<Tenant | undefined> {
  const [tenant] = await db.select().from(tenants).where(eq(tenants.subdomain, subdomain)).limit(1);
  return tenant;
}

/** The tenant's current subdomain when `subdomain` is one it used before. */
export async function findAliasTarget(db: Db, subdomain: string): Promise<string | undefined> {
  const [row] = await db
    .select({ subdomain: tenants.subdomain })
    .from(tenantSubdomainAliases)
    .innerJoin(tenants, eq(tenants.id, tenantSubdomainAliases.tenantId))
    .where(eq(tenantSubdomainAliases.subdomain, subdomain))
    .limit(1);
  return row?.subdomain;
}

export async function getTenant(db: Db, tenantId: number): Promise<Tenant | undefined> {
  const [tenant] = await db.select().from(tenants).where(eq(tenants.id, tenantId)).limit(1);
  return tenant;
}

/** Today in the tenant's timezone, read in the transaction that is about to use it. */
export async function tenantToday(scope: { tenantId: number; clock: Clock }, db: Db): Promise<IsoDate> {
  const [tenant] = await db.select({ timezone: tenants.timezone }).from(tenants).where(eq(tenants.id, scope.tenantId));
  return todayIn(tenant!.timezone, scope.clock);
}
