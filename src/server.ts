import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { migrate, openDatabase } from './db/index.js';
import { generateDemo } from './demo/generate.js';
import { DEMO, ensureDemoTenant } from './demo/tenant.js';
import { jobDefinitions } from './jobs/definitions.js';
import { startJobs } from './jobs/index.js';
import { loadAssets } from './platform/assets.js';
import { systemClock } from './platform/clock.js';
import { createLogger } from './platform/logger.js';
import { todayIn } from './platform/dates.js';
import { createMailer } from './platform/mail/index.js';
import { resolveSecret } from './platform/secret.js';
import { tenantUrl } from './platform/tenancy.js';

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
  logger.info('database.ready', { kind: database.kind });

  const { tenant, created } = await ensureDemoTenant(database.db);
  if (created && config.demoClients > 0) {
    const totals = await generateDemo(database, { tenantId: tenant.id, clients: config.demoClients, today: todayIn(tenant.timezone, systemClock) });
    logger.info('demo.seeded', totals);
  }

  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, logger });
  const jobs = await startJobs({ config, database, clock: systemClock, logger, mailer, secret }, { definitions: jobDefinitions, work: config.runWorkers });
  const app = createApp({ config, database, clock: systemClock, logger, mailer, assets: loadAssets(), secret, jobs });

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    logger.info('server.listening', { port: info.port });
    const url = tenantUrl({ ...config, port: info.port }, tenant, '/app');
    process.stdout.write(
      `\n  Saldo is running: ${url}\n  Demo login: ${DEMO.admin.email} / ${DEMO.admin.password}\n  Database: ${database.kind === 'pglite' ? `embedded (${config.dataDir})` : 'PostgreSQL'}\n\n`,
    );
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('server.stopping', { signal });
    const force = setTimeout(() => {
      logger.error('server.stop_timeout');
      process.exit(1);
    }, 15_000);
    force.unref();
    server.close(async () => {
      await jobs.stop();
      mailer.close();
      await database.close();
      logger.info('server.stopped');
      process.exit(0);
    });
    // Idle keep-alive connections would otherwise hold the close open.
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
