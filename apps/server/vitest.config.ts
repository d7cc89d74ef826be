import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@keel/source'] },
  ssr: { resolve: { conditions: ['@keel/source'] } },
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
