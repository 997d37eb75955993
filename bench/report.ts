import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { ProfileSummary } from './profile.js';
import type { Settings } from './run.js';
import type { HandlerCounts } from './scrape.js';
import type { Distribution } from './stats.js';
import type { MemorySample } from './subject.js';
import type { WorkloadMeasure } from './workloads.js';

/** `bot-before`: another build of the bot (`--compare-with`), measured in the same run for a before/after. */
export type SubjectId = 'bot' | 'bot-before' | 'baseline' | 'baseline-reply';

export interface StartupMeasure {
  /** Spawn → the last bulk PUT of commands (one per guild) reached Discord. */
  commandsSyncedMs: number;
  /** Spawn → the first interaction answered (a probe from a guild the bot does not serve). */
  firstAnswerMs: number;
  /** Spawn → the subject's own ready line, when it prints one at the log level used. */
  readyLineMs: number | undefined;
}

export interface WorkloadResult extends WorkloadMeasure {
  key: 'burst' | 'mixed' | 'soak';
  /** The subject's utime + stime during the workload. */
  cpuMs: number;
  /** CPU time other processes on the machine took during the workload (neither the subject nor the benchmark). */
  otherCpuMs: number;
  /** Wall time of the workload, first dispatch to last answer (as waited for). */
  wallMs: number;
  memoryBefore: MemorySample;
  memoryAfter: MemorySample;
  rssGrowthKb: number;
}

export interface SubjectResult {
  id: SubjectId;
  label: string;
  startup: StartupMeasure;
  afterWarmup: MemorySample;
  workloads: WorkloadResult[];
  warnings: number;
  recentOutput: string;
  exit: { code: number | null; signal: string | null; forced: boolean };
}

/** One memory checkpoint of the deferred soak. */
export interface Checkpoint {
  label: string;
  /** Interactions of the soak answered before it (the warm-up not counted). */
  answered: number;
  /** Seconds since the soak began. */
  atS: number;
  /** From the bot's /metrics as the load left them (after the idle, for the last checkpoint). */
  handlers: HandlerCounts;
  /** Under load: the counts again once the next sweep had run (or a sweep period and a second had passed), before the heap was read. */
  afterSweep?: { handlers: HandlerCounts; waitedMs: number };
  /** After two full collections. */
  memory: MemorySample;
}

/** What the handler sweep kept of handlers whose bucket was exhausted, beside ordinary ones. */
export interface SweepProbe {
  limited: number;
  ordinary: number;
  /** X-RateLimit-Reset-After of the limited ones' edits. */
  resetAfterS: number;
  /** Right after every probe edit was answered. */
  before: HandlerCounts;
  /** `waitedMs` later (more than one sweep period). */
  after: HandlerCounts;
  waitedMs: number;
}

/** The bot alone with its cache off: every answer deferred and edited, memory checkpoints on the way. */
export interface DeferredSoakResult extends WorkloadMeasure {
  /** What this run of the bot got on top of the others' environment. */
  env: Record<string, string>;
  warmup: number;
  checkpointEvery: number;
  idleMs: number;
  sweepIntervalMs: number;
  /** The load's wall time, checkpoints excluded. */
  loadMs: number;
  /** The bot's CPU time during the load. */
  cpuMs: number;
  otherCpuMs: number;
  checkpoints: Checkpoint[];
  /** The largest counts seen while the load ran (sampled every `everyMs`). */
  peak: { handlers: HandlerCounts; samples: number; everyMs: number };
  sweepProbe: SweepProbe;
  warnings: number;
  recentOutput: string;
  exit: { code: number | null; signal: string | null; forced: boolean };
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  totalMemoryGiB: number;
  kernel: string;
  node: string;
  commit: string;
}

export interface BenchReport {
  generatedAt: string;
  command: string;
  machine: MachineInfo;
  settings: Settings;
  startupTrialsMs: number[];
  startupMedianMs: number;
  subjects: SubjectResult[];
  deferredSoak: DeferredSoakResult | undefined;
  profile: { summary: ProfileSummary; burst: WorkloadResult; file: string } | undefined;
  durationS: number;
}

export interface TargetResult {
  name: string;
  measured: string;
  limit: string;
  pass: boolean;
  /**
   * The baselines, for comparison: for a target relative to the baseline, the bot judged against the
   * fetch-then-reply variant too; for an absolute one, each baseline's own figure against the same limit.
   */
  baselines?: string;
}

