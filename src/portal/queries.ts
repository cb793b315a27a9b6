import { eq } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { ADVISOR_REASON, portalSettings, type PortalSettings } from './schema.js';

/** The reasons as shown and stored: trimmed, without blanks or repeats, the advisor option always last among them. */
export function withAdvisorReason(reasons: readonly string[]): string[] {
  const cleaned = [...new Set(reasons.map((r) => r.trim()).filter(Boolean))].filter((r) => r !== ADVISOR_REASON);
  return [...cleaned, ADVISOR_REASON];
}

/** The tenant's portal forms, created with the defaults the first time they are read. */
export async function portalSettingsFor(db: Db, tenantId: number): Promise<PortalSettings> {
  let [row] = await db.select().from(portalSettings).where(eq(portalSettings.tenantId, tenantId));
  if (!row) {
    await db.insert(portalSettings).values({ tenantId }).onConflictDoNothing();
    [row] = await db.select().from(portalSettings).where(eq(portalSettings.tenantId, tenantId));
  }
  return { ...row!, notInterestedReasons: withAdvisorReason(row!.notInterestedReasons) };
}
