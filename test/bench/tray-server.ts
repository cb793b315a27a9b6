/**
 * The receivables benchmark's server (test/bench/run.ts starts it, compiled, as `npm start`
 * starts the app): serves the app on BENCH_TRAY_DATABASE_URL, prints its port, and stops
 * when its standard input ends.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/index.js';
import { loadAssets } from '../../src/platform/assets.js';
import { systemClock } from '../../src/platform/clock.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMailer } from '../../src/platform/mail/index.js';

/** The secret the benchmark signs its login form with. */
export const benchSecret = 'bench-secret-bench-secret-bench-secret-01';

async function serveTray(databaseUrl: string): Promise<void> {
  const database = await openDatabase({ databaseUrl, poolSize: 10 });
  const config = loadConfig({ BASE_DOMAIN: 'localhost', LOG_LEVEL: 'silent', NODE_ENV: 'production', PUBLIC_URL_SCHEME: 'http', PORT: '0' });
  const logger = createLogger('silent');
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, logger });
  const app = createApp({ config, database, clock: systemClock, logger, mailer, assets: loadAssets(), secret: benchSecret });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  process.stdout.write(`port ${(server.address() as AddressInfo).port}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

if (process.env.BENCH_TRAY_DATABASE_URL && process.argv[1]?.endsWith('tray-server.js')) await serveTray(process.env.BENCH_TRAY_DATABASE_URL);
