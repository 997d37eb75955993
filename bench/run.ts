/**
 * `npm run bench [-- --profile] [-- --latency=150 --soak=5000 --deferred-soak=6000 --burst=300 --baselines=defer,reply --skip-build]`
 * `[--compare-with=<another checkout, built>]` adds that build of the bot to the same run (a before/after).
 *
 * Builds the bot, then runs it as its own process (`node dist/main.js`, as production does) and the
 * guide-style baseline (bench/baseline.ts) against fresh in-repo emulators, one after the other, through
 * the same workloads; then the bot alone through a soak whose every answer is deferred (its cache off),
 * with memory checkpoints. Writes docs/benchmarks.md and docs/benchmarks.json. Fully offline: every
 * connection goes to 127.0.0.1.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { summariseProfile, type ProfileSummary } from './profile.js';
import {
  machineInfo,
  writeReports,
  type BenchReport,
  type Checkpoint,
  type DeferredSoakResult,
  type StartupMeasure,
  type SubjectId,
  type SubjectResult,
  type SweepProbe,
  type WorkloadResult,
} from './report.js';
import { MetricsReader, freePort } from './scrape.js';
import { ACCOUNTS, BenchStack } from './stack.js';
import { median } from './stats.js';
import { Subject, killAllSubjects, machineBusyMs, type MemorySample } from './subject.js';
import { burst, mark, measure, paced, type Plan, type Shot } from './workloads.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROFILE_DIR = join(ROOT, 'bench', 'profiles');
/** Every step below is bounded; this bounds them all, whatever happens. */
const WATCHDOG_MS = 9 * 60_000;
const READY_TIMEOUT_MS = 20_000;
const SOAK_TIMEOUT_MS = 200_000;
const SOAK_IN_FLIGHT = 50;
const WARMUP_IN_FLIGHT = 25;
const GUILD_COUNT = 20;
const MIXED_SIZE = 300;
const BURST_WINDOW_MS = 1_000;
const STARTUP_TRIALS = 3;
/** Time for work an answer leaves behind (background refreshes) before a workload's books close. */
const TRAILING_MS = 1_000;
/**
 * The second part of the warm-up: soak-shaped traffic from other new users, as many as the soak or
 * for this long, whichever ends first. A fast subject then reaches its working size the way a slow one
 * does, and the soak's growth is what it keeps per user, not the allocator's first growth.
 */
const SOAK_PRIMING_MS = 10_000;
/** Idle time before the soak's memory samples, long enough for V8's memory reducer to have run. */
const IDLE_SETTLE_MS = 10_000;
/** The deferred soak: interactions between two memory checkpoints. */
const CHECKPOINT_EVERY = 1_000;
/** The deferred soak's warm-up, before its first sample (not counted in its figures). */
const DEFERRED_WARMUP = 300;
/** The bot's webhook client sweeps inactive handlers this often (HANDLER_SWEEP_MS in src/discord/respond.ts). */
const HANDLER_SWEEP_MS = 5_000;
/** Idle time after the deferred soak: more than two sweeps, and V8's memory reducer. */
const SWEEP_IDLE_MS = 12_000;
/** How often the handler counts are sampled while the deferred soak runs. */
const HANDLER_SAMPLE_MS = 500;
/** The sweep probe: interactions whose edit says the bucket is exhausted, and as many ordinary ones. */
const SWEEP_PROBE_SIZE = 10;
/** The reset those edits announce (X-RateLimit-Reset-After), long past the probe's wait. */
const SWEEP_PROBE_RESET_S = 60;

export interface Settings {
  latencyMs: number;
  burstSize: number;
  mixedSize: number;
  soakSize: number;
  soakInFlight: number;
  /** Interactions in the deferred soak (the bot alone, its cache off: every answer a webhook edit). */
  deferredSoakSize: number;
  /** What the measured bot runs get on top of the defaults (the start-up trials keep the defaults). */
  botEnv: Record<string, string>;
  guildCount: number;
  warmupSize: number;
  profile: boolean;
  baselines: Array<'reply' | 'defer'>;
  build: boolean;
  /**
   * Another checkout of the bot, already built (its dist/main.js), measured beside this one in the same
   * run: a change's before and after under the same load and the same machine noise.
   */
  compareWith?: string;
}

