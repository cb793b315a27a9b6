import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { inject } from 'vitest';
import { createPglite, migrate, openDatabase, type Database } from '../../src/db/index.js';

/** A fresh, migrated database of its own for one test file, on whichever engine this run uses. */
export async function createTestDatabase(): Promise<Database> {
  // Outside vitest (the benchmarks reuse the harness): an embedded database, migrated here.
  if (!process.env.VITEST) {
    const database = await openDatabase({ pglite: await createPglite() });
    await migrate(database);
    return database;
  }
  const template = inject('databaseTemplate');
  if (template.kind === 'pglite') {
    const pg = await createPglite(undefined, new Blob([readFileSync(template.snapshot)]));
    return openDatabase({ pglite: pg });
  }
  const name = `saldo_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(template.url, { max: 1, onnotice: () => {} });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`create database "${name}" template "${template.template}"`);
        break;
      } catch (error) {
        // Two files copying the template at the same instant: wait and try again.
        if (attempt > 20 || !String(error).includes('being accessed')) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const url = new URL(template.url);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 5 });
  const close = database.close.bind(database);
  database.close = async () => {
    await close();
    const cleanup = postgres(template.url, { max: 1, onnotice: () => {} });
    await cleanup.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
    await cleanup.end();
  };
  return database;
}

export function databaseUrlOf(database: Database): string | undefined {
  const options = database.sql?.options as { host?: string[]; port?: number[]; database?: string; user?: string } | undefined;
  if (!options) return undefined;
  return `postgres://${options.user}@${options.host?.[0]}:${options.port?.[0]}/${options.database}`;
}
