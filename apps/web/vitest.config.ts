// Unit tests (client logic in node) and type tests (*.test-d.ts, checked by tsc) of the dashboard.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@keel/source'] },
  ssr: { resolve: { conditions: ['@keel/source'] } },
  test: {
    include: ['src/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    coverage: {
      provider: 'v8',
      // The client logic of src/lib. Left out: its React glue (hooks and providers), which needs a
      // DOM renderer this node run does not have; the e2e suite drives it in Chromium.
      include: ['src/lib/**/*.{ts,tsx}'],
      exclude: [
        'src/**/*.test.ts',
        'src/lib/live-events.ts',
        'src/lib/session-context.tsx',
        'src/lib/trpc.ts',
        'src/lib/use-debounced-value.ts',
      ],
      reporter: ['text-summary', 'json-summary'],
      thresholds: { lines: 80, branches: 80 },
    },
  },
});
