import { boot, onStopSignal } from './boot.js';

/** Runs the background jobs alone, without serving HTTP (`npm run worker`). */
async function main() {
  const runtime = await boot({ work: () => true });
  runtime.logger.info('worker.started', { kind: runtime.database.kind });
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
