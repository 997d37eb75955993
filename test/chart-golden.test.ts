/**
 * Golden images of the credit chart: a handful of charts drawn from fixed inputs and compared, pixel by
 * pixel, with the reference PNGs in test/fixtures/chart/. The pixel tests in chart.test.ts hold what
 * the chart means (a colour per account, refills on the axis); these hold how it looks: colours, fonts,
 * padding, the legend, where refill labels go, dash patterns. Each scenario is chosen to reach drawing
 * branches the others do not.
 *
 * A change to the chart's looks fails here on purpose. When it is intended:
 *
 *     UPDATE_CHART_REFERENCES=1 npx vitest run test/chart-golden.test.ts
 *
 * rewrites the references; look at every changed PNG before committing it (a pull request on GitHub shows
 * the old and the new side by side). On a failure the actual picture and a diff (differing pixels in red
 * over a dimmed reference) are written to the temp directory named in the message.
 *
 * The chart module is imported afresh before each test, not at the top of the file: its constants (the
 * colours, the legend styles, the note) are evaluated when the module loads, and the mutation run only
 * counts a test as reaching them if the module loads during that test.
 */
import { createCanvas } from '@napi-rs/canvas';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as ChartModule from '../src/presentation/chart.js';
import type { ChartPoint, ChartRefill, CreditChartInput } from '../src/presentation/chart.js';
import type { Refill } from '../src/history/usage.js';
import { refillLabel } from '../src/presentation/history.js';
import { decode, type Pixels } from './png-pixels.js';

let chart: typeof ChartModule;
beforeEach(async () => {
  vi.resetModules();
  chart = await import('../src/presentation/chart.js');
});

const REFERENCES = join(import.meta.dirname, 'fixtures', 'chart');
const FAILURES = join(tmpdir(), 'chart-golden');
const UPDATE = process.env.UPDATE_CHART_REFERENCES === '1';

/**
 * A pixel counts as different past this many levels (of 255) in any channel. Small, because the same input
 * gives the same bytes (on Node 20, 22 and 24 alike) and some mistakes are faint: Chart.js's default grid
 * colour, black at 10 %, is 3 or 4 levels on the dark card.
 */
const CHANNEL_TOLERANCE = 2;
/** More differing pixels than this fail the comparison. The same input gives the same bytes, so 0 is usual. */
const ALLOWED_PIXELS = 30;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function differs(a: Uint8ClampedArray, b: Uint8ClampedArray, i: number): boolean {
  for (let c = 0; c < 4; c += 1) if (Math.abs(a[i + c]! - b[i + c]!) > CHANNEL_TOLERANCE) return true;
  return false;
}

/** Differing pixels in red over the reference, dimmed. */
function diffImage(expected: Pixels, actual: Pixels): Buffer {
  const canvas = createCanvas(expected.width, expected.height);
  const ctx = canvas.getContext('2d');
  const out = ctx.createImageData(expected.width, expected.height);
  for (let i = 0; i < out.data.length; i += 4) {
    if (differs(expected.data, actual.data, i)) out.data.set([255, 0, 64, 255], i);
    else out.data.set([expected.data[i]! / 3, expected.data[i + 1]! / 3, expected.data[i + 2]! / 3, 255], i);
  }
  ctx.putImageData(out, 0, 0);
  return canvas.toBuffer('image/png');
}

async function expectReference(name: string, input: CreditChartInput): Promise<void> {
  const { png } = await chart.drawCreditChart(input);
  const reference = join(REFERENCES, `${name}.png`);
  if (UPDATE) {
    mkdirSync(REFERENCES, { recursive: true });
    writeFileSync(reference, png);
    return;
  }
  if (!existsSync(reference)) {
    throw new Error(
      `no reference picture ${reference}: UPDATE_CHART_REFERENCES=1 npx vitest run test/chart-golden.test.ts writes it`,
    );
  }
  const referenceBytes = readFileSync(reference);
  // The usual case, and the fast one: the same bytes.
  if (png.equals(referenceBytes)) return;
  const expected = await decode(referenceBytes);
  const actual = await decode(png);
  let different = 0;
  if (expected.width !== actual.width || expected.height !== actual.height) different = Number.POSITIVE_INFINITY;
  else for (let i = 0; i < expected.data.length; i += 4) if (differs(expected.data, actual.data, i)) different += 1;
  if (different <= ALLOWED_PIXELS) return;

  mkdirSync(FAILURES, { recursive: true });
  const actualPath = join(FAILURES, `${name}.actual.png`);
  writeFileSync(actualPath, png);
  let diffPath = '(none: the sizes differ)';
  if (Number.isFinite(different)) {
    diffPath = join(FAILURES, `${name}.diff.png`);
    writeFileSync(diffPath, diffImage(expected, actual));
  }
  expect.fail(
    `${name}: ${Number.isFinite(different) ? `${different} pixels differ` : `${actual.width}×${actual.height} against ${expected.width}×${expected.height}`} ` +
      `(at most ${ALLOWED_PIXELS} may) from ${reference}.\n  actual: ${actualPath}\n  diff:   ${diffPath}\n` +
      `If the change is intended: UPDATE_CHART_REFERENCES=1 npx vitest run test/chart-golden.test.ts, then look at the new pictures.`,
  );
}

