/**
 * `npx tsx bench/chart.ts [--runs=100] [--rounds=3]`
 *
 * Figures for the `/credits-history` chart at its largest: 90 days of 3 accounts read every 15 minutes
 * (25,920 readings) plus their total, with daily and monthly refills and a bought package. Prints the
 * render time (p50/p95) and CPU per render, the longest stretch the event loop was blocked, the PNG's
 * size, and how RSS moves over rounds of 100 renders after warm-up. A script, not a test: timings on a
 * shared machine are figures to read, never a pass/fail. It re-runs itself with --expose-gc, which the
 * memory figures need.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  downsample,
  IMAGE_HEIGHT,
  IMAGE_WIDTH,
  renderCreditChart,
  type ChartPoint,
  type ChartRefill,
  type CreditChartInput,
} from '../src/presentation/chart.js';
import { distribution, median } from './stats.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const DAYS = 90;
const INTERVAL = 15 * MINUTE;
const ACCOUNTS = 3;
const WARMUP = 20;
/** Settled RSS is sampled this often within a round; a round's growth compares its first and last samples. */
const SAMPLE_EVERY = 10;
/** The command's whole answer must stay under this at p95; the chart is one part of it. */
const ANSWER_BUDGET_MS = 300;
const RSS_BUDGET_MB = 5;

