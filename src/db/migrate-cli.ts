import { loadConfig } from '../config.js';
import { migrate, openDatabase } from './index.js';

const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
await migrate(database);
await database.close();
console.log(`migrations applied (${database.kind})`);
