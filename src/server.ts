import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { boot, onStopSignal } from './boot.js';
import { generateDemo } from './demo/generate.js';
import { ensureDemoStaff, seedDemoClaims } from './demo/staff.js';
import { DEMO, ensureDemoTenant } from './demo/tenant.js';
import { loadAssets } from './platform/assets.js';
import { systemClock } from './platform/clock.js';
import { todayIn } from './platform/dates.js';
import { tenantUrl } from './platform/tenancy.js';

async function main() {
  const runtime = await boot({ work: (config) => config.runWorkers });
  const { config, logger, database } = runtime;

  const { tenant, created } = await ensureDemoTenant(database.db);
  if (created && config.demoClients > 0) {
    // A team to work the demo's clients: each client has its supervisor and advisor, and some have claims.
    const staff = await ensureDemoStaff(database.db, tenant);
    const totals = await generateDemo(database, { tenantId: tenant.id, clients: config.demoClients, today: todayIn(tenant.timezone, systemClock), ...staff });
    const claims = await seedDemoClaims(database.db, tenant);
    logger.info('demo.seeded', { ...totals, claims });
  }

  const app = createApp({ ...runtime, clock: systemClock, assets: loadAssets() });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    logger.info('server.listening', { port: info.port });
    const url = tenantUrl({ ...config, port: info.port }, tenant, '/app');
    process.stdout.write(
      `\n  Saldo is running: ${url}\n  Demo login: ${DEMO.admin.email} / ${DEMO.admin.password}\n  Database: ${database.kind === 'pglite' ? `embedded (${config.dataDir})` : 'PostgreSQL'}\n\n`,
    );
  });

  onStopSignal((signal) => {
    logger.info('server.stopping', { signal });
    const force = setTimeout(() => {
      logger.error('server.stop_timeout');
      process.exit(1);
    }, 15_000);
    force.unref();
    server.close(async () => {
      await runtime.close();
      logger.info('server.stopped');
      process.exit(0);
    });
    // Idle keep-alive connections would otherwise hold the close open.
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