// ---------------------------------------------------------------------------------------------------
// Inputs: readings as the bot stores them, from a fixed rule of use (no randomness, no clock)
// ---------------------------------------------------------------------------------------------------

interface Account {
  /** Credits at `first`. */
  start: number;
  /** Credits used per hour at a given hour of the day (UTC). */
  perHour: (hourOfDay: number) => number;
  /** Credits added at these instants, to this bucket. */
  refills?: Pick<Refill, 'at' | 'amount' | 'bucket'>[];
}

/** A reading every `every` ms from `first` to `last`, spending by the hour and refilled as told. */
function readings(account: Account, first: number, last: number, every: number): ChartPoint[] {
  const points: ChartPoint[] = [];
  let credits = account.start;
  let previous = first;
  for (let at = first; at <= last; at += every) {
    credits -= (account.perHour(new Date(at).getUTCHours()) * (at - previous)) / HOUR;
    for (const refill of account.refills ?? []) if (refill.at > previous && refill.at <= at) credits += refill.amount;
    credits = Math.max(0, credits);
    points.push({ at, credits: Math.round(credits) });
    previous = at;
  }
  return points;
}

/** Busier in the (UTC) working day. */
const officeHours = (base: number) => (hour: number) => (hour >= 8 && hour < 18 ? base * 2.5 : base * 0.6);

/** The markers the bot draws for these accounts' refills, labelled as /credits-history labels them. */
function markersOf(accounts: readonly Account[]): ChartRefill[] {
  return accounts.flatMap((account) => (account.refills ?? []).map((refill) => ({ at: refill.at, label: refillLabel(refill) })));
}

function sumOf(series: readonly ChartPoint[][]): ChartPoint[] {
  return series[0]!.map((p, i) => ({ at: p.at, credits: series.reduce((sum, s) => sum + s[i]!.credits, 0) }));
}

// ---------------------------------------------------------------------------------------------------

