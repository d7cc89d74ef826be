import { defineConfig } from 'vitest/config';
import { packageCoverage, packageTestConfig } from '../../tooling/vitest-modes.js';

export default defineConfig(
  packageTestConfig({
    // index.ts only re-exports; test-env.ts is the fixture of this package's own tests.
    coverage: packageCoverage(['src/index.ts', 'src/test-env.ts']),
  }),
);
