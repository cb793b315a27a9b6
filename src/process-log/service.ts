import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { fileProcesses, type FileProcess, type ProcessCounts, type ProcessState } from './schema.js';

type NewProcess = Pick<FileProcess, 'kind' | 'subject' | 'format'> &
  Partial<Pick<FileProcess, 'userId' | 'stage' | 'params' | 'originalName' | 'originalKey' | 'scheduledFor' | 'state' | 'progressTotal'>>;

/** Opens a row in the Process log; every upload and download has one from its first moment. */
export async function openProcess(db: Db, tenantId: number, values: NewProcess): Promise<FileProcess> {
  const [row] = await db
    .insert(fileProcesses)
    .values({ tenantId, ...values })
    .returning();
  return row!;
}

export interface ProcessChange {
  state?: ProcessState;
  stage?: string | null;
  progressDone?: number;
  progressTotal?: number | null;
  counts?: ProcessCounts;
  errorReportKey?: string | null;
  resultKey?: string | null;
  error?: string | null;
  params?: Record<string, unknown>;
  startedAt?: Date | null;
  finishedAt?: Date | null;
}

/** Changes an entry; with `atStage`, only while it is still at that stage (a job that came second changes nothing). */
export async function updateProcess(db: Db, tenantId: number, id: number, change: ProcessChange, atStage?: string): Promise<void> {
  await db
    .update(fileProcesses)
    .set(change)
    .where(and(eq(fileProcesses.tenantId, tenantId), eq(fileProcesses.id, id), atStage === undefined ? undefined : eq(fileProcesses.stage, atStage)));
}

/** Progress is written outside any transaction, so the Process log can show it while the job runs. */
export async function recordProgress(db: Db, tenantId: number, id: number, done: number): Promise<void> {
  await db
    .update(fileProcesses)
    .set({ progressDone: done })
    .where(and(eq(fileProcesses.tenantId, tenantId), eq(fileProcesses.id, id), sql`${fileProcesses.state} = 'running'`));
}