export function machineInfo(root: string): MachineInfo {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  let commit = 'unknown';
  try {
    const git = (args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', timeout: 5_000 }).trim();
    commit = git(['rev-parse', '--short', 'HEAD']);
    if (git(['status', '--porcelain', '--untracked-files=no']) !== '') commit += ' + uncommitted changes';
  } catch {
    // Not a git checkout: the commit stays unknown.
  }
  return {
    cpus: availableParallelism(),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    totalMemoryGiB: totalmem() / 1024 ** 3,
    kernel: `Linux ${release()}`,
    node: process.version,
    commit,
  };
}

// ---- formatting ----

const ms = (value: number | undefined): string =>
  value === undefined || Number.isNaN(value) ? '–' : value < 10 ? value.toFixed(1) : value.toFixed(0);
const mb = (kb: number): string => (kb / 1024).toFixed(1);
const signedMb = (kb: number): string => (Math.abs(kb) < 51.2 ? '±0.0' : `${kb >= 0 ? '+' : '−'}${mb(Math.abs(kb))}`);
const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || b === 0 || Number.isNaN(a) || Number.isNaN(b) ? '–' : `${(a / b).toFixed(2)}×`;
const spread = (d: Distribution | undefined): string => (d ? `${ms(d.p50)} / ${ms(d.p95)} / ${ms(d.p99)} / ${ms(d.max)}` : '–');
const spreadRatio = (a: Distribution | undefined, b: Distribution | undefined): string =>
  a && b ? [ratio(a.p50, b.p50), ratio(a.p95, b.p95), ratio(a.p99, b.p99), ratio(a.max, b.max)].join(' / ') : '–';
const pct = (part: number, whole: number): string =>
  `${whole === 0 ? '–' : ((100 * part) / whole).toFixed(part === whole ? 0 : 1)}%`;

function featuresPerAccount(result: WorkloadMeasure): string {
  const entries = Object.entries(result.upstream.features).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? 'none' : entries.map(([email, count]) => `${email.split('@')[0]} ${count}`).join(', ');
}

function find(report: BenchReport, id: SubjectId): SubjectResult | undefined {
  return report.subjects.find((subject) => subject.id === id);
}

function workload(subject: SubjectResult | undefined, key: WorkloadResult['key']): WorkloadResult | undefined {
  return subject?.workloads.find((result) => result.key === key);
}

// ---- targets ----

/** Bytes of JS heap the deferred soak may gain after its first load checkpoint. */
export const HEAP_FLAT_LIMIT_BYTES = 1024 * 1024;
/** Webhook handlers the bot may still hold after the deferred soak's idle period. */
export const IDLE_HANDLERS_LIMIT = 5;
/** The burst's final-answer p95 limit. */
export const BURST_FINAL_P95_MS = 200;

const verdict = (pass: boolean): string => (pass ? 'PASS' : 'FAIL');

/** The deferred soak's first checkpoint under load (the flatness is judged from it) and those after it. */
export function heapAfterFirstCheckpoint(
  soak: DeferredSoakResult,
): { first: Checkpoint; later: Checkpoint[]; maxGrowthBytes: number } | undefined {
  const loaded = soak.checkpoints.filter((point) => point.answered > 0);
  const [first, ...later] = loaded;
  if (!first || later.length === 0) return undefined;
  const maxGrowthBytes = Math.max(...later.map((point) => point.memory.heapUsedBytes - first.memory.heapUsedBytes));
  return { first, later, maxGrowthBytes };
}

export function evaluateTargets(report: BenchReport): TargetResult[] {
  const bot = find(report, 'bot');
  const baseline = find(report, 'baseline');
  const replyStyle = find(report, 'baseline-reply');
  const baselines = report.subjects.filter((subject) => subject.id.startsWith('baseline'));
  const burstName = `${report.settings.burstSize}-burst`;
  const targets: TargetResult[] = [];

  /** A target judged against the guide-style baseline (defer → fetch → edit) of the same run. */
  const relative = (
    name: string,
    limit: string,
    value: (subject: SubjectResult | undefined) => number | undefined,
    passes: (ours: number, theirs: number) => boolean,
    show: (ours: number, theirs: number) => string,
  ): void => {
    const ours = value(bot);
    const judge = (other: SubjectResult | undefined) => {
      const theirs = value(other);
      if (ours === undefined || theirs === undefined) return { measured: 'not measured', pass: false };
      return { measured: show(ours, theirs), pass: passes(ours, theirs) };
    };
    const primary = judge(baseline);
    const reply = replyStyle ? judge(replyStyle) : undefined;
    targets.push({
      name,
      limit,
      ...primary,
      ...(reply ? { baselines: `vs ${replyStyle!.label}: ${reply.measured}: ${verdict(reply.pass)}` } : {}),
    });
  };
  /** Each baseline's own figure against an absolute limit. */
  const theirs = (figure: (subject: SubjectResult) => { text: string; pass: boolean } | undefined): string =>
    baselines
      .map((subject) => {
        const result = figure(subject);
        return result ? `${subject.label}: ${result.text}: ${verdict(result.pass)}` : `${subject.label}: not measured`;
      })
      .join('; ');

  relative(
    `acknowledgement p99 in the ${burstName} no slower than the baseline's (same run)`,
    "≤ the baseline's",
    (subject) => workload(subject, 'burst')?.ack?.p99,
    (ours, theirs) => ours <= theirs,
    (ours, theirs) => `${ms(ours)} ms vs ${ms(theirs)} ms`,
  );

  const burstFinal = (subject: SubjectResult | undefined) => workload(subject, 'burst')?.final?.p95;
  const ourFinal = burstFinal(bot);
  targets.push({
    name: `final-answer p95 in the ${burstName} ≤ ${BURST_FINAL_P95_MS} ms`,
    measured: `${ms(ourFinal)} ms`,
    limit: `≤ ${BURST_FINAL_P95_MS} ms`,
    pass: ourFinal !== undefined && ourFinal <= BURST_FINAL_P95_MS,
    baselines: theirs((subject) => {
      const p95 = burstFinal(subject);
      return p95 === undefined ? undefined : { text: `${ms(p95)} ms`, pass: p95 <= BURST_FINAL_P95_MS };
    }),
  });

  for (const key of ['burst', 'mixed'] as const) {
    const result = workload(bot, key);
    const counts = Object.values(result?.upstream.features ?? {});
    const onePerAccount = (r: WorkloadResult) => Object.values(r.upstream.features).every((count) => count <= 1);
    targets.push({
      name: `one upstream features request per account (${result?.name ?? key})`,
      measured: result ? `${featuresPerAccount(result)} (all upstream requests: ${result.upstream.total})` : 'not measured',
      limit: '≤ 1 per account',
      pass: result !== undefined && counts.every((count) => count <= 1),
      baselines: theirs((subject) => {
        const r = workload(subject, key);
        return r ? { text: featuresPerAccount(r), pass: onePerAccount(r) } : undefined;
      }),
    });
  }

  const acked = (subject: SubjectResult) =>
    subject.workloads.map((r) => `${r.acknowledgedWithin3s}/${r.interactions}`).join(', ');
  const allAcked = (subject: SubjectResult) =>
    subject.workloads.length > 0 && subject.workloads.every((r) => r.acknowledgedWithin3s === r.interactions);
  targets.push({
    name: '100% acknowledged within 3 s (burst, mixed burst, soak)',
    measured: bot ? acked(bot) : 'not measured',
    limit: '100%',
    pass: bot !== undefined && allAcked(bot),
    baselines: theirs((subject) => ({ text: acked(subject), pass: allAcked(subject) })),
  });

  const growthOf = (subject: SubjectResult | undefined) => workload(subject, 'soak')?.rssGrowthKb;
  relative(
    `RSS growth over the ${report.settings.soakSize}-user soak ≤ ⅕ of the baseline's and < 5 MB`,
    '≤ ⅕ and < 5 MB',
    growthOf,
    (ours, theirs) => ours <= Math.max(0, theirs) / 5 && ours < 5 * 1024,
    (ours, theirs) => `${signedMb(ours)} MB vs ${signedMb(theirs)} MB`,
  );

  relative(
    "soak throughput ≥ 3× the baseline's",
    'ratio ≥ 3',
    (subject) => workload(subject, 'soak')?.throughputPerS,
    (ours, theirs) => ours >= 3 * theirs,
    (ours, theirs) => `${ours.toFixed(0)}/s vs ${theirs.toFixed(0)}/s = ${(ours / theirs).toFixed(2)}×`,
  );

  const soak = report.deferredSoak;
  if (soak) {
    const complete =
      !soak.timedOut &&
      soak.interactions === report.settings.deferredSoakSize &&
      soak.deferred === soak.interactions &&
      soak.webhookEdits === soak.interactions &&
      soak.unanswered === 0 &&
      soak.acknowledgedWithin3s === soak.interactions;
    targets.push({
      name: `deferred soak: every one of ${report.settings.deferredSoakSize.toLocaleString('en-US')} answers deferred, edited, acknowledged within 3 s`,
      measured: `${soak.deferred} deferred, ${soak.webhookEdits} edits, ${soak.acknowledgedWithin3s}/${soak.interactions} acknowledged ≤ 3 s, ${soak.unanswered} unanswered`,
      limit: 'all',
      pass: complete,
      baselines: 'not run for the baselines',
    });
    const flat = heapAfterFirstCheckpoint(soak);
    const perInteraction = flat
      ? HEAP_FLAT_LIMIT_BYTES / Math.max(1, soak.checkpoints.at(-1)!.answered - flat.first.answered)
      : Number.NaN;
    targets.push({
      name: `deferred soak: JS heap after full GC flat from the first checkpoint (${flat?.first.label ?? '–'}) on`,
      measured: flat
        ? `${mb(flat.first.memory.heapUsedBytes / 1024)} MB, the highest after it ${signedMb(flat.maxGrowthBytes / 1024)} MB; ${mb(soak.checkpoints.at(-1)!.memory.heapUsedBytes / 1024)} MB after the idle`
        : 'not measured',
      limit: `≤ +${mb(HEAP_FLAT_LIMIT_BYTES / 1024)} MB (${perInteraction.toFixed(0)} B per interaction)`,
      pass: flat !== undefined && flat.maxGrowthBytes <= HEAP_FLAT_LIMIT_BYTES,
      baselines: 'not run for the baselines',
    });
    const loadEnd = soak.checkpoints.filter((point) => point.answered > 0).at(-2);
    const idle = soak.checkpoints.at(-1);
    targets.push({
      name: `deferred soak: webhook REST handlers after ${soak.idleMs / 1000} s idle (sweep every ${soak.sweepIntervalMs / 1000} s)`,
      measured: idle ? `${loadEnd?.handlers.webhooks ?? '–'} at the end of the load → ${idle.handlers.webhooks}` : 'not measured',
      limit: `≤ ${IDLE_HANDLERS_LIMIT}`,
      pass: idle !== undefined && idle.handlers.webhooks <= IDLE_HANDLERS_LIMIT,
      baselines: 'not run for the baselines',
    });
  }

  targets.push({
    name: 'start-up to ready < 1.5 s',
    measured: `${ms(report.startupMedianMs)} ms (median of ${report.startupTrialsMs.length})`,
    limit: '< 1500 ms',
    pass: report.startupMedianMs < 1_500,
    baselines: theirs((subject) =>
      subject.startup.readyLineMs === undefined
        ? undefined
        : { text: `${ms(subject.startup.readyLineMs)} ms (one start)`, pass: subject.startup.readyLineMs < 1_500 },
    ),
  });

  return targets;
}

// ---- markdown ----

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function workloadTable(report: BenchReport, key: WorkloadResult['key']): string {
  const bot = find(report, 'bot');
  const others = report.subjects.filter((subject) => subject.id !== 'bot');
  const header = ['', bot?.label ?? 'bot', ...others.flatMap((other) => [other.label, 'bot ÷ it'])];
  const ours = workload(bot, key);
  const rows: string[][] = [];
  const row = (
    label: string,
    cell: (result: WorkloadResult) => string,
    compare?: (a: WorkloadResult, b: WorkloadResult) => string,
  ): void => {
    rows.push([
      label,
      ours ? cell(ours) : '–',
      ...others.flatMap((other) => {
        const theirs = workload(other, key);
        return [theirs ? cell(theirs) : '–', ours && theirs && compare ? compare(ours, theirs) : ''];
      }),
    ]);
  };
  row('interactions (credits + autocomplete)', (r) => `${r.interactions} (${r.credits} + ${r.autocompletes})`);
  row('dispatched over (ms)', (r) => ms(r.dispatchSpanMs));
  row(
    'acknowledgement p50 / p95 / p99 / max (ms)',
    (r) => spread(r.ack),
    (a, b) => spreadRatio(a.ack, b.ack),
  );
  row(
    'final answer p50 / p95 / p99 / max (ms)',
    (r) => spread(r.final),
    (a, b) => spreadRatio(a.final, b.final),
  );
  if (key === 'mixed')
    row(
      'autocomplete answer p50 / p95 / p99 / max (ms)',
      (r) => spread(r.autocompleteAck),
      (a, b) => spreadRatio(a.autocompleteAck, b.autocompleteAck),
    );
  row('acknowledgements over 50 ms (sent between, after the first dispatch)', (r) =>
    r.slowAcks.count === 0
      ? '0'
      : `${r.slowAcks.count} (+${ms(r.slowAcks.dispatchedFromMs)} … +${ms(r.slowAcks.dispatchedToMs)} ms)`,
  );
  row('the slowest acknowledgements: sent at +ms → took ms (callback type)', (r) =>
    r.slowestAcks.length === 0
      ? '–'
      : r.slowestAcks.map((a) => `+${ms(a.dispatchedAtMs)} → ${ms(a.ackMs)} (${a.callbackType ?? '–'})`).join(', '),
  );
  row('first upstream requests reached useapi.net at (ms after the first dispatch)', (r) =>
    r.firstUpstreamAtMs.length === 0 ? 'none' : r.firstUpstreamAtMs.map((at) => `+${ms(at)}`).join(', '),
  );
  row(
    'acknowledged within 3 s',
    (r) => `${r.acknowledgedWithin3s}/${r.interactions} (${pct(r.acknowledgedWithin3s, r.interactions)})`,
  );
  row('no final answer', (r) => String(r.unanswered));
  row('answered in the callback / deferred', (r) => `${r.directAnswers} / ${r.deferred}`);
  row('webhook edits (PATCH @original)', (r) => String(r.webhookEdits));
  row('deferral → edit p50 / p95 / p99 / max (ms)', (r) => spread(r.deferToFinal));
  row('upstream features requests per account', featuresPerAccount);
  row('upstream account-list requests', (r) => String(r.upstream.accounts));
  row(
    'throughput (final answers/s)',
    (r) => r.throughputPerS.toFixed(0),
    (a, b) => ratio(a.throughputPerS, b.throughputPerS),
  );
  row(
    'CPU time, ms (per interaction)',
    (r) => `${r.cpuMs.toFixed(0)} (${(r.cpuMs / Math.max(1, r.interactions)).toFixed(2)})`,
    (a, b) => ratio(a.cpuMs, b.cpuMs),
  );
  row('RSS before → after (MB)', (r) => `${mb(r.memoryBefore.rssKb)} → ${mb(r.memoryAfter.rssKb)}`);
  row(
    'RSS growth (MB)',
    (r) => signedMb(r.rssGrowthKb),
    (a, b) => ratio(a.rssGrowthKb, b.rssGrowthKb),
  );
  row(
    'JS heap used before → after (MB)',
    (r) => `${mb(r.memoryBefore.heapUsedBytes / 1024)} → ${mb(r.memoryAfter.heapUsedBytes / 1024)}`,
  );
  row(
    'JS heap reserved before → after (MB)',
    (r) => `${mb(r.memoryBefore.heapTotalBytes / 1024)} → ${mb(r.memoryAfter.heapTotalBytes / 1024)}`,
  );
  row(
    "other processes' CPU during the workload, ms (share of the machine)",
    (r) => `${r.otherCpuMs.toFixed(0)} (${pct(r.otherCpuMs, Math.max(1, r.wallMs * report.machine.cpus))})`,
  );
  row(
    'benchmark process CPU (emulators + load), ms (share of one core)',
    (r) => `${r.loadGeneratorCpuMs.toFixed(0)} (${pct(r.loadGeneratorCpuMs, Math.max(1, r.spanMs))})`,
  );
  return table(header, rows);
}

function deferredSection(report: BenchReport): string[] {
  const soak = report.deferredSoak;
  if (!soak) return [];
  const flat = heapAfterFirstCheckpoint(soak);
  const firstHeap = flat?.first.memory.heapUsedBytes;
  const rows = soak.checkpoints.map((point) => [
    point.label,
    point.answered.toLocaleString('en-US'),
    point.atS.toFixed(1),
    mb(point.memory.heapUsedBytes / 1024),
    firstHeap === undefined || point.answered === 0 ? '' : signedMb((point.memory.heapUsedBytes - firstHeap) / 1024),
    mb(point.memory.heapTotalBytes / 1024),
    mb(point.memory.rssKb),
    `${point.handlers.bot} / ${point.handlers.webhooks}`,
    point.afterSweep ? `${point.afterSweep.handlers.webhooks} (${(point.afterSweep.waitedMs / 1000).toFixed(1)} s)` : '',
  ]);
  // Every checkpoint after the warm-up counts answers; the last is the idle one, so the one before it ends the load.
  const loadEnd = soak.checkpoints.filter((point) => point.answered > 0).at(-2);
  const idle = soak.checkpoints.at(-1);
  const probe = soak.sweepProbe;
  const perS = (soak.interactions * 1000) / Math.max(1, soak.loadMs);
  const env = Object.entries(soak.env)
    .map(([name, value]) => `\`${name}=${value}\``)
    .join(', ');
  const perInteraction = (from: Checkpoint, to: Checkpoint): string => {
    const bytes = (to.memory.heapUsedBytes - from.memory.heapUsedBytes) / Math.max(1, to.answered - from.answered);
    return `${bytes >= 0 ? '+' : '−'}${Math.abs(bytes).toFixed(0)} B`;
  };
  return [
    `### ${soak.name}`,
    '',
    `The bot alone, in a fresh process against fresh emulators, with ${env} (a port picked free by the benchmark): with the cache off, ` +
      'no answer is ever known at once, so every `/credits` is deferred and answered by `PATCH /webhooks/<app>/<token>/messages/@original` ' +
      "through the Responder's own REST client, the path that makes one rate-limit handler per interaction token. " +
      `${soak.warmup} interactions of warm-up, then ${soak.interactions.toLocaleString('en-US')} \`/credits\` from as many new users across ${report.settings.guildCount} guilds ` +
      `(one of 3 accounts each), ${report.settings.soakInFlight} in flight; every ${soak.checkpointEvery.toLocaleString('en-US')} the load pauses for a checkpoint: ` +
      "the handler counts from the bot's `/metrics` (`pixverse_bot_discord_rest_handlers`) as the load left them, then again once the next sweep has run " +
      '(handlers waiting for their sweep are not kept per interaction, and would blur the heap by a few hundred KB), then the JS heap after two full collections ' +
      `(the SIGUSR2 hook). Then ${soak.idleMs / 1000} s idle (more than two ${soak.sweepIntervalMs / 1000}-second sweeps, and V8's memory reducer) and a last checkpoint.`,
    '',
    table(
      [
        'checkpoint',
        'answered',
        'at (s)',
        'JS heap used after full GC (MB)',
        'Δ from the first checkpoint under load (MB)',
        'JS heap reserved (MB)',
        'RSS (MB)',
        'REST handlers as the load left them: bot / webhooks',
        'webhook handlers after the next sweep (waited)',
      ],
      rows,
    ),
    '',
    `- Heap: ${flat && loadEnd ? `the highest checkpoint after the first under load is ${signedMb(flat.maxGrowthBytes / 1024)} MB from it; from the first to the last under load (${loadEnd.label}), ${perInteraction(flat.first, loadEnd)} per interaction` : 'not measured'}. ` +
      `The webhook handlers as the load left them are those made since the last sweep (up to ${soak.sweepIntervalMs / 1000} s of answers, about 0.6 KB each); the heap is read after the next sweep.`,
    `- Handlers: largest counts seen while the load ran (sampled every ${soak.peak.everyMs} ms, ${soak.peak.samples} samples): bot ${soak.peak.handlers.bot}, webhooks ${soak.peak.handlers.webhooks}` +
      ` — against ${soak.interactions.toLocaleString('en-US')} interactions edited. ${loadEnd ? `At the end of the load: ${loadEnd.handlers.webhooks}` : ''}${idle ? `; after the idle: ${idle.handlers.webhooks}` : ''}.`,
    `- Acknowledgement p50 / p95 / p99 / max: ${spread(soak.ack)} ms; final answer: ${spread(soak.final)} ms; deferral → edit: ${spread(soak.deferToFinal)} ms. ` +
      `Answered in the callback / deferred: ${soak.directAnswers} / ${soak.deferred}; webhook edits: ${soak.webhookEdits}; no final answer: ${soak.unanswered}; ` +
      `request bodies Discord would reject: ${soak.invalidBodies}.`,
    `- ${perS.toFixed(0)} answers/s under load (checkpoints excluded); the bot's CPU ${soak.cpuMs.toFixed(0)} ms (${(soak.cpuMs / Math.max(1, soak.interactions)).toFixed(2)} per interaction); ` +
      `upstream: ${soak.upstream.total} requests (${soak.upstream.accounts} account lists, features ${featuresPerAccount(soak)}), ` +
      `each interaction reading the account list and, beside it, the credits of its account (known from the last list): one round trip of ${report.settings.latencyMs} ms, ` +
      'the bulk of the final answer above; each read shared with the others in flight; ' +
      `other processes' CPU during the load ${soak.otherCpuMs.toFixed(0)} ms (${pct(soak.otherCpuMs, Math.max(1, soak.loadMs * report.machine.cpus))} of the machine).`,
    `- ${soak.warnings} log lines at warn level or above; exit ${soak.exit.code ?? soak.exit.signal}${soak.exit.forced ? ' (killed after the grace period)' : ''}.`,
    '',
    '**What the sweep skips.** Every ' +
      `${soak.sweepIntervalMs / 1000} s the webhook client (\`handlerSweepInterval\`) drops each handler that is \`inactive\`; in @discordjs/rest 2.6 that is: ` +
      'nothing queued on it and not `limited`, where `limited` is *locally* limited (its bucket answered `X-RateLimit-Remaining: 0` and the reset has not come) or ' +
      "*globally* limited (the client's global budget spent before its reset). With `globalRequestsPerSecond: Infinity` the client never spends its own global " +
      'budget; only a 429 carrying `X-RateLimit-Global` from Discord would make every handler of the client limited until its `Retry-After` passed, and a sweep ' +
      'in that window would keep them all until the next one (not provoked here). A limited handler is kept because it still holds the state that makes the next ' +
      "request on that token wait; once its reset passes, the next sweep drops it. The emulator sends no rate-limit headers of its own, so none of the soak's " +
      `handlers was ever limited, and after the idle ${idle?.handlers.webhooks ?? '–'} were left.`,
    '',
    `Measured: ${probe.limited + probe.ordinary} more deferred \`/credits\` after the idle; ${probe.limited} of their edits were answered as Discord answers the last edit a bucket allows ` +
      `(200, \`X-RateLimit-Limit: 5\`, \`X-RateLimit-Remaining: 0\`, \`X-RateLimit-Reset-After: ${probe.resetAfterS}\`; the emulator sends this answer in place of its own, so those edits change no message), ` +
      `the other ${probe.ordinary} as usual. Right after the edits the webhook client held ${probe.before.webhooks} handlers; ` +
      `${(probe.waitedMs / 1000).toFixed(0)} s later (at least one sweep), ${probe.after.webhooks}: ` +
      (probe.after.webhooks === probe.limited
        ? `the ${probe.limited} limited ones were kept, the ${probe.ordinary} others swept.`
        : `expected ${probe.limited} (the limited ones); see the counts above.`),
    '',
  ];
}

/**
 * What the figures and the profile led to; kept here, not in the generated tables, because it is
 * the history of the code rather than a measurement.
 */
const CHANGES_FROM_PROFILING = [
  '**What dominates, and what was changed because of it**',
  '',
  "- An acknowledgement is dominated by I/O, not by the bot: Node's sockets and streams, undici (the bot's useapi.net client and discord.js's REST) " +
    "and @discordjs/rest's request queue take most of the busy time; the bot's own code is a few per cent. During the burst the main thread is idle most of the time.",
  '- A final answer is dominated by waiting for useapi.net (150 ms here). The bot used to hold its first response (250 ms, then 25 ms) hoping to answer ' +
    'directly, and every slow acknowledgement in the bursts belonged to an interaction waiting in that window. There is no window any more: an answer whose every ' +
    'part is in the cache is the callback itself; anything else is deferred at once, and its edit goes through a REST client of its own ' +
    "(`globalRequestsPerSecond: Infinity`, interaction webhooks not being bound to Discord's global limit), so edits never queue behind discord.js's " +
    "50-per-second limiter. The guide-style baseline's 300 edits go through that limiter: about 6 s for the last.",
  "- What now decides the bot's acknowledgement p99 in the 300-burst is the moment the shared `features` request lands (about 155 ms after the first " +
    'dispatch): the 45-odd deferred answers are built and their edits sent in one go, and the two or three interactions that arrive during those ' +
    'milliseconds wait for the event loop. In three extra trials on this machine (bot alone, same burst), the interactions sent at +154 to +163 ms ' +
    'took 15–45 ms to acknowledge while the edits went out between +158 and +170–208 ms; every other one took under 12 ms. With 300 interactions ' +
    'the p99 (nearest rank) is the fourth slowest: when the fan-out catches four, they decide it against a baseline whose acknowledgements are all a few ms (the row "the slowest acknowledgements" ' +
    'shows when they were sent in this run). Open: spreading the edits over a few turns of the event loop would let those callbacks through first.',
  '- The deferral decision reads the cache synchronously, so the bot sets no timer per interaction (the earlier window cost an `AbortController` and a timer ' +
    "promise per interaction, ≈ 4 % of the busy time, then a `setTimeout`). The `createAbortSignal` still in the profile is @discordjs/rest's own: " +
    'one `AbortController` per request (its timeout), callbacks and edits alike.',
  '- Memory stays flat because nothing is kept per user or per interaction: user and member caches hold only the bot itself, message caches are off, ' +
    'cooldowns sweep themselves, the useapi.net cache holds at most one entry per account, and the webhook client sweeps its per-token rate-limit handlers ' +
    "every 5 s instead of hourly (the deferred soak). The baseline's default caches grow by about 0.6 KB per user.",
];

function profileSection(report: BenchReport): string {
  if (!report.profile) {
    return 'Not profiled in this run: `npm run bench -- --profile` adds this section (the bot under `node --cpu-prof` through the burst).';
  }
  const { summary, burst } = report.profile;
  const entries = (list: ProfileSummary['byFunction']) =>
    list.map((entry, index) => [
      String(index + 1),
      `\`${entry.name.replace(/\|/g, '\\|')}\``,
      entry.selfMs.toFixed(1),
      `${(entry.share * 100).toFixed(1)}%`,
    ]);
  return [
    `The bot ran under \`node --cpu-prof --cpu-prof-interval=100\` (profile: \`${report.profile.file}\`, not committed). ` +
      `Only the samples taken during the ${report.settings.burstSize}-burst count: ${ms(summary.windowMs)} ms of wall time, ` +
      `${ms(summary.busyMs)} ms on the CPU (main thread) and ${ms(summary.idleMs)} ms idle, ${summary.samples} samples. ` +
      `In this profiled run the burst's acknowledgement p99 was ${ms(burst.ack?.p99)} ms and final-answer p95 ${ms(burst.final?.p95)} ms ` +
      `(the profiler slows the bot down; the figures above are from the unprofiled run).`,
    '',
    '**Self time by package** (share of the busy time)',
    '',
    table(['#', 'package', 'self ms', 'share'], entries(summary.byPackage)),
    '',
    '**Self time by function**',
    '',
    table(['#', 'function (file:line)', 'self ms', 'share'], entries(summary.byFunction)),
    '',
    ...CHANGES_FROM_PROFILING,
  ].join('\n');
}

export function renderMarkdown(report: BenchReport, targets: TargetResult[]): string {
  const { settings, machine } = report;
  const bot = find(report, 'bot');
  const hasBaselines = targets.some((target) => target.baselines);
  const targetRows = targets.map((target) => [
    target.name,
    target.measured,
    target.limit,
    target.pass ? '**PASS**' : '**FAIL**',
    ...(hasBaselines ? [target.baselines ?? ''] : []),
  ]);
  const startupRows = report.subjects.map((subject) => [
    subject.label,
    ms(subject.startup.commandsSyncedMs),
    ms(subject.startup.firstAnswerMs),
    subject.id === 'bot'
      ? `${ms(report.startupMedianMs)} (median; ${report.startupTrialsMs.map(ms).join(', ')})`
      : ms(subject.startup.readyLineMs),
  ]);
  const saturated = report.subjects.flatMap((subject) =>
    subject.workloads
      .filter((w) => w.loadGeneratorCpuMs > 0.8 * w.spanMs)
      .map(
        (w) =>
          `- ${subject.label}, ${w.name}: the benchmark process (emulators + load) used ${pct(w.loadGeneratorCpuMs, w.spanMs)} of a core, so it, not the subject, may have set the pace; the subject's throughput is a lower bound.`,
      ),
  );
  const shared = report.subjects.flatMap((subject) =>
    subject.workloads
      .filter((w) => w.otherCpuMs > 0.1 * w.wallMs * machine.cpus)
      .map(
        (w) =>
          `- ${subject.label}, ${w.name}: other processes took ${pct(w.otherCpuMs, w.wallMs * machine.cpus)} of the machine meanwhile; treat these figures with care.`,
      ),
  );
  const notes = report.subjects
    .filter(
      (subject) =>
        subject.warnings > 0 || subject.exit.forced || subject.workloads.some((w) => w.invalidBodies > 0 || w.timedOut),
    )
    .map((subject) => {
      const invalid = subject.workloads.reduce((sum, w) => sum + w.invalidBodies, 0);
      const timedOut = subject.workloads.filter((w) => w.timedOut).map((w) => w.name);
      return `- ${subject.label}: ${subject.warnings} log lines at warn level or above; ${invalid} request bodies Discord would reject; exit ${subject.exit.code ?? subject.exit.signal}${subject.exit.forced ? ' (killed after the grace period)' : ''}${timedOut.length > 0 ? `; timed out: ${timedOut.join(', ')}` : ''}.`;
    });

  return `${[
    '# Benchmarks',
    '',
    `Produced by \`${report.command}\` on ${report.generatedAt.slice(0, 16).replace('T', ' ')} UTC, commit ${machine.commit}, in ${report.durationS.toFixed(0)} s. ` +
      'This file and `docs/benchmarks.json` are written by the benchmark (bench/run.ts); edits here are overwritten.',
    '',
    `Machine: ${machine.cpus} CPUs (\`nproc\`), ${machine.cpuModel}, ${machine.totalMemoryGiB.toFixed(1)} GiB memory, ${machine.kernel}, Node ${machine.node}. ` +
      "Other processes' CPU during each workload is in the tables: when it is high, the machine was shared and the figures are skewed.",
    '',
    '## How it runs',
    '',
    '- Offline: the in-repo emulators of Discord (REST + gateway, every request timestamped) and useapi.net (answers after a fixed ' +
      `${settings.latencyMs} ms), all on 127.0.0.1, fresh for each subject.`,
    '- **bot**: `npm run build`, then `node dist/main.js` as its own process with `DISCORD_TOKEN`, `USEAPI_TOKEN`, ' +
      `\`DISCORD_API_URL\`, \`USEAPI_BASE_URL\` (the emulators), \`DISCORD_GUILD_ID\` (${settings.guildCount} guilds), \`LOG_LEVEL=warn\` and ${Object.entries(
        settings.botEnv,
      )
        .map(([name, value]) => `\`${name}=${value}\``)
        .join(', ')}, ` +
      'nothing else from the shell. `CHECK_INTERVAL=off` because the background check reads every account at start-up and fills the cache with it: ' +
      'with it on, no burst would meet a cold account (the start-up trials keep the defaults). ' +
      "The emulated application is public (Discord's default), which the bot accepts only because `DISCORD_GUILD_ID` is set. " +
      'Every subject gets `HOME` and `DATA_DIR` (where the bot keeps its signing key and its other state) in a fresh temporary directory, removed at the end, so nothing is written into the checkout.',
    ...(report.subjects.some((subject) => subject.id === 'bot-before')
      ? [
          `- **${find(report, 'bot-before')!.label}**: the same, from another checkout's build (\`--compare-with\`), measured in the same run ` +
            'under the same load: the column beside **bot** is a before/after of what changed between them.',
        ]
      : []),
    '- **baseline**: `bench/baseline.ts` (run with `node --import tsx`), /credits written the way the discord.js guide teaches for work that may be slow: ' +
      'default caches, one useapi.net call per interaction (autocomplete included), `deferReply`, then `fetch`, then `editReply`. The targets are judged against it; ' +
      'it reproduces the figures the issue measured for a guide-style bot.' +
      (settings.baselines.includes('reply')
        ? ' **baseline (fetch → reply)** is the same bot awaiting the call before its first (and only) response; the last column of the targets compares with it.'
        : ''),
    `- Workloads, one after the other, after a warm-up (${settings.warmupSize} \`/credits\` and autocompletes, then as many \`/credits\` as the soak from other new users, or 10 s at most, ` +
      `shaped like the soak, so the JIT, the heap and the allocator reach their working size first): ` +
      `(1) **${settings.burstSize}-burst**: ${settings.burstSize} \`/credits email:<one account>\` from ${settings.burstSize} distinct users, spread over 1 s; ` +
      `(2) **mixed burst**: ${settings.mixedSize} interactions over 1 s, two thirds \`/credits email:<one of 3 accounts>\`, one third autocompletes of \`email\`; ` +
      `(3) **soak**: ${settings.soakSize} \`/credits\` from ${settings.soakSize} distinct users across ${settings.guildCount} guilds, ` +
      `${settings.soakInFlight} in flight (each answer lets the next one go). Each burst uses accounts no earlier workload touched, so its caches start cold.` +
      (report.deferredSoak
        ? ` Then (4) the **deferred soak**, the bot alone with its cache off and memory checkpoints: see its section.`
        : ''),
    '- Acknowledgement = dispatch → the interaction callback reaching Discord; final answer = dispatch → the request that carries the answer ' +
      "(the type-4 callback, or the `PATCH …/messages/@original` after a deferral). Upstream requests come from the useapi.net emulator's log.",
    "- RSS = `VmRSS` of the subject's process, read after a forced settle (two full GCs through a SIGUSR2 hook preloaded with `--expose-gc`, then 300 ms). " +
      "Before and after the soak the process is collected, then left idle 10 s, so V8's memory reducer has handed unused heap back and both samples are taken in the same state; " +
      "the bursts' samples are taken 1 s after their last answer (RSS there moves by a few MB either way with collection timing). " +
      "CPU = `utime + stime` from `/proc/<pid>/stat` during the workload. Start-up = spawn → the bot's `ready` log line (`LOG_LEVEL=info`), median of " +
      `${report.startupTrialsMs.length} fresh starts; each writes its commands to ${settings.guildCount} guilds.`,
    "- The soak is a closed loop: with a fixed number in flight, mean latency ≈ in flight ÷ throughput (Little's law), so its latencies " +
      'measure queueing inside the subject as much as response time.',
    '- Both subjects and the benchmark share the machine, so the ratios (bot ÷ baseline) say more than the absolute figures.',
    '',
    '## Targets',
    '',
    table(['target', 'bot', 'limit', 'verdict', ...(hasBaselines ? ['the baselines, for comparison'] : [])], targetRows),
    '',
    '## Results',
    '',
    ...(bot?.workloads ?? []).flatMap((result) => [`### ${result.name}`, '', workloadTable(report, result.key), '']),
    ...deferredSection(report),
    '### Start-up',
    '',
    table(['subject', 'spawn → commands written (ms)', 'spawn → first answer (ms)', 'spawn → ready line (ms)'], startupRows),
    '',
    "The first two columns come from the run with `LOG_LEVEL=warn` (the Discord emulator's log: the last bulk PUT of commands, and the answer to a probe " +
      'interaction from a guild outside `DISCORD_GUILD_ID`, which the bot refuses and the baseline answers after a useapi.net call).',
    '',
    ...(notes.length + saturated.length + shared.length > 0 ? ['### Notes', '', ...notes, ...saturated, ...shared, ''] : []),
    '## Where the time goes',
    '',
    profileSection(report),
  ].join('\n')}\n`;
}

export function writeReports(report: BenchReport, docsDir: string): { markdown: string; targets: TargetResult[] } {
  const targets = evaluateTargets(report);
  const markdown = renderMarkdown(report, targets);
  writeFileSync(join(docsDir, 'benchmarks.md'), markdown);
  writeFileSync(join(docsDir, 'benchmarks.json'), `${JSON.stringify({ ...report, targets }, null, 2)}\n`);
  return { markdown, targets };
}
