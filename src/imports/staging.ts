import { finished } from 'node:stream/promises';
import { sql } from 'drizzle-orm';
import { rows, type Database, type Db } from '../db/index.js';
import { STAGED_COLUMNS } from './staged-row.js';

/** Rows per COPY statement: big enough to be cheap per row, small enough to keep memory flat. */
const BATCH = 5_000;

export interface Stager {
  /** Adds `count` rows, as lines of COPY text (staged-row.ts), to the batch being gathered (nothing is sent until `sendFull` or `end`). */
  add(text: string, count: number): void;
  /** Sends the gathered rows once a batch is full, after waiting for the COPY before it. */
  sendFull(): Promise<void>;
  /** Writes what is left and waits until every row is in import_rows. */
  end(): Promise<void>;
  /** Stops after a failure: waits for a COPY under way (its error, if any, is dropped). */
  abort(): Promise<void>;
}

/**
 * Stages the checked rows of an upload in import_rows with COPY, in batches: each batch is
 * one statement (all or nothing), sent while the next one is being read and checked, so the
 * database loads while the file is parsed. At most one COPY is in flight, and none is open
 * while the caller waits for anything else, so other statements (progress) never queue
 * behind a half-written COPY for a connection. On PostgreSQL the text streams through the
 * driver's COPY FROM STDIN; the embedded database reads each batch as a blob.
 */
export function stager(database: Database): Stager {
  const statement = `copy import_rows (${STAGED_COLUMNS}) from stdin`;
  const send = async (text: string): Promise<void> => {
    if (database.sql) {
      const stream = await database.sql.unsafe(statement).writable();
      stream.end(text);
      await finished(stream);
    } else {
      await database.pglite!.query(`copy import_rows (${STAGED_COLUMNS}) from '/dev/blob'`, [], { blob: new Blob([text]) });
    }
  };
  let chunks: string[] = [];
  let count = 0;
  let inFlight: Promise<void> | null = null;
  const flush = async () => {
    if (inFlight) await inFlight;
    inFlight = null;
    if (count === 0) return;
    const text = chunks.join('');
    chunks = [];
    count = 0;
    inFlight = send(text);
    // Awaited on the next flush; until then a failure must not count as unhandled.
    inFlight.catch(() => undefined);
  };
  return {
    add(text, rows) {
      if (rows === 0) return;
      chunks.push(text);
      count += rows;
    },
    async sendFull() {
      if (count >= BATCH) await flush();
    },
    async end() {
      await flush();
      if (inFlight) await inFlight;
      inFlight = null;
    },
    async abort() {
      chunks = [];
      count = 0;
      await inFlight?.catch(() => undefined);
      inFlight = null;
    },
  };
}

/** Removes an upload's staged rows (a check starting again or given up, an apply done, a discard). */
export async function clearStaged(db: Db, tenantId: number, processId: number): Promise<void> {
  await db.execute(sql`delete from import_rows where tenant_id = ${tenantId} and process_id = ${processId}`);
}

/**
 * Removes staged rows that no import will apply: their Process log entry is gone, or has
 * left the stages in which rows wait (a failed or finished import clears its own rows; this
 * catches what a process killed at the wrong moment left). Run by the hourly maintenance.
 */
export async function pruneStagedRows(db: Db): Promise<number> {
  const removed = await rows<{ n: number }>(
    db,
    sql`
    with gone as (
      delete from import_rows s
       where not exists (select 1 from file_processes p
                          where p.tenant_id = s.tenant_id and p.id = s.process_id
                            and p.stage in ('validating', 'validated', 'applying'))
      returning 1)
    select count(*)::int as n from gone`,
  );
  return removed[0]?.n ?? 0;
}

/** Rows an upload creates from which the tables it loaded are analyzed at once. */
const ANALYZE_FROM = 10_000;

/**
 * What is analyzed of each table an upload loads: the row count, which every ANALYZE renews,
 * the key (without its statistics the foreign keys' checks, planned once per connection,
 * may scan the table for every row a later delete removes) and the columns the trays filter
 * and join on. Whole tables (expressions of every index included) take four times as long,
 * which a big upload would wait for.
 */
const ANALYZED = {
  clients: 'clients (id, tenant_id, deleted_at, portfolio, status, advisor_id, supervisor_id, oldest_unpaid_due_date, total_balance)',
  payment_orders: 'payment_orders (id, tenant_id, client_id, due_date, annulled, balance)',
  campaign_entries: 'campaign_entries (id, tenant_id, client_id, campaign_code, end_date)',
} as const;

/**
 * After a big load, PostgreSQL's statistics still describe the tables as they were: until
 * autovacuum analyzes them (minutes later), a tray's plan may guess two rows where there are
 * a hundred thousand and take seconds. The tables the upload loaded are analyzed at once.
 */
export async function analyzeAfterLoad(db: Db, created: number, tables: readonly (keyof typeof ANALYZED)[]): Promise<void> {
  if (created < ANALYZE_FROM) return;
  await db.execute(sql.raw(`analyze ${tables.map((table) => ANALYZED[table]).join(', ')}`));
}