const log = (message: string): void => void process.stdout.write(`[bench] ${message}\n`);

function readSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: {
      profile: { type: 'boolean', default: false },
      latency: { type: 'string', default: '150' },
      burst: { type: 'string', default: '300' },
      soak: { type: 'string', default: '5000' },
      'deferred-soak': { type: 'string', default: '6000' },
      baselines: { type: 'string', default: 'defer,reply' },
      'skip-build': { type: 'boolean', default: false },
      'compare-with': { type: 'string' },
    },
    strict: true,
  });
  const whole = (name: string, text: string, min: number, max: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`--${name} must be a whole number from ${min} to ${max}`);
    return value;
  };
  const baselines = values.baselines.split(',').filter((style) => style !== '');
  if (baselines.length === 0 || baselines.some((style) => style !== 'reply' && style !== 'defer')) {
    throw new Error('--baselines takes reply, defer or both (reply,defer)');
  }
  return {
    latencyMs: whole('latency', values.latency, 0, 5_000),
    burstSize: whole('burst', values.burst, 1, 2_000),
    mixedSize: MIXED_SIZE,
    soakSize: whole('soak', values.soak, 1, 20_000),
    soakInFlight: SOAK_IN_FLIGHT,
    deferredSoakSize: whole('deferred-soak', values['deferred-soak'], 0, 20_000),
    botEnv: { ...MEASURED_BOT_ENV },
    guildCount: GUILD_COUNT,
    warmupSize: 200,
    profile: values.profile,
    baselines: [...new Set(baselines)] as Array<'reply' | 'defer'>,
    build: !values['skip-build'],
    ...(values['compare-with'] ? { compareWith: values['compare-with'] } : {}),
  };
}

