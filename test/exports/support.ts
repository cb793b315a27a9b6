import { desc, eq, sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { clients } from '../../src/clients/schema.js';
import { fileProcesses } from '../../src/process-log/schema.js';
import type { Harness, TestClient } from '../support/app.js';

/** Clients typed straight into the table: downloads only read them. */
export async function addClients(h: Harness, tenantId: number, list: { name: string; documentNumber: string; segment?: string }[]) {
  if (list.length === 0) return;
  await h.db.insert(clients).values(list.map((c) => ({ tenantId, documentType: 'DNI', documentNumber: c.documentNumber, name: c.name, segment: c.segment ?? null })));
}

/** Many clients at once, made by the database. */
export async function addManyClients(h: Harness, tenantId: number, count: number) {
  await h.db.execute(sql`
    insert into clients (tenant_id, document_type, document_number, name, segment)
    select ${tenantId}, 'DNI', lpad(g::text, 8, '0'), 'Cliente ' || g, case when g % 2 = 0 then 'A' else 'B' end
      from generate_series(1, ${count}) g`);
}

/**
 * "Descargar" as csv, as the person on `browser` asks for it: the request, the job, then the
 * file from the Process log, as its lines (BOM and CRLF taken off).
 */
export async function downloadCsv(h: Harness, browser: TestClient, tenantId: number, kind: string, query: string): Promise<{ lines: string[]; text: string; rows: number | undefined }> {
  expect((await browser.post('/app/exports', { kind, format: 'csv', query })).status).toBe(303);
  await h.runJobs();
  const [process] = await h.db.select().from(fileProcesses).where(eq(fileProcesses.tenantId, tenantId)).orderBy(desc(fileProcesses.id)).limit(1);
  expect(process!.state).toBe('completed');
  const text = Buffer.from(await (await browser.get(`/app/process-log/${process!.id}/files/result`)).arrayBuffer()).toString('utf8');
  return { text, lines: text.replace(/^\uFEFF/, '').trimEnd().split('\r\n'), rows: process!.counts.rows };
}