describe('the credit chart looks as it did', () => {
  it('one account over a week: area fill, labels on two rows, one flipped left, one repeated, one with no room', async () => {
    // Berlin, over the switch to summer time and from March into April.
    const from = Date.UTC(2025, 2, 26, 9);
    const to = from + 7 * DAY;
    const packageAt = Date.UTC(2025, 2, 27, 13);
    const secondPackageAt = packageAt + 2 * HOUR; // close after: its label takes the second row
    const repeatAt = Date.UTC(2025, 2, 30, 10); // the first label again: not written twice
    // Its label would start 2 px after the first one's ends: closer than the 4 px a label keeps free, and
    // the second row is taken, so it has none (its line and marker stay).
    const crowdedAt = Date.UTC(2025, 2, 28, 20);
    const monthlyAt = to - 3 * HOUR; // near the right edge: its label ends at its line
    const account: Account = {
      start: 9_000,
      perHour: officeHours(70),
      refills: [
        { at: packageAt, amount: 5_000, bucket: 'package' },
        { at: secondPackageAt, amount: 2_000, bucket: 'package' },
        { at: crowdedAt, amount: 1_000, bucket: 'package' },
        { at: repeatAt, amount: 5_000, bucket: 'package' },
        { at: monthlyAt, amount: 15_000, bucket: 'monthly' },
      ],
    };
    await expectReference('one-account-week', {
      from,
      to,
      series: [{ label: 'studio@example.com', points: readings(account, from - 2 * HOUR, to, 30 * MINUTE) }],
      refills: markersOf([account]),
      timeZone: 'Europe/Berlin',
    });
  });

  it('five accounts and a total over two days: compact legend, Total first, a long email cut, an account without readings, a label turned left', async () => {
    // New York, exactly two days (hours on the axis), over the end of summer time and from October into November.
    const from = Date.UTC(2025, 9, 31, 20);
    const to = from + 2 * DAY;
    const first = from - HOUR;
    // Its label, written rightwards, would end 3 px past the plot: it ends at its line instead.
    const packageAt = Date.UTC(2025, 10, 2, 11, 20);
    const studio: Account = {
      start: 12_000,
      perHour: officeHours(90),
      refills: [
        { at: packageAt, amount: 2_500, bucket: 'package' },
        { at: to, amount: 15_000, bucket: 'monthly' },
      ],
    };
    const nightShift: Account = { start: 8_000, perHour: (hour) => (hour < 8 || hour >= 20 ? 150 : 20) };
    const renderFarm: Account = { start: 4_500, perHour: () => 30 };
    const qa: Account = { start: 200, perHour: () => 10, refills: [{ at: from, amount: 1_000, bucket: 'package' }] };
    const grid = [studio, nightShift, renderFarm, qa].map((account) => readings(account, first, to, 15 * MINUTE));
    const sandboxLast = 2_000;
    const total = sumOf(grid).map((p) => ({ at: p.at, credits: p.credits + sandboxLast }));
    const [studioPoints, nightPoints, farmPoints, qaPoints] = grid;
    await expectReference('five-accounts-two-days', {
      from,
      to,
      series: [
        { label: 'studio@example.com', points: studioPoints! },
        // Handed over newest first: drawn the same.
        { label: 'night-shift@example.com', points: [...nightPoints!].reverse() },
        {
          label: 'team.pixverse.render-farm.account.07@a-rather-long-company-domain.example',
          // A reading that is not a number is skipped, a negative one drawn at zero.
          points: farmPoints!.map((p, i) =>
            i % 9 === 4 ? { at: p.at, credits: Number.NaN } : i === 100 ? { at: p.at, credits: -50 } : p,
          ),
        },
        // Last seen before the period: in the legend, no line.
        { label: 'sandbox@example.com', points: [{ at: from - 5 * HOUR, credits: sandboxLast }] },
        { label: 'qa@example.com', points: qaPoints! },
      ],
      total,
      // Out of order, one before the period (not shown), one on each edge, one whose label just does not fit.
      refills: [
        { at: to, label: 'monthly refill +15,000' },
        { at: from - DAY, label: 'daily refill +60' },
        { at: from, label: 'package +1,000' },
        { at: packageAt, label: 'package +2,500' },
      ],
      timeZone: 'America/New_York',
    });
  });

  it('a day without readings: the note, no y ticks, no line across the gap', async () => {
    const from = Date.UTC(2025, 5, 10, 12);
    const to = from + DAY;
    const account: Account = { start: 6_000, perHour: () => 40 };
    // Readings before and after the day, none in it (the bot was down).
    const points = readings(account, from - 30 * HOUR, to + 10 * HOUR, 30 * MINUTE).filter(
      (p) => p.at < from - 2 * HOUR || p.at > to + 3 * HOUR,
    );
    await expectReference('no-readings-day', {
      from,
      to,
      series: [{ label: 'studio@example.com', points }],
      refills: [],
      timeZone: 'America/New_York',
    });
  });

  it('a single reading: a dot', async () => {
    // Kolkata (UTC+5:30), twelve hours over midnight.
    const from = Date.UTC(2025, 7, 14, 17, 30);
    const to = from + 12 * HOUR;
    await expectReference('single-reading', {
      from,
      to,
      series: [{ label: 'solo@example.com', points: [{ at: from + 5 * HOUR + 10 * MINUTE, credits: 7_340 }] }],
      refills: [],
      timeZone: 'Asia/Kolkata',
    });
  });

  it('thirty days of daily refills for three accounts: merged, dense, unlabelled; the monthly ones keep line and label', async () => {
    // Tokyo, from December 2024 into January 2025.
    const to = Date.UTC(2025, 0, 9, 3);
    const from = to - 30 * DAY;
    const midnights: number[] = [];
    for (let at = Date.UTC(2024, 11, 9, 15); at <= to; at += DAY) if (at >= from - DAY) midnights.push(at);
    const christmas = Date.UTC(2024, 11, 24, 15);
    const newYear = Date.UTC(2024, 11, 31, 15);
    // The three accounts' daily refills come within a minute of one another: one marker, "×3".
    const daily = (offset: number) => midnights.map((at) => ({ at: at + offset, amount: 60, bucket: 'daily' as const }));
    const accounts: Account[] = [
      { start: 9_000, perHour: () => 15, refills: [...daily(0), { at: christmas, amount: 15_000, bucket: 'monthly' }] },
      {
        start: 14_000,
        perHour: () => 25,
        refills: [...daily(20_000), { at: christmas + 20_000, amount: 15_000, bucket: 'monthly' }],
      },
      {
        start: 5_000,
        perHour: () => 10,
        refills: [
          ...daily(40_000),
          { at: christmas + 40_000, amount: 10_000, bucket: 'package' },
          { at: newYear + 40_000, amount: 15_000, bucket: 'monthly' },
        ],
      },
    ];
    const grid = accounts.map((account) => readings(account, from - DAY, to, 2 * HOUR));
    await expectReference('thirty-days-daily-refills', {
      from,
      to,
      series: ['render@example.com', 'studio@example.com', 'sandbox@example.com'].map((label, i) => ({
        label,
        points: grid[i]!,
      })),
      // Three accounts and the total: four lines, still the roomy legend.
      total: sumOf(grid),
      refills: markersOf(accounts),
      timeZone: 'Asia/Tokyo',
    });
  });

  it('twelve refills of one kind: not yet routine, each keeps its line; the label shows once', async () => {
    const from = Date.UTC(2025, 4, 1, 12);
    const to = from + 14 * DAY;
    const refillsAt = Array.from({ length: 12 }, (_, i) => Date.UTC(2025, 4, 2 + i));
    const account: Account = {
      start: 1_500,
      perHour: () => 2.4,
      refills: refillsAt.map((at) => ({ at, amount: 60, bucket: 'daily' })),
    };
    await expectReference('twelve-refills', {
      from,
      to,
      series: [{ label: 'quiet@example.com', points: readings(account, from, to, HOUR) }],
      refills: markersOf([account]),
      timeZone: 'UTC',
    });
  });
});
