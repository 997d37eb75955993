/**
 * `npx tsx bench/history-store.ts [--days=365] [--interval-minutes=15] [--accounts=3] [--fractional]`
 *
 * Figures for the history store on a fresh file in the temporary directory: the time to record one
 * reading (as the monitor does, one at a time, accounts interleaved), the time to read 90 days of every
 * account (what a chart reads), and the size on disk of a year of readings. `--fractional` gives every
 * credit a fractional part, the worst case for size (8 bytes each instead of 1–2). Prints, asserts nothing.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { HistoryStore, type StoredReading } from '../src/history/store.js';
import { distribution, type Distribution } from './stats.js';

const DAY_MS = 86_400_000;
const READ_DAYS = 90;
const READ_WARMUPS = 3;
const READ_TRIALS = 30;
const START = Date.UTC(2025, 0, 1);

interface Settings {
  days: number;
  intervalMinutes: number;
  accounts: number;
  fractional: boolean;
}

function settings(): Settings {
  const { values } = parseArgs({
    options: {
      days: { type: 'string', default: '365' },
      'interval-minutes': { type: 'string', default: '15' },
      accounts: { type: 'string', default: '3' },
      fractional: { type: 'boolean', default: false },
    },
  });
  return {
    days: Number(values.days),
    intervalMinutes: Number(values['interval-minutes']),
    accounts: Number(values.accounts),
    fractional: values.fractional,
  };
}

/** What a plausible account reads like at `at`: daily credits spent through the day, refilled at midnight. */
function reading(email: string, index: number, at: number, fractional: boolean): StoredReading {
  const dayStart = at - (at % DAY_MS);
  const spentToday = Math.floor(((at - dayStart) / DAY_MS) * 60) + index;
  const cents = fractional ? 0.37 : 0;
  return {
    email,
    at: new Date(at),
    daily: Math.max(0, 60 - spentToday) + cents,
    monthly: 4_000 - Math.floor(((at - START) % (30 * DAY_MS)) / 3_600_000) + cents,
    package: 500 + cents,
    dailyAllowance: 60,
    monthlyAllowance: 4_000,
    plan: 'Pro',
    dailyRefillAt: new Date(dayStart + DAY_MS),
    monthlyRefillAt: new Date(START + Math.ceil((at - START + 1) / (30 * DAY_MS)) * 30 * DAY_MS),
    renewsAt: new Date(START + 400 * DAY_MS),
  };
}

function directoryBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

function formatDistribution(d: Distribution | undefined): string {
  if (d === undefined) return 'no samples';
  return `p50 ${d.p50.toFixed(3)} ms, p95 ${d.p95.toFixed(3)} ms, p99 ${d.p99.toFixed(3)} ms, max ${d.max.toFixed(3)} ms (n=${d.n})`;
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function recordAll(url: string, s: Settings): Promise<{ timings: number[]; end: number; wallMs: number }> {
  const store = await HistoryStore.open({ url, retentionDays: 10_000 });
  const emails = Array.from({ length: s.accounts }, (_, index) => `account${index + 1}@example.com`);
  const steps = Math.floor((s.days * 24 * 60) / s.intervalMinutes);
  const timings: number[] = [];
  const began = performance.now();
  let at = START;
  for (let step = 0; step < steps; step += 1) {
    at = START + step * s.intervalMinutes * 60_000;
    for (const [index, email] of emails.entries()) {
      const started = performance.now();
      await store.record(reading(email, index, at, s.fractional));
      timings.push(performance.now() - started);
    }
  }
  const wallMs = performance.now() - began;
  await store.close();
  return { timings, end: at, wallMs };
}

async function readWindow(url: string, end: number): Promise<{ timings: number[]; rows: number }> {
  const store = await HistoryStore.open({ url, retentionDays: 10_000 });
  const since = new Date(end - READ_DAYS * DAY_MS);
  let rows = 0;
  const timings: number[] = [];
  for (let trial = 0; trial < READ_WARMUPS + READ_TRIALS; trial += 1) {
    const started = performance.now();
    rows = (await store.readings({ since })).length;
    if (trial >= READ_WARMUPS) timings.push(performance.now() - started);
  }
  await store.close();
  return { timings, rows };
}

async function main(): Promise<void> {
  const s = settings();
  const dir = mkdtempSync(join(tmpdir(), 'history-bench-'));
  const url = pathToFileURL(join(dir, 'history.db')).href;
  try {
    print(
      `history store: ${s.accounts} accounts, every ${s.intervalMinutes} min, ${s.days} days` +
        `${s.fractional ? ', fractional credits' : ''}`,
    );
    const recorded = await recordAll(url, s);
    print(`record one reading: ${formatDistribution(distribution(recorded.timings))}`);
    print(`  ${recorded.timings.length} readings in ${(recorded.wallMs / 1000).toFixed(1)} s`);
    // After close the WAL is checkpointed into the file and removed: this is the size at rest.
    const bytes = directoryBytes(dir);
    print(
      `size on disk: ${(bytes / 1_048_576).toFixed(2)} MiB (${(bytes / recorded.timings.length).toFixed(1)} bytes a reading)`,
    );
    const read = await readWindow(url, recorded.end);
    print(`read ${READ_DAYS} days of every account (${read.rows} rows): ${formatDistribution(distribution(read.timings))}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
