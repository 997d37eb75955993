import { Chart } from 'chart.js';
import fc from 'fast-check';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as ChartModule from '../src/presentation/chart.js';
import type { ChartPoint, CreditChartInput, PixelBox } from '../src/presentation/chart.js';
import { decode, type Pixels } from './png-pixels.js';

/**
 * The module is imported afresh before each test: its constants (the image size, the colours, the step
 * factors) are evaluated when it loads, and the mutation run only counts a test as reaching them if the
 * module loads during that test (see chart-golden.test.ts).
 */
let chart: typeof ChartModule;
beforeEach(async () => {
  vi.resetModules();
  chart = await import('../src/presentation/chart.js');
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TO = Date.UTC(2025, 2, 8, 12);
const FROM = TO - 7 * DAY;

/** One reading an hour across the week, all at `credits`. */
function flat(credits: number, from = FROM, to = TO): ChartPoint[] {
  const points: ChartPoint[] = [];
  for (let at = from; at <= to; at += HOUR) points.push({ at, credits });
  return points;
}

function chartInput(overrides: Partial<CreditChartInput> = {}): CreditChartInput {
  return {
    from: FROM,
    to: TO,
    series: [{ label: 'one@example.com', points: flat(1_000) }],
    refills: [],
    timeZone: 'UTC',
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------------
// Pixel helpers: decode the PNG as a viewer would and look for exact colours
// ---------------------------------------------------------------------------------------------------

function rgb(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

/** Anti-aliased edges blend; a line's core keeps its colour to within a few levels. */
const TOLERANCE = 6;

function isColor(pixels: Pixels, x: number, y: number, color: string): boolean {
  const [r, g, b] = rgb(color);
  const i = (y * pixels.width + x) * 4;
  const d = pixels.data;
  return Math.abs(d[i]! - r) <= TOLERANCE && Math.abs(d[i + 1]! - g) <= TOLERANCE && Math.abs(d[i + 2]! - b) <= TOLERANCE;
}

/** Every x in the box (whole pixels, edges excluded) where `color` shows in some row. */
function columnsWith(pixels: Pixels, box: PixelBox, color: string): number[] {
  const columns: number[] = [];
  for (let x = Math.ceil(box.left) + 1; x < Math.floor(box.right) - 1; x += 1) {
    for (let y = Math.ceil(box.top); y <= Math.floor(box.bottom); y += 1) {
      if (isColor(pixels, x, y, color)) {
        columns.push(x);
        break;
      }
    }
  }
  return columns;
}

/** Whether `color` shows within a few rows of where `credits` sits on the y axis, at column x. */
function showsAt(pixels: Pixels, box: PixelBox, x: number, credits: number, axisMax: number, color: string): boolean {
  const y = Math.round(box.bottom - (credits / axisMax) * (box.bottom - box.top));
  for (let dy = -3; dy <= 3; dy += 1) {
    if (y + dy >= 0 && y + dy < pixels.height && isColor(pixels, Math.round(x), y + dy, color)) return true;
  }
  return false;
}

function xOf(box: PixelBox, at: number, from = FROM, to = TO): number {
  return box.left + ((at - from) / (to - from)) * (box.right - box.left);
}

async function render(input: CreditChartInput): Promise<{ pixels: Pixels; box: PixelBox }> {
  const { png, plotArea } = await chart.drawCreditChart(input);
  return { pixels: await decode(png), box: plotArea };
}

// ---------------------------------------------------------------------------------------------------

describe('renderCreditChart: the PNG', () => {
  it('is a PNG of the documented size', async () => {
    const png = await chart.renderCreditChart(chartInput());
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBe(chart.IMAGE_WIDTH);
    expect(png.readUInt32BE(20)).toBe(chart.IMAGE_HEIGHT);
    expect([chart.IMAGE_WIDTH, chart.IMAGE_HEIGHT]).toEqual([1100, 600]);
  });

  it('gives the same bytes for the same input', async () => {
    const input = chartInput({
      series: [
        { label: 'a@example.com', points: flat(1_000) },
        { label: 'b@example.com', points: flat(2_000) },
      ],
      total: flat(3_000),
      refills: [{ at: FROM + 3 * DAY, label: 'daily refill +50' }],
    });
    const first = await chart.renderCreditChart(input);
    const second = await chart.renderCreditChart(input);
    expect(first.equals(second)).toBe(true);
    // Two commands at once share nothing but the registered font.
    const [third, other] = await Promise.all([chart.renderCreditChart(input), chart.renderCreditChart(chartInput())]);
    expect(third.equals(first)).toBe(true);
    expect(other.equals(await chart.renderCreditChart(chartInput()))).toBe(true);
  });

  it('labels its time axis in the given time zone, and in UTC for a zone Intl does not know', async () => {
    const utc = await render(chartInput({ timeZone: 'UTC' }));
    const india = await render(chartInput({ timeZone: 'Asia/Kolkata' }));
    // Only the strip under the plot: the subtitle names the zone too, which alone would tell them apart.
    const axisStrip = (pixels: Pixels, box: PixelBox) => pixels.data.subarray(Math.ceil(box.bottom + 4) * pixels.width * 4);
    expect(Buffer.from(axisStrip(utc.pixels, utc.box)).equals(Buffer.from(axisStrip(india.pixels, india.box)))).toBe(false);

    const unknown = await chart.renderCreditChart(chartInput({ timeZone: 'Not/A_Zone' }));
    expect(unknown.equals(await chart.renderCreditChart(chartInput({ timeZone: 'UTC' })))).toBe(true);
  });

  it('leaves no Chart.js instance behind', async () => {
    await chart.renderCreditChart(chartInput());
    expect(Object.keys(Chart.instances)).toHaveLength(0);
  });
});

describe('renderCreditChart: what the pixels show', () => {
  it('draws each account in its own colour at its value, and no colour of an absent account', async () => {
    const values = [1_000, 2_500, 4_000];
    const { pixels, box } = await render(
      chartInput({ series: values.map((credits, i) => ({ label: `a${i}@example.com`, points: flat(credits) })) }),
    );
    const axisMax = chart.valueAxis(4_000).max;
    for (const [i, credits] of values.entries()) {
      for (const share of [0.2, 0.5, 0.8]) {
        const x = box.left + share * (box.right - box.left);
        expect(showsAt(pixels, box, x, credits, axisMax, chart.SERIES_COLORS[i]!), `account ${i} at ${share}`).toBe(true);
      }
    }
    expect(columnsWith(pixels, box, chart.SERIES_COLORS[3])).toEqual([]);
  });

  it('draws the total, in its colour, only when it is given', async () => {
    const series = [
      { label: 'a@example.com', points: flat(1_000) },
      { label: 'b@example.com', points: flat(2_000) },
    ];
    const withTotal = await render(chartInput({ series, total: flat(3_000) }));
    const x = (withTotal.box.left + withTotal.box.right) / 2;
    expect(showsAt(withTotal.pixels, withTotal.box, x, 3_000, chart.valueAxis(3_000).max, chart.TOTAL_COLOR)).toBe(true);

    const without = await render(chartInput({ series }));
    expect(columnsWith(without.pixels, without.box, chart.TOTAL_COLOR)).toEqual([]);
  });

  it('marks each refill at its time on the x axis and nowhere else', async () => {
    const refills = [
      { at: FROM + 2 * DAY, label: 'daily refill +50' },
      { at: FROM + 5 * DAY + 6 * HOUR, label: 'package +10,000' },
    ];
    const { pixels, box } = await render(chartInput({ refills }));
    const columns = columnsWith(pixels, box, chart.REFILL_COLOR);
    const expected = refills.map((r) => xOf(box, r.at));
    for (const x of expected) expect(columns.some((c) => Math.abs(c - x) <= 2)).toBe(true);
    for (const c of columns) expect(Math.min(...expected.map((x) => Math.abs(c - x)))).toBeLessThanOrEqual(10);
  });

  it('draws no refill marker without refills, nor for one outside the range, even just outside', async () => {
    const refills = [
      { at: FROM - HOUR, label: 'just before' },
      { at: TO + HOUR, label: 'just after' },
      { at: TO + DAY, label: 'later' },
    ];
    const { pixels } = await render(chartInput({ refills }));
    // Anywhere in the picture: a marker an hour past the range would stand in the padding beside the plot.
    const everywhere = { left: 0, top: 0, right: pixels.width, bottom: pixels.height - 1 };
    expect(columnsWith(pixels, everywhere, chart.REFILL_COLOR)).toEqual([]);
  });

  it('shows a jump up at the refill where the data jump', async () => {
    const refillAt = FROM + 4 * DAY;
    const points = flat(0).map((p) => ({ at: p.at, credits: p.at < refillAt ? 500 : 3_500 }));
    const { pixels, box } = await render(
      chartInput({ series: [{ label: 'a@example.com', points }], refills: [{ at: refillAt, label: 'monthly +3,000' }] }),
    );
    const axisMax = chart.valueAxis(3_500).max;
    const color = chart.SERIES_COLORS[0];
    expect(showsAt(pixels, box, xOf(box, refillAt - DAY), 500, axisMax, color)).toBe(true);
    expect(showsAt(pixels, box, xOf(box, refillAt + DAY), 3_500, axisMax, color)).toBe(true);
    // The vertical stretch between the two levels is drawn in the refill's column.
    // The readings an hour apart are joined by a steep line: its middle is half an hour before the refill.
    expect(showsAt(pixels, box, xOf(box, refillAt - HOUR / 2), 2_000, axisMax, color)).toBe(true);
  });
});

describe('renderCreditChart: edge cases render', () => {
  const many = (count: number) =>
    Array.from({ length: count }, (_, i) => ({ label: `account.${i}@example.com`, points: flat(500 * (i + 1)) }));

  it.each<[string, Partial<CreditChartInput>]>([
    ['no series', { series: [] }],
    ['a series without points', { series: [{ label: 'a@example.com', points: [] }] }],
    ['zero credits', { series: [{ label: 'a@example.com', points: flat(0) }] }],
    ['a billion credits', { series: [{ label: 'a@example.com', points: flat(1e9) }], total: flat(1e9) }],
    ['ten accounts', { series: many(10) }],
    ['a 200-character label', { series: [{ label: `${'x'.repeat(188)}@example.com`, points: flat(10) }] }],
    ['a label with newlines and bidi overrides', { series: [{ label: 'a\nb\u202Ec\u0000@x.io', points: flat(10) }] }],
    ['an unknown time zone', { timeZone: 'Mars/Olympus_Mons' }],
    ['a reversed range', { from: TO, to: FROM }],
    ['a range that is not a number', { from: Number.NaN, to: Number.POSITIVE_INFINITY }],
    ['a range past what Date holds', { from: -1e300, to: 1e300 }],
    [
      'refills outside the range and not a number',
      {
        refills: [
          { at: Number.NaN, label: 'x' },
          { at: 0, label: 'y' },
        ],
      },
    ],
    ['one hour', { from: TO - HOUR }],
    ['ninety days', { from: TO - 90 * DAY }],
  ])('%s', async (_name, overrides) => {
    const png = await chart.renderCreditChart(chartInput(overrides));
    expect(png.readUInt32BE(16)).toBe(chart.IMAGE_WIDTH);
    expect(png.readUInt32BE(20)).toBe(chart.IMAGE_HEIGHT);
  });

  it('writes a note and draws no line when the period has no readings', async () => {
    const { pixels, box } = await render(chartInput({ series: [{ label: 'a@example.com', points: [] }] }));
    expect(columnsWith(pixels, box, chart.SERIES_COLORS[0])).toEqual([]);
    const middle = (box.top + box.bottom) / 2;
    const band = { left: box.left, right: box.right, top: middle - 12, bottom: middle + 12 };
    // The note is light text on the card: some pixels in the middle band are far brighter than the card.
    let bright = 0;
    for (let y = Math.round(band.top); y < band.bottom; y += 1) {
      for (let x = Math.round(band.left); x < band.right; x += 1) {
        if (pixels.data[(y * pixels.width + x) * 4]! > 120) bright += 1;
      }
    }
    expect(bright).toBeGreaterThan(200);
  });

  it('shows a single reading as a dot', async () => {
    const at = FROM + 3 * DAY;
    const { pixels, box } = await render(chartInput({ series: [{ label: 'a@example.com', points: [{ at, credits: 1_234 }] }] }));
    expect(showsAt(pixels, box, xOf(box, at), 1_234, chart.valueAxis(1_234).max, chart.SERIES_COLORS[0])).toBe(true);
  });

  it('draws zero credits on the x axis and a flat line across the plot', async () => {
    const { pixels, box } = await render(chartInput({ series: [{ label: 'a@example.com', points: flat(0) }] }));
    const columns = columnsWith(pixels, box, chart.SERIES_COLORS[0]);
    expect(columns.length).toBeGreaterThan((box.right - box.left) * 0.95);
    expect(showsAt(pixels, box, (box.left + box.right) / 2, 0, 10, chart.SERIES_COLORS[0])).toBe(true);
  });

  it('draws all ten accounts in ten colours', async () => {
    const { pixels, box } = await render(chartInput({ series: many(10) }));
    for (const color of chart.SERIES_COLORS) expect(columnsWith(pixels, box, color).length, color).toBeGreaterThan(100);
  });

  it('clips readings outside the range at the plot edges, at the right height', async () => {
    // Readings a day either side only: the line enters at the left edge and leaves at the right one.
    const points = [
      { at: FROM - DAY, credits: 1_000 },
      { at: FROM + DAY, credits: 1_000 },
      { at: TO + DAY, credits: 1_000 },
    ];
    const { pixels, box } = await render(chartInput({ series: [{ label: 'a@example.com', points }] }));
    const axisMax = chart.valueAxis(1_000).max;
    expect(showsAt(pixels, box, box.left + 2, 1_000, axisMax, chart.SERIES_COLORS[0])).toBe(true);
    expect(showsAt(pixels, box, box.right - 3, 1_000, axisMax, chart.SERIES_COLORS[0])).toBe(true);
    // Nothing spills outside the plot on either side.
    const outside = columnsWith(pixels, { ...box, left: 0, right: box.left - 3 }, chart.SERIES_COLORS[0]);
    expect(outside).toEqual([]);
  });

  it('draws a negative reading at zero and skips readings that are not numbers', async () => {
    const points = flat(0).map((p, i) => ({
      at: p.at,
      credits: i % 3 === 0 ? Number.NaN : i % 3 === 1 ? -5_000 : 0,
    }));
    points.push({ at: Number.NaN, credits: 100 }, { at: FROM + DAY, credits: Number.POSITIVE_INFINITY });
    const { pixels, box } = await render(chartInput({ series: [{ label: 'a@example.com', points }] }));
    expect(showsAt(pixels, box, (box.left + box.right) / 2, 0, 10, chart.SERIES_COLORS[0])).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('drawCreditChart: the range and the readings it takes', () => {
  /** Pixels differing by more than a few levels: 0 when two inputs draw the same picture. */
  async function pixelsApart(a: CreditChartInput, b: CreditChartInput): Promise<number> {
    const [first, second] = await Promise.all([render(a), render(b)]);
    let apart = 0;
    for (let i = 0; i < first.pixels.data.length; i += 1)
      if (Math.abs(first.pixels.data[i]! - second.pixels.data[i]!) > 8) apart += 1;
    return apart;
  }

  /** Readings that go down and up, so a wrong order or a dropped reading shows. */
  const wavy = (from = FROM, to = TO) => flat(0, from, to).map((p, i) => ({ at: p.at, credits: 2_000 + ((i * 37) % 23) * 50 }));

  it('makes a reversed or empty range the day that ends where it ends, and a range with no end the day after its start', async () => {
    const series = [{ label: 'a@example.com', points: wavy(FROM - 2 * DAY, TO) }];
    const same = async (a: Partial<CreditChartInput>, b: Partial<CreditChartInput>) =>
      (await chart.renderCreditChart(chartInput({ series, ...a }))).equals(
        await chart.renderCreditChart(chartInput({ series, ...b })),
      );
    expect(await same({ from: TO, to: FROM }, { from: FROM - DAY, to: FROM })).toBe(true);
    expect(await same({ from: TO, to: TO }, { from: TO - DAY, to: TO })).toBe(true);
    expect(await same({ from: FROM, to: Number.NaN }, { from: FROM, to: FROM + DAY })).toBe(true);
  });

  it('takes a range up to a day before the last instant Date can hold, and none past it', async () => {
    const last = 8.64e15 - DAY;
    const from = last - 3 * DAY;
    // In New York that instant is not a midnight, so a millisecond less changes no tick and no date.
    const input = (to: number) =>
      chartInput({ from, to, series: [{ label: 'a@example.com', points: wavy(from, last) }], timeZone: 'America/New_York' });
    // Ending at that instant is kept: the same picture as ending a millisecond before it.
    expect(await pixelsApart(input(last), input(last - 1))).toBe(0);
    // Ending at Date's own limit is not: the day after `from` instead.
    expect((await chart.renderCreditChart(input(8.64e15))).equals(await chart.renderCreditChart(input(from + DAY)))).toBe(true);
  });

  it('draws readings handed over in any order as if they came sorted', async () => {
    const points = wavy();
    const sorted = await chart.renderCreditChart(chartInput({ series: [{ label: 'a@example.com', points }] }));
    const reversed = await chart.renderCreditChart(
      chartInput({ series: [{ label: 'a@example.com', points: [...points].reverse() }] }),
    );
    expect(reversed.equals(sorted)).toBe(true);
  });

  it('counts a reading exactly at the start or the end of the range as inside it', async () => {
    // The highest reading sits on the edge: left out, the axis would end near 1,000 and cut it off.
    const atStart = [
      { at: FROM, credits: 9_000 },
      { at: FROM + DAY, credits: 1_000 },
    ];
    const atEnd = [
      { at: TO - DAY, credits: 1_000 },
      { at: TO, credits: 9_000 },
    ];
    const input = (points: ChartPoint[], from: number, to: number) =>
      chartInput({ from, to, series: [{ label: 'a@example.com', points }] });
    expect(await pixelsApart(input(atStart, FROM, TO), input(atStart, FROM - 1, TO))).toBe(0);
    expect(await pixelsApart(input(atEnd, FROM, TO), input(atEnd, FROM, TO + 1))).toBe(0);
  });

  it('uses the readings beyond the range only to lead the line in and out: they do not stretch the axis', async () => {
    const inside = wavy();
    const edges = [{ at: FROM - HOUR, credits: 2_000 }, ...inside, { at: TO + HOUR, credits: 2_000 }];
    const far = [{ at: FROM - DAY, credits: 50_000 }, ...edges, { at: TO + DAY, credits: 50_000 }];
    const input = (points: ChartPoint[]) => chartInput({ series: [{ label: 'a@example.com', points }] });
    expect(await pixelsApart(input(far), input(edges))).toBe(0);
  });
});

describe('downsample', () => {
  const column = (at: number, from: number, to: number, columns: number) =>
    Math.min(columns - 1, Math.max(0, Math.floor(((at - from) / (to - from)) * columns)));

  it('keeps the first, lowest, highest and last reading of a column, in time order', () => {
    const points = [5, 9, 1, 7, 3, 6].map((credits, i) => ({ at: i, credits }));
    expect(chart.downsample(points, 0, 6, 1).map((p) => p.credits)).toEqual([5, 9, 1, 6]);
  });

  it('keeps a spike that lasts one reading', () => {
    const points = Array.from({ length: 1_000 }, (_, i) => ({ at: i, credits: i === 503 ? 9_999 : 100 }));
    const kept = chart.downsample(points, 0, 1_000, 10);
    expect(kept.some((p) => p.credits === 9_999)).toBe(true);
    expect(kept.length).toBeLessThanOrEqual(40);
  });

  it('keeps the readings either side of a refill jump, one after the other', () => {
    // Use over a day, a refill at midnight, use again: the jump sits inside one column.
    const points = Array.from({ length: 96 * 3 }, (_, i) => ({
      at: i * 15 * 60_000,
      credits: i < 96 * 2 ? 5_000 - i * 10 : 20_000 - i * 10,
    }));
    const kept = chart.downsample(points, 0, 3 * DAY, 7);
    const before = points[96 * 2 - 1]!;
    const after = points[96 * 2]!;
    const at = kept.indexOf(before);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(kept[at + 1]).toBe(after);
  });

  it('keeps the first and last reading, and returns nothing for nothing', () => {
    const points = Array.from({ length: 500 }, (_, i) => ({ at: i, credits: (i * 37) % 101 }));
    const kept = chart.downsample(points, 0, 499, 3);
    expect(kept[0]).toBe(points[0]);
    expect(kept[kept.length - 1]).toBe(points[499]);
    expect(chart.downsample([], 0, 1, 100)).toEqual([]);
  });

  it('counts a reading exactly at `to` in the last column, not in one of its own', () => {
    const points = [5, 3, 7, 4, 6].map((credits, i) => ({ at: i * 2.5, credits }));
    // One column: its first, lowest, highest and last; the last is the reading at `to`.
    expect(chart.downsample(points, 0, 10, 1).map((p) => p.credits)).toEqual([5, 3, 7, 6]);
  });

  it('keeps everything when there are fewer readings than columns', () => {
    const points = Array.from({ length: 50 }, (_, i) => ({ at: i * 10, credits: i }));
    expect(chart.downsample(points, 0, 500, 1_000)).toEqual(points);
  });

  const sortedPoints = fc
    .array(fc.record({ at: fc.integer({ min: 0, max: 10_000 }), credits: fc.integer({ min: 0, max: 1_000_000 }) }), {
      maxLength: 400,
    })
    .map((points) => points.sort((a, b) => a.at - b.at));

  it('keeps, per column, at most four readings: the first, the last and the extremes', () => {
    fc.assert(
      fc.property(sortedPoints, fc.integer({ min: 1, max: 60 }), (points, columns) => {
        const kept = chart.downsample(points, 0, 10_000, columns);
        // A subsequence of the input, in order.
        let cursor = 0;
        for (const p of kept) {
          cursor = points.indexOf(p, cursor);
          expect(cursor).toBeGreaterThanOrEqual(0);
          cursor += 1;
        }
        const byColumn = (list: ChartPoint[]) => {
          const groups = new Map<number, ChartPoint[]>();
          for (const p of list) {
            const c = column(p.at, 0, 10_000, columns);
            groups.set(c, [...(groups.get(c) ?? []), p]);
          }
          return groups;
        };
        const original = byColumn(points);
        const thinned = byColumn(kept);
        expect([...thinned.keys()]).toEqual([...original.keys()]);
        for (const [c, group] of original) {
          const mine = thinned.get(c)!;
          const credits = group.map((p) => p.credits);
          expect(mine.length).toBeLessThanOrEqual(4);
          expect(mine[0]).toBe(group[0]);
          expect(mine[mine.length - 1]).toBe(group[group.length - 1]);
          expect(Math.min(...mine.map((p) => p.credits))).toBe(Math.min(...credits));
          expect(Math.max(...mine.map((p) => p.credits))).toBe(Math.max(...credits));
        }
      }),
    );
  });

  it('never needs more than four readings per column, however many come in', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 5_000 }), (columns, count) => {
        const points = Array.from({ length: count }, (_, i) => ({ at: i, credits: (i * 7_919) % 1_009 }));
        expect(chart.downsample(points, 0, count, columns).length).toBeLessThanOrEqual(4 * columns);
      }),
    );
  });
});

describe('valueAxis', () => {
  it.each([
    [10_300, { max: 12_500, step: 2_500 }],
    [0, { max: 10, step: 2 }],
    [1_234, { max: 1_500, step: 500 }],
    [1e9, { max: 1.25e9, step: 2.5e8 }],
  ])('%d credits → %o', (highest, axis) => {
    expect(chart.valueAxis(highest)).toEqual(axis);
  });

  it('always reaches above the highest reading in at most five whole steps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_000_000_000 }), (highest) => {
        const { max, step } = chart.valueAxis(highest);
        expect(max).toBeGreaterThanOrEqual(highest);
        expect(Number.isInteger(step)).toBe(true);
        expect(max / step).toBeLessThanOrEqual(5);
        expect(Number.isInteger(max / step)).toBe(true);
      }),
    );
  });
});