async function run(command: string, args: string[], timeoutMs: number): Promise<void> {
  try {
    await promisify(execFile)(command, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${failure.message}\n${failure.stdout ?? ''}${failure.stderr ?? ''}`);
  }
}

// ---- subjects ----

interface SubjectDefinition {
  id: SubjectId;
  label: string;
  /** Node arguments after the settle hook: the script and its flags. */
  args(extraNodeFlags: string[]): string[];
  env: Record<string, string>;
  /** The line the subject prints once it is ready, if it prints one at the log level used. */
  readyLine?: (text: string) => boolean;
}

/**
 * What the measured bot runs get on top of the defaults. The background check reads every account at
 * start-up (then every CHECK_INTERVAL, 15 min by default) and fills the cache with what it read, so
 * with it on no burst would meet a cold account: the first ones would be answered from the cache.
 * The start-up trials keep the defaults.
 */
const MEASURED_BOT_ENV = { CHECK_INTERVAL: 'off' } as const;

function botDefinition(logLevel: 'warn' | 'info', env: Record<string, string> = {}): SubjectDefinition {
  return {
    id: 'bot',
    label: 'bot',
    args: (extra) => [...extra, join(ROOT, 'dist', 'main.js')],
    env: { LOG_LEVEL: logLevel, ...env },
    readyLine: logLevel === 'info' ? (text) => text.startsWith('{') && text.includes('"msg":"ready"') : undefined,
  };
}

/** The bot as another checkout builds it, labelled with that checkout's commit. */
function earlierBotDefinition(dir: string): SubjectDefinition {
  const commit = execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  return {
    ...botDefinition('warn', MEASURED_BOT_ENV),
    id: 'bot-before',
    label: `bot at ${commit}`,
    args: (extra) => [...extra, join(dir, 'dist', 'main.js')],
  };
}

function baselineDefinition(style: 'reply' | 'defer'): SubjectDefinition {
  const tsx = import.meta.resolve('tsx');
  return {
    // The guide's answer to slow work (defer, fetch, edit) is the baseline the targets are judged
    // against: it is the bot the issue measured (final p50 1.9 s, 48 answers/s in the soak).
    id: style === 'defer' ? 'baseline' : 'baseline-reply',
    label: style === 'defer' ? 'baseline (defer → fetch → edit)' : 'baseline (fetch → reply)',
    args: (extra) => [...extra, `--import=${tsx}`, join(ROOT, 'bench', 'baseline.ts')],
    env: { BASELINE_STYLE: style },
    readyLine: (text) => text.startsWith('Ready!'),
  };
}

function spawnSubject(definition: SubjectDefinition, stack: BenchStack, workDir: string, extraNodeFlags: string[] = []): Subject {
  const home = mkdtempSync(join(workDir, `${definition.id}-`));
  return Subject.spawn({
    name: definition.id,
    args: definition.args(extraNodeFlags),
    // A clean environment: nothing from the shell (or a .env in the working directory) changes the run.
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      DATA_DIR: join(home, 'data'),
      ...stack.subjectEnv(),
      ...definition.env,
    },
    cwd: home,
  });
}

/** Spawn → every guild's commands written, and → the first interaction answered (a refused probe). */
async function waitReady(stack: BenchStack, subject: Subject, definition: SubjectDefinition): Promise<StartupMeasure> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  const guildIds = new Set(stack.guilds.map((guild) => guild.id));
  let lastSync: number | undefined;
  for (;;) {
    const puts = stack.discord.requests.filter(
      (request) => request.method === 'PUT' && /\/guilds\/\d+\/commands$/.test(request.path),
    );
    const synced = new Set(puts.map((request) => /\/guilds\/(\d+)\//.exec(request.path)?.[1]));
    if ([...guildIds].every((id) => synced.has(id))) {
      lastSync = Math.max(...puts.map((request) => request.at));
      break;
    }
    if (!subject.alive) throw new Error(`${subject.name} exited during start-up.\n${subject.recentOutput()}`);
    if (performance.now() > deadline)
      throw new Error(
        `${subject.name}: commands not synced to every guild within ${READY_TIMEOUT_MS} ms.\n${subject.recentOutput()}`,
      );
    await sleep(5);
  }
  const probe = stack.probe();
  const answer = await probe.firstResponse(10_000);
  const readyLine = definition.readyLine
    ? await subject.waitForLine((line) => line.stream === 'stdout' && definition.readyLine!(line.text), 5_000, 'ready line')
    : undefined;
  return {
    commandsSyncedMs: lastSync - subject.spawnedAt,
    firstAnswerMs: answer.at - subject.spawnedAt,
    readyLineMs: readyLine ? readyLine.at - subject.spawnedAt : undefined,
  };
}

// ---- workloads ----

interface Workload {
  key: 'burst' | 'mixed' | 'soak';
  name: string;
  run(stack: BenchStack): Promise<{ shots: Shot[]; timedOut: boolean }>;
}

const TYPED = ['', 'al', 'be', 'ga', 'bench'];

function workloads(settings: Settings): Workload[] {
  const mixedPlans: Plan[] = [];
  for (let index = 0, credits = 0; index < settings.mixedSize; index += 1) {
    if (index % 3 === 2) {
      mixedPlans.push({ kind: 'autocomplete', guild: index, value: TYPED[index % TYPED.length] });
    } else {
      mixedPlans.push({ kind: 'credits', guild: index, value: ACCOUNTS.mixed[credits % ACCOUNTS.mixed.length] });
      credits += 1;
    }
  }
  return [
    {
      key: 'burst',
      name: `${settings.burstSize}-burst`,
      run: async (stack) => ({
        shots: await burst(
          stack,
          Array.from({ length: settings.burstSize }, () => ({ kind: 'credits' as const, guild: 0, value: ACCOUNTS.solo })),
          BURST_WINDOW_MS,
        ),
        timedOut: false,
      }),
    },
    {
      key: 'mixed',
      name: 'mixed burst',
      run: async (stack) => ({ shots: await burst(stack, mixedPlans, BURST_WINDOW_MS), timedOut: false }),
    },
    {
      key: 'soak',
      name: `${settings.soakSize}-user soak`,
      run: (stack) =>
        paced(
          stack,
          settings.soakSize,
          settings.soakInFlight,
          (index) => ({ kind: 'credits', guild: index, value: ACCOUNTS.mixed[index % ACCOUNTS.mixed.length] }),
          SOAK_TIMEOUT_MS,
        ),
    },
  ];
}

/**
 * Warm-up in two parts: every code path (credits, autocomplete) at a gentle pace, then the soak's own
 * shape (as many in flight) for at most `SOAK_PRIMING_MS`, so the JIT, the heap's young generation and
 * the allocator have grown to their working size before any memory is sampled. Without the second
 * part, the first high-rate workload carries a one-off growth of several MB in every subject.
 */
async function warmUp(stack: BenchStack, settings: Settings): Promise<void> {
  await paced(
    stack,
    settings.warmupSize,
    WARMUP_IN_FLIGHT,
    (index) =>
      index % 4 === 3
        ? { kind: 'autocomplete', guild: index, value: '' }
        : { kind: 'credits', guild: index, value: ACCOUNTS.warmup },
    60_000,
  );
  await paced(
    stack,
    settings.soakSize,
    settings.soakInFlight,
    (index) => ({ kind: 'credits', guild: index, value: ACCOUNTS.warmup }),
    SOAK_PRIMING_MS,
  );
  await sleep(TRAILING_MS);
}

async function runWorkload(
  stack: BenchStack,
  subject: Subject,
  workload: Workload,
  before: MemorySample,
  idleSettleMs = 0,
): Promise<WorkloadResult> {
  const invalidBefore = stack.discord.validationErrors.length;
  const marks = mark(stack);
  const cpuBefore = subject.cpuMs();
  const machineBefore = machineBusyMs();
  const wallBefore = performance.now();
  const { shots, timedOut } = await workload.run(stack);
  const cpuAfter = subject.cpuMs();
  const wallMs = performance.now() - wallBefore;
  const ownCpu = process.cpuUsage(marks.loadGeneratorCpu);
  // What the rest of the machine (other processes) took while the workload ran.
  const otherCpuMs = Math.max(0, machineBusyMs() - machineBefore - (cpuAfter - cpuBefore) - (ownCpu.user + ownCpu.system) / 1000);
  const otherShare = otherCpuMs / (wallMs * availableParallelism());
  if (otherShare > 0.1)
    log(
      `warning: other processes used ${(otherShare * 100).toFixed(0)}% of the machine during ${workload.name}; the figures are skewed`,
    );
  await sleep(TRAILING_MS);
  const measured = measure(workload.name, stack, shots, marks, invalidBefore, timedOut);
  const after = await subject.settle(idleSettleMs);
  return {
    ...measured,
    key: workload.key,
    cpuMs: cpuAfter - cpuBefore,
    otherCpuMs,
    wallMs,
    memoryBefore: before,
    memoryAfter: after,
    rssGrowthKb: after.rssKb - before.rssKb,
  };
}

function describe(result: WorkloadResult): string {
  const f = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(0));
  return (
    `${result.name}: ack p99 ${f(result.ack?.p99)} ms, final p50/p95 ${f(result.final?.p50)}/${f(result.final?.p95)} ms, ` +
    `${result.acknowledgedWithin3s}/${result.interactions} acked ≤ 3 s, ${result.throughputPerS.toFixed(0)} answers/s, ` +
    `RSS ${(result.rssGrowthKb / 1024).toFixed(1)} MB, upstream ${result.upstream.total}`
  );
}

function describeDeferred(result: DeferredSoakResult): string {
  const heap = result.checkpoints
    .map((point) => `${point.label} ${(point.memory.heapUsedBytes / 1024 ** 2).toFixed(1)} MB/${point.handlers.webhooks}h`)
    .join(', ');
  return `${result.deferred}/${result.interactions} deferred, final p95 ${result.final?.p95.toFixed(0) ?? '–'} ms; heap/handlers: ${heap}; probe kept ${result.sweepProbe.after.webhooks} of ${result.sweepProbe.before.webhooks}`;
}

async function runSubject(definition: SubjectDefinition, settings: Settings, workDir: string): Promise<SubjectResult> {
  const stack = await BenchStack.start({ latencyMs: settings.latencyMs, guildCount: settings.guildCount });
  let subject: Subject | undefined;
  try {
    subject = spawnSubject(definition, stack, workDir);
    const startup = await waitReady(stack, subject, definition);
    log(
      `${definition.label}: commands synced ${startup.commandsSyncedMs.toFixed(0)} ms, first answer ${startup.firstAnswerMs.toFixed(0)} ms after spawn`,
    );
    await warmUp(stack, settings);
    let memory = await subject.settle();
    const afterWarmup = memory;
    const results: WorkloadResult[] = [];
    for (const workload of workloads(settings)) {
      // The soak's memory growth is the figure with a target: both its samples wait for the memory reducer.
      const idle = workload.key === 'soak' ? IDLE_SETTLE_MS : 0;
      const before = idle > 0 ? await subject.settle(idle) : memory;
      const result = await runWorkload(stack, subject, workload, before, idle);
      memory = result.memoryAfter;
      results.push(result);
      log(`${definition.label}: ${describe(result)}`);
    }
    const exit = await subject.stop(8_000);
    return {
      id: definition.id,
      label: definition.label,
      startup,
      afterWarmup,
      workloads: results,
      warnings: subject.warnings,
      recentOutput: subject.warnings > 0 ? subject.recentOutput(10) : '',
      exit,
    };
  } finally {
    subject?.kill();
    await stack.close();
  }
}

// ---- the deferred soak ----

/**
 * The bot alone, with its cache off (`USEAPI_CACHE_TTL=0s`), so every `/credits` is deferred and
 * answered by a webhook edit through the Responder's own REST client: the path that makes one rate-limit
 * handler per interaction token. `HEALTH_PORT` is a port picked free here (0 would leave it unknown), and
 * `/metrics` says how many handlers each client holds. Memory checkpoints every `CHECKPOINT_EVERY`
 * interactions (counts first, then the heap after two full collections), then an idle period longer than
 * two sweeps and a last checkpoint, then the sweep probe.
 */
async function deferredSoak(settings: Settings, workDir: string): Promise<DeferredSoakResult> {
  const port = await freePort();
  const env = { ...MEASURED_BOT_ENV, USEAPI_CACHE_TTL: '0s', HEALTH_PORT: String(port) };
  const definition = botDefinition('warn', env);
  const stack = await BenchStack.start({ latencyMs: settings.latencyMs, guildCount: settings.guildCount });
  let subject: Subject | undefined;
  try {
    subject = spawnSubject(definition, stack, workDir);
    await waitReady(stack, subject, definition);
    const metrics = new MetricsReader(`http://127.0.0.1:${port}/metrics`);
    await metrics.handlers();
    await paced(
      stack,
      DEFERRED_WARMUP,
      settings.soakInFlight,
      (index) => ({ kind: 'credits', guild: index, value: ACCOUNTS.warmup }),
      60_000,
    );
    await sleep(TRAILING_MS);

    const checkpoints: Checkpoint[] = [];
    const marks = mark(stack);
    const invalidBefore = stack.discord.validationErrors.length;
    /**
     * The counts as the load left them (handlers made since the last sweep), then, once the next sweep
     * has dropped those (or a sweep period and a second have passed), the counts again and the heap:
     * handlers waiting for their sweep are not memory kept per interaction, and would blur the heap.
     */
    const take = async (label: string, answered: number): Promise<void> => {
      const handlers = await metrics.handlers();
      const since = performance.now();
      let swept = handlers;
      while (swept.webhooks > 0 && performance.now() - since < HANDLER_SWEEP_MS + 1_000) {
        await sleep(100);
        swept = await metrics.handlers();
      }
      const sweepWaitMs = performance.now() - since;
      const memory = await subject!.settle();
      checkpoints.push({
        label,
        answered,
        atS: (since - marks.startedAt) / 1000,
        handlers,
        afterSweep: { handlers: swept, waitedMs: sweepWaitMs },
        memory,
      });
    };
    await take(`after warm-up (${DEFERRED_WARMUP})`, 0);

    const shots: Shot[] = [];
    let timedOut = false;
    let loadMs = 0;
    let cpuMs = 0;
    let otherCpuMs = 0;
    const sampler = metrics.sample(HANDLER_SAMPLE_MS);
    for (let done = 0; done < settings.deferredSoakSize && !timedOut;) {
      const size = Math.min(CHECKPOINT_EVERY, settings.deferredSoakSize - done);
      const offset = done;
      const cpuBefore = subject.cpuMs();
      const machineBefore = machineBusyMs();
      const ownBefore = process.cpuUsage();
      const wallBefore = performance.now();
      const chunk = await paced(
        stack,
        size,
        settings.soakInFlight,
        (index) => ({
          kind: 'credits',
          guild: offset + index,
          value: ACCOUNTS.mixed[(offset + index) % ACCOUNTS.mixed.length],
        }),
        SOAK_TIMEOUT_MS,
      );
      const wallMs = performance.now() - wallBefore;
      const cpu = subject.cpuMs() - cpuBefore;
      const own = process.cpuUsage(ownBefore);
      loadMs += wallMs;
      cpuMs += cpu;
      otherCpuMs += Math.max(0, machineBusyMs() - machineBefore - cpu - (own.user + own.system) / 1000);
      shots.push(...chunk.shots);
      timedOut = chunk.timedOut;
      done += chunk.shots.length;
      await take(done.toLocaleString('en-US'), done);
    }
    const { peak, samples } = await sampler.stop();
    const share = otherCpuMs / (Math.max(1, loadMs) * availableParallelism());
    if (share > 0.1) log(`warning: other processes used ${(share * 100).toFixed(0)}% of the machine during the deferred soak`);

    // Idle: the memory reducer and at least two sweeps; the counts are read after it.
    const idleMemory = await subject.settle(SWEEP_IDLE_MS);
    checkpoints.push({
      label: `after ${SWEEP_IDLE_MS / 1000} s idle`,
      answered: shots.length,
      atS: (performance.now() - marks.startedAt) / 1000,
      handlers: await metrics.handlers(),
      memory: idleMemory,
    });

    const measured = measure(
      `${settings.deferredSoakSize}-interaction deferred soak`,
      stack,
      shots,
      marks,
      invalidBefore,
      timedOut,
    );
    const sweepProbe = await probeSweep(stack, metrics, shots.length);
    const exit = await subject.stop(8_000);
    return {
      ...measured,
      env,
      warmup: DEFERRED_WARMUP,
      checkpointEvery: CHECKPOINT_EVERY,
      idleMs: SWEEP_IDLE_MS,
      sweepIntervalMs: HANDLER_SWEEP_MS,
      loadMs,
      cpuMs,
      otherCpuMs,
      checkpoints,
      peak: { handlers: peak, samples, everyMs: HANDLER_SAMPLE_MS },
      sweepProbe,
      warnings: subject.warnings,
      recentOutput: subject.warnings > 0 ? subject.recentOutput(10) : '',
      exit,
    };
  } finally {
    subject?.kill();
    await stack.close();
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * What the handler sweep keeps: `SWEEP_PROBE_SIZE` deferred `/credits` whose edit Discord answers as it
 * answers the last edit a bucket allows (200 with `X-RateLimit-Remaining: 0` and a reset
 * `SWEEP_PROBE_RESET_S` away: the emulator sends that answer instead of its own, so these edits change
 * no message), beside as many ordinary ones. After a little more than one sweep period, the handlers
 * left are counted.
 */
async function probeSweep(stack: BenchStack, metrics: MetricsReader, guildOffset: number): Promise<SweepProbe> {
  const tokens: string[] = [];
  for (let index = 0; index < SWEEP_PROBE_SIZE * 2; index += 1) {
    const handle = stack.credits(guildOffset + index, ACCOUNTS.mixed[index % ACCOUNTS.mixed.length]);
    tokens.push(handle.token);
    if (index % 2 === 0) {
      stack.discord.addRestFault({
        method: 'PATCH',
        path: new RegExp(`^/webhooks/[^/]+/${escapeRegExp(handle.token)}/messages/@original$`),
        status: 200,
        body: { id: '0', type: 0, content: '', channel_id: '0' },
        headers: {
          'X-RateLimit-Limit': '5',
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset-After': String(SWEEP_PROBE_RESET_S),
        },
        times: 1,
      });
    }
  }
  const edited = (token: string) =>
    stack.discord.requests.some((request) => request.method === 'PATCH' && request.path.includes(`/${token}/messages/`));
  const deadline = performance.now() + 15_000;
  while (!tokens.every(edited)) {
    if (performance.now() > deadline) throw new Error('sweep probe: not every probe interaction was edited within 15 s');
    await sleep(20);
  }
  await sleep(100);
  const before = await metrics.handlers();
  const waitedMs = HANDLER_SWEEP_MS + 1_000;
  await sleep(waitedMs);
  const after = await metrics.handlers();
  return { limited: SWEEP_PROBE_SIZE, ordinary: SWEEP_PROBE_SIZE, resetAfterS: SWEEP_PROBE_RESET_S, before, after, waitedMs };
}

/** Spawn → the bot's own 'ready' log line (LOG_LEVEL=info, the production default), fresh emulators each time. */
async function startupTrials(settings: Settings, workDir: string): Promise<number[]> {
  const trials: number[] = [];
  const definition = botDefinition('info');
  for (let trial = 0; trial < STARTUP_TRIALS; trial += 1) {
    const stack = await BenchStack.start({ latencyMs: settings.latencyMs, guildCount: settings.guildCount });
    const subject = spawnSubject(definition, stack, workDir);
    try {
      const line = await subject.waitForLine(
        (l) => l.stream === 'stdout' && definition.readyLine!(l.text),
        READY_TIMEOUT_MS,
        "'ready' log line",
      );
      trials.push(line.at - subject.spawnedAt);
      await subject.stop(8_000);
    } finally {
      subject.kill();
      await stack.close();
    }
  }
  return trials;
}

/** The CPU profile (node --cpu-prof) of the bot through warm-up and the burst; summarised over the burst only. */
async function profileBurst(settings: Settings, workDir: string): Promise<BenchReport['profile']> {
  mkdirSync(PROFILE_DIR, { recursive: true });
  const definition = botDefinition('warn', MEASURED_BOT_ENV);
  const stack = await BenchStack.start({ latencyMs: settings.latencyMs, guildCount: settings.guildCount });
  const subject = spawnSubject(definition, stack, workDir, [
    '--cpu-prof',
    `--cpu-prof-dir=${PROFILE_DIR}`,
    '--cpu-prof-interval=100',
  ]);
  try {
    await waitReady(stack, subject, definition);
    await warmUp(stack, settings);
    const before = await subject.settle();
    const workload = workloads(settings).find((candidate) => candidate.key === 'burst')!;
    const startUs = Number(process.hrtime.bigint() / 1000n);
    const result = await runWorkload(stack, subject, workload, before);
    const endUs = startUs + result.spanMs * 1000;
    const exit = await subject.stop(10_000);
    if (exit.code !== 0)
      throw new Error(`the profiled bot exited with code ${exit.code} (signal ${exit.signal}); no profile was written`);
    const file = readdirSync(PROFILE_DIR)
      .filter((name) => name.endsWith('.cpuprofile') && name.includes(`.${subject.pid}.`))
      .map((name) => join(PROFILE_DIR, name))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    if (!file) throw new Error(`no .cpuprofile for pid ${subject.pid} in ${PROFILE_DIR}`);
    // V8 stamps profiles with the monotonic clock process.hrtime reads; if not, assume the profile began at spawn.
    const { startTime } = JSON.parse(readFileSync(file, 'utf8')) as { startTime: number };
    const offset =
      startTime >= subject.spawnedAtUs && startTime - subject.spawnedAtUs < 10_000_000 ? 0 : startTime - subject.spawnedAtUs;
    const summary: ProfileSummary = summariseProfile(file, { startUs: startUs + offset, endUs: endUs + offset });
    return { summary, burst: result, file: file.slice(ROOT.length) };
  } finally {
    subject.kill();
    await stack.close();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const settings = readSettings(argv);
  const started = performance.now();
  const workDir = mkdtempSync(join(tmpdir(), 'pixverse-bench-'));
  try {
    if (settings.build) {
      log('building the bot (npm run build)');
      await run('npm', ['run', '-s', 'build'], 180_000).catch((error: unknown) => {
        throw new Error(
          `${(error as Error).message}\nThe bot must build before it is measured (or pass --skip-build to measure the dist/ already there).`,
        );
      });
    }
    log(`start-up: ${STARTUP_TRIALS} trials of spawn → 'ready' log line`);
    const trials = await startupTrials(settings, workDir);
    log(`start-up: ${trials.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`);

    const definitions = [
      botDefinition('warn', MEASURED_BOT_ENV),
      ...(settings.compareWith ? [earlierBotDefinition(settings.compareWith)] : []),
      ...settings.baselines.map(baselineDefinition),
    ];
    const subjects: SubjectResult[] = [];
    for (const definition of definitions) {
      log(`${definition.label}: starting`);
      subjects.push(await runSubject(definition, settings, workDir));
    }

    let deferred: DeferredSoakResult | undefined;
    if (settings.deferredSoakSize > 0) {
      log(
        `bot, deferred soak: ${settings.deferredSoakSize} interactions with USEAPI_CACHE_TTL=0s, checkpoints every ${CHECKPOINT_EVERY}`,
      );
      deferred = await deferredSoak(settings, workDir);
      log(`bot, deferred soak: ${describeDeferred(deferred)}`);
    }

    let profile: BenchReport['profile'];
    if (settings.profile) {
      log('profiling the bot through the burst (node --cpu-prof)');
      profile = await profileBurst(settings, workDir);
    }

    const report: BenchReport = {
      generatedAt: new Date().toISOString(),
      command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
      machine: machineInfo(ROOT),
      settings,
      startupTrialsMs: trials,
      startupMedianMs: median(trials),
      subjects,
      deferredSoak: deferred,
      profile,
      durationS: (performance.now() - started) / 1000,
    };
    const { markdown, targets } = writeReports(report, join(ROOT, 'docs'));
    for (const target of targets) log(`${target.pass ? 'PASS' : 'FAIL'}  ${target.name}: ${target.measured} (${target.limit})`);
    log(`wrote docs/benchmarks.md (${markdown.length} characters) and docs/benchmarks.json in ${report.durationS.toFixed(0)} s`);
  } finally {
    killAllSubjects();
    rmSync(workDir, { recursive: true, force: true });
  }
}

process.on('exit', killAllSubjects);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    killAllSubjects();
    process.exit(130);
  });
}
const watchdog = setTimeout(() => {
  process.stderr.write(`[bench] gave up after ${WATCHDOG_MS / 60_000} minutes\n`);
  killAllSubjects();
  process.exit(2);
}, WATCHDOG_MS);
watchdog.unref();

try {
  await main();
  process.exit(0);
} catch (error) {
  process.stderr.write(`[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  killAllSubjects();
  process.exit(1);
}
