/**
 * The picture `/credits-history` attaches: spendable credits of each account (and their total) over the
 * chosen days, with refills marked. Chart.js draws on @napi-rs/canvas in this process; no browser.
 *
 * Laid out at Discord's preview width and drawn at twice the pixels, so the preview stays crisp on
 * high-density screens. Every colour sits on a dark card, which reads on Discord's dark themes and stands
 * apart as a picture on the light one. The same input gives the same PNG bytes: nothing here reads the
 * clock, the locale or the system fonts.
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import {
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  SubTitle,
  Title,
  type ChartArea,
  type ChartConfiguration,
  type ChartDataset,
  type LegendItem,
  type Plugin,
  type Scale,
  type ScriptableContext,
} from 'chart.js';
import { knownTimeZone, rangeLabel, timeTicks, type TimeRange, type TimeTick } from './chart-time.js';
import { CHART_FONT_FAMILY, registerChartFonts } from './fonts.js';
import { formatNumber } from './format.js';

export interface ChartPoint {
  /** ms since epoch */
  at: number;
  /** spendable: daily + monthly + package */
  credits: number;
}

export interface ChartSeries {
  /** An email: text from outside, drawn as plain text and cut to fit. */
  label: string;
  /** Sorted by `at`. */
  points: ChartPoint[];
}

export interface ChartRefill {
  at: number;
  /** e.g. "monthly refill +15,000" */
  label: string;
}

export interface CreditChartInput {
  /** The x range shown (ms). */
  from: number;
  to: number;
  /** One per account (1..~10). */
  series: ChartSeries[];
  /** The sum, when there are several accounts. */
  total?: ChartPoint[];
  /** Markers on the x axis and vertical lines. */
  refills: ChartRefill[];
  /** IANA zone for the axis labels. */
  timeZone: string;
}

/** A rectangle in the PNG's own pixels. */
export interface PixelBox {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface RenderedChart {
  png: Buffer;
  /** Where the lines are drawn, for callers (and tests) that need to place a time on the picture. */
  plotArea: PixelBox;
}

Chart.register(LineController, LineElement, PointElement, LinearScale, Filler, Legend, Title, SubTitle);
// Every text Chart.js draws falls back to this family; the bundled default names fonts a container lacks.
Chart.defaults.font.family = CHART_FONT_FAMILY;

const WIDTH = 550;
const HEIGHT = 300;
const PIXEL_RATIO = 2;
export const IMAGE_WIDTH = WIDTH * PIXEL_RATIO;
export const IMAGE_HEIGHT = HEIGHT * PIXEL_RATIO;

const CARD = '#1e2027';
const TITLE_TEXT = '#f2f3f5';
const BODY_TEXT = '#dbdee1';
const MUTED_TEXT = '#9ba1ab';
const GRID = 'rgba(255, 255, 255, 0.08)';
const AXIS = 'rgba(255, 255, 255, 0.22)';
/** Bright enough on the card, told apart from one another, and none of them the refill green. */
export const SERIES_COLORS = [
  '#4f9dff',
  '#ff9f43',
  '#f472b6',
  '#22d3ee',
  '#fde047',
  '#a78bfa',
  '#f87171',
  '#d6a77a',
  '#bef264',
  '#94a3b8',
] as const;
export const TOTAL_COLOR = '#ffffff';
/** The embeds' "ok" green: credits came in. */
export const REFILL_COLOR = '#2ecc71';

const DAY = 86_400_000;

interface LegendStyle {
  fontSize: number;
  padding: number;
  /** Wider labels would leave no room for a second account on the legend's row. */
  labelWidth: number;
}

/** Up to four lines the legend takes a row or two; past that it tightens, so ten accounts still leave a plot. */
const ROOMY_LEGEND: LegendStyle = { fontSize: 11, padding: 10, labelWidth: 170 };
const COMPACT_LEGEND: LegendStyle = { fontSize: 10, padding: 6, labelWidth: 110 };
const ROOMY_LEGEND_LINES = 4;
/** Refills closer than this (in layout px) share one marker: three accounts refilled at midnight are one event. */
const REFILL_MERGE_DISTANCE = 4;
/**
 * A refill label seen more often than this is routine (daily refills over weeks): lines and labels for
 * each would hatch the plot, so only their triangles show, and the rare ones (a monthly refill, a bought
 * package) keep theirs and stand out.
 */
const ROUTINE_REFILLS = 12;
/** Rows of refill labels along the top of the plot: a second one for a refill close after another. */
const REFILL_LABEL_ROWS = 2;
const REFILL_LABEL_HEIGHT = 15;
const NO_READINGS = 'No readings in this period';

interface XY {
  x: number;
  y: number;
}

/** Date's own limit is ±8.64e15 ms; a day inside it, so the fallback range stays a valid date too. */
const LAST_INSTANT = 8.64e15 - DAY;

function isInstant(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value) <= LAST_INSTANT;
}

