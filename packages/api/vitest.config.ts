import { defineConfig } from 'vitest/config';
import { modeProjects } from '../../tooling/vitest-modes.js';

export default defineConfig({
  resolve: { conditions: ['@keel/source'] },
  ssr: { resolve: { conditions: ['@keel/source'] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 90_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    projects: modeProjects({ include: ['src/**/*.test.ts'] }),
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // index.ts, schemas.ts and server.ts only re-export (types, schemas, runtime pieces).
      exclude: ['src/**/*.test.ts', 'src/testing/**', 'src/index.ts', 'src/schemas.ts', 'src/server.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: { lines: 80, branches: 80 },
    },
  },
});
