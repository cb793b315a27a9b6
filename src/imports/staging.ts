import { finished } from 'node:stream/promises';
import { sql } from 'drizzle-orm';
import { rows, type Database, type Db } from '../db/index.js';
import type { ValidRow } from './rows.js';

/** The columns of import_rows a staged row fills, in the order COPY receives them. */
const COLUMNS = [
  'tenant_id', 'process_id', 'line', 'first_of_client', 'document_type', 'document_number', 'name', 'email', 'phone', 'segment',
  'status', 'contactability', 'portfolio', 'contact_alerts', 'payment_code', 'product', 'amount', 'interest', 'discounts',
  'issue_date', 'due_date', 'annulled',
].join(', ');

/** Rows per COPY statement: big enough to be cheap per row, small enough to keep memory flat. */
const BATCH = 5_000;

const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value in COPY's text format: \N for null, backslash escapes for what would end a field or row. */
function field(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : value;
}

/** A text[] as an array literal, every element quoted (so commas, braces and NULL stay text). */
function arrayLiteral(values: readonly string[] | null | undefined): string | null {
  if (!values) return null;
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/** One staged row as a line of COPY text. */
export function copyLine(tenantId: number, processId: number, row: ValidRow, first: boolean): string {
  const { client, order } = row;
  return [
    field(tenantId), field(processId), field(row.line), field(first),
    field(client.documentType), field(client.documentNumber), field(client.name), field(client.email), field(client.phone), field(client.segment),
    field(client.status), field(client.contactability), field(client.portfolio), field(arrayLiteral(client.contactAlerts)),
    field(order.paymentCode), field(order.product), field(order.amount), field(order.interest), field(order.discounts),
    field(order.issueDate), field(order.dueDate), field(order.annulled),
  ].join('\t') + '\n';
}

export interface Stager {
  /** Adds a row to the batch being gathered (nothing is sent until `sendFull` or `end`). */
  add(row: ValidRow, first: boolean): void;
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
export function stager(database: Database, tenantId: number, processId: number): Stager {
  const statement = `copy import_rows (${COLUMNS}) from stdin`;
  const send = async (text: string): Promise<void> => {
    if (database.sql) {
      const stream = await database.sql.unsafe(statement).writable();
      stream.end(text);
      await finished(stream);
    } else {
      await database.pglite!.query(`copy import_rows (${COLUMNS}) from '/dev/blob'`, [], { blob: new Blob([text]) });
    }
  };
  let lines: string[] = [];
  let inFlight: Promise<void> | null = null;
  const flush = async () => {
    if (inFlight) await inFlight;
    inFlight = null;
    if (lines.length === 0) return;
    const text = lines.join('');
    lines = [];
    inFlight = send(text);
    // Awaited on the next flush; until then a failure must not count as unhandled.
    inFlight.catch(() => undefined);
  };
  return {
    add(row, first) {
      lines.push(copyLine(tenantId, processId, row, first));
    },
    async sendFull() {
      if (lines.length >= BATCH) await flush();
    },
    async end() {
      await flush();
      if (inFlight) await inFlight;
      inFlight = null;
    },
    async abort() {
      lines = [];
      await inFlight?.catch(() => undefined);
      inFlight = null;
    },
  };
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
