// `pnpm bench` / `pnpm bench:soak`: the load benchmarks and their budgets against the production build,
// on a fresh PostgreSQL database and Redis prefix, beside a bare node:http + pg baseline.
//
//   pnpm bench                      every scenario, a table, results under bench/results/
//   pnpm bench:soak                 30 s warm-up + 60 s of mixed traffic at 100 connections: RSS drift, 5xx
//   pnpm bench --only=list,fixed    a subset (baseline, list, apikey, me, transfer, batch, login, login200, fixed)
//   pnpm bench --seconds=20         longer measured runs (default 10, warm-up 3)
//   pnpm bench --rounds=7           rounds of baseline / Keel / stock for projects.list (default 5)
//   pnpm bench --min-ratio=0.75     the projects.list budget (default 0.8): median share of the baseline's req/s
//   pnpm bench --env=DATABASE_POOL_MAX=20 --label=pool20   a server setting (Keel and stock) to compare
//   pnpm bench --nice=-10           (root) priority over neighbours on a shared machine
// Method and figures: docs/performance.md.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { argon2Ceiling } from './lib/argon2-ceiling.mjs';
import { assertWrk, fixedRateScenario, wrkScenario } from './lib/load.mjs';
import { niceOf, pidsNamed, renice, startProcess, waitForQuiet } from './lib/processes.mjs';
import { cpuTable, markdownTable, noiseWarnings, verdictList, writeResults } from './lib/report.mjs';
import { creditTotals, PASSWORD, seed } from './lib/seed.mjs';
import { backendPids, createBenchDatabase, createRedisPrefix } from './lib/services.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const SERVER_DIR = join(ROOT, 'apps/server');
const RESULTS_DIR = join(import.meta.dirname, 'results');
const ALL = ['baseline', 'list', 'apikey', 'me', 'transfer', 'batch', 'login', 'login200', 'fixed'];
const LIST_PATH = `/trpc/projects.list?input=${encodeURIComponent('{}')}`;
const BATCH_PATH = `/trpc/projects.list,auth.me,credits.balance?batch=1&input=${encodeURIComponent('{"0":{}}')}`;
const MiB = 1024 * 1024;
/** The budget: projects.list's median req/s over the rounds, as a share of the baseline's (`--min-ratio`). */
const MIN_RATIO = 0.8;
/** At the fixed rate, Keel's P99 may be at most this multiple of the paced baseline's P99 in the same run. */
const FIXED_P99_FACTOR = 1.5;
const FIXED_RATE = 1000;

