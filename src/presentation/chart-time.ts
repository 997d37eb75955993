/**
 * The time axis of the credit chart, read on the clocks of a time zone (TZ): ticks at whole hours or
 * midnights that follow daylight-saving changes, and the range as a caption. Intl alone, no date library:
 * Chart.js's time scale would need an adapter and a date package for what these few functions do.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface TimeRange {
  from: number;
  to: number;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

export interface TimeTick {
  value: number;
  label: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Room for about this many labels across the preview width. */
const MAX_TICKS = 8;
const HOUR_STEPS = [1, 2, 3, 4, 6, 12];
const DAY_STEPS = [1, 2, 3, 7, 14];
/** Hours on the axis up to this span, days past it. */
const HOURLY_SPAN = 2 * DAY;

type WallClockReader = (at: number) => WallClock;

/** An unknown zone (a typo in TZ) shows UTC rather than failing the command. */
export function knownTimeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}

function wallClockReader(timeZone: string): WallClockReader {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  return (at) => {
    const parts = format.formatToParts(at);
    const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
    return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour'), minute: part('minute') };
  };
}

/** How far the zone's clocks are ahead of UTC at `at`. */
function zoneOffset(read: WallClockReader, at: number): number {
  const wall = read(at);
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute) - Math.floor(at / MINUTE) * MINUTE;
}

/**
 * The instant the zone's clocks show this date and hour. Date.UTC carries an hour past 23 or a day past
 * the month's end into the next, so callers may step by adding to them. The second guess settles a
 * daylight-saving change between the first guess and the answer. A time the clocks skip (Chile's
 * midnight turned to 01:00) has no instant: the one where the clocks resume stands for it, so a day
 * that begins at 01:00 is still labelled with its own date.
 */
function instantOf(read: WallClockReader, year: number, month: number, day: number, hour: number): number {
  const asUtc = Date.UTC(year, month - 1, day, hour);
  const guess = asUtc - zoneOffset(read, asUtc);
  const instant = asUtc - zoneOffset(read, guess);
  // The same instant again, unless the time was skipped: then the offsets either side of the change give
  // an instant on each side of it, and the later one is where the clocks resume.
  return Math.max(instant, asUtc - zoneOffset(read, instant));
}

/** The first round step that keeps the ticks to MAX_TICKS; a span no round step fits gets a plain one. */
function pickStep(steps: readonly number[], units: number): number {
  return steps.find((step) => units / step <= MAX_TICKS) ?? Math.ceil(units / MAX_TICKS);
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}

function dayLabel(wall: WallClock): string {
  return `${MONTHS[wall.month - 1]} ${wall.day}`;
}

function clockLabel(wall: WallClock): string {
  return `${twoDigits(wall.hour)}:${twoDigits(wall.minute)}`;
}

/**
 * Ticks at the zone's whole hours for a span up to two days (a midnight labelled with its date), at its
 * midnights past that; a step that keeps them to about eight. `timeZone` must be known to Intl.
 */
export function timeTicks(range: TimeRange, timeZone: string): TimeTick[] {
  const read = wallClockReader(timeZone);
  return range.to - range.from <= HOURLY_SPAN ? hourTicks(range, read) : dayTicks(range, read);
}

/** Hours on multiples of the step counted from midnight (00, 06, 12, 18), so days share one grid. */
function hourTicks(range: TimeRange, read: WallClockReader): TimeTick[] {
  const step = pickStep(HOUR_STEPS, (range.to - range.from) / HOUR);
  const start = read(range.from);
  const firstHour = Math.floor(start.hour / step) * step;
  return collectTicks(range, read, (k) => instantOf(read, start.year, start.month, start.day, firstHour + k * step), true);
}

/** Midnights from the first one in the range, so the left edge is never without a date. */
function dayTicks(range: TimeRange, read: WallClockReader): TimeTick[] {
  const step = pickStep(DAY_STEPS, (range.to - range.from) / DAY);
  const start = read(range.from);
  const firstDay = instantOf(read, start.year, start.month, start.day, 0) < range.from ? start.day + 1 : start.day;
  return collectTicks(range, read, (k) => instantOf(read, start.year, start.month, firstDay + k * step, 0), false);
}

function collectTicks(range: TimeRange, read: WallClockReader, nth: (k: number) => number, hourly: boolean): TimeTick[] {
  const ticks: TimeTick[] = [];
  for (let k = 0; ; k += 1) {
    const at = nth(k);
    if (at > range.to) return ticks;
    // A clock turned back can give one instant twice; a tick before the range is the step below it.
    if (at < range.from || at === ticks[ticks.length - 1]?.value) continue;
    const wall = read(at);
    ticks.push({ value: at, label: hourly && wall.hour !== 0 ? clockLabel(wall) : dayLabel(wall) });
  }
}

/** "Mar 1 – Mar 8, 2025" or, for a short span, "Mar 3, 14:00 – Mar 4, 14:00"; then the zone. */
export function rangeLabel(range: TimeRange, timeZone: string): string {
  const read = wallClockReader(timeZone);
  const start = read(range.from);
  const end = read(range.to);
  if (range.to - range.from <= HOURLY_SPAN) {
    return `${dayLabel(start)}, ${clockLabel(start)} – ${dayLabel(end)}, ${clockLabel(end)} · ${timeZone}`;
  }
  const startYear = start.year === end.year ? '' : `, ${start.year}`;
  return `${dayLabel(start)}${startYear} – ${dayLabel(end)}, ${end.year} · ${timeZone}`;
}
