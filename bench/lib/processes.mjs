// Child processes under test (the production server, the baseline) and what /proc says about them.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100;

/**
 * Starts `node <script>` and resolves once it logs its address. Its stdout is read and dropped (as
 * a log shipper would), keeping only the tail for diagnostics.
 */
export async function startProcess({ name, script, cwd, env, nice = 0 }) {
  const command = nice ? ['nice', '-n', String(nice), process.execPath, script] : [process.execPath, script];
  const child = spawn(command[0], command.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  let lines = 0;
  let listening = false;
  let onAddress;
  const keep = (chunk) => {
    const text = chunk.toString();
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
    tail = (tail + text).slice(-20_000);
    if (!listening) {
      const match = /"address":"(http:\/\/[^"]+)"/.exec(tail);
      if (match?.[1]) {
        listening = true;
        onAddress?.(match[1]);
      }
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // Never leave a server behind that the bench gave up on.
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start in 60 s:\n${tail}`));
    }, 60_000);
    timer.unref();
    onAddress = (address) => {
      clearTimeout(timer);
      resolve(address);
    };
    void exited.then((code) => reject(new Error(`${name} exited (${code}) before listening:\n${tail}`)));
  });
  return {
    name,
    url,
    pid: child.pid,
    exited,
    output: () => tail,
    logLines: () => lines,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export function rssBytes(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS every 200 ms while a scenario runs: the peak and the last value. */
export function sampleRss(pid) {
  let peak = rssBytes(pid);
  let last = peak;
  const started = Date.now();
  /** [seconds since start, RSS] every 5 s: a leak climbs, a warming heap levels off. */
  const timeline = [[0, peak]];
  const timer = setInterval(() => {
    last = rssBytes(pid);
    if (last > peak) peak = last;
    const at = Math.floor((Date.now() - started) / 5000) * 5;
    if (at > (timeline.at(-1)?.[0] ?? 0)) timeline.push([at, last]);
  }, 200);
  return {
    stop() {
      clearInterval(timer);
      last = rssBytes(pid) || last;
      peak = Math.max(peak, last);
      return { peak, last, timeline };
    },
  };
}

/** Busy CPU seconds of the whole machine, and of the processes by name (postgres, redis-server, wrk…). */
export function machineCpu() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const busy =
    (ticks[0] ?? 0) + (ticks[1] ?? 0) + (ticks[2] ?? 0) + (ticks[5] ?? 0) + (ticks[6] ?? 0) + (ticks[7] ?? 0);
  const byName = {};
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byName[name] = (byName[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return { busy: busy / CLOCK_TICKS, byName };
}

/** CPU seconds per group between two `machineCpu()` readings; `other` is everything else on the machine. */
export function cpuBreakdown(before, after, pids) {
  const delta = (name) => (after.byName[name] ?? 0) - (before.byName[name] ?? 0);
  const groups = {
    postgres: delta('postgres'),
    redis: delta('redis-server'),
    wrk: pids.wrk ?? delta('wrk'),
  };
  const server = pids.server ?? 0;
  const bench = pids.bench ?? 0;
  const accounted = groups.postgres + groups.redis + groups.wrk + server + bench;
  return { ...groups, server, bench, machine: after.busy - before.busy, other: after.busy - before.busy - accounted };
}

/**
 * Waits (up to `maxSeconds`) until the machine is quiet between two runs: less than `maxCores`
 * busy over a second. Other work on a 2-core machine skews every figure; the report flags what remains.
 */
export async function waitForQuiet({ maxCores = 0.15, maxSeconds = 90 } = {}) {
  const deadline = Date.now() + maxSeconds * 1000;
  let busy = 0;
  do {
    const before = machineCpu().busy;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    busy = machineCpu().busy - before;
    if (busy < maxCores) return { quiet: true, busy };
  } while (Date.now() < deadline);
  return { quiet: false, busy };
}

/** Current nice value of a process (field 19 of /proc/<pid>/stat). */
export function niceOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** Sets the nice value of processes; returns false when not allowed (not root). */
export function renice(pids, nice) {
  if (pids.length === 0) return true;
  return spawnSync('renice', ['-n', String(nice), '-p', ...pids.map(String)], { stdio: 'ignore' }).status === 0;
}

/** PIDs of the processes with this command name (e.g. `redis-server`). */
export function pidsNamed(name) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === name) pids.push(Number(entry));
    } catch {
      // Gone.
    }
  }
  return pids;
}
