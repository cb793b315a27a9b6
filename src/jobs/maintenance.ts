import { closeFinishedCampaigns } from '../campaigns/service.js';
import { failStuckExports } from '../exports/service.js';
import { storageFor } from '../storage/index.js';
import { pruneStagedRows } from '../imports/staging.js';
import { pruneRateLimits } from '../platform/auth/rate-limit.js';
import { todayIn } from '../platform/dates.js';
import { recordBrokenPromises } from '../payments/promises.js';
import { pruneCaptchaUses } from '../portal/captcha.js';
import { tenants } from '../tenants/schema.js';
import type { JobDefinition } from './index.js';

/**
 * The daily bookkeeping that dates cause by themselves: campaigns whose end date passed are
 * closed (recording "campaign.finished" once) and promises past their date without payment
 * are recorded as broken. Views never wait for it (both states are derived from dates); it
 * records the events. Everything it does is idempotent, so it runs every hour and catches
 * each tenant's midnight within the hour, whatever the timezone. It also clears what
 * expires by itself: rate-limit and captcha records, and import rows no import will apply;
 * and it marks failed the downloads whose every try ended without a word (failStuckExports),
 * and removes the parts of files a killed process left.
 */
export const maintenanceJob: JobDefinition<Record<string, never>> = {
  name: 'maintenance.hourly',
  expireInMinutes: 50,
  async run(deps) {
    const { db } = deps.database;
    const now = deps.clock.now();
    for (const tenant of await db.select({ id: tenants.id, timezone: tenants.timezone }).from(tenants)) {
      const today = todayIn(tenant.timezone, deps.clock);
      await closeFinishedCampaigns(db, { tenantId: tenant.id, today, now });
      await recordBrokenPromises(db, tenant.id, today);
      await pruneCaptchaUses(db, tenant.id, now);
    }
    await failStuckExports(db, now);
    // Parts of files whose writing stopped a day ago or more (a process killed mid-write).
    await storageFor(deps.config).sweepParts(new Date(Date.now() - 86_400_000));
    await pruneRateLimits(db, new Date(now.getTime() - 86_400_000));
    await pruneStagedRows(db);
  },
};

export const maintenanceSchedule = { job: maintenanceJob, cron: '7 * * * *' } as const;
