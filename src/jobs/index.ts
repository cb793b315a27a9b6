import PgBoss from 'pg-boss';
import type { Database } from '../db/index.js';
import type { Deps } from '../platform/context.js';

/** What a job handler may use: the app's dependencies without the web-only ones. */
export type JobDeps = Pick<Deps, 'config' | 'database' | 'clock' | 'logger' | 'mailer' | 'secret'>;

/** Which run of a job this is, for a job that tells people when it gives up. */
export interface JobAttempt {
  /** How many more runs follow if this one fails (0, or no attempt given: this is the last). */
  retriesLeft: number;
}

export interface JobDefinition<T> {
  name: string;
  /** Must be idempotent: a job may run again after a crash or a timeout. */
  run(deps: JobDeps, data: T, attempt?: JobAttempt): Promise<void>;
  expireInMinutes?: number;
  retryLimit?: number;
}

export interface SendOptions {
  startAfter?: Date;
  /** At most one queued job per key (pg-boss singleton): a double click enqueues once. */
  singletonKey?: string;
}

export interface Jobs {
  send<T extends object>(job: JobDefinition<T>, data: T, options?: SendOptions): Promise<string | null>;
  /** Runs, in this process, every job whose time has come; tests use it instead of polling workers. */
  runDue(): Promise<number>;
  stop(): Promise<void>;
  readonly boss: PgBoss;
}

/**
 * pg-boss talks to the app's own database handle, so jobs run on PostgreSQL and on the
 * embedded PGlite alike. PGlite's extended protocol takes one statement at a time, so the
 * parameterless multi-statement scripts pg-boss sends (its schema, its migrations) go to
 * `exec`, and the parameterised ones to `query`.
 */
function adapterFor(database: Database): PgBoss.Db {
  if (database.pglite) {
    const pg = database.pglite;
    return {
      async executeSql(text, values) {
        if (!values || values.length === 0) {
          const results = await pg.exec(text);
          return { rows: results.at(-1)?.rows ?? [] };
        }
        return { rows: (await pg.query(text, values)).rows };
      },
    };
  }
  const client = database.sql!;
  return {
    async executeSql(text, values) {
      let result: unknown;
      if (!values || values.length === 0) {
        // pg-boss's schema scripts hold their own BEGIN/COMMIT: they need one connection to themselves.
        const reserved = await client.reserve();
        try {
          result = await reserved.unsafe(text);
        } finally {
          reserved.release();
        }
      } else {
        // pg-boss relies on node-postgres's conversions: objects become JSON, undefined becomes null.
        const params = values.map((v) =>
          v === undefined ? null : v !== null && typeof v === 'object' && !(v instanceof Date) && !Array.isArray(v) ? JSON.stringify(v) : v,
        );
        result = await client.unsafe(text, params as never[]);
      }
      // A multi-statement script answers one result per statement.
      const last = Array.isArray(result) && Array.isArray(result.at(-1)) ? result.at(-1) : result;
      return { rows: Array.from(last as Iterable<unknown>) };
    },
  };
}

export interface StartOptions {
  definitions: JobDefinition<never>[];
  /** Recurring jobs (cron, UTC) that the working processes keep scheduled. */
  schedules?: { job: JobDefinition<never>; cron: string }[];
  /** Poll queues and run jobs in this process (config.runWorkers, or a worker process). */
  work: boolean;
  /**
   * Only these queues are worked here, each named in full (`exports.run`) or by its group
   * (`exports`); all of them when absent. Every queue is still created, so jobs can be sent
   * to any of them.
   */
  queues?: string[];
  pollingIntervalSeconds?: number;
}

/** The definitions a `queues` selection names; an entry that names none is an error. */
export function selectQueues(definitions: JobDefinition<never>[], queues: string[] | undefined): JobDefinition<never>[] {
  if (!queues) return definitions;
  const names = (entry: string) => definitions.filter((d) => d.name === entry || d.name.startsWith(`${entry}.`));
  const unknown = queues.filter((entry) => names(entry).length === 0);
  if (unknown.length > 0) {
    throw new Error(`Unknown queue ${unknown.join(', ')}: the queues are ${definitions.map((d) => d.name).join(', ')} (or their groups before the dot).`);
  }
  return definitions.filter((d) => queues.some((entry) => names(entry).includes(d)));
}

export async function startJobs(deps: JobDeps, options: StartOptions): Promise<Jobs> {
  const worked = selectQueues(options.definitions, options.queues);
  const boss = new PgBoss({
    db: adapterFor(deps.database),
    schedule: options.work,
    supervise: options.work,
    migrate: true,
  });
  boss.on('error', (error: Error) => deps.logger.error('jobs.error', { error: error.message }));
  await boss.start();
  const byName = new Map<string, JobDefinition<never>>();
  for (const definition of options.definitions) {
    byName.set(definition.name, definition);
    await boss.createQueue(definition.name, {
      name: definition.name,
      expireInSeconds: (definition.expireInMinutes ?? 30) * 60,
      retryLimit: definition.retryLimit ?? 2,
      retryDelay: 30,
      retryBackoff: true,
    });
  }

  const runOne = async (definition: JobDefinition<never>, job: PgBoss.JobWithMetadata<unknown>) => {
    const log = deps.logger.child({ job: definition.name, jobId: job.id });
    const started = performance.now();
    try {
      await definition.run(deps, job.data as never, { retriesLeft: Math.max(0, job.retryLimit - job.retryCount) });
      log.info('job.completed', { ms: Math.round(performance.now() - started) });
    } catch (error) {
      log.error('job.failed', { error: (error as Error).message });
      throw error;
    }
  };

  if (options.work) {
    for (const { job, cron } of options.schedules ?? []) await boss.schedule(job.name, cron, {}, { tz: 'UTC' });
    for (const definition of worked) {
      await boss.work(definition.name, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2, includeMetadata: true }, async (jobs) => {
        for (const job of jobs) await runOne(definition, job);
      });
    }
  }

  return {
    boss,
    async send(definition, data, sendOptions = {}) {
      return boss.send(definition.name, data, {
        ...(sendOptions.startAfter ? { startAfter: sendOptions.startAfter } : {}),
        ...(sendOptions.singletonKey ? { singletonKey: sendOptions.singletonKey } : {}),
      });
    },
    async runDue() {
      let ran = 0;
      for (let found = true; found; ) {
        found = false;
        for (const definition of byName.values()) {
          const [job] = await boss.fetch(definition.name, { includeMetadata: true });
          if (!job) continue;
          found = true;
          ran++;
          try {
            await runOne(definition, job);
            await boss.complete(definition.name, job.id);
          } catch (error) {
            await boss.fail(definition.name, job.id, { message: (error as Error).message });
          }
        }
      }
      return ran;
    },
    async stop() {
      await boss.stop({ graceful: true, timeout: 10_000, close: false });
    },
  };
}
