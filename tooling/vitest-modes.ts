// Runs a package's suites on the real services when they are configured, and again on the
// embedded defaults (PGlite, in-process stores), so CI proves both paths.
import type { TestProjectInlineConfiguration, ViteUserConfig } from 'vitest/config';

const SERVICE_VARIABLES = ['DATABASE_URL', 'REDIS_URL', 'TEST_DATABASE_URL', 'TEST_REDIS_URL'] as const;

export function servicesConfigured(): boolean {
  return SERVICE_VARIABLES.some((name) => Boolean(process.env[name]));
}

/** One project per mode: `services` (only when configured) and `embedded`. */
export function modeProjects(base: TestProjectInlineConfiguration['test'] = {}): TestProjectInlineConfiguration[] {
  const embeddedEnv = Object.fromEntries(SERVICE_VARIABLES.map((name) => [name, '']));
  // `*.services.test.ts` need what only real services give (several processes sharing state).
  const embedded: TestProjectInlineConfiguration = {
    extends: true,
    test: { ...base, name: 'embedded', env: embeddedEnv, exclude: ['**/node_modules/**', '**/*.services.test.ts'] },
  };
  if (!servicesConfigured()) {
    console.log(
      '[keel] DATABASE_URL/REDIS_URL not set: suites run on the embedded defaults only (PGlite, in-process stores); ' +
        'the PostgreSQL + Redis run and the multi-process suites (*.services.test.ts) are skipped. `bash .ci/run` sets both.',
    );
    return [embedded];
  }
  // `*.once.test.ts` do not depend on the mode (or pick it themselves): the embedded project runs them.
  return [
    { extends: true, test: { ...base, name: 'services', exclude: ['**/node_modules/**', '**/*.once.test.ts'] } },
    embedded,
  ];
}

/**
 * The vitest configuration every backend package shares: sources read through the `@keel/source`
 * condition, generous timeouts for real services, a JSON report for the CI total, and both modes.
 * `test` adds to (or overrides) the shared `test` options.
 */
export function packageTestConfig(test: ViteUserConfig['test'] = {}): ViteUserConfig {
  return {
    resolve: { conditions: ['@keel/source'] },
    ssr: { resolve: { conditions: ['@keel/source'] } },
    test: {
      testTimeout: 60_000,
      hookTimeout: 90_000,
      // The suites wait on PostgreSQL, Redis and sockets far more than they compute: two files at a
      // time keep a 2-CPU machine busy, where vitest's default (CPUs − 1) runs one.
      maxWorkers: 2,
      reporters: ['default', 'json'],
      outputFile: { json: 'test-results/vitest.json' },
      projects: modeProjects({ include: ['src/**/*.test.ts'] }),
      ...test,
    },
  };
}

/**
 * Coverage of a package's own code, held to 80 % of lines and of branches by its `pnpm test`
 * (`vitest run --coverage`). Tests and `src/testing/` fixtures never count; `exclude` adds files
 * that only re-export or only run as a child process.
 */
export function packageCoverage(exclude: string[] = []): NonNullable<ViteUserConfig['test']>['coverage'] {
  return {
    provider: 'v8',
    include: ['src/**/*.ts'],
    exclude: ['src/**/*.test.ts', 'src/testing/**', ...exclude],
    reporter: ['text-summary', 'json-summary'],
    thresholds: { lines: 80, branches: 80 },
  };
}