/** A usable range whatever comes in: an empty, reversed or impossible one becomes the day that ends at `to`. */
function safeRange(from: number, to: number): TimeRange {
  const end = isInstant(to) ? to : isInstant(from) ? from + DAY : DAY;
  const start = isInstant(from) && from < end ? from : end - DAY;
  return { from: start, to: end };
}

/**
 * Readings the chart can place. A reading that is not a number is dropped; a negative one is drawn at
 * zero, because spendable credits never go below it and one bad reading must not stretch the axis.
 */
function cleanPoints(points: readonly ChartPoint[]): ChartPoint[] {
  const clean = points
    .filter((p) => Number.isFinite(p.at) && Number.isFinite(p.credits))
    .map((p) => (p.credits < 0 ? { at: p.at, credits: 0 } : p));
  return isSortedByTime(clean) ? clean : clean.sort((a, b) => a.at - b.at);
}

function isSortedByTime(points: readonly ChartPoint[]): boolean {
  return points.every((p, i) => i === 0 || points[i - 1]!.at <= p.at);
}

/** Index of the first point at or after `at` (or past it, with `strict`) in time-sorted points. */
function searchTime(points: readonly ChartPoint[], at: number, strict: boolean): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const t = points[mid]!.at;
    if (t < at || (strict && t === at)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface ClippedLine {
  /** What Chart.js draws. */
  data: XY[];
  /** Readings inside the range; none in any line means the period has no readings. */
  inside: number;
  /** The most credits inside the range (0 with none): the y axis must reach it. */
  highest: number;
}

/**
 * The readings inside the range, downsampled, plus the nearest reading on each side: Chart.js clips the
 * line at the plot's edges, so it enters and leaves at the right height instead of starting mid-air.
 */
function clipLine(points: readonly ChartPoint[], range: TimeRange, columns: number): ClippedLine {
  const clean = cleanPoints(points);
  const start = searchTime(clean, range.from, false);
  const end = searchTime(clean, range.to, true);
  if (start === end) return { data: [], inside: 0, highest: 0 };
  const kept = downsample(clean.slice(start, end), range.from, range.to, columns);
  const before = clean[start - 1];
  const after = clean[end];
  const withEdges = [...(before ? [before] : []), ...kept, ...(after ? [after] : [])];
  return {
    data: withEdges.map((p) => ({ x: p.at, y: p.credits })),
    inside: end - start,
    highest: Math.max(...kept.map((p) => p.credits)),
  };
}

/**
 * At most four readings per column (pick columns no wider than a pixel): the first, the lowest, the
 * highest and the last (M4). A line through them covers, in each column, the pixels the full line
 * would, so nothing visible is lost: a refill's jump lies between the column's lowest and highest
 * values (or between one column's last and the next one's first), and the last reading is always kept.
 * `points` must be sorted by time; readings outside [from, to] count in the nearest edge column.
 */
export function downsample(points: readonly ChartPoint[], from: number, to: number, columns: number): ChartPoint[] {
  const columnCount = Math.max(1, Math.floor(columns));
  const span = Math.max(to - from, 1);
  const columnOf = (at: number): number => Math.min(columnCount - 1, Math.max(0, Math.floor(((at - from) / span) * columnCount)));
  const kept: ChartPoint[] = [];
  let start = 0;
  while (start < points.length) {
    const column = columnOf(points[start]!.at);
    let end = start + 1;
    while (end < points.length && columnOf(points[end]!.at) === column) end += 1;
    keepColumn(points, start, end, kept);
    start = end;
  }
  return kept;
}

/** Appends the first, lowest, highest and last of points[start, end), once each and in time order. */
function keepColumn(points: readonly ChartPoint[], start: number, end: number, kept: ChartPoint[]): void {
  let low = start;
  let high = start;
  for (let i = start + 1; i < end; i += 1) {
    const credits = points[i]!.credits;
    if (credits < points[low]!.credits) low = i;
    if (credits > points[high]!.credits) high = i;
  }
  let previous = -1;
  for (const index of [start, Math.min(low, high), Math.max(low, high), end - 1]) {
    if (index > previous) kept.push(points[index]!);
    previous = index;
  }
}

export interface ValueAxis {
  max: number;
  step: number;
}

/** Whole-credit steps of 1, 2, 2.5 or 5 times a power of ten. */
const STEP_FACTORS = [1, 2, 2.5, 5, 10];
/** At most this many steps from 0 to the top: gridlines a reader can follow across. */
const MAX_STEPS = 5;
/** Room above the highest reading, so a line at the top does not run into the border. */
const HEADROOM = 1.05;

/**
 * A y axis from 0 to a round value just above `highest`, in round whole-credit steps. Chart.js's own
 * choice often doubles the range (0–15,000 for a top of 10,300); at this height every gridline counts.
 */
export function valueAxis(highest: number): ValueAxis {
  const target = Math.max(highest * HEADROOM, 10);
  const rawStep = target / MAX_STEPS;
  const magnitude = 10 ** Math.floor(Math.log10(rawStep));
  const step =
    // The factor 10 always qualifies: magnitude × 10 exceeds rawStep and is whole, as rawStep ≥ 2.
    STEP_FACTORS.map((factor) => factor * magnitude).find((s) => s >= rawStep && Number.isInteger(s))!;
  return { max: Math.ceil(target / step) * step, step };
}

/** Control and format characters (newlines, bidi overrides, zero-width joiners) would draw as boxes or reorder text. */
function plainText(text: string): string {
  return text
    .replace(/\p{Cf}/gu, '')
    .replace(/[\p{Cc}\p{Zl}\p{Zp}\s]+/gu, ' ')
    .trim();
}

/**
 * `text` as plain text no wider than `maxWidth`. An email loses its domain first, since accounts often
 * share one; then the part before the @ is cut in the middle, since they often share a start too
 * ("team.pixverse.01@…", "team.pixverse.02@…") and differ at its end.
 */
export function cutToWidth(text: string, maxWidth: number, measure: (text: string) => number): string {
  const plain = plainText(text);
  const fits = (candidate: string): boolean => measure(candidate) <= maxWidth;
  if (fits(plain)) return plain;
  const chars = Array.from(plain);
  const at = chars.lastIndexOf('@');
  if (at <= 0) return cutMiddle(chars, '', fits);
  const local = chars.slice(0, at);
  const withoutDomain = `${local.join('')}@…`;
  return fits(withoutDomain) ? withoutDomain : cutMiddle(local, '@…', fits);
}

/** The most of `chars` that fits with "…" in their middle and `suffix` after; just "…" if nothing does. */
function cutMiddle(chars: readonly string[], suffix: string, fits: (candidate: string) => boolean): string {
  const cut = (keep: number): string => {
    const head = Math.ceil(keep / 2);
    return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (keep - head)).join('')}${suffix}`;
  };
  if (!fits(cut(0))) return '…';
  let lo = 0;
  let hi = chars.length - 1;
  while (lo < hi) {
    const keep = (lo + hi + 1) >>> 1;
    if (fits(cut(keep))) lo = keep;
    else hi = keep - 1;
  }
  return cut(lo);
}

function fontString(size: number): string {
  return `${size}px ${CHART_FONT_FAMILY}`;
}

interface RefillMark {
  x: number;
  /** Each kind of refill at this spot and how many: three accounts' daily refills are one kind, ×3. */
  kinds: Map<string, number>;
}

/** A marker worth a line and a label. */
interface NotableMark {
  x: number;
  label: string;
}

/** The refills the plot can show, in time order. */
function refillsInRange(refills: readonly ChartRefill[], range: TimeRange): ChartRefill[] {
  return refills.filter((r) => r.at >= range.from && r.at <= range.to).sort((a, b) => a.at - b.at);
}

/** One marker per spot on the axis, so refills at the same moment (every account at midnight) share one. */
function refillMarks(refills: readonly ChartRefill[], scale: Scale): RefillMark[] {
  const groups: ChartRefill[][] = [];
  let groupX = Number.NEGATIVE_INFINITY;
  for (const refill of refills) {
    const x = scale.getPixelForValue(refill.at);
    const group = groups[groups.length - 1];
    if (group && x - groupX < REFILL_MERGE_DISTANCE) group.push(refill);
    else {
      groups.push([refill]);
      groupX = x;
    }
  }
  return groups.map((group) => ({ x: scale.getPixelForValue(group[0]!.at), kinds: kindsOf(group) }));
}

function kindsOf(group: readonly ChartRefill[]): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const refill of group) {
    const kind = plainText(refill.label);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return kinds;
}

/**
 * The markers with a kind of refill that is not routine (see ROUTINE_REFILLS), labelled with those kinds
 * only: "monthly refill +15,000", not the daily refill that came at the same midnight.
 */
function notableMarks(marks: readonly RefillMark[]): NotableMark[] {
  const marksPerKind = new Map<string, number>();
  for (const mark of marks) {
    for (const kind of mark.kinds.keys()) marksPerKind.set(kind, (marksPerKind.get(kind) ?? 0) + 1);
  }
  return marks.flatMap((mark) => {
    const kinds = [...mark.kinds].filter(([kind]) => marksPerKind.get(kind)! <= ROUTINE_REFILLS);
    const label = kinds.map(([kind, count]) => (count === 1 ? kind : `${kind} ×${count}`)).join(', ');
    return kinds.length === 0 ? [] : [{ x: mark.x, label }];
  });
}

function drawRefillLines(ctx: SKRSContext2D, marks: readonly NotableMark[], area: ChartArea): void {
  ctx.save();
  ctx.strokeStyle = `${REFILL_COLOR}73`;
  ctx.lineWidth = 1;
  ctx.setLineDash([3, 3]);
  for (const mark of marks) {
    ctx.beginPath();
    ctx.moveTo(mark.x, area.top);
    ctx.lineTo(mark.x, area.bottom);
    ctx.stroke();
  }
  ctx.restore();
}

/** Triangles standing on the x axis; when refills crowd (daily ones over months) they shrink to their spacing. */
function drawRefillTriangles(ctx: SKRSContext2D, marks: readonly RefillMark[], area: ChartArea): void {
  const dense = marks.length > ROUTINE_REFILLS;
  const spacing = Math.min(...marks.map((m, i) => (i === 0 ? Infinity : m.x - marks[i - 1]!.x)));
  const half = Math.max(1.5, Math.min(dense ? 3 : 4, (spacing - 1) / 2));
  const height = dense ? 5 : 7;
  ctx.save();
  ctx.fillStyle = REFILL_COLOR;
  for (const mark of marks) {
    ctx.beginPath();
    ctx.moveTo(mark.x - half, area.bottom);
    ctx.lineTo(mark.x + half, area.bottom);
    ctx.lineTo(mark.x, area.bottom - height);
    ctx.closePath();
    ctx.fill();
  }
  ctx.restore();
}

/**
 * A refill's label along the top of the plot, starting at its line (or ending there, near the right
 * edge); its backdrop hides other refills' lines behind it. Only a label's first appearance (daily
 * refills repeat theirs), and only in a row where it fits whole without touching another label: the
 * text beside the chart lists every refill.
 */
function drawRefillLabels(ctx: SKRSContext2D, marks: readonly NotableMark[], area: ChartArea): void {
  ctx.save();
  ctx.font = fontString(10);
  ctx.textBaseline = 'middle';
  const shown = new Set<string>();
  const freeFrom: number[] = Array.from({ length: REFILL_LABEL_ROWS }, () => area.left);
  for (const mark of marks) {
    if (shown.has(mark.label)) continue;
    const width = ctx.measureText(mark.label).width + 8;
    const left = mark.x + 3 + width <= area.right ? mark.x + 3 : mark.x - 3 - width;
    const row = freeFrom.findIndex((free) => left >= free);
    if (row < 0) continue;
    const top = area.top + 2 + row * (REFILL_LABEL_HEIGHT + 3);
    ctx.fillStyle = `${CARD}d9`;
    ctx.beginPath();
    ctx.roundRect(left, top, width, REFILL_LABEL_HEIGHT, 4);
    ctx.fill();
    ctx.fillStyle = BODY_TEXT;
    ctx.fillText(mark.label, left + 4, top + REFILL_LABEL_HEIGHT / 2);
    shown.add(mark.label);
    freeFrom[row] = left + width + 4;
  }
  ctx.restore();
}

interface PreparedChart {
  range: TimeRange;
  lines: { label: string; color: string; width: number; data: XY[] }[];
  empty: boolean;
  /** Inside the range, in time order. */
  refills: readonly ChartRefill[];
  ticks: TimeTick[];
  yAxis: ValueAxis;
  subtitle: string;
  legend: LegendStyle;
}

/** Columns for the downsampler: the image's full width, a little more than the plot's, so never too few. */
const DOWNSAMPLE_COLUMNS = IMAGE_WIDTH;

/** Everything the drawing needs, worked out once; `ctx` only measures legend labels. */
function prepare(input: CreditChartInput, ctx: SKRSContext2D): PreparedChart {
  const range = safeRange(input.from, input.to);
  const timeZone = knownTimeZone(input.timeZone);
  const legend = input.series.length + (input.total ? 1 : 0) > ROOMY_LEGEND_LINES ? COMPACT_LEGEND : ROOMY_LEGEND;
  ctx.font = fontString(legend.fontSize);
  const measure = (text: string): number => ctx.measureText(text).width;
  const total = input.total ? clipLine(input.total, range, DOWNSAMPLE_COLUMNS) : undefined;
  const accounts = input.series.map((s, i) => ({
    label: cutToWidth(s.label, legend.labelWidth, measure),
    color: SERIES_COLORS[i % SERIES_COLORS.length]!,
    width: 2,
    ...clipLine(s.points, range, DOWNSAMPLE_COLUMNS),
  }));
  // The total comes first: Chart.js draws the first dataset on top and lists it first in the legend.
  const lines = total ? [{ label: 'Total', color: TOTAL_COLOR, width: 2.5, ...total }, ...accounts] : accounts;
  return {
    range,
    lines,
    empty: lines.every((line) => line.inside === 0),
    refills: refillsInRange(input.refills, range),
    ticks: timeTicks(range, timeZone),
    yAxis: valueAxis(Math.max(...lines.map((line) => line.highest))),
    subtitle: rangeLabel(range, timeZone),
    legend,
  };
}

/** A lone account gets a soft fill under its line; with several, fills would hide one another. */
function areaFill(ctx: SKRSContext2D, color: string) {
  return (context: ScriptableContext<'line'>) => {
    const area = context.chart.chartArea;
    if (!area) return 'transparent';
    const gradient = ctx.createLinearGradient(0, area.top, 0, area.bottom);
    gradient.addColorStop(0, `${color}40`);
    gradient.addColorStop(1, `${color}00`);
    return gradient;
  };
}

function datasets(chart: PreparedChart, ctx: SKRSContext2D): ChartDataset<'line', XY[]>[] {
  const filled = chart.lines.length === 1;
  return chart.lines.map((line) => ({
    label: line.label,
    data: line.data,
    borderColor: line.color,
    borderWidth: line.width,
    borderJoinStyle: 'round',
    // A single reading has no line to draw; a dot shows it.
    pointRadius: line.data.length === 1 ? 3 : 0,
    pointBackgroundColor: line.color,
    pointBorderWidth: 0,
    tension: 0,
    fill: filled ? 'origin' : false,
    backgroundColor: filled ? areaFill(ctx, line.color) : line.color,
  }));
}

function legendItems(chart: PreparedChart): LegendItem[] {
  const lines: LegendItem[] = chart.lines.map((line, datasetIndex) => ({
    text: line.label,
    datasetIndex,
    strokeStyle: line.color,
    fillStyle: line.color,
    fontColor: BODY_TEXT,
    lineWidth: 3,
    pointStyle: 'line',
    hidden: false,
  }));
  const refill: LegendItem = {
    text: 'Refill',
    fillStyle: REFILL_COLOR,
    strokeStyle: REFILL_COLOR,
    fontColor: BODY_TEXT,
    lineWidth: 0,
    pointStyle: 'triangle',
    hidden: false,
  };
  return chart.refills.length > 0 ? [...lines, refill] : lines;
}

function backgroundPlugin(ctx: SKRSContext2D): Plugin<'line'> {
  return {
    id: 'creditsCard',
    beforeDraw: (chart) => {
      ctx.save();
      ctx.fillStyle = CARD;
      ctx.fillRect(0, 0, chart.width, chart.height);
      ctx.restore();
    },
  };
}

function refillPlugin(ctx: SKRSContext2D, prepared: PreparedChart): Plugin<'line'> {
  const marksOf = (chart: Chart<'line'>): RefillMark[] => refillMarks(prepared.refills, chart.scales.x!);
  return {
    id: 'creditsRefills',
    // Lines under the data, so a refill never hides a series; triangles and labels over it.
    beforeDatasetsDraw: (chart) => drawRefillLines(ctx, notableMarks(marksOf(chart)), chart.chartArea),
    afterDatasetsDraw: (chart) => {
      const marks = marksOf(chart);
      if (marks.length === 0) return;
      drawRefillTriangles(ctx, marks, chart.chartArea);
      drawRefillLabels(ctx, notableMarks(marks), chart.chartArea);
    },
  };
}

function emptyNotePlugin(ctx: SKRSContext2D, prepared: PreparedChart): Plugin<'line'> {
  return {
    id: 'creditsEmptyNote',
    afterDraw: (chart) => {
      if (!prepared.empty) return;
      const area = chart.chartArea;
      ctx.save();
      ctx.font = fontString(13);
      ctx.fillStyle = MUTED_TEXT;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(NO_READINGS, (area.left + area.right) / 2, (area.top + area.bottom) / 2);
      ctx.restore();
    },
  };
}

function chartConfig(prepared: PreparedChart, ctx: SKRSContext2D): ChartConfiguration<'line', XY[]> {
  const tickLabels = new Map(prepared.ticks.map((t) => [t.value, t.label]));
  const tickFont = { size: 10.5 };
  return {
    type: 'line',
    data: { datasets: datasets(prepared, ctx) },
    plugins: [backgroundPlugin(ctx), refillPlugin(ctx, prepared), emptyNotePlugin(ctx, prepared)],
    options: {
      animation: false,
      responsive: false,
      devicePixelRatio: PIXEL_RATIO,
      // Data arrive sorted, downsampled and as {x, y}: Chart.js may skip its own parsing and sorting.
      parsing: false,
      normalized: true,
      events: [],
      layout: { padding: { left: 10, right: 16, top: 12, bottom: 8 } },
      scales: {
        x: {
          type: 'linear',
          min: prepared.range.from,
          max: prepared.range.to,
          afterBuildTicks: (scale) => {
            scale.ticks = prepared.ticks.map((t) => ({ value: t.value }));
          },
          ticks: {
            callback: (value) => tickLabels.get(Number(value)) ?? '',
            autoSkip: false,
            maxRotation: 0,
            color: MUTED_TEXT,
            font: tickFont,
          },
          grid: { display: false },
          border: { color: AXIS },
        },
        y: {
          type: 'linear',
          min: 0,
          max: prepared.yAxis.max,
          ticks: {
            display: !prepared.empty,
            stepSize: prepared.yAxis.step,
            callback: (value) => formatNumber(Number(value)),
            padding: 8,
            color: MUTED_TEXT,
            font: tickFont,
          },
          grid: { color: GRID, drawTicks: false },
          border: { display: false },
        },
      },
      plugins: {
        title: {
          display: true,
          text: 'Spendable credits',
          align: 'start',
          color: TITLE_TEXT,
          font: { size: 14, weight: 600 },
          padding: { top: 0, bottom: 2 },
        },
        subtitle: {
          display: true,
          text: prepared.subtitle,
          align: 'start',
          color: MUTED_TEXT,
          font: { size: 10.5 },
          padding: { top: 0, bottom: 6 },
        },
        legend: {
          position: 'top',
          align: 'start',
          labels: {
            font: { size: prepared.legend.fontSize },
            usePointStyle: true,
            pointStyleWidth: 16,
            boxHeight: 7,
            padding: prepared.legend.padding,
            generateLabels: () => legendItems(prepared),
          },
        },
      },
    },
  };
}

/** The chart and where its plot sits. The Chart.js instance is destroyed before returning, so nothing stays behind. */
export async function drawCreditChart(input: CreditChartInput): Promise<RenderedChart> {
  registerChartFonts();
  const canvas = createCanvas(WIDTH, HEIGHT);
  const ctx = canvas.getContext('2d');
  const prepared = prepare(input, ctx);
  const chart = new Chart(canvas, chartConfig(prepared, ctx));
  try {
    const area = chart.chartArea;
    const plotArea = {
      left: area.left * PIXEL_RATIO,
      top: area.top * PIXEL_RATIO,
      right: area.right * PIXEL_RATIO,
      bottom: area.bottom * PIXEL_RATIO,
    };
    // Encoded before destroy(), which clears the canvas.
    return { png: await canvas.encode('png'), plotArea };
  } finally {
    chart.destroy();
  }
}

/** The PNG `/credits-history` attaches. */
export async function renderCreditChart(input: CreditChartInput): Promise<Buffer> {
  return (await drawCreditChart(input)).png;
}
