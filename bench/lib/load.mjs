// Load generators: wrk for saturation (Lua scripts report JSON from done()), autocannon for a fixed rate.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { cpuBreakdown, cpuSeconds, machineCpu, sampleRss, waitForQuiet } from './processes.mjs';

export const LUA_DIR = join(import.meta.dirname, '..', 'lua');

export function assertWrk() {
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (probe.error) {
    console.error(
      [
        'wrk is not installed; the saturation runs need it.',
        '  Debian/Ubuntu:  sudo apt-get install -y wrk',
        '  macOS:          brew install wrk',
      ].join('\n'),
    );
    process.exit(2);
  }
}

function runWrkOnce({
  url,
  seconds,
  connections,
  threads = 1,
  script,
  headers = [],
  env = {},
  timeout = '10s',
  nice = 0,
}) {
  const args = ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--timeout', timeout];
  args.push('-s', join(LUA_DIR, script));
  for (const header of headers) args.push('-H', header);
  args.push(url);
  return new Promise((resolve, reject) => {
    // bash's `times` reports wrk's CPU, which /proc no longer shows once it has exited.
    const run = nice ? `nice -n ${nice} wrk "$@"` : 'wrk "$@"';
    const child = spawn('bash', ['-c', `${run}; code=$?; times; exit $code`, 'wrk', ...args], {
      env: { ...process.env, BENCH_LUA_DIR: LUA_DIR, ...env },
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk) => {
      out += chunk.toString();
    });
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('WRK_JSON '));
      if (code !== 0 || !line) return reject(new Error(`wrk failed (${code}):\n${out}`));
      const times = [...out.matchAll(/(\d+)m([\d.]+)s (\d+)m([\d.]+)s/g)].at(-1);
      const cpu = times ? Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4]) : 0;
      resolve({ ...JSON.parse(line.slice('WRK_JSON '.length)), wrkCpuSeconds: cpu });
    });
  });
}

/**
 * A warm-up, then the measured run; returns req/s, latency percentiles (ms), status counts, and the
 * target process's peak RSS and CPU per request during the measured run.
 */
export async function wrkScenario({ pid, warmupSeconds, seconds, quiet = true, beforeRun, ...options }) {
  if (quiet) await waitForQuiet();
  if (warmupSeconds > 0) await runWrkOnce({ ...options, seconds: warmupSeconds });
  await beforeRun?.();
  const cpuBefore = cpuSeconds(pid);
  const benchBefore = process.cpuUsage();
  const machineBefore = machineCpu();
  const rss = sampleRss(pid);
  const raw = await runWrkOnce({ ...options, seconds });
  const cpu = cpuSeconds(pid) - cpuBefore;
  const benchCpu = process.cpuUsage(benchBefore);
  const breakdown = cpuBreakdown(machineBefore, machineCpu(), {
    server: cpu,
    bench: (benchCpu.user + benchCpu.system) / 1e6,
    wrk: raw.wrkCpuSeconds,
  });
  const memory = rss.stop();
  const durationS = raw.duration_us / 1e6;
  const socketErrors = raw.errors.connect + raw.errors.read + raw.errors.write + raw.errors.timeout;
  return {
    tool: 'wrk',
    connections: options.connections,
    seconds: Math.round(durationS * 100) / 100,
    requests: raw.requests,
    rps: raw.requests / durationS,
    p50: raw.latency_us.p50 / 1000,
    p95: raw.latency_us.p95 / 1000,
    p99: raw.latency_us.p99 / 1000,
    max: raw.latency_us.max / 1000,
    non2xx: raw.errors.status,
    socketErrors,
    statuses: raw.statuses,
    rssPeak: memory.peak,
    rssLast: memory.last,
    rssTimeline: memory.timeline,
    cpuUsPerRequest: raw.requests > 0 ? (cpu * 1e6) / raw.requests : 0,
    machineUsPerRequest: perRequest(breakdown, raw.requests),
  };
}

/** Each group's CPU in µs per request: where the 2 cores went. */
function perRequest(breakdown, requests) {
  return Object.fromEntries(
    Object.entries(breakdown).map(([name, seconds]) => [name, requests > 0 ? (seconds * 1e6) / requests : 0]),
  );
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function runAutocannonOnce({ url, headers, connections, rate, seconds, record }) {
  return new Promise((resolve, reject) => {
    const statuses = {};
    const latencies = [];
    const instance = autocannon(
      { url, headers, connections, overallRate: rate, duration: seconds, timeout: 10 },
      (error, result) => (error ? reject(error) : resolve({ result, statuses, latencies })),
    );
    // autocannon's own histogram has 1 ms resolution; keep every latency to read sub-ms percentiles.
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      if (record) latencies.push(responseTime);
    });
  });
}

/**
 * autocannon paces per connection per second: a connection sends its whole quota back to back at
 * each second's start, so 1 000 req/s over 50 connections arrives as one burst a second. Here the
 * rate is split over `streams` one-connection instances whose seconds start staggered, which
 * spreads the load over the second (≈ one request every 1/rate s, at most a stream or two at once).
 */
async function runPacedAutocannon({ url, headers, rate, seconds, streams, record }) {
  const runs = await Promise.all(
    Array.from({ length: streams }, async (_, i) => {
      await new Promise((r) => setTimeout(r, (i * 1000) / streams));
      return runAutocannonOnce({ url, headers, connections: 1, rate: rate / streams, seconds, record });
    }),
  );
  const statuses = {};
  for (const run of runs) for (const [k, v] of Object.entries(run.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return {
    statuses,
    latencies: runs.flatMap((run) => run.latencies),
    errors: runs.reduce((sum, run) => sum + run.result.errors + run.result.timeouts, 0),
    duration: seconds,
  };
}

/** A fixed offered load (autocannon, paced): the latency a client sees when the server is not saturated. */
export async function fixedRateScenario({ pid, url, headers, streams = 20, rate, warmupSeconds, seconds, beforeRun }) {
  await waitForQuiet();
  if (warmupSeconds > 0) await runPacedAutocannon({ url, headers, rate, streams, seconds: warmupSeconds });
  await beforeRun?.();
  const cpuBefore = cpuSeconds(pid);
  const rss = sampleRss(pid);
  const run = await runPacedAutocannon({ url, headers, rate, streams, seconds, record: true });
  const cpu = cpuSeconds(pid) - cpuBefore;
  const memory = rss.stop();
  const latencies = run.latencies.sort((a, b) => a - b);
  const requests = latencies.length;
  const non2xx = Object.entries(run.statuses)
    .filter(([status]) => !status.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    tool: 'autocannon',
    connections: streams,
    offeredRate: rate,
    seconds,
    requests,
    rps: requests / run.duration,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? 0,
    non2xx,
    socketErrors: run.errors,
    statuses: run.statuses,
    rssPeak: memory.peak,
    rssLast: memory.last,
    cpuUsPerRequest: requests > 0 ? (cpu * 1e6) / requests : 0,
  };
}
