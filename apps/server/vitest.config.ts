import { defineConfig } from 'vitest/config';
import { modeProjects, packageCoverage, packageTestConfig } from '../../tooling/vitest-modes.js';

const modes = modeProjects({ include: ['src/**/*.test.ts'] });
// The HTTP suites once more on the official tRPC adapter (TRPC_FAST_PATH=false, read by
// src/testing/server.ts): the fast path must answer exactly as the adapter does.
const adapterRuns = modes.slice(0, 1).map((mode) => ({
  ...mode,
  test: {
    ...mode.test,
    name: `${mode.test?.name}+adapter`,
    include: ['src/http.test.ts', 'src/**/*.http.test.ts'],
    provide: { trpcFastPath: false },
  },
}));

export default defineConfig(
  packageTestConfig({
    // The process tests start servers with production argon2 cost; one file at a time keeps them honest on 2 cores.
    fileParallelism: false,
    projects: [...modes, ...adapterRuns],
    // main.ts and the CLI scripts run only as child processes, whose coverage is not collected.
    coverage: packageCoverage(['src/main.ts', 'src/cli/**']),
  }),
);
