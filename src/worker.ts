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
  const { values } = parseArgs({ options: { queues: { type: 'string' } } });
  const queues = values.queues?.split(',').map((q) => q.trim()).filter(Boolean);
  try {
    selectQueues(jobDefinitions, queues);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  const runtime = await boot({ work: () => true, beside: 'npm run worker', ...(queues ? { queues } : {}) });
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
