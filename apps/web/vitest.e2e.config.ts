// The end-to-end suite: the built dashboard on a real server process, driven by Debian's Chromium.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@keel/source'] },
  ssr: { resolve: { conditions: ['@keel/source'] } },
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    // One browser and one server per file, and the scenarios build on each other.
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest-e2e.json' },
    // The only place the suite reads the environment: a custom Chromium (CI images differ).
    provide: { chromiumPath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
  },
});
