// The results table (markdown, printed and written) and the budget verdicts (docs/performance.md).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MiB = 1024 * 1024;
const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

export function markdownTable(rows) {
  const head = [
    '| scenario | load | req/s | P50 ms | P95 ms | P99 ms | non-2xx | server RSS peak | CPU µs/req | ratio |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  const body = rows.map((row) => {
    const r = row.result;
    const load = r.offeredRate ? `${r.offeredRate} req/s over ${r.connections} paced conns` : `${r.connections} conns`;
    const errors = r.non2xx + (r.socketErrors ? ` (+${r.socketErrors} socket)` : '');
    return `| ${row.name} | ${load} | ${fixed(r.rps, 0)} | ${fixed(r.p50, 2)} | ${fixed(r.p95, 2)} | ${fixed(r.p99, 2)} | ${errors} | ${fixed(r.rssPeak / MiB, 0)} MiB | ${fixed(r.cpuUsPerRequest, 0)} | ${row.ratio ?? '—'} |`;
  });
  return [...head, ...body].join('\n');
}

/** Where the machine's CPU went, per request: the server, PostgreSQL, Redis, the load generator, the rest. */
export function cpuTable(rows) {
  const withCpu = rows.filter((row) => row.result.machineUsPerRequest);
  if (withCpu.length === 0) return '';
  const head = [
    '| scenario (CPU µs per request) | server | postgres | redis | wrk | bench (log reader) | other processes | machine |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const body = withCpu.map((row) => {
    const c = row.result.machineUsPerRequest;
    return `| ${row.name} | ${fixed(c.server, 0)} | ${fixed(c.postgres, 0)} | ${fixed(c.redis, 0)} | ${fixed(c.wrk, 0)} | ${fixed(c.bench, 0)} | ${fixed(c.other, 0)} | ${fixed(c.machine, 0)} |`;
  });
  return [...head, ...body].join('\n');
}

/** Scenarios during which other processes took a noticeable share of the machine: their figures are disturbed. */
export function noiseWarnings(rows) {
  return rows
    .filter((row) => row.result.machineUsPerRequest)
    .map((row) => ({ row, share: row.result.machineUsPerRequest.other / row.result.machineUsPerRequest.machine }))
    .filter(({ share }) => share > 0.1)
    .map(
      ({ row, share }) => `> noisy: other processes used ${(share * 100).toFixed(0)} % of the CPU during "${row.name}"`,
    )
    .join('\n');
}

export function verdictList(checks) {
  return checks.map((c) => `- ${c.info ? 'INFO' : c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`).join('\n');
}

export function writeResults(dir, stamp, report, markdown) {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${report.kind}-${stamp}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.md`, `${markdown}\n`);
  writeFileSync(join(dir, `${report.kind}-latest.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, `${report.kind}-latest.md`), `${markdown}\n`);
  return `${base}.{json,md}`;
}
