import type { Db } from '../db/index.js';
import type { Translate } from '../platform/i18n/index.js';
import { can, type Grantee, type Permission } from '../platform/permissions.js';
import type { Cell, ColumnKind } from '../platform/spreadsheets/write.js';
import type { Tenant } from '../tenants/schema.js';

export interface ExportContext {
  db: Db;
  tenant: Tenant;
  /** Whose view is exported: their remembered columns decide what the file holds. */
  userId: number;
  /** Whether that user has a permission now (what a filter may match can depend on it). */
  may: (permission: Permission) => boolean;
  /** The filters exactly as the tray's query string carried them. */
  query: Record<string, string>;
  /** The day the download was asked for, in the tenant's time zone: a night run finds what the user counted. */
  today: string;
  /** The columns the user had when asking (`PreparedExport.columns`), for a run later than the asking. */
  columns?: string[] | undefined;
  t: Translate;
}

/** A prepared download: its headings, how many rows, and the rows in keyset batches. */
export interface PreparedExport {
  headers: string[];
  /** Which columns hold days and which amounts in the currency's units, for an xlsx to format them. */
  kinds?: ColumnKind[];
  /** The columns chosen, where the user chooses them: kept with the request, so a night run writes these. */
  columns?: string[];
  /** What the download is about beside its kind (the client of an Interacciones download): the Process log, file name and email say it. */
  about?: string;
  count(): Promise<number>;
  batches(): AsyncIterable<Cell[][]>;
}

/**
 * One downloadable tray (clients, orders, claims, charged-off campaigns, a client's
 * Interacciones), each with its own columns and batch source; the rest (confirmation,
 * nightly scheduling, files, Process log, email) is shared.
 */
export interface ExportSource {
  kind: string;
  /** The tray's own access, any one of which is needed besides reports.download. */
  permissions: Permission[];
  /** Whether the tenant has this tray at all (an app it may not have enabled); always when absent. */
  available?: (tenant: Tenant) => boolean;
  /** The page the download was asked from, with its filters: where "Cancelar" goes back to. */
  trayPath(query: Record<string, string>): string;
  prepare(context: ExportContext): Promise<PreparedExport>;
}

const sources = new Map<string, ExportSource>();

/** Whether a user may download this tray: reports.download and any permission that opens the tray. */
export function mayDownload(user: Grantee | null | undefined, source: ExportSource): boolean {
  return can(user, 'reports.download') && source.permissions.some((p) => can(user, p));
}

export function registerExport(source: ExportSource): void {
  sources.set(source.kind, source);
}

/** The download of that kind, if the tenant has its tray. */
export function exportSource(kind: string, tenant: Tenant): ExportSource | undefined {
  const source = sources.get(kind);
  return source && (source.available?.(tenant) ?? true) ? source : undefined;
}

/**
 * Every kind of download there is, whether the tenant has its tray now or not: a download
 * made while an app was on stays in the Process log, with its file, after it is turned off.
 */
export function allExportSources(): ExportSource[] {
  return [...sources.values()];
}

/** A tray's path with the filters of its query string. */
export function pathWithQuery(path: string, query: Record<string, string>): string {
  const search = new URLSearchParams(query).toString();
  return search ? `${path}?${search}` : path;
}

/**
 * A tray's rows in batches of `size`, each made into its cells: `next` is given the last row
 * of the batch before (none for the first) and reads the rows that come after it in the
 * tray's order, by a key that no row shares (so rows added meanwhile neither repeat nor shift
 * the walk). The batch source most downloads share.
 */
export async function* batchesAfter<T>(next: (last: T | undefined, limit: number) => Promise<T[]>, cells: (row: T) => Cell[], size = 5_000): AsyncGenerator<Cell[][]> {
  let last: T | undefined;
  for (;;) {
    const rows = await next(last, size);
    if (rows.length === 0) return;
    yield rows.map(cells);
    last = rows.at(-1)!;
    if (rows.length < size) return;
  }
}
