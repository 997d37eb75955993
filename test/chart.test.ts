import { createCanvas, GlobalFonts, loadImage } from '@napi-rs/canvas';
import { Chart } from 'chart.js';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  cutToWidth,
  downsample,
  drawCreditChart,
  IMAGE_HEIGHT,
  IMAGE_WIDTH,
  REFILL_COLOR,
  renderCreditChart,
  SERIES_COLORS,
  TOTAL_COLOR,
  valueAxis,
  type ChartPoint,
  type CreditChartInput,
  type PixelBox,
} from '../src/presentation/chart.js';
import { timeTicks } from '../src/presentation/chart-time.js';
import { CHART_FONT_FAMILY, registerChartFonts } from '../src/presentation/fonts.js';

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

interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

async function decode(png: Buffer): Promise<Pixels> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const { data, width, height } = ctx.getImageData(0, 0, image.width, image.height);
  return { data, width, height };
}

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
  const { png, plotArea } = await drawCreditChart(input);
  return { pixels: await decode(png), box: plotArea };
}

// ---------------------------------------------------------------------------------------------------

describe('renderCreditChart: the PNG', () => {
  it('is a PNG of the documented size', async () => {
    const png = await renderCreditChart(chartInput());
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBe(IMAGE_WIDTH);
    expect(png.readUInt32BE(20)).toBe(IMAGE_HEIGHT);
    expect([IMAGE_WIDTH, IMAGE_HEIGHT]).toEqual([1100, 600]);
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
    const first = await renderCreditChart(input);
    const second = await renderCreditChart(input);
    expect(first.equals(second)).toBe(true);
    // Two commands at once share nothing but the registered font.
    const [third, other] = await Promise.all([renderCreditChart(input), renderCreditChart(chartInput())]);
    expect(third.equals(first)).toBe(true);
    expect(other.equals(await renderCreditChart(chartInput()))).toBe(true);
  });

  it('labels its time axis in the given time zone, and in UTC for a zone Intl does not know', async () => {
    const utc = await render(chartInput({ timeZone: 'UTC' }));
    const india = await render(chartInput({ timeZone: 'Asia/Kolkata' }));
    // Only the strip under the plot: the subtitle names the zone too, which alone would tell them apart.
    const axisStrip = (pixels: Pixels, box: PixelBox) => pixels.data.subarray(Math.ceil(box.bottom + 4) * pixels.width * 4);
    expect(Buffer.from(axisStrip(utc.pixels, utc.box)).equals(Buffer.from(axisStrip(india.pixels, india.box)))).toBe(false);

    const unknown = await renderCreditChart(chartInput({ timeZone: 'Not/A_Zone' }));
    expect(unknown.equals(await renderCreditChart(chartInput({ timeZone: 'UTC' })))).toBe(true);
  });

  it('leaves no Chart.js instance behind', async () => {
    await renderCreditChart(chartInput());
    expect(Object.keys(Chart.instances)).toHaveLength(0);
  });
});

