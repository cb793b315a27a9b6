import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { createTestDatabase } from '../support/db.js';

/** The tenant directory: how a request finds its tenant, so not keyed by one. */
const DIRECTORY = new Set(['tenants', 'tenant_subdomain_aliases']);
/** Tables without a primary key, each for its reason; their indexes still lead with tenant_id. */
const KEYLESS = new Set([
  // An upload's staged rows are written by one check and read and removed whole, never one
  // by one; a key on every staged row was a third of the staging's cost (decision 0006).
  'import_rows',
]);

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

async function tables() {
  return database.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`,
  );
}

describe('tenant-first schema', () => {
  it('has tenant-owned tables', async () => {
    expect((await tables()).length).toBeGreaterThan(DIRECTORY.size);
  });

  it('leads every primary key, foreign key and index of tenant-owned tables with tenant_id', async () => {
    const problems: string[] = [];
    for (const { name } of await tables()) {
      if (DIRECTORY.has(name)) continue;
      const constraints = await database.query<{ name: string; type: string; first: string | null }>(
        `select con.conname as name, con.contype as type,
                (select a.attname from pg_attribute a where a.attrelid = con.conrelid and a.attnum = con.conkey[1]) as first
         from pg_constraint con where con.conrelid = $1::regclass and con.contype in ('p', 'f', 'u')`,
        [name],
      );
      if (!constraints.some((c) => c.type === 'p') && !KEYLESS.has(name)) problems.push(`${name}: no primary key`);
      for (const c of constraints) {
        if (c.first !== 'tenant_id') problems.push(`${name}: ${c.name} starts with ${c.first}`);
      }
      const indexes = await database.query<{ name: string; first: string | null }>(
        `select i.relname as name,
                (select a.attname from pg_attribute a where a.attrelid = x.indrelid and a.attnum = x.indkey[0]) as first
         from pg_index x join pg_class i on i.oid = x.indexrelid where x.indrelid = $1::regclass`,
        [name],
      );
      for (const index of indexes) {
        if (index.first !== 'tenant_id') problems.push(`${name}: index ${index.name} starts with ${index.first ?? 'an expression'}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