const { values: args } = parseArgs({
  options: {
    soak: { type: 'boolean', default: false },
    only: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    'soak-seconds': { type: 'string', default: '60' },
    'soak-warmup': { type: 'string', default: '30' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '5' },
    'min-ratio': { type: 'string', default: String(MIN_RATIO) },
    env: { type: 'string', multiple: true, default: [] },
    label: { type: 'string', default: '' },
    'log-level': { type: 'string', default: 'info' },
    build: { type: 'boolean', default: true },
    nice: { type: 'string', default: '0' },
  },
  allowNegative: true,
});
const seconds = Number(args.seconds);
const warmupSeconds = Number(args.warmup);
const connections = Number(args.connections);
const rounds = Number(args.rounds);
const nice = Number(args.nice);
const minRatio = Number(args['min-ratio']);
if (!Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write(`--rounds=${args.rounds}: a whole number of rounds, at least 1\n`);
  process.exit(2);
}
if (!(minRatio > 0)) {
  process.stderr.write(`--min-ratio=${args['min-ratio']}: a share of the baseline's req/s, e.g. 0.8\n`);
  process.exit(2);
}
// The bench learns the server's address from its info-level "listening" line.
if (!['trace', 'debug', 'info'].includes(args['log-level'])) {
  process.stderr.write(
    `--log-level=${args['log-level']}: the bench needs the server's info-level lines (trace, debug or info)\n`,
  );
  process.exit(2);
}
const selected = new Set(args.only ? args.only.split(',') : ALL);
if (args.only && selected.has('list')) selected.add('baseline');
const extraEnv = Object.fromEntries(
  args.env.map((pair) => {
    const at = pair.indexOf('=');
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);

function log(message) {
  process.stdout.write(`[bench] ${message}\n`);
}

function build() {
  log('building the server (turbo: cached when nothing changed)');
  const result = spawnSync(
    'pnpm',
    ['exec', 'turbo', 'run', 'build', '--filter=@keel/server...', '--output-logs=errors-only'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) throw new Error('build failed');
}

function gitRevision() {
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim();
  const dirty = spawnSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim();
  return rev ? `${rev}${dirty ? '+dirty' : ''}` : 'unknown';
}

const cleanups = [];
async function cleanup() {
  while (cleanups.length > 0) {
    const step = cleanups.pop();
    try {
      await step();
    } catch (error) {
      log(`cleanup step failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanup().then(() => process.exit(130));
  });
}

async function main() {
  assertWrk();
  if (args.build) build();

  const secret = randomBytes(48).toString('base64url');
  const database = await createBenchDatabase();
  cleanups.push(() => database.drop());
  const redis = await createRedisPrefix();
  cleanups.push(async () => {
    await redis.clear();
    await redis.close();
  });
  const work = mkdtempSync(join(tmpdir(), 'keel-bench-'));
  cleanups.push(async () => rmSync(work, { recursive: true, force: true }));
  log(`database ${database.name}, redis prefix ${redis.prefix}`);

  const seeded = await seed({ url: database.url, secret });
  const usersFile = join(work, 'payers.txt');
  writeFileSync(usersFile, `${seeded.payers.map((p) => `${p.id} ${p.token}`).join('\n')}\n`);
  const loginFile = join(work, 'logins.txt');
  writeFileSync(loginFile, `${seeded.loginEmails.join('\n')}\n`);
  log(`seeded: 1 owner with 1000 projects, ${seeded.payers.length} payers, ${seeded.loginEmails.length} sign-in users`);
  const auth = `Authorization: Bearer ${seeded.owner.token}`;

  const serverEnv = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.prefix,
    JWT_ACCESS_SECRET: secret,
    // Load from a handful of clients would hit the per-user rate limits within a second.
    RATE_LIMIT_MULTIPLIER: '1000000',
    LOG_LEVEL: args['log-level'],
    DATA_DIR: join(work, 'data'),
    ...extraEnv,
  };
  // `overrides` is how the stock server differs from Keel (TRPC_FAST_PATH=false), and nothing else.
  const startServer = ({ name = 'keel server', overrides = {} } = {}) =>
    startProcess({ name, script: 'dist/main.js', cwd: SERVER_DIR, env: { ...serverEnv, ...overrides }, nice });

  // On a shared machine, --nice=-10 gives everything the measurement depends on priority over the
  // neighbours: the server, the baseline, wrk, this run's PostgreSQL backends and Redis (restored after).
  let boost;
  if (nice !== 0) {
    const redisPids = pidsNamed('redis-server');
    const redisNice = redisPids.map((pid) => niceOf(pid));
    if (!renice(redisPids, nice)) throw new Error(`--nice=${nice} needs root (renice failed)`);
    cleanups.push(async () => {
      for (const [i, pid] of redisPids.entries()) renice([pid], redisNice[i]);
    });
    boost = async () => void renice(await backendPids(database.name), nice);
  }

  const report = {
    kind: args.soak ? 'soak' : 'bench',
    label: args.label,
    at: new Date().toISOString(),
    revision: gitRevision(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: totalmem() / 1024 ** 3, node: process.version },
    settings: {
      seconds,
      warmupSeconds,
      connections,
      rounds,
      minRatio,
      nice,
      logLevel: args['log-level'],
      env: extraEnv,
    },
  };
  const stamp = report.at.replace(/[:.]/g, '-');

  if (args.soak) {
    await soak({ report, startServer, auth, usersFile, database, boost });
  } else {
    await bench({
      report,
      startServer,
      auth,
      ownerToken: seeded.owner.token,
      usersFile,
      loginFile,
      database,
      secret,
      boost,
    });
  }
  log(`results written to ${writeResults(RESULTS_DIR, stamp, report, report.markdown)}`);
  // A gate for a release: any failed budget makes the exit status non-zero (after the cleanup).
  const failed = report.checks.filter((check) => !check.info && !check.ok);
  if (failed.length > 0) {
    log(`${failed.length} check(s) failed: ${failed.map((check) => check.name).join('; ')}`);
    process.exitCode = 1;
  }
}

async function bench({ report, startServer, auth, ownerToken, usersFile, loginFile, database, secret, boost }) {
  const rows = [];
  const checks = [];
  const common = { warmupSeconds, seconds, nice, beforeRun: boost };

  let ceiling;
  if (selected.has('login') || selected.has('login200')) {
    log('argon2 ceiling: verifications/s at m=65536,t=3,p=4, 2 at a time (the server is not running)');
    // A ceiling measured while neighbours run would flatter the sign-in figure: wait for quiet first.
    await waitForQuiet();
    ceiling = await argon2Ceiling({ concurrency: Number(extraEnv.HASH_CONCURRENCY ?? 2), seconds: 5 });
    log(`argon2 ceiling: ${ceiling.hashesPerSecond.toFixed(1)} hashes/s (${ceiling.msPerHash.toFixed(0)} ms each)`);
    report.argon2 = ceiling;
  }

  // The baseline, Keel and the stock server (the same build with TRPC_FAST_PATH=false, started the
  // same way) all stay up, and their projects.list runs alternate round by round, so that a
  // neighbour's load on the machine hits every side of the ratios alike. The paced baseline run
  // of the fixed-rate scenario needs the baseline too.
  const baselineProc =
    selected.has('baseline') || selected.has('list') || selected.has('fixed')
      ? await startProcess({
          name: 'baseline',
          script: join(import.meta.dirname, 'baseline.mjs'),
          cwd: import.meta.dirname,
          nice,
          env: {
            PATH: process.env.PATH ?? '',
            DATABASE_URL: database.url,
            JWT_ACCESS_SECRET: secret,
            DATABASE_POOL_MAX: extraEnv.DATABASE_POOL_MAX ?? '10',
          },
        })
      : undefined;
  if (baselineProc) cleanups.push(() => baselineProc.stop());
  const server = await startServer();
  cleanups.push(() => server.stop());
  const stock = selected.has('list')
    ? await startServer({ name: 'stock server', overrides: { TRPC_FAST_PATH: 'false' } })
    : undefined;
  if (stock) cleanups.push(() => stock.stop());
  try {
    const scenario = async (key, name, options) => {
      if (!selected.has(key)) return undefined;
      log(`${name}`);
      const result = await wrkScenario({ ...common, pid: server.pid, connections, ...options });
      const row = { key, name, result };
      rows.push(row);
      return row;
    };

    if (selected.has('list')) {
      const listOptions = { ...common, connections, script: 'get.lua', headers: [auth] };
      const sides = [
        { key: 'baseline', label: 'baseline (node:http + pg)', proc: baselineProc },
        { key: 'list', label: 'Keel', proc: server },
        { key: 'stock', label: 'stock (TRPC_FAST_PATH=false)', proc: stock },
      ];
      const runs = { baseline: [], list: [], stock: [] };
      for (let round = 1; round <= rounds; round++) {
        for (const side of sides) {
          log(`projects.list, ${side.label}, round ${round}/${rounds}`);
          runs[side.key].push(
            await wrkScenario({ ...listOptions, pid: side.proc.pid, url: `${side.proc.url}${LIST_PATH}` }),
          );
        }
        const i = round - 1;
        log(
          `round ${round}/${rounds}: Keel ${percent(runs.list[i].rps / runs.baseline[i].rps)}, stock ${percent(runs.stock[i].rps / runs.baseline[i].rps)} of the baseline`,
        );
      }
      // Each round's ratios come from runs seconds apart; the median over rounds is the figure, so
      // that one round a neighbour disturbed moves it little.
      const keelRatios = runs.list.map((run, i) => run.rps / runs.baseline[i].rps);
      const stockRatios = runs.stock.map((run, i) => run.rps / runs.baseline[i].rps);
      const gains = runs.list.map((run, i) => run.rps / runs.stock[i].rps - 1);
      const keelRatio = median(keelRatios);
      const stockRatio = median(stockRatios);
      const gain = median(gains);
      const eachRound = (ratios, format = percent) => ratios.map(format).join(', ');
      const ofBaseline = (ratio, ratios) =>
        `${percent(ratio)} of baseline (median of ${ratios.length}; rounds ${eachRound(ratios)})`;
      const baseline = {
        key: 'baseline',
        name: 'baseline: node:http + pg, same JWT + SQL',
        result: combineRuns(runs.baseline),
      };
      const list = {
        key: 'list',
        name: 'projects.list (20 of 1000 rows)',
        result: combineRuns(runs.list),
        ratio: ofBaseline(keelRatio, keelRatios),
      };
      const stockRow = {
        key: 'stock',
        name: 'stock: projects.list, TRPC_FAST_PATH=false',
        result: combineRuns(runs.stock),
        ratio: ofBaseline(stockRatio, stockRatios),
      };
      rows.push(baseline, list, stockRow);
      report.listRounds = runs.list.map((run, i) => ({
        baselineRps: runs.baseline[i].rps,
        keelRps: run.rps,
        stockRps: runs.stock[i].rps,
        keelRatio: keelRatios[i],
        stockRatio: stockRatios[i],
        fastPathGain: gains[i],
      }));
      report.list = { rounds, minRatio, keelRatio, stockRatio, fastPathGain: gain };
      checks.push({
        name: `projects.list ≥ ${percent(minRatio)} of the baseline (median of ${rounds} round${rounds === 1 ? '' : 's'})`,
        ok: keelRatio >= minRatio,
        detail: `median ${(keelRatio * 100).toFixed(1)} % (rounds: ${eachRound(keelRatios)}); stock ${(stockRatio * 100).toFixed(1)} % (rounds: ${eachRound(stockRatios)})`,
      });
      checks.push({
        name: 'fast path: Keel vs stock (TRPC_FAST_PATH=false), median gain',
        ok: true,
        info: true,
        detail: `${signedPercent(gain)} (rounds: ${eachRound(gains, signedPercent)})`,
      });
      // The yardsticks themselves must have answered: a ratio against failing requests means nothing.
      for (const row of [baseline, stockRow]) {
        checks.push({
          name: `${row.key}: every answer 2xx`,
          ok: row.result.non2xx === 0 && row.result.socketErrors === 0,
          detail: `${row.result.non2xx} non-2xx, ${row.result.socketErrors} socket errors`,
        });
      }
    }
    if (stock) {
      const code = await stock.stop();
      if (code !== 0) log(`stock server exited with ${code}:\n${stock.output().slice(-3000)}`);
    }

    if (selected.has('fixed')) {
      // The bare baseline paced exactly like Keel, right before it: the same machine, the same
      // moment, so that Keel's tail latency has a yardstick beside the absolute budget.
      const paced = (proc) =>
        fixedRateScenario({
          pid: proc.pid,
          url: `${proc.url}${LIST_PATH}`,
          headers: { authorization: auth.slice('Authorization: '.length) },
          streams: 20,
          beforeRun: boost,
          rate: FIXED_RATE,
          warmupSeconds,
          seconds: Math.max(seconds, 10),
        });
      log(`baseline (node:http + pg) projects.list at a fixed ${FIXED_RATE} req/s (autocannon)`);
      const base = await paced(baselineProc);
      log(`projects.list at a fixed ${FIXED_RATE} req/s (autocannon)`);
      const result = await paced(server);
      const factor = result.p99 / base.p99;
      rows.push({ key: 'fixed-baseline', name: 'baseline at a fixed rate', result: base });
      rows.push({
        key: 'fixed',
        name: 'projects.list at a fixed rate',
        result,
        ratio: `P99 ${factor.toFixed(2)}× baseline`,
      });
      checks.push({
        name: `projects.list at ${FIXED_RATE} req/s: P50 < 3 ms, P99 < 15 ms`,
        ok: result.p50 < 3 && result.p99 < 15 && result.non2xx === 0,
        detail: `P50 ${result.p50.toFixed(2)} ms, P99 ${result.p99.toFixed(2)} ms, ${result.rps.toFixed(0)} req/s served, ${result.non2xx} non-2xx`,
      });
      checks.push({
        name: `projects.list at ${FIXED_RATE} req/s: P99 ≤ ${FIXED_P99_FACTOR} × the baseline's P99 (same run)`,
        ok: result.p99 <= FIXED_P99_FACTOR * base.p99 && base.non2xx === 0 && base.socketErrors === 0,
        detail: `P99 ${result.p99.toFixed(2)} ms vs ${base.p99.toFixed(2)} ms = ${factor.toFixed(2)}×; baseline P50 ${base.p50.toFixed(2)} ms, ${base.non2xx} non-2xx, ${base.socketErrors} socket errors`,
      });
    }
    if (baselineProc) await baselineProc.stop();

    if (selected.has('apikey')) {
      // What a script sends: the owner's API key in place of the JWT, the same 20 of 1000 rows.
      const key = await createApiKey(server.url, ownerToken);
      const apiKeyRow = await scenario('apikey', 'projects.list with an API key (keel_…)', {
        url: `${server.url}${LIST_PATH}`,
        script: 'get.lua',
        headers: [`Authorization: Bearer ${key}`],
      });
      const jwtRow = rows.find((row) => row.key === 'list');
      if (apiKeyRow && jwtRow) {
        checks.push({
          name: 'projects.list: API key vs JWT (req/s)',
          info: true,
          ok: true,
          detail: `${apiKeyRow.result.rps.toFixed(0)} vs ${jwtRow.result.rps.toFixed(0)} req/s = ${percent(apiKeyRow.result.rps / jwtRow.result.rps)}`,
        });
      }
    }

    await scenario('me', 'auth.me', { url: `${server.url}/trpc/auth.me`, script: 'get.lua', headers: [auth] });

    if (selected.has('transfer')) {
      const before = await creditTotals(database.url);
      const transfer = await scenario('transfer', 'credits.transfer (random pairs of 100 users)', {
        url: server.url,
        script: 'transfer.lua',
        env: { BENCH_USERS_FILE: usersFile },
      });
      // Requests cut off by wrk's deadline may still commit: wait for the server to go quiet.
      await new Promise((r) => setTimeout(r, 1000));
      const after = await creditTotals(database.url);
      const unexpected = Object.entries(transfer.result.statuses).filter(
        ([key]) => key !== '200' && !key.startsWith('400:BAD_REQUEST'),
      );
      transfer.totals = { before, after };
      checks.push({
        name: 'credits.transfer: sum of balances unchanged, none negative',
        ok: before.sum === after.sum && after.min >= 0,
        detail: `${before.sum} → ${after.sum}, lowest balance ${after.min}, ${after.transfers - before.transfers} transfers committed`,
      });
      checks.push({
        name: 'credits.transfer: no error but the expected 400s',
        ok: unexpected.length === 0 && transfer.result.socketErrors === 0,
        detail: `statuses ${JSON.stringify(transfer.result.statuses)}, socket errors ${transfer.result.socketErrors}`,
      });
    }

    await scenario('batch', 'batch: projects.list + auth.me + credits.balance', {
      url: `${server.url}${BATCH_PATH}`,
      script: 'get.lua',
      headers: [auth],
    });

    for (const row of rows.filter((r) => ['list', 'apikey', 'me', 'transfer', 'batch'].includes(r.key))) {
      const r = row.result;
      checks.push({
        name: `${row.key} at saturation inside the SLO (P50 < 100, P95 < 200, P99 < 500 ms)`,
        ok: r.p50 < 100 && r.p95 < 200 && r.p99 < 500,
        detail: `P50 ${r.p50.toFixed(2)}, P95 ${r.p95.toFixed(2)}, P99 ${r.p99.toFixed(2)} ms`,
      });
      if (row.key !== 'transfer') {
        checks.push({
          name: `${row.key}: every answer 2xx`,
          ok: r.non2xx === 0 && r.socketErrors === 0,
          detail: `${r.non2xx} non-2xx, ${r.socketErrors} socket errors`,
        });
      }
    }

    const login = await scenario('login', 'auth.login (argon2id m=65536,t=3,p=4), 20 concurrent', {
      url: server.url,
      script: 'login.lua',
      connections: 20,
      // No warm-up: requests a closing warm-up leaves in the hashing queue would overflow it once the
      // measured run starts (the JIT is warm from the scenarios before).
      warmupSeconds: 0,
      env: { BENCH_LOGIN_FILE: loginFile, BENCH_PASSWORD: PASSWORD },
    });
    if (login && ceiling) {
      // Sign-ins that succeeded per second; a 503 is no sign-in.
      const signedIn = (login.result.statuses['200'] ?? 0) / login.result.seconds;
      const ratio = signedIn / ceiling.hashesPerSecond;
      login.ratio = `${signedIn.toFixed(1)} sign-ins/s = ${(ratio * 100).toFixed(0)} % of the argon2 ceiling (${ceiling.hashesPerSecond.toFixed(1)}/s)`;
      checks.push({
        name: 'auth.login at 20 concurrent ≥ 90 % of the argon2 ceiling',
        ok: ratio >= 0.9 && login.result.non2xx === 0,
        detail: `${signedIn.toFixed(1)} sign-ins/s vs ${ceiling.hashesPerSecond.toFixed(1)} hashes/s = ${(ratio * 100).toFixed(1)} %, ${login.result.non2xx} non-2xx`,
      });
    }
    // Let the hashing queue drain first.
    if (selected.has('login200')) await new Promise((r) => setTimeout(r, 5000));
    const burst = await scenario('login200', 'auth.login, 200 concurrent (bounded hashing queue)', {
      url: server.url,
      script: 'login.lua',
      connections: 200,
      warmupSeconds: 0,
      env: { BENCH_LOGIN_FILE: loginFile, BENCH_PASSWORD: PASSWORD },
    });
    if (burst) {
      const statuses = burst.result.statuses;
      const other = Object.keys(statuses).filter((k) => k !== '200' && !k.startsWith('503'));
      const served = statuses['200'] ?? 0;
      burst.ratio = `${served} signed in, ${(statuses['503:SERVICE_UNAVAILABLE'] ?? 0) + (statuses['503'] ?? 0)} fast 503`;
      checks.push({
        name: 'auth.login at 200 concurrent: RSS < 1 GiB, the overflow gets 503 + Retry-After',
        ok: burst.result.rssPeak < 1024 * MiB && other.length === 0 && burst.result.socketErrors === 0,
        detail: `RSS peak ${(burst.result.rssPeak / MiB).toFixed(0)} MiB, statuses ${JSON.stringify(statuses)}, socket errors ${burst.result.socketErrors}`,
      });
    }

    report.serverLogLines = server.logLines();
  } finally {
    const code = await server.stop();
    if (code !== 0) log(`server exited with ${code}:\n${server.output().slice(-3000)}`);
  }

  report.rows = rows;
  report.checks = checks;
  const title = `Keel bench ${report.at} (${report.revision}${report.label ? `, ${report.label}` : ''})`;
  const machine = `${report.machine.cpus} × ${report.machine.model}, Node ${report.machine.node}; wrk -t1, ${warmupSeconds} s warm-up + ${seconds} s per scenario${
    selected.has('list')
      ? `, projects.list in ${rounds} round${rounds === 1 ? '' : 's'} of baseline / Keel / stock`
      : ''
  }; LOG_LEVEL=${args['log-level']}${
    Object.keys(extraEnv).length
      ? `; ${Object.entries(extraEnv)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`
      : ''
  }`;
  report.markdown = `## ${title}\n\n${machine}\n\n${markdownTable(rows)}\n\n${cpuTable(rows)}\n\n${noiseWarnings(rows)}\n\n${verdictList(checks)}`;
  process.stdout.write(`\n${report.markdown}\n\n`);
}

/** The middle value (the mean of the middle two for an even count). */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const percent = (ratio) => `${(ratio * 100).toFixed(0)} %`;
const signedPercent = (ratio) => `${ratio >= 0 ? '+' : '−'}${Math.abs(ratio * 100).toFixed(1)} %`;

/** Creates a write key for the bench owner through the running server, as a person would. */
async function createApiKey(url, token) {
  const response = await fetch(`${url}/trpc/apiKeys.create`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', scope: 'write' }),
  });
  if (!response.ok) throw new Error(`apiKeys.create answered ${response.status}: ${await response.text()}`);
  return (await response.json()).result.data.key;
}

/** Several runs of one scenario as one row: median req/s and percentiles, mean CPU, summed errors. */
function combineRuns(runs) {
  if (runs.length === 1) return runs[0];
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  const statuses = {};
  for (const run of runs) for (const [k, v] of Object.entries(run.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const machine = {};
  for (const key of Object.keys(runs[0].machineUsPerRequest ?? {})) {
    machine[key] = mean(runs.map((r) => r.machineUsPerRequest[key]));
  }
  return {
    ...runs[0],
    rounds: runs.length,
    seconds: runs.reduce((a, r) => a + r.seconds, 0),
    requests: runs.reduce((a, r) => a + r.requests, 0),
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p95: median(runs.map((r) => r.p95)),
    p99: median(runs.map((r) => r.p99)),
    max: Math.max(...runs.map((r) => r.max)),
    non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
    socketErrors: runs.reduce((a, r) => a + r.socketErrors, 0),
    statuses,
    rssPeak: Math.max(...runs.map((r) => r.rssPeak)),
    rssLast: runs.at(-1).rssLast,
    cpuUsPerRequest: mean(runs.map((r) => r.cpuUsPerRequest)),
    machineUsPerRequest: machine,
  };
}

async function soak({ report, startServer, auth, usersFile, database, boost }) {
  const soakConnections = 100;
  const soakSeconds = Number(args['soak-seconds']);
  const soakWarmup = Number(args['soak-warmup']);
  const before = await creditTotals(database.url);
  const server = await startServer();
  try {
    const options = {
      pid: server.pid,
      url: server.url,
      connections: soakConnections,
      nice,
      beforeRun: boost,
      script: 'mixed.lua',
      env: {
        BENCH_USERS_FILE: usersFile,
        BENCH_TOKEN: auth.slice('Authorization: Bearer '.length),
        BENCH_BATCH_PATH: BATCH_PATH,
      },
    };
    log(`soak warm-up: ${soakWarmup} s of mixed traffic at ${soakConnections} connections`);
    const warm = await wrkScenario({ ...options, warmupSeconds: 0, seconds: soakWarmup });
    const rssAfterWarmup = warm.rssLast;
    log(`soak: ${soakSeconds} s of mixed traffic at ${soakConnections} connections`);
    const result = await wrkScenario({ ...options, warmupSeconds: 0, seconds: soakSeconds, quiet: false });
    await new Promise((r) => setTimeout(r, 1000));
    const after = await creditTotals(database.url);
    const fiveXx = Object.entries(result.statuses)
      .filter(([key]) => key.startsWith('5'))
      .reduce((sum, [, n]) => sum + n, 0);
    const drift = (result.rssLast - rssAfterWarmup) / rssAfterWarmup;
    const checks = [
      {
        name: 'no 5xx',
        ok: fiveXx === 0 && result.socketErrors === 0,
        detail: `${fiveXx} 5xx, ${result.socketErrors} socket errors; statuses ${JSON.stringify(result.statuses)}`,
      },
      {
        name: 'RSS at the end within 10 % of RSS after warm-up',
        ok: Math.abs(drift) <= 0.1,
        detail: `${(rssAfterWarmup / MiB).toFixed(1)} MiB after warm-up → ${(result.rssLast / MiB).toFixed(1)} MiB at the end (${drift >= 0 ? '+' : ''}${(drift * 100).toFixed(1)} %), peak ${(result.rssPeak / MiB).toFixed(1)} MiB`,
      },
      {
        name: 'RSS over the soak (every 10 s)',
        ok: true,
        info: true,
        detail: result.rssTimeline
          .filter(([at]) => at % 10 === 0)
          .map(([at, rss]) => `${at} s: ${(rss / MiB).toFixed(0)} MiB`)
          .join(', '),
      },
      {
        name: 'sum of balances unchanged',
        ok: before.sum === after.sum && after.min >= 0,
        detail: `${before.sum} → ${after.sum}, ${after.transfers - before.transfers} transfers`,
      },
    ];
    report.rows = [{ name: 'soak: mixed', result }];
    report.soak = { rssAfterWarmup, rssEnd: result.rssLast, rssPeak: result.rssPeak, drift, fiveXx };
    report.checks = checks;
    const title = `Keel soak ${report.at} (${report.revision}${report.label ? `, ${report.label}` : ''})`;
    const mix = 'mix: projects.list 40 %, auth.me 25 %, batch of 3 15 %, credits.transfer 20 %';
    report.markdown = `## ${title}\n\n${soakConnections} connections, ${soakWarmup} s warm-up + ${soakSeconds} s; ${mix}\n\n${markdownTable(report.rows)}\n\n${cpuTable(report.rows)}\n\n${noiseWarnings(report.rows)}\n\n${verdictList(checks)}`;
    process.stdout.write(`\n${report.markdown}\n\n`);
  } finally {
    const code = await server.stop();
    if (code !== 0) log(`server exited with ${code}:\n${server.output().slice(-3000)}`);
  }
}

try {
  await main();
} catch (error) {
  process.exitCode = 1;
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await cleanup();
}
