import { loadConfig } from './config.js';
import { migrate, openDatabase } from './db/index.js';
import { jobDefinitions } from './jobs/definitions.js';
import { startJobs } from './jobs/index.js';
import { systemClock } from './platform/clock.js';
import { createLogger } from './platform/logger.js';
import { createMailer } from './platform/mail/index.js';
import { resolveSecret } from './platform/secret.js';

/** Runs the background jobs alone, without serving HTTP (`npm run worker`). */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  const secret = resolveSecret(config, logger);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize });
  await migrate(database);
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, logger });
  const jobs = await startJobs({ config, database, clock: systemClock, logger, mailer, secret }, { definitions: jobDefinitions, work: true });
  logger.info('worker.started', { kind: database.kind });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('worker.stopping', { signal });
    await jobs.stop();
    mailer.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
