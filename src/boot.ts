import { loadConfig, type Config } from './config.js';
import { migrate, openDatabase, type Database } from './db/index.js';
import { jobDefinitions, jobSchedules } from './jobs/definitions.js';
import { startJobs, type Jobs } from './jobs/index.js';
import { systemClock } from './platform/clock.js';
import { createLogger, type Logger } from './platform/logger.js';
import { createMailer, type Mailer } from './platform/mail/index.js';
import { resolveSecret } from './platform/secret.js';

export interface Runtime {
  config: Config;
  logger: Logger;
  secret: string;
  database: Database;
  mailer: Mailer;
  jobs: Jobs;
  /** Stops the queues, the mailer and the database, in that order. */
  close(): Promise<void>;
}

/**
 * What the web process and a lone worker share: configuration (a wrong value ends the
 * process with a message naming it), the database with its migrations applied, mail and
 * the job queues, worked here when `work` is true. A process that runs `beside` the web one
 * (named so in its message) refuses the embedded database, which the web process holds.
 */
export async function boot(options: { work: (config: Config) => boolean; queues?: string[]; beside?: string }): Promise<Runtime> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  if (options.beside && !config.databaseUrl) {
    // The embedded database lives in one process's memory and files: a second process
    // opening the same folder would corrupt it.
    console.error(`${options.beside} needs PostgreSQL (DATABASE_URL). On the embedded database, npm start works the queues itself (RUN_WORKERS=true).`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  const secret = resolveSecret(config, logger);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize });
  await migrate(database);
  logger.info('database.ready', { kind: database.kind });
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, logger });
  const jobs = await startJobs(
    { config, database, clock: systemClock, logger, mailer, secret },
    { definitions: jobDefinitions, schedules: jobSchedules, work: options.work(config), ...(options.queues ? { queues: options.queues } : {}) },
  );
  return {
    config,
    logger,
    secret,
    database,
    mailer,
    jobs,
    async close() {
      await jobs.stop();
      mailer.close();
      await database.close();
    },
  };
}

/** Runs `stop` once on SIGTERM or SIGINT. */
export function onStopSignal(stop: (signal: string) => void): void {
  let stopping = false;
  const once = (signal: string) => {
    if (stopping) return;
    stopping = true;
    stop(signal);
  };
  process.on('SIGTERM', () => once('SIGTERM'));
  process.on('SIGINT', () => once('SIGINT'));
}