describe('renderCreditChart: what the pixels show', () => {
  it('draws each account in its own colour at its value, and no colour of an absent account', async () => {
    const values = [1_000, 2_500, 4_000];
    const { pixels, box } = await render(
      chartInput({ series: values.map((credits, i) => ({ label: `a${i}@example.com`, points: flat(credits) })) }),
    );
    const axisMax = valueAxis(4_000).max;
    for (const [i, credits] of values.entries()) {
      for (const share of [0.2, 0.5, 0.8]) {
        const x = box.left + share * (box.right - box.left);
        expect(showsAt(pixels, box, x, credits, axisMax, SERIES_COLORS[i]!), `account ${i} at ${share}`).toBe(true);
      }
    }
    expect(columnsWith(pixels, box, SERIES_COLORS[3])).toEqual([]);
  });

  it('draws the total, in its colour, only when it is given', async () => {
    const series = [
      { label: 'a@example.com', points: flat(1_000) },
      { label: 'b@example.com', points: flat(2_000) },
    ];
    const withTotal = await render(chartInput({ series, total: flat(3_000) }));
    const x = (withTotal.box.left + withTotal.box.right) / 2;
    expect(showsAt(withTotal.pixels, withTotal.box, x, 3_000, valueAxis(3_000).max, TOTAL_COLOR)).toBe(true);

    const without = await render(chartInput({ series }));
    expect(columnsWith(without.pixels, without.box, TOTAL_COLOR)).toEqual([]);
  });

  it('marks each refill at its time on the x axis and nowhere else', async () => {
    const refills = [
      { at: FROM + 2 * DAY, label: 'daily refill +50' },
      { at: FROM + 5 * DAY + 6 * HOUR, label: 'package +10,000' },
    ];
    const { pixels, box } = await render(chartInput({ refills }));
    const columns = columnsWith(pixels, box, REFILL_COLOR);
    const expected = refills.map((r) => xOf(box, r.at));
    for (const x of expected) expect(columns.some((c) => Math.abs(c - x) <= 2)).toBe(true);
    for (const c of columns) expect(Math.min(...expected.map((x) => Math.abs(c - x)))).toBeLessThanOrEqual(10);
  });

  it('draws no refill marker without refills, nor for one outside the range', async () => {
    const { pixels, box } = await render(chartInput({ refills: [{ at: TO + DAY, label: 'later' }] }));
    expect(columnsWith(pixels, box, REFILL_COLOR)).toEqual([]);
  });

  it('shows a jump up at the refill where the data jump', async () => {
    const refillAt = FROM + 4 * DAY;
    const points = flat(0).map((p) => ({ at: p.at, credits: p.at < refillAt ? 500 : 3_500 }));
    const { pixels, box } = await render(
      chartInput({ series: [{ label: 'a@example.com', points }], refills: [{ at: refillAt, label: 'monthly +3,000' }] }),
    );
    const axisMax = valueAxis(3_500).max;
    const color = SERIES_COLORS[0];
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
    const png = await renderCreditChart(chartInput(overrides));
    expect(png.readUInt32BE(16)).toBe(IMAGE_WIDTH);
    expect(png.readUInt32BE(20)).toBe(IMAGE_HEIGHT);
  });

  it('writes a note and draws no line when the period has no readings', async () => {
    const { pixels, box } = await render(chartInput({ series: [{ label: 'a@example.com', points: [] }] }));
    expect(columnsWith(pixels, box, SERIES_COLORS[0])).toEqual([]);
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
    expect(showsAt(pixels, box, xOf(box, at), 1_234, valueAxis(1_234).max, SERIES_COLORS[0])).toBe(true);
  });

  it('draws zero credits on the x axis and a flat line across the plot', async () => {
    const { pixels, box } = await render(chartInput({ series: [{ label: 'a@example.com', points: flat(0) }] }));
    const columns = columnsWith(pixels, box, SERIES_COLORS[0]);
    expect(columns.length).toBeGreaterThan((box.right - box.left) * 0.95);
    expect(showsAt(pixels, box, (box.left + box.right) / 2, 0, 10, SERIES_COLORS[0])).toBe(true);
  });

  it('draws all ten accounts in ten colours', async () => {
    const { pixels, box } = await render(chartInput({ series: many(10) }));
    for (const color of SERIES_COLORS) expect(columnsWith(pixels, box, color).length, color).toBeGreaterThan(100);
  });

  it('clips readings outside the range at the plot edges, at the right height', async () => {
    // Readings a day either side only: the line enters at the left edge and leaves at the right one.
    const points = [
      { at: FROM - DAY, credits: 1_000 },
      { at: FROM + DAY, credits: 1_000 },
      { at: TO + DAY, credits: 1_000 },
    ];
    const { pixels, box } = await render(chartInput({ series: [{ label: 'a@example.com', points }] }));
    const axisMax = valueAxis(1_000).max;
    expect(showsAt(pixels, box, box.left + 2, 1_000, axisMax, SERIES_COLORS[0])).toBe(true);
    expect(showsAt(pixels, box, box.right - 3, 1_000, axisMax, SERIES_COLORS[0])).toBe(true);
    // Nothing spills outside the plot on either side.
    const outside = columnsWith(pixels, { ...box, left: 0, right: box.left - 3 }, SERIES_COLORS[0]);
    expect(outside).toEqual([]);
  });

  it('draws a negative reading at zero and skips readings that are not numbers', async () => {
    const points = flat(0).map((p, i) => ({
      at: p.at,
      credits: i % 3 === 0 ? Number.NaN : i % 3 === 1 ? -5_000 : 0,
    }));
    points.push({ at: Number.NaN, credits: 100 }, { at: FROM + DAY, credits: Number.POSITIVE_INFINITY });
    const { pixels, box } = await render(chartInput({ series: [{ label: 'a@example.com', points }] }));
    expect(showsAt(pixels, box, (box.left + box.right) / 2, 0, 10, SERIES_COLORS[0])).toBe(true);
  });
});

