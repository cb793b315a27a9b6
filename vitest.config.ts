import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const browser = existsSync(chromiumPath);
if (!browser) {
  console.warn(`\n  Browser tests SKIPPED: no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH).\n`);
}

export default defineConfig({
  test: {
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    projects: [
      {
        extends: true as const,
        test: { name: 'unit', include: ['test/**/*.test.ts', 'test/**/*.test.tsx'], exclude: ['test/e2e/**'] },
      },
      ...(browser
        ? [
            {
              extends: true as const,
              test: { name: 'browser', include: ['test/e2e/**/*.spec.ts'], testTimeout: 90_000 },
            },
          ]
        : []),
    ],
  },
});
