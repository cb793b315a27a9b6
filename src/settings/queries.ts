import { eq } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { tenantSettings } from './schema.js';

/** The tenant's receivables switches, created with the defaults the first time they are needed. */
export async function settingsOf(db: Db, tenantId: number) {
  await db.insert(tenantSettings).values({ tenantId }).onConflictDoNothing();
  const [row] = await db.select().from(tenantSettings).where(eq(tenantSettings.tenantId, tenantId));
  return row!;
}
