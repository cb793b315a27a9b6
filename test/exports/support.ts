import { sql } from 'drizzle-orm';
import { clients } from '../../src/clients/schema.js';
import type { Harness } from '../support/app.js';

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