describe('the shipped font', () => {
  it('is registered under its own family and measures as Inter, not as a fallback', () => {
    registerChartFonts();
    registerChartFonts(); // idempotent
    expect(GlobalFonts.has(CHART_FONT_FAMILY)).toBe(true);
    const shipped = (subset: string) =>
      createRequire(import.meta.url).resolve(`@fontsource/inter/files/inter-${subset}-400-normal.woff2`);
    expect(GlobalFonts.registerFromPath(shipped('latin'), 'InterLatinProbe')).not.toBeNull();
    expect(GlobalFonts.registerFromPath(shipped('cyrillic'), 'InterCyrillicProbe')).not.toBeNull();

    const ctx = createCanvas(10, 10).getContext('2d');
    const width = (family: string, text: string): number => {
      ctx.font = `20px ${family}`;
      return ctx.measureText(text).width;
    };
    const latin = 'Spendable credits 12,450 · Mar 8';
    expect(width(CHART_FONT_FAMILY, latin)).toBeCloseTo(width('InterLatinProbe', latin), 6);
    expect(Math.abs(width(CHART_FONT_FAMILY, latin) - width('NoSuchFamilyAnywhere', latin))).toBeGreaterThan(1);
    // Labels come from outside: a Cyrillic name is drawn in Inter too, not in whatever the system has.
    const cyrillic = 'Жанна Щукина';
    expect(width(CHART_FONT_FAMILY, cyrillic)).toBeCloseTo(width('InterCyrillicProbe', cyrillic), 6);
  });

  it('is the family Chart.js falls back to for every text it draws', async () => {
    await renderCreditChart(chartInput());
    expect(Chart.defaults.font.family).toBe(CHART_FONT_FAMILY);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('downsample', () => {
  const column = (at: number, from: number, to: number, columns: number) =>
    Math.min(columns - 1, Math.max(0, Math.floor(((at - from) / (to - from)) * columns)));

  it('keeps the first, lowest, highest and last reading of a column, in time order', () => {
    const points = [5, 9, 1, 7, 3, 6].map((credits, i) => ({ at: i, credits }));
    expect(downsample(points, 0, 6, 1).map((p) => p.credits)).toEqual([5, 9, 1, 6]);
  });

  it('keeps a spike that lasts one reading', () => {
    const points = Array.from({ length: 1_000 }, (_, i) => ({ at: i, credits: i === 503 ? 9_999 : 100 }));
    const kept = downsample(points, 0, 1_000, 10);
    expect(kept.some((p) => p.credits === 9_999)).toBe(true);
    expect(kept.length).toBeLessThanOrEqual(40);
  });

  it('keeps the readings either side of a refill jump, one after the other', () => {
    // Use over a day, a refill at midnight, use again: the jump sits inside one column.
    const points = Array.from({ length: 96 * 3 }, (_, i) => ({
      at: i * 15 * 60_000,
      credits: i < 96 * 2 ? 5_000 - i * 10 : 20_000 - i * 10,
    }));
    const kept = downsample(points, 0, 3 * DAY, 7);
    const before = points[96 * 2 - 1]!;
    const after = points[96 * 2]!;
    const at = kept.indexOf(before);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(kept[at + 1]).toBe(after);
  });

  it('keeps the first and last reading, and returns nothing for nothing', () => {
    const points = Array.from({ length: 500 }, (_, i) => ({ at: i, credits: (i * 37) % 101 }));
    const kept = downsample(points, 0, 499, 3);
    expect(kept[0]).toBe(points[0]);
    expect(kept[kept.length - 1]).toBe(points[499]);
    expect(downsample([], 0, 1, 100)).toEqual([]);
  });

  it('keeps everything when there are fewer readings than columns', () => {
    const points = Array.from({ length: 50 }, (_, i) => ({ at: i * 10, credits: i }));
    expect(downsample(points, 0, 500, 1_000)).toEqual(points);
  });

  const sortedPoints = fc
    .array(fc.record({ at: fc.integer({ min: 0, max: 10_000 }), credits: fc.integer({ min: 0, max: 1_000_000 }) }), {
      maxLength: 400,
    })
    .map((points) => points.sort((a, b) => a.at - b.at));

  it('keeps, per column, at most four readings: the first, the last and the extremes', () => {
    fc.assert(
      fc.property(sortedPoints, fc.integer({ min: 1, max: 60 }), (points, columns) => {
        const kept = downsample(points, 0, 10_000, columns);
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
        expect(downsample(points, 0, count, columns).length).toBeLessThanOrEqual(4 * columns);
      }),
    );
  });
});

describe('timeTicks', () => {
  it('labels midnights with dates for a week', () => {
    const from = Date.UTC(2025, 2, 1, 15);
    const ticks = timeTicks({ from, to: from + 7 * DAY }, 'UTC');
    expect(ticks.map((t) => t.label)).toEqual(['Mar 2', 'Mar 3', 'Mar 4', 'Mar 5', 'Mar 6', 'Mar 7', 'Mar 8']);
    expect(ticks.every((t) => t.value % DAY === 0)).toBe(true);
  });

  it('labels hours for a day, and the midnight with its date', () => {
    const from = Date.UTC(2025, 2, 1, 13, 20);
    const ticks = timeTicks({ from, to: from + DAY }, 'UTC');
    expect(ticks.map((t) => t.label)).toEqual(['15:00', '18:00', '21:00', 'Mar 2', '03:00', '06:00', '09:00', '12:00']);
  });

  it('puts ticks on the zone’s own midnights', () => {
    const from = Date.UTC(2025, 2, 1);
    const ticks = timeTicks({ from, to: from + 7 * DAY }, 'Asia/Kolkata');
    // Midnight in India (UTC+5:30) is 18:30 UTC the day before.
    expect(ticks.every((t) => new Date(t.value).toISOString().endsWith('T18:30:00.000Z'))).toBe(true);
    expect(ticks[0]!.label).toBe('Mar 2');
  });

  it('follows a daylight-saving change', () => {
    const from = Date.UTC(2025, 2, 28);
    const ticks = timeTicks({ from, to: from + 4 * DAY }, 'Europe/Berlin');
    const utcHours = ticks.map((t) => new Date(t.value).getUTCHours());
    // Berlin is UTC+1 until 30 March 2025, then UTC+2: midnight moves from 23:00 to 22:00 UTC.
    expect(ticks.map((t) => t.label)).toEqual(['Mar 29', 'Mar 30', 'Mar 31', 'Apr 1']);
    expect(utcHours).toEqual([23, 23, 22, 22]);
  });

  it('keeps to about eight ticks over ninety days', () => {
    const ticks = timeTicks({ from: TO - 90 * DAY, to: TO }, 'UTC');
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks.length).toBeLessThanOrEqual(9);
  });
});

describe('valueAxis', () => {
  it.each([
    [10_300, { max: 12_500, step: 2_500 }],
    [0, { max: 10, step: 2 }],
    [1_234, { max: 1_500, step: 500 }],
    [1e9, { max: 1.25e9, step: 2.5e8 }],
  ])('%d credits → %o', (highest, axis) => {
    expect(valueAxis(highest)).toEqual(axis);
  });

  it('always reaches above the highest reading in at most five whole steps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_000_000_000 }), (highest) => {
        const { max, step } = valueAxis(highest);
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
    expect(cutToWidth('one@example.com', 40, oneA)).toBe('one@example.com');
  });

  it('drops an email’s domain before anything else', () => {
    expect(cutToWidth('team.pixverse.render02@outlook.com', 25, oneA)).toBe('team.pixverse.render02@…');
  });

  it('cuts a long name in its middle, keeping the start and the end that tell accounts apart', () => {
    const cut = cutToWidth(`team.pixverse.${'x'.repeat(180)}.account01@gmail.com`, 24, oneA);
    expect(cut).toBe('team.pixver….account01@…');
  });

  it('cuts plain text in its middle', () => {
    expect(cutToWidth('abcdefghijklmnopqrstuvwxyz', 9, oneA)).toBe('abcd…wxyz');
  });

  it('removes control and direction characters, which would draw as boxes or reorder the text', () => {
    expect(cutToWidth('a\nb\u202Ec\u0000d\u200B', 40, oneA)).toBe('a bc d');
  });

  it('never returns more than fits', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 1, max: 120 }), (text, max) => {
        expect(oneA(cutToWidth(text, max, oneA))).toBeLessThanOrEqual(max);
      }),
    );
  });
});
