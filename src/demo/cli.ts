import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { migrate, openDatabase } from '../db/index.js';
import { systemClock } from '../platform/clock.js';
import { todayIn } from '../platform/dates.js';
import { generateDemo } from './generate.js';
import { ensureDemoStaff } from './staff.js';
import { ensureDemoTenant } from './tenant.js';

const { values } = parseArgs({ options: { clients: { type: 'string', default: '300' }, seed: { type: 'string', default: '1' } } });
const count = Number(values.clients);
if (!Number.isSafeInteger(count) || count < 1) {
  console.error('--clients must be a positive whole number');
  process.exit(1);
}
const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
await migrate(database);
const { tenant } = await ensureDemoTenant(database.db);
const started = performance.now();
const staff = await ensureDemoStaff(database.db, tenant);
const totals = await generateDemo(database, { tenantId: tenant.id, clients: count, seed: Number(values.seed) || 1, today: todayIn(tenant.timezone, systemClock), ...staff });
await database.close();
console.log(`demo tenant "${tenant.subdomain}": ${totals.clients} clients, ${totals.orders} orders, ${totals.payments} payments, ${totals.promises} promises in ${((performance.now() - started) / 1000).toFixed(1)} s`);