describe('cutToWidth', () => {
  const oneA = (text: string): number => Array.from(text).length;

  it('leaves text that fits alone', () => {
    expect(chart.cutToWidth('one@example.com', 40, oneA)).toBe('one@example.com');
  });

  it('drops an email’s domain before anything else', () => {
    expect(chart.cutToWidth('team.pixverse.render02@outlook.com', 25, oneA)).toBe('team.pixverse.render02@…');
  });

  it('cuts a long name in its middle, keeping the start and the end that tell accounts apart', () => {
    const cut = chart.cutToWidth(`team.pixverse.${'x'.repeat(180)}.account01@gmail.com`, 24, oneA);
    expect(cut).toBe('team.pixver….account01@…');
  });

  it('cuts plain text in its middle', () => {
    expect(chart.cutToWidth('abcdefghijklmnopqrstuvwxyz', 9, oneA)).toBe('abcd…wxyz');
  });

  it('removes control and direction characters, which would draw as boxes or reorder the text', () => {
    expect(chart.cutToWidth('a\nb\u202Ec\u0000d\u200B', 40, oneA)).toBe('a bc d');
  });

  it('trims the text and makes each run of spaces and line breaks one space', () => {
    expect(chart.cutToWidth('  one \t\n two\u2028three  ', 40, oneA)).toBe('one two three');
  });

  it('cuts a name that starts with its only @ as plain text, not as an email without a local part', () => {
    expect(chart.cutToWidth('@abcdefghijklmnop', 9, oneA)).toBe('@abc…mnop');
  });

  it('gives just "…" when not even that with the @ fits', () => {
    expect(chart.cutToWidth('abcdef@example.com', 2, oneA)).toBe('…');
    expect(chart.cutToWidth('abcdef', 0, oneA)).toBe('…');
  });

  it('never returns more than fits', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 1, max: 120 }), (text, max) => {
        expect(oneA(chart.cutToWidth(text, max, oneA))).toBeLessThanOrEqual(max);
      }),
    );
  });
});
