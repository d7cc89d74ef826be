import { defineConfig } from 'vitest/config';
import { packageCoverage, packageTestConfig } from '../../tooling/vitest-modes.js';

export default defineConfig(
  packageTestConfig({
    // index.ts, schemas.ts and server.ts only re-export (types, schemas, runtime pieces).
    coverage: packageCoverage(['src/index.ts', 'src/schemas.ts', 'src/server.ts']),
  }),
);
