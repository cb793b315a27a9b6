import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { createPglite, migrate, migrationsFolder, openDatabase } from '../../src/db/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseTemplate: { kind: 'postgres'; url: string; template: string } | { kind: 'pglite'; snapshot: string };
  }
}

function migrationsHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(entry.name).update(readFileSync(path));
    }
  };
  walk(migrationsFolder);
  return hash.digest('hex').slice(0, 12);
}

/**
 * Migrates once per run: on PostgreSQL into a template database that each test file
 * copies (CREATE DATABASE … TEMPLATE), on PGlite into a snapshot each test file loads.
 */
export default async function setup(project: TestProject) {
  const hash = migrationsHash();
  const url = process.env.DATABASE_URL;
  if (url) {
    const template = `saldo_tpl_${hash}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      // Leftovers of runs that crashed. A database another run is using right now refuses to
      // be dropped (no FORCE here), so parallel runs on one server leave each other alone.
      for (const { datname } of await admin<{ datname: string }[]>`select datname from pg_database where datname like 'saldo_t\\_%'`) {
        await admin.unsafe(`drop database if exists "${datname}"`).catch(() => {});
      }
      const [exists] = await admin`select 1 from pg_database where datname = ${template}`;
      if (!exists) {
        await admin.unsafe(`drop database if exists "${template}_new" with (force)`);
        await admin.unsafe(`create database "${template}_new"`);
        const target = new URL(url);
        target.pathname = `/${template}_new`;
        const db = await openDatabase({ databaseUrl: target.toString(), poolSize: 2 });
        await migrate(db);
        await db.close();
        await admin.unsafe(`alter database "${template}_new" rename to "${template}"`);
      }
    } finally {
      await admin.end();
    }
    project.provide('databaseTemplate', { kind: 'postgres', url, template });
    return async () => {
      const cleanup = postgres(url, { max: 1, onnotice: () => {} });
      for (const { datname } of await cleanup<{ datname: string }[]>`select datname from pg_database where datname like 'saldo_t\\_%'`) {
        await cleanup.unsafe(`drop database if exists "${datname}"`).catch(() => {});
      }
      await cleanup.end();
    };
  }
  const snapshot = join(tmpdir(), `saldo-pglite-${hash}.tar.gz`);
  if (!existsSync(snapshot)) {
    const pg = await createPglite();
    const db = await openDatabase({ pglite: pg });
    await migrate(db);
    const blob = await pg.dumpDataDir('gzip');
    writeFileSync(snapshot, Buffer.from(await blob.arrayBuffer()));
    await db.close();
  }
  project.provide('databaseTemplate', { kind: 'pglite', snapshot });
}
