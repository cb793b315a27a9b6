import { parseArgs } from 'node:util';
import { boot, onStopSignal } from './boot.js';
import { jobDefinitions } from './jobs/definitions.js';
import { selectQueues } from './jobs/index.js';

/**
 * Runs the background jobs alone, without serving HTTP (`npm run worker`); with
 * `--queues exports,imports` only those queues (decision 0013: exports have a worker of
 * their own with a small young generation).
 */
async function main() {
  if (!process.env.DATABASE_URL) {
    // The embedded database lives in one process's memory and files: a second process
    // opening the same folder would corrupt it. That process, `npm start`, works the queues.
    console.error('npm run worker needs PostgreSQL (DATABASE_URL). On the embedded database, npm start works the queues itself (RUN_WORKERS=true).');
    process.exit(1);
  }
  const { values } = parseArgs({ options: { queues: { type: 'string' } } });
  const queues = values.queues?.split(',').map((q) => q.trim()).filter(Boolean);
  try {
    selectQueues(jobDefinitions, queues);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  const runtime = await boot({ work: () => true, ...(queues ? { queues } : {}) });
  runtime.logger.info('worker.started', { kind: runtime.database.kind, queues: queues ?? 'all' });
  onStopSignal(async (signal) => {
    runtime.logger.info('worker.stopping', { signal });
    await runtime.close();
    process.exit(0);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
