import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A process under test (the bot or the baseline), spawned the way production runs it, plus what the
 * benchmark reads from outside: its output lines, its CPU time and its resident memory.
 */

const SETTLE_MARKER = 'bench-settled ';

/**
 * Preloaded into every subject (with `--expose-gc`): on SIGUSR2, two full collections, then one line
 * on stderr with `process.memoryUsage()`. It adds a signal listener and nothing else, so the memory
 * the benchmark reads after it is what the process holds on to, not garbage waiting for a collection.
 */
const SETTLE_HOOK = `data:text/javascript,${encodeURIComponent(
  `process.on('SIGUSR2',()=>{globalThis.gc();globalThis.gc();process.stderr.write(${JSON.stringify(SETTLE_MARKER)}+JSON.stringify(process.memoryUsage())+'\\n')})`,
)}`;

/** Node flags every subject gets, before its own. */
export const SETTLE_FLAGS: readonly string[] = ['--expose-gc', `--import=${SETTLE_HOOK}`];

const MAX_KEPT_LINES = 200;

export interface SpawnSpec {
  /** Shown in progress lines and errors. */
  name: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  text: string;
  /** performance.now() when the line was read. */
  at: number;
}

/** What the process holds after a forced settle. */
export interface MemorySample {
  /** VmRSS from /proc/<pid>/status. */
  rssKb: number;
  /** VmHWM: the peak resident set so far. */
  peakRssKb: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /** utime + stime from /proc/<pid>/stat, all threads. */
  cpuMs: number;
}

interface LineWaiter {
  test(line: OutputLine): boolean;
  resolve(line: OutputLine): void;
  reject(error: Error): void;
}

const running = new Set<Subject>();

/** SIGKILLs every subject still running; safe to call from an 'exit' handler (synchronous). */
export function killAllSubjects(): void {
  for (const subject of running) subject.kill();
}

let clockTicks: number | undefined;

/** Clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5_000 }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU time the whole machine spent busy (all CPUs, every process) since boot, from /proc/stat. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal ...
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user + nice + system + irq + softirq + steal) * 1000) / ticksPerSecond();
}

export class Subject {
  readonly name: string;
  readonly pid: number;
  /** performance.now() just before spawn. */
  readonly spawnedAt: number;
  /** The monotonic clock (µs) just before spawn: the clock V8's CPU profiles are stamped with. */
  readonly spawnedAtUs: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Lines at warn level or above (pino JSON level >= 40) and any other stderr line. */
  warnings = 0;

  readonly #child: ChildProcess;
  readonly #lines: OutputLine[] = [];
  readonly #waiters = new Set<LineWaiter>();
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  private constructor(spec: SpawnSpec) {
    this.name = spec.name;
    this.spawnedAtUs = Number(process.hrtime.bigint() / 1000n);
    this.spawnedAt = performance.now();
    this.#child = spawn(process.execPath, [...SETTLE_FLAGS, ...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (this.#child.pid === undefined) throw new Error(`${spec.name}: could not spawn ${process.execPath}`);
    this.pid = this.#child.pid;
    running.add(this);
    this.exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        running.delete(this);
        this.#exit = { code, signal };
        const error = new Error(
          `${this.name} exited (code ${code}, signal ${signal}) while the benchmark waited for it.\n${this.recentOutput()}`,
        );
        for (const waiter of this.#waiters) waiter.reject(error);
        this.#waiters.clear();
        resolve({ code, signal });
      });
    });
    this.#child.once('error', (error) => {
      for (const waiter of this.#waiters) waiter.reject(error);
      this.#waiters.clear();
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = this.#child[stream];
      if (source)
        createInterface({ input: source, crlfDelay: Infinity }).on('line', (text) =>
          this.#onLine({ stream, text, at: performance.now() }),
        );
    }
  }

  static spawn(spec: SpawnSpec): Subject {
    return new Subject(spec);
  }

  get alive(): boolean {
    return this.#exit === undefined;
  }

  /** The last lines the process wrote, for error messages. */
  recentOutput(count = 20): string {
    return this.#lines
      .slice(-count)
      .map((line) => `  [${this.name} ${line.stream}] ${line.text.slice(0, 400)}`)
      .join('\n');
  }

  /** Resolves with the first line (from now on, or already kept) that passes `test`. */
  waitForLine(test: (line: OutputLine) => boolean, timeoutMs: number, what: string): Promise<OutputLine> {
    const kept = this.#lines.find(test);
    if (kept) return Promise.resolve(kept);
    if (!this.alive) return Promise.reject(new Error(`${this.name} is not running; no ${what}.\n${this.recentOutput()}`));
    return new Promise<OutputLine>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms.\n${this.recentOutput()}`));
      }, timeoutMs);
      const waiter: LineWaiter = {
        test,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** utime + stime of every thread of the process, in ms. */
  cpuMs(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / ticksPerSecond();
  }

  /** VmRSS and VmHWM in kB. */
  rss(): { rssKb: number; peakRssKb: number } {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssKb: field('VmRSS'), peakRssKb: field('VmHWM') };
  }

  /**
   * Forces a settle (two full GCs in the child), waits for the dust to fall, then reads the memory.
   * With `idleMs`, the process is first left idle that long: V8's memory reducer gives unused heap
   * back to the system about 8 s after activity stops, and until it has, RSS says more about when
   * the last collection happened than about what the process holds. CPU time is read first, so the
   * forced collections are not billed to a workload.
   */
  async settle(idleMs = 0, timeoutMs = 5_000): Promise<MemorySample> {
    const cpuMs = this.cpuMs();
    if (idleMs > 0) {
      // A full collection first: it is what arms the memory reducer, which then runs during the idle time.
      await this.#collect(timeoutMs);
      await sleep(idleMs);
    }
    const usage = await this.#collect(timeoutMs);
    await sleep(300);
    return {
      ...this.rss(),
      heapUsedBytes: usage.heapUsed,
      heapTotalBytes: usage.heapTotal,
      externalBytes: usage.external,
      cpuMs,
    };
  }

  /** Two full GCs in the child (the preloaded SIGUSR2 hook); resolves with its memoryUsage() after them. */
  async #collect(timeoutMs: number): Promise<{ heapUsed: number; heapTotal: number; external: number }> {
    const since = performance.now();
    const marker = this.waitForLine(
      (line) => line.stream === 'stderr' && line.at >= since && line.text.startsWith(SETTLE_MARKER),
      timeoutMs,
      'settle report',
    );
    this.#child.kill('SIGUSR2');
    const line = await marker;
    return JSON.parse(line.text.slice(SETTLE_MARKER.length)) as { heapUsed: number; heapTotal: number; external: number };
  }

  /** SIGTERM, then SIGKILL when the process has not exited within `graceMs`. */
  async stop(graceMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; forced: boolean }> {
    if (!this.alive) return { ...this.#exit!, forced: false };
    this.#child.kill('SIGTERM');
    const timeout = sleep(graceMs, 'timeout' as const);
    const first = await Promise.race([this.exited, timeout]);
    if (first !== 'timeout') return { ...first, forced: false };
    this.kill();
    const killed = await Promise.race([this.exited, sleep(5_000, undefined)]);
    if (!killed) throw new Error(`${this.name} (pid ${this.pid}) did not exit after SIGKILL`);
    return { ...killed, forced: true };
  }

  /** SIGKILL, by pid, when still running. */
  kill(): void {
    if (this.alive) this.#child.kill('SIGKILL');
  }

  #onLine(line: OutputLine): void {
    // Settle reports go to their waiter only (registered before the signal): they are not the subject's output.
    const settleReport = line.stream === 'stderr' && line.text.startsWith(SETTLE_MARKER);
    if (!settleReport) {
      if (isWarning(line)) this.warnings += 1;
      this.#lines.push(line);
      if (this.#lines.length > MAX_KEPT_LINES) this.#lines.shift();
    }
    for (const waiter of [...this.#waiters]) {
      if (waiter.test(line)) {
        this.#waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  }
}

function isWarning(line: OutputLine): boolean {
  if (line.text.startsWith('{')) {
    try {
      const level = (JSON.parse(line.text) as { level?: unknown }).level;
      return typeof level === 'number' && level >= 40;
    } catch {
      return line.stream === 'stderr';
    }
  }
  return line.stream === 'stderr';
}
