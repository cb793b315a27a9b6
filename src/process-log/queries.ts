import { and, desc, eq, getTableColumns, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { addDays, isDayWithinYears, startOfDayIn } from '../platform/dates.js';
import { users } from '../users/schema.js';
import { fileProcesses, processKinds, processStates, type FileProcess } from './schema.js';
import { ordered } from '../platform/forms.js';

export type ProcessKind = (typeof processKinds)[number];

/**
 * The states the Process log filters by: the stored ones, and "checked", an upload checked
 * and not yet applied (stored as completed at stage validated, shown as "Revisado").
 */
export const filterStates = [...processStates, 'checked'] as const;

export interface ProcessFilters {
  kind?: ProcessKind;
  userId?: number;
  state?: (typeof filterStates)[number];
  from?: string;
  to?: string;
  page: number;
}

/** Filters from the query string; unknown values are dropped, not errors. */
export function parseProcessFilters(query: Record<string, string | undefined>): ProcessFilters {
  const filters: ProcessFilters = { page: 1 };
  if ((processKinds as readonly string[]).includes(query.kind ?? '')) filters.kind = query.kind as ProcessKind;
  if ((filterStates as readonly string[]).includes(query.state ?? '')) filters.state = query.state as ProcessFilters['state'];
  if (/^[1-9]\d{0,15}$/.test(query.user ?? '')) filters.userId = Number(query.user);
  const [from, to] = ordered(query.from && isDayWithinYears(query.from) ? query.from : undefined, query.to && isDayWithinYears(query.to) ? query.to : undefined);
  if (from) filters.from = from;
  if (to) filters.to = to;
  if (/^[1-9]\d{0,5}$/.test(query.page ?? '')) filters.page = Number(query.page);
  return filters;
}

export type ProcessRow = FileProcess & { userName: string | null };

const processColumns = getTableColumns(fileProcesses);

export const PAGE_SIZE = 50;

/**
 * Which entries of the Process log a user may see, and fetch the files of (processVisibility
 * in routes.tsx): uploads, downloads of the given subjects, and whether only their own.
 */
export interface ProcessVisibility {
  imports: boolean;
  exportSubjects: string[];
  /** Set when the user may see only the entries they started. */
  onlyUserId: number | null;
}

/** The visibility as one condition on file_processes (false when the user may see nothing). */
function visibleWhere(visible: ProcessVisibility): SQL {
  const kinds: SQL[] = [];
  if (visible.imports) kinds.push(sql`${fileProcesses.kind} = 'import'`);
  if (visible.exportSubjects.length > 0) kinds.push(sql`(${fileProcesses.kind} = 'export' and ${inArray(fileProcesses.subject, visible.exportSubjects)})`);
  if (kinds.length === 0) return sql`false`;
  const own = visible.onlyUserId === null ? sql`true` : eq(fileProcesses.userId, visible.onlyUserId);
  return sql`(${sql.join(kinds, sql` or `)}) and ${own}`;
}

/** Whether a user with that visibility may see the entry. */
export function isVisible(visible: ProcessVisibility, process: Pick<FileProcess, 'kind' | 'subject' | 'userId'>): boolean {
  const kind = process.kind === 'import' ? visible.imports : visible.exportSubjects.includes(process.subject);
  return kind && (visible.onlyUserId === null || process.userId === visible.onlyUserId);
}

/** The Process log, newest first, limited to what the user may see. */
export async function listProcesses(db: Db, tenantId: number, timeZone: string, visible: ProcessVisibility, filters: ProcessFilters): Promise<ProcessRow[]> {
  const where: SQL[] = [eq(fileProcesses.tenantId, tenantId), visibleWhere(visible)];
  if (filters.kind) where.push(eq(fileProcesses.kind, filters.kind));
  // An upload checked and not applied is "Revisado", never "Completado" (as StateBadge shows it).
  const checked = sql`(${fileProcesses.kind} = 'import' and coalesce(${fileProcesses.stage}, '') = 'validated' and ${fileProcesses.state} <> 'failed')`;
  if (filters.state === 'checked') where.push(checked);
  else if (filters.state) where.push(eq(fileProcesses.state, filters.state), sql`not ${checked}`);
  if (filters.userId) where.push(eq(fileProcesses.userId, filters.userId));
  if (filters.from) where.push(gte(fileProcesses.createdAt, startOfDayIn(timeZone, filters.from)));
  if (filters.to) where.push(lt(fileProcesses.createdAt, startOfDayIn(timeZone, addDays(filters.to, 1))));
  return db
    .select({ ...processColumns, userName: users.name })
    .from(fileProcesses)
    .leftJoin(users, and(eq(users.tenantId, fileProcesses.tenantId), eq(users.id, fileProcesses.userId)))
    .where(and(...where))
    .orderBy(desc(fileProcesses.createdAt), desc(fileProcesses.id))
    .limit(PAGE_SIZE + 1)
    .offset((filters.page - 1) * PAGE_SIZE);
}

export async function findProcessRow(db: Db, tenantId: number, id: number): Promise<ProcessRow | undefined> {
  const [row] = await db
    .select({ ...processColumns, userName: users.name })
    .from(fileProcesses)
    .leftJoin(users, and(eq(users.tenantId, fileProcesses.tenantId), eq(users.id, fileProcesses.userId)))
    .where(and(eq(fileProcesses.tenantId, tenantId), eq(fileProcesses.id, id)));
  return row;
}

export async function findProcess(db: Db, tenantId: number, id: number): Promise<FileProcess | undefined> {
  const [row] = await db
    .select()
    .from(fileProcesses)
    .where(and(eq(fileProcesses.tenantId, tenantId), eq(fileProcesses.id, id)));
  return row;
}

/** Everyone who ever started a process in the tenant, for the user filter. */
export async function processUsers(db: Db, tenantId: number, onlyUserId: number | null = null): Promise<{ id: number; name: string }[]> {
  return db
    .selectDistinct({ id: users.id, name: users.name })
    .from(users)
    .where(
      and(
        eq(users.tenantId, tenantId),
        // Who sees only their own entries is offered only themselves.
        onlyUserId === null ? undefined : eq(users.id, onlyUserId),
        sql`exists (select 1 from file_processes p where p.tenant_id = ${tenantId} and p.user_id = ${users.id})`,
      ),
    )
    .orderBy(users.name);
}

/** What a download is about beside its kind, as asked (the client of an Interacciones download). */
export function aboutOf(process: Pick<FileProcess, 'params'>): string | null {
  const about = process.params.about;
  return typeof about === 'string' && about !== '' ? about : null;
}
