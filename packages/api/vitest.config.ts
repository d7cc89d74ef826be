import { defineConfig } from 'vitest/config';
import { packageTestConfig } from '../../tooling/vitest-modes.js';

export default defineConfig(
  packageTestConfig({
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // index.ts, schemas.ts and server.ts only re-export (types, schemas, runtime pieces).
      exclude: ['src/**/*.test.ts', 'src/testing/**', 'src/index.ts', 'src/schemas.ts', 'src/server.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: { lines: 80, branches: 80 },
    },
  }),
);
