import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { ProfileSummary } from './profile.js';
import type { Settings } from './run.js';
import type { Distribution } from './stats.js';
import type { MemorySample } from './subject.js';
import type { WorkloadMeasure } from './workloads.js';

export type SubjectId = 'bot' | 'baseline' | 'baseline-reply';

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
  profile: { summary: ProfileSummary; burst: WorkloadResult; file: string } | undefined;
  durationS: number;
}

export interface TargetResult {
  name: string;
  measured: string;
  limit: string;
  pass: boolean;
  /** The same target judged against the fetch-then-reply variant of the baseline, for comparison. */
  vsReply?: { measured: string; pass: boolean };
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
const signedMb = (kb: number): string => `${kb >= 0 ? '+' : '−'}${mb(Math.abs(kb))}`;
const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || b === 0 || Number.isNaN(a) || Number.isNaN(b) ? '–' : `${(a / b).toFixed(2)}×`;
const spread = (d: Distribution | undefined): string => (d ? `${ms(d.p50)} / ${ms(d.p95)} / ${ms(d.p99)} / ${ms(d.max)}` : '–');
const spreadRatio = (a: Distribution | undefined, b: Distribution | undefined): string =>
  a && b ? [ratio(a.p50, b.p50), ratio(a.p95, b.p95), ratio(a.p99, b.p99), ratio(a.max, b.max)].join(' / ') : '–';
const pct = (part: number, whole: number): string =>
  `${whole === 0 ? '–' : ((100 * part) / whole).toFixed(part === whole ? 0 : 1)}%`;

function featuresPerAccount(result: WorkloadResult): string {
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

export function evaluateTargets(report: BenchReport): TargetResult[] {
  const bot = find(report, 'bot');
  const baseline = find(report, 'baseline');
  const replyStyle = find(report, 'baseline-reply');
  const targets: TargetResult[] = [];

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
    targets.push({ name, limit, ...primary, ...(replyStyle ? { vsReply: judge(replyStyle) } : {}) });
  };

  relative(
    `final-answer p95 in the ${report.settings.burstSize}-burst ≤ ⅕ of the baseline's`,
    'ratio ≤ 0.20',
    (subject) => workload(subject, 'burst')?.final?.p95,
    (ours, theirs) => ours <= theirs / 5,
    (ours, theirs) => `${ms(ours)} ms vs ${ms(theirs)} ms = ${(ours / theirs).toFixed(2)}`,
  );

  for (const result of bot?.workloads ?? []) {
    const p99 = result.ack?.p99;
    targets.push({
      name: `acknowledgement p99 < 50 ms (${result.name})`,
      measured: `${ms(p99)} ms`,
      limit: '< 50 ms',
      pass: p99 !== undefined && p99 < 50,
    });
  }

  const acked =
    bot?.workloads.map((result) => `${result.acknowledgedWithin3s}/${result.interactions}`).join(', ') ?? 'not measured';
  targets.push({
    name: '100% acknowledged within 3 s (every workload)',
    measured: acked,
    limit: '100%',
    pass:
      (bot?.workloads.length ?? 0) > 0 && bot!.workloads.every((result) => result.acknowledgedWithin3s === result.interactions),
  });

  for (const key of ['burst', 'mixed'] as const) {
    const result = workload(bot, key);
    const counts = Object.values(result?.upstream.features ?? {});
    targets.push({
      name: `one upstream features request per account (${result?.name ?? key})`,
      measured: result ? featuresPerAccount(result) : 'not measured',
      limit: '≤ 1 per account',
      pass: result !== undefined && counts.every((count) => count <= 1),
    });
  }

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

  targets.push({
    name: 'start-up to ready < 1.5 s',
    measured: `${ms(report.startupMedianMs)} ms (median of ${report.startupTrialsMs.length})`,
    limit: '< 1500 ms',
    pass: report.startupMedianMs < 1_500,
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

/**
 * What the figures and the profile led to; kept here, not in the generated tables, because it is
 * the history of the code rather than a measurement.
 */
const CHANGES_FROM_PROFILING = [
  '**What dominates, and what was changed because of it**',
  '',
  "- An acknowledgement is dominated by I/O, not by the bot: Node's sockets and streams, undici (the bot's useapi.net client and discord.js's REST) " +
    "and @discordjs/rest's request queue take most of the busy time; the bot's own code is a few per cent. During the burst the main thread is idle most of the time.",
  '- A final answer is dominated by waiting for useapi.net (150 ms here). Every slow acknowledgement in the bursts belonged to an interaction that arrived ' +
    'while the one shared `features` request was in flight: the bot held its first response up to 250 ms hoping to answer directly. ' +
    '`FAST_ANSWER_MS` is now 25 ms: an answer ready by then (cache hit, or a coalesced request about to land) is the callback itself; anything slower is ' +
    "deferred at once and edited when the shared request lands, so few edits ever queue behind discord.js's 50-per-second limiter.",
  '- `settlesWithin` created an `AbortController` and an aborted timer promise per interaction (`DOMException`, `createAbortSignal` ≈ 4 % of the busy time); ' +
    'it is now a plain `setTimeout` cleared when the work settles.',
  '- Memory stays flat because nothing is kept per user or per interaction: user and member caches hold only the bot itself, message caches are off, ' +
    "cooldowns sweep themselves, and the useapi.net cache holds at most one entry per account. The baseline's default caches grow by about 0.6 KB per user.",
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
  const hasReply = targets.some((target) => target.vsReply);
  const targetRows = targets.map((target) => [
    target.name,
    target.measured,
    target.limit,
    target.pass ? '**PASS**' : '**FAIL**',
    ...(hasReply ? [target.vsReply ? `${target.vsReply.measured}: ${target.vsReply.pass ? 'PASS' : 'FAIL'}` : ''] : []),
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
      `\`DISCORD_API_URL\`, \`USEAPI_BASE_URL\` (the emulators), \`DISCORD_GUILD_ID\` (${settings.guildCount} guilds) and \`LOG_LEVEL=warn\`.`,
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
      `${settings.soakInFlight} in flight (each answer lets the next one go). Each burst uses accounts no earlier workload touched, so its caches start cold.`,
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
    table(['target', 'bot', 'limit', 'verdict', ...(hasReply ? ['vs baseline (fetch → reply)'] : [])], targetRows),
    '',
    '## Results',
    '',
    ...(bot?.workloads ?? []).flatMap((result) => [`### ${result.name}`, '', workloadTable(report, result.key), '']),
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
