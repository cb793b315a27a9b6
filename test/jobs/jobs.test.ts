import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { selectQueues, startJobs, type JobDefinition, type JobDeps } from '../../src/jobs/index.js';
import { loadConfig } from '../../src/config.js';
import { systemClock } from '../../src/platform/clock.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMailer } from '../../src/platform/mail/index.js';
import { createTestDatabase } from '../support/db.js';

let database: Database;
let deps: JobDeps;

beforeAll(async () => {
  database = await createTestDatabase();
  const config = loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'test' });
  const logger = createLogger('silent');
  deps = { config, database, clock: systemClock, logger, mailer: createMailer({ smtpUrl: undefined, from: config.mailFrom, logger }), secret: 'x'.repeat(32) };
});
afterAll(() => database.close());

it(`a job sent is picked up by a polling worker of the same process, whichever database runs (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, async () => {
  const seen: string[] = [];
  let finished: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const echo: JobDefinition<{ word: string }> = {
    name: 'test.echo',
    async run(_deps, data) {
      seen.push(data.word);
      finished();
    },
  };
  const jobs = await startJobs(deps, { definitions: [echo] as JobDefinition<never>[], work: true, pollingIntervalSeconds: 0.5 });
  try {
    await jobs.send(echo, { word: 'cobranza' });
    await done;
    expect(seen).toEqual(['cobranza']);
  } finally {
    await jobs.stop();
  }
});

it('a job scheduled for later does not run before its time', async () => {
  const ran: number[] = [];
  const later: JobDefinition<{ n: number }> = {
    name: 'test.later',
    async run(_deps, data) {
      ran.push(data.n);
    },
  };
  const jobs = await startJobs(deps, { definitions: [later] as JobDefinition<never>[], work: false });
  try {
    await jobs.send(later, { n: 1 }, { startAfter: new Date(Date.now() + 3_600_000) });
    await jobs.send(later, { n: 2 });
    expect(await jobs.runDue()).toBe(1);
    expect(ran).toEqual([2]);
  } finally {
    await jobs.stop();
  }
});

it('a job is told how many runs follow if it fails, so that on its last it can say it gave up', async () => {
  const told: number[] = [];
  const flaky: JobDefinition<Record<string, never>> = {
    name: 'test.flaky',
    retryLimit: 1,
    async run(_deps, _data, attempt) {
      told.push(attempt!.retriesLeft);
      throw new Error('not now');
    },
  };
  const jobs = await startJobs(deps, { definitions: [flaky] as JobDefinition<never>[], work: false });
  try {
    await jobs.send(flaky, {});
    expect(await jobs.runDue()).toBe(1);
    // The retry waits half a minute; its time is brought forward, to a moment already past
    // (not now(): a fetch within the same microsecond would not yet find it due).
    await database.query(`update pgboss.job set start_after = now() - interval '1 second' where name = 'test.flaky'`);
    expect(await jobs.runDue()).toBe(1);
    await database.query(`update pgboss.job set start_after = now() - interval '1 second' where name = 'test.flaky'`);
    expect(await jobs.runDue()).toBe(0);
    expect(told).toEqual([1, 0]);
  } finally {
    await jobs.stop();
  }
});

it('a worker given some queues works only those; jobs of the others wait for a process that works them', async () => {
  const ran: string[] = [];
  let finished: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const picked: JobDefinition<{ word: string }> = {
    name: 'files.picked',
    async run(_deps, data) {
      ran.push(data.word);
      finished();
    },
  };
  const left: JobDefinition<{ word: string }> = {
    name: 'mail.left',
    async run(_deps, data) {
      ran.push(data.word);
    },
  };
  const definitions = [picked, left] as JobDefinition<never>[];
  const worker = await startJobs(deps, { definitions, work: true, queues: ['files'], pollingIntervalSeconds: 0.5 });
  try {
    await worker.send(left, { word: 'left' });
    await worker.send(picked, { word: 'picked' });
    await done;
    // Two more polling rounds: the queue it does not work is still untouched.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(ran).toEqual(['picked']);
  } finally {
    await worker.stop();
  }
  const other = await startJobs(deps, { definitions, work: false });
  try {
    expect(await other.runDue()).toBe(1);
    expect(ran).toEqual(['picked', 'left']);
  } finally {
    await other.stop();
  }
});

it('a queue selection that names no queue is refused with the list of queues', () => {
  const definitions = [{ name: 'exports.run', run: async () => {} }, { name: 'imports.check', run: async () => {} }] as JobDefinition<never>[];
  expect(selectQueues(definitions, ['exports']).map((d) => d.name)).toEqual(['exports.run']);
  expect(selectQueues(definitions, undefined)).toHaveLength(2);
  expect(() => selectQueues(definitions, ['export'])).toThrow('Unknown queue export: the queues are exports.run, imports.check');
});

it('a lone worker refuses the embedded database, which the web process already holds, and says what to do', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
  delete env.DATABASE_URL;
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/worker.ts'], { env, encoding: 'utf8', timeout: 60_000 });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('npm run worker needs PostgreSQL (DATABASE_URL)');
});