const gc = (globalThis as { gc?: () => void }).gc;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** A deterministic stand-in for real usage: generations in bursts, refills at midnight and on the 1st. */
function workload(): CreditChartInput {
  const to = Date.UTC(2025, 5, 30, 12);
  const from = to - DAYS * DAY;
  const refills: ChartRefill[] = [];
  const series = Array.from({ length: ACCOUNTS }, (_, account) => {
    let seed = 17 + account * 31;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    let credits = 15_000;
    const points: ChartPoint[] = [];
    for (let at = from; at <= to; at += INTERVAL) {
      if (at % DAY === 0) {
        credits += 50;
        if (account === 0) refills.push({ at, label: 'daily refill +50' });
      }
      if (new Date(at).getUTCDate() === 1 && at % DAY === 0) {
        credits += 15_000;
        if (account === 0) refills.push({ at, label: 'monthly refill +15,000' });
      }
      if (account === 2 && at === from + 40 * DAY + 13 * INTERVAL) {
        credits += 10_000;
        refills.push({ at, label: 'package +10,000' });
      }
      if (random() < 0.2) credits = Math.max(0, credits - Math.round(random() * 120));
      points.push({ at, credits });
    }
    return { label: `studio.account.${account}@example.com`, points };
  });
  const total = series[0]!.points.map((point, i) => ({
    at: point.at,
    credits: series.reduce((sum, s) => sum + s.points[i]!.credits, 0),
  }));
  return { from, to, series, total, refills, timeZone: 'UTC' };
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

function mb(bytes: number): string {
  return `${bytes >= 0 ? '+' : ''}${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

/**
 * Memory once garbage is gone. Native objects (canvases, PNG buffers) are released by finalizers that
 * Node runs on a later turn of the event loop, so the collections are spread over a few turns.
 */
async function settled(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i += 1) {
    gc!();
    await nextTurn();
  }
  return process.memoryUsage();
}

interface RenderFigures {
  times: number[];
  /** CPU time of the whole process (PNG encoding included) per render: less swayed by other load than wall time. */
  cpuMs: number;
  blockedMs: number;
  size: number;
}

async function timeRenders(input: CreditChartInput, runs: number): Promise<RenderFigures> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const times: number[] = [];
  let size = 0;
  const cpu = process.cpuUsage();
  loop.enable();
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    size = (await renderCreditChart(input)).length;
    times.push(performance.now() - start);
  }
  loop.disable();
  const used = process.cpuUsage(cpu);
  return { times, cpuMs: (used.user + used.system) / 1000 / runs, blockedMs: loop.max / 1e6, size };
}

function timeDownsample(points: readonly ChartPoint[], from: number, to: number): { times: number[]; kept: number } {
  const times: number[] = [];
  let kept = 0;
  for (let i = 0; i < 50; i += 1) {
    const start = performance.now();
    kept = downsample(points, from, to, IMAGE_WIDTH).length;
    times.push(performance.now() - start);
  }
  return { times, kept };
}

interface MemoryRound {
  rss: number;
  heapUsed: number;
  samples: number[];
}

/**
 * RSS moves by several MB either way between two samples as the allocator keeps or returns pages, so a
 * round's growth compares the medians of its first three and last three settled samples, and several
 * rounds in a row show whether there is a trend.
 */
async function memoryRound(input: CreditChartInput, runs: number): Promise<MemoryRound> {
  const samples: NodeJS.MemoryUsage[] = [await settled()];
  for (let i = 1; i <= runs; i += 1) {
    await renderCreditChart(input);
    if (i % SAMPLE_EVERY === 0) samples.push(await settled());
  }
  const rss = samples.map((s) => s.rss);
  const edge = (values: number[], at: 'start' | 'end'): number => median(at === 'start' ? values.slice(0, 3) : values.slice(-3));
  return {
    rss: edge(rss, 'end') - edge(rss, 'start'),
    heapUsed: samples[samples.length - 1]!.heapUsed - samples[0]!.heapUsed,
    samples: rss,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '100' }, rounds: { type: 'string', default: '3' } },
  });
  const runs = Number(values.runs);
  const rounds = Number(values.rounds);
  const input = workload();
  const readings = input.series.reduce((sum, s) => sum + s.points.length, 0);

  say(`credits chart benchmark · Node ${process.version} · ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'})`);
  say(
    `input: ${DAYS} days × ${ACCOUNTS} accounts every 15 min = ${readings.toLocaleString('en-US')} readings` +
      ` + total ${input.total!.length.toLocaleString('en-US')}, ${input.refills.length} refills`,
  );

  for (let i = 0; i < WARMUP; i += 1) await renderCreditChart(input);

  const sample = input.series[0]!.points;
  const thinning = timeDownsample(sample, input.from, input.to);
  const { times, cpuMs, blockedMs, size } = await timeRenders(input, runs);
  const render = distribution(times)!;
  const thin = distribution(thinning.times)!;

  say(`render, ${runs} in a row: p50 ${ms(render.p50)} · p95 ${ms(render.p95)} · max ${ms(render.max)}`);
  say(`  CPU per render: ${ms(cpuMs)} (wall time also waits for a core; load average ${loadavg()[0]!.toFixed(1)})`);
  say(`  downsampling one account (${sample.length} → ${thinning.kept} points): p50 ${ms(thin.p50)}`);
  say(`  longest event-loop block: ${ms(blockedMs)} (PNG encoding runs off the loop)`);
  say(`PNG: ${IMAGE_WIDTH}×${IMAGE_HEIGHT}, ${(size / 1024).toFixed(1)} KB`);

  const results: MemoryRound[] = [];
  for (let round = 0; round < rounds; round += 1) results.push(await memoryRound(input, runs));
  const all = results.flatMap((r) => r.samples);
  const worst = Math.max(...results.map((r) => r.rss));
  say(
    `RSS over ${runs} renders (warm, settled after gc), ${rounds} rounds in a row: ` +
      `${results.map((r) => mb(r.rss)).join(', ')} · V8 heap used ${results.map((r) => mb(r.heapUsed)).join(', ')}`,
  );
  say(`  RSS range over all ${rounds * runs} renders: ${mb(Math.min(...all)).slice(1)} – ${mb(Math.max(...all)).slice(1)}`);
  say(
    `budget: p95 ${ms(render.p95)} of the answer's ${ANSWER_BUDGET_MS} ms` +
      ` · worst round's RSS growth ${mb(worst)} of ${RSS_BUDGET_MB} MB`,
  );
}

if (gc) await main();
else {
  // tsx's own loader flags are in execArgv; --expose-gc joins them.
  const child = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  process.exitCode = child.status ?? 1;
}
