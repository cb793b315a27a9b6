import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignEntries } from '../../src/campaigns/schema.js';
import { clients } from '../../src/clients/schema.js';
import { clientEvents } from '../../src/events/schema.js';
import { importRows } from '../../src/imports/schema.js';
import { maintenanceJob } from '../../src/jobs/maintenance.js';
import { rateLimitHits } from '../../src/platform/auth/schema.js';
import { hit } from '../../src/platform/auth/rate-limit.js';
import { openProcess, updateProcess } from '../../src/process-log/service.js';
import { startTestApp, type Harness } from '../support/app.js';
import { newTenant } from '../support/factories.js';

let h: Harness;
beforeAll(async () => {
  // 04:30 UTC on the 11th is still the 10th in Lima, already the 11th in UTC.
  h = await startTestApp({ now: '2026-03-11T04:30:00Z', jobs: true });
});
afterAll(() => h.close());

describe('the hourly maintenance job', () => {
  it('closes campaigns whose end date passed in each tenant’s own timezone, recording the end once', async () => {
    const lima = await newTenant(h, { timezone: 'America/Lima' });
    const utc = await newTenant(h, { timezone: 'UTC' });
    const entries = [];
    for (const tenant of [lima, utc]) {
      const [client] = await h.db.insert(clients).values({ tenantId: tenant.id, documentType: 'DNI', documentNumber: '12345678', name: 'Rosa', portfolio: 'castigada' }).returning();
      const [entry] = await h.db
        .insert(campaignEntries)
        .values({ tenantId: tenant.id, clientId: client!.id, campaignCode: 'C', debtAmount: 1000, discountType: 'monto', discountValue: 100, campaignAmount: 900, endDate: '2026-03-10' })
        .returning();
      entries.push(entry!);
    }
    await h.jobs!.send(maintenanceJob, {});
    expect(await h.runJobs()).toBe(1);
    await h.jobs!.send(maintenanceJob, {});
    await h.runJobs();

    const [limaEntry] = await h.db.select().from(campaignEntries).where(eq(campaignEntries.id, entries[0]!.id));
    const [utcEntry] = await h.db.select().from(campaignEntries).where(eq(campaignEntries.id, entries[1]!.id));
    expect(limaEntry!.closedAt).toBeNull();
    expect(utcEntry).toMatchObject({ closedReason: 'finished' });
    const finished = await h.db.select().from(clientEvents).where(and(eq(clientEvents.tenantId, utc.id), eq(clientEvents.type, 'campaign.finished')));
    expect(finished).toHaveLength(1);
  });

  it('forgets rate-limit windows older than a day', async () => {
    const tenant = await newTenant(h);
    await hit(h.db, tenant.id, { key: 'old', max: 5, windowMs: 60_000 }, new Date('2026-03-08T00:00:00Z'));
    await hit(h.db, tenant.id, { key: 'new', max: 5, windowMs: 60_000 }, h.clock.now());
    await h.jobs!.send(maintenanceJob, {});
    await h.runJobs();
    const left = await h.db.select().from(rateLimitHits).where(eq(rateLimitHits.tenantId, tenant.id));
    expect(left.map((r) => r.key)).toEqual(['new']);
  });

  it('removes staged import rows that no import will apply, and keeps those waiting to be applied', async () => {
    const tenant = await newTenant(h);
    const open = (stage: string) => openProcess(h.db, tenant.id, { kind: 'import', subject: 'clients', format: 'csv', userId: null, stage, originalName: 'a.csv', originalKey: 'k', params: {} });
    const waiting = await open('validated');
    const failed = await open('validating');
    await updateProcess(h.db, tenant.id, failed.id, { state: 'failed', stage: 'mapping' });
    const staged = (processId: number, line: number) => ({ tenantId: tenant.id, processId, line, firstOfClient: true, documentType: 'DNI', documentNumber: '12345678', paymentCode: `OP-${processId}-${line}` });
    // Rows of a waiting import, of a failed one, and of an entry that does not exist.
    await h.db.insert(importRows).values([staged(waiting.id, 2), staged(waiting.id, 3), staged(failed.id, 2), staged(failed.id + 1_000_000, 2)]);
    await h.jobs!.send(maintenanceJob, {});
    await h.runJobs();
    const left = await h.db.select({ processId: importRows.processId, line: importRows.line }).from(importRows).where(eq(importRows.tenantId, tenant.id));
    expect(left.sort((a, b) => a.line - b.line)).toEqual([{ processId: waiting.id, line: 2 }, { processId: waiting.id, line: 3 }]);
  });
});
