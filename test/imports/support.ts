import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, asc, eq, sql } from 'drizzle-orm';
import { clients } from '../../src/clients/schema.js';
import { rows } from '../../src/db/index.js';
import { paymentOrders } from '../../src/payment-orders/schema.js';
import { fileProcesses } from '../../src/process-log/schema.js';
import type { Harness, TestClient } from '../support/app.js';

export const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures', name));

/** Posts a file as a browser's multipart form would. */
export async function upload(client: TestClient, name: string, bytes: Uint8Array): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  const request = new Request('http://upload.test/', { method: 'POST', body: form });
  return client.request('POST', '/app/imports', {
    body: new Uint8Array(await request.arrayBuffer()),
    headers: { 'Content-Type': request.headers.get('Content-Type')!, 'X-CSRF-Token': client.csrfToken },
  });
}

export function processIdFrom(response: Response): number {
  const match = /\/app\/imports\/(\d+)$/.exec(response.headers.get('Location') ?? '');
  if (!match) throw new Error(`no import in redirect (status ${response.status})`);
  return Number(match[1]);
}

/** Upload → the offered mapping, confirmed as it is → check → apply, all through HTTP. */
export async function importFile(h: Harness, client: TestClient, name: string, bytes: Uint8Array, options: { apply?: boolean } = {}) {
  const uploaded = await upload(client, name, bytes);
  const id = processIdFrom(uploaded);
  const page = await (await client.get(`/app/imports/${id}`)).text();
  const form: Record<string, string> = {};
  for (const select of page.matchAll(/<select id="f-map-([\w.]+)" name="map\.[\w.]+">([\s\S]*?)<\/select>/g)) {
    const chosen = /<option value="(\d+)" selected/.exec(select[2]!);
    form[`map.${select[1]}`] = chosen ? chosen[1]! : '';
  }
  const mapped = await client.post(`/app/imports/${id}/mapping`, form);
  if (mapped.status !== 303) throw new Error(`mapping refused: ${mapped.status} ${await mapped.text()}`);
  await h.runJobs();
  if (options.apply !== false) {
    const applied = await client.post(`/app/imports/${id}/application`);
    if (applied.status !== 303) throw new Error(`apply refused: ${applied.status}`);
    await h.runJobs();
  }
  return { id, process: await processOf(h, id) };
}

export async function processOf(h: Harness, id: number) {
  const [row] = await h.db.select().from(fileProcesses).where(eq(fileProcesses.id, id));
  return row!;
}

export async function clientsOf(h: Harness, tenantId: number) {
  return h.db.select().from(clients).where(eq(clients.tenantId, tenantId)).orderBy(asc(clients.documentNumber));
}

export async function ordersOf(h: Harness, tenantId: number) {
  return h.db.select().from(paymentOrders).where(and(eq(paymentOrders.tenantId, tenantId))).orderBy(asc(paymentOrders.paymentCode));
}

export async function stagedRows(h: Harness, tenantId: number): Promise<number> {
  const [row] = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from import_rows where tenant_id = ${tenantId}`);
  return row!.n;
}
