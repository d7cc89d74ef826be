// Prints the plain total of every vitest JSON report under apps/* and packages/*: "N passed, M failed".
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
const missing = [];
const failures = [];
for (const group of ['apps', 'packages']) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name, 'test-results');
    if (!existsSync(join(root, group, name, 'package.json'))) continue;
    const reports = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
    if (reports.length === 0) {
      missing.push(`${group}/${name}`);
      continue;
    }
    for (const file of reports) {
      const report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      passed += report.numPassedTests ?? 0;
      failed += (report.numFailedTests ?? 0) + (report.success === false && !report.numFailedTests ? 1 : 0);
      for (const suite of report.testResults ?? []) {
        const where = `${group}/${name}/${suite.name.slice(suite.name.indexOf(`${group}/${name}/`) + group.length + name.length + 2)}`;
        const failedTests = (suite.assertionResults ?? []).filter((test) => test.status === 'failed');
        for (const test of failedTests) failures.push(`${where} > ${test.fullName}`);
        // A suite that failed before any of its tests ran (an import error, a hook) has no failed test.
        if (suite.status === 'failed' && failedTests.length === 0) failures.push(`${where} (the suite itself failed)`);
      }
    }
  }
}
// Named here, just above the total, so a CI log cut to its last lines still says what failed.
if (failures.length > 0) console.log(`failed:\n${failures.map((line) => `  ${line}`).join('\n')}`);
if (missing.length > 0) console.log(`no test report from: ${missing.join(', ')}`);
// A failed test command with no failed test (a coverage threshold, a crashed suite) still fails.
const exitIndex = process.argv.indexOf('--exit-code');
const exitCode = exitIndex === -1 ? 0 : Number(process.argv[exitIndex + 1]);
if (exitCode !== 0 && failed === 0) {
  console.log('the test command failed outside any single test (coverage threshold or a suite that did not run)');
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
