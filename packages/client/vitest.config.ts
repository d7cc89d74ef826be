// Unit tests (options, requests on a stand-in fetch, the bundle's contents) and type tests (*.test-d.ts, checked by tsc).
import { defineConfig } from 'vitest/config';
import { packageCoverage } from '../../tooling/vitest-modes.js';

export default defineConfig({
  resolve: { conditions: ['@keel/source'] },
  ssr: { resolve: { conditions: ['@keel/source'] } },
  test: {
    include: ['src/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    // The type tests run in tsc only.
    coverage: packageCoverage(['src/**/*.test-d.ts']),
  },
});
