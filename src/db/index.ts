import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../platform/paths.js';
import type { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

/** A database or a transaction on it: every query function takes one of these. */
export type Db = PgDatabase<PgQueryResultHKT>;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Runs raw SQL with positional parameters; used by pg-boss and a few hand-written statements. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs several parameterless statements separated by semicolons. */
  exec(text: string): Promise<void>;
  close(): Promise<void>;
  /** Present on real PostgreSQL: the postgres.js client, for COPY and reserved connections. */
  sql?: postgres.Sql;
  pglite?: PGlite;
}

export const migrationsFolder = join(projectRoot, 'migrations');

export interface OpenOptions {
  databaseUrl?: string | undefined;
  dataDir?: string;
  poolSize?: number;
  /** An already-created PGlite (tests load one from a migrated snapshot). */
  pglite?: PGlite;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(options.pglite ?? (await createPglite(options.dataDir)));
}

// The embedded database is loaded only when used: on PostgreSQL its modules would only
// take memory in every web process and worker.
export async function createPglite(dataDir?: string, loadDataDir?: Blob): Promise<PGlite> {
  const [{ PGlite }, { pg_trgm }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite/contrib/pg_trgm')]);
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pg = new PGlite({
    ...(dataDir ? { dataDir: join(dataDir, 'pglite') } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
    extensions: { pg_trgm },
  });
  await pg.waitReady;
  return pg;
}

function openPostgres(url: string, max: number): Database {
  const client = postgres(url, {
    max,
    onnotice: () => {},
    connection: { application_name: 'saldo' },
  });
  return {
    db: drizzlePostgres(client, { casing: 'snake_case' }) as unknown as Db,
    kind: 'postgres',
    sql: client,
    async query(text, params = []) {
      return (await client.unsafe(text, params as never[])) as never;
    },
    async exec(text) {
      await client.unsafe(text);
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

async function openPglite(pg: PGlite): Promise<Database> {
  const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite');
  return {
    db: drizzlePglite(pg, { casing: 'snake_case' }) as unknown as Db,
    kind: 'pglite',
    pglite: pg,
    async query(text, params = []) {
      return (await pg.query(text, params)).rows as never;
    },
    async exec(text) {
      await pg.exec(text);
    },
    async close() {
      if (!pg.closed) await pg.close();
    },
  };
}

/**
 * Applies pending migrations. On PostgreSQL an advisory lock makes concurrent starts
 * (several web processes and workers) wait for one another instead of racing.
 */
export async function migrate(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    const { migrate: migratePglite } = await import('drizzle-orm/pglite/migrator');
    await migratePglite(database.db as never, { migrationsFolder });
    return;
  }
  // The lock lives on a connection of its own while the migrator uses the pool.
  const reserved = await database.sql!.reserve();
  try {
    await reserved`select pg_advisory_lock(827163)`;
    await migratePostgres(database.db as never, { migrationsFolder });
  } finally {
    await reserved`select pg_advisory_unlock(827163)`.catch(() => {});
    reserved.release();
  }
}

/** Keys held in this process, for the embedded database (one process holds it). */
const heldHere = new Set<string>();

/**
 * Runs `work` only if no other run holds `key`, in this process or (on PostgreSQL) any
 * other: the lock is a session advisory lock on a connection of its own, so a process that
 * dies lets it go with its connection. Returns whether `work` ran.
 */
export async function exclusively(database: Database, key: string, work: () => Promise<void>): Promise<boolean> {
  if (heldHere.has(key)) return false;
  heldHere.add(key);
  try {
    if (!database.sql) {
      await work();
      return true;
    }
    const reserved = await database.sql.reserve();
    try {
      const [taken] = await reserved<{ locked: boolean }[]>`select pg_try_advisory_lock(hashtextextended(${key}, 0)) as locked`;
      if (!taken?.locked) return false;
      try {
        await work();
        return true;
      } finally {
        await reserved`select pg_advisory_unlock(hashtextextended(${key}, 0))`.catch(() => {});
      }
    } finally {
      reserved.release();
    }
  } finally {
    heldHere.delete(key);
  }
}

/** Rows of a raw Drizzle SQL statement, whichever driver runs it. */
/**
 * For the rest of the transaction, set-wise statements over a whole upload: the planner,
 * misled by statistics that lag behind a bulk load (or by rows this very transaction wrote),
 * would pick nested loops that scan a table once per row (a campaign file of 20,000 rows
 * took 70 s instead of 2). Hash joins keep each statement linear.
 */
export async function preferHashJoins(tx: Db): Promise<void> {
  await tx.execute(sql`set local enable_nestloop = off`);
  // Room for those hashes (an upload's rows are tens of megabytes) so they are not spilled to disk.
  await tx.execute(sql`set local work_mem = '64MB'`);
}

/**
 * Ids as one bigint[] literal (`'{1,2,3}'::bigint[]`), each once: a single parameter-free
 * value however many there are (an upload touches tens of thousands, past the protocol's
 * limit of parameters), and the ids are numbers, so nothing else can get into the text.
 */
export function idArray(ids: readonly number[]): SQL {
  return sql.raw(`'{${[...new Set(ids)].map((id) => Number(id)).join(',')}}'::bigint[]`);
}

export async function rows<T>(db: Db, statement: SQL): Promise<T[]> {
  const result = (await db.execute(statement)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows: T[] }).rows ?? []) as T[];
}

export async function ping(database: Database): Promise<boolean> {
  try {
    await rows(database.db, sql`select 1`);
    return true;
  } catch {
    return false;
  }
}
