import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as ChartTime from '../src/presentation/chart-time.js';
import type { TimeTick } from '../src/presentation/chart-time.js';

/**
 * Imported afresh before each test: the month names and the round steps are evaluated when the module
 * loads, and the mutation run only counts a test as reaching them if it loads during that test.
 */
let time: typeof ChartTime;
beforeEach(async () => {
  vi.resetModules();
  time = await import('../src/presentation/chart-time.js');
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const labels = (ticks: TimeTick[]) => ticks.map((t) => t.label);
/** "Mar 2@03-02T00:00": the label and the UTC instant it stands at. */
const placed = (ticks: TimeTick[]) => ticks.map((t) => `${t.label}@${new Date(t.value).toISOString().slice(5, 16)}`);

describe('knownTimeZone', () => {
  it('keeps a zone Intl knows and falls back to UTC for one it does not', () => {
    expect(time.knownTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(time.knownTimeZone('UTC')).toBe('UTC');
    expect(time.knownTimeZone('Mars/Olympus_Mons')).toBe('UTC');
    expect(time.knownTimeZone('')).toBe('UTC');
  });
});

describe('timeTicks', () => {
  it('labels midnights with dates for a week', () => {
    const from = Date.UTC(2025, 2, 1, 15);
    const ticks = time.timeTicks({ from, to: from + 7 * DAY }, 'UTC');
    expect(labels(ticks)).toEqual(['Mar 2', 'Mar 3', 'Mar 4', 'Mar 5', 'Mar 6', 'Mar 7', 'Mar 8']);
    expect(ticks.every((t) => t.value % DAY === 0)).toBe(true);
  });

  it('labels hours for a day, and the midnight with its date', () => {
    const from = Date.UTC(2025, 2, 1, 13, 20);
    const ticks = time.timeTicks({ from, to: from + DAY }, 'UTC');
    expect(labels(ticks)).toEqual(['15:00', '18:00', '21:00', 'Mar 2', '03:00', '06:00', '09:00', '12:00']);
  });

  it('puts ticks on the zone’s own midnights', () => {
    const from = Date.UTC(2025, 2, 1);
    const ticks = time.timeTicks({ from, to: from + 7 * DAY }, 'Asia/Kolkata');
    // Midnight in India (UTC+5:30) is 18:30 UTC the day before.
    expect(ticks.every((t) => new Date(t.value).toISOString().endsWith('T18:30:00.000Z'))).toBe(true);
    expect(ticks[0]!.label).toBe('Mar 2');
  });

  it('follows a daylight-saving change', () => {
    const from = Date.UTC(2025, 2, 28);
    const ticks = time.timeTicks({ from, to: from + 4 * DAY }, 'Europe/Berlin');
    const utcHours = ticks.map((t) => new Date(t.value).getUTCHours());
    // Berlin is UTC+1 until 30 March 2025, then UTC+2: midnight moves from 23:00 to 22:00 UTC.
    expect(labels(ticks)).toEqual(['Mar 29', 'Mar 30', 'Mar 31', 'Apr 1']);
    expect(utcHours).toEqual([23, 23, 22, 22]);
    // And back on 26 October, an hour after midnight UTC: that midnight is still at 22:00 UTC.
    const autumn = time.timeTicks({ from: Date.UTC(2025, 9, 24), to: Date.UTC(2025, 9, 28) }, 'Europe/Berlin');
    expect(placed(autumn)).toEqual(['Oct 25@10-24T22:00', 'Oct 26@10-25T22:00', 'Oct 27@10-26T23:00', 'Oct 28@10-27T23:00']);
  });

  it('keeps to about eight ticks over ninety days', () => {
    const to = Date.UTC(2025, 2, 8, 12);
    const ticks = time.timeTicks({ from: to - 90 * DAY, to }, 'UTC');
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks.length).toBeLessThanOrEqual(9);
  });

  it('names every month', () => {
    const names = Array.from({ length: 12 }, (_, month) => {
      const from = Date.UTC(2025, month, 1, 12);
      return labels(time.timeTicks({ from, to: from + 3 * DAY }, 'UTC'))[0];
    });
    expect(names).toEqual([
      'Jan 2',
      'Feb 2',
      'Mar 2',
      'Apr 2',
      'May 2',
      'Jun 2',
      'Jul 2',
      'Aug 2',
      'Sep 2',
      'Oct 2',
      'Nov 2',
      'Dec 2',
    ]);
  });

  it('shows hours up to exactly two days, and days past that', () => {
    const from = Date.UTC(2025, 2, 1, 12);
    expect(labels(time.timeTicks({ from, to: from + 2 * DAY }, 'UTC'))).toEqual([
      '12:00',
      '18:00',
      'Mar 2',
      '06:00',
      '12:00',
      '18:00',
      'Mar 3',
      '06:00',
      '12:00',
    ]);
    expect(labels(time.timeTicks({ from, to: from + 2 * DAY + MINUTE }, 'UTC'))).toEqual(['Mar 2', 'Mar 3']);
  });

  it('steps by the round number of hours that keeps to eight ticks: six for a day and a half', () => {
    const from = Date.UTC(2025, 2, 1);
    expect(labels(time.timeTicks({ from, to: from + 36 * HOUR }, 'UTC'))).toEqual([
      'Mar 1',
      '06:00',
      '12:00',
      '18:00',
      'Mar 2',
      '06:00',
      '12:00',
    ]);
  });

  it('steps by a week over thirty days, from the first midnight in the range', () => {
    const from = Date.UTC(2024, 11, 10, 3);
    expect(placed(time.timeTicks({ from, to: from + 30 * DAY }, 'UTC'))).toEqual([
      'Dec 11@12-11T00:00',
      'Dec 18@12-18T00:00',
      'Dec 25@12-25T00:00',
      'Jan 1@01-01T00:00',
      'Jan 8@01-08T00:00',
    ]);
  });

  it('keeps a tick that falls exactly on either end of the range', () => {
    const from = Date.UTC(2025, 2, 1);
    expect(labels(time.timeTicks({ from, to: from + 28 * DAY }, 'UTC'))).toEqual([
      'Mar 1',
      'Mar 8',
      'Mar 15',
      'Mar 22',
      'Mar 29',
    ]);
    expect(labels(time.timeTicks({ from, to: from + 7 * DAY }, 'UTC'))).toEqual([
      'Mar 1',
      'Mar 2',
      'Mar 3',
      'Mar 4',
      'Mar 5',
      'Mar 6',
      'Mar 7',
      'Mar 8',
    ]);
    const noon = Date.UTC(2025, 2, 1, 12);
    expect(labels(time.timeTicks({ from: noon, to: noon + DAY }, 'UTC'))).toEqual([
      '12:00',
      '15:00',
      '18:00',
      '21:00',
      'Mar 2',
      '03:00',
      '06:00',
      '09:00',
      '12:00',
    ]);
  });

  it('takes a plain step past what the round ones cover: every 25 days over 200', () => {
    const from = Date.UTC(2025, 0, 1, 12);
    expect(labels(time.timeTicks({ from, to: from + 200 * DAY }, 'UTC'))).toEqual([
      'Jan 2',
      'Jan 27',
      'Feb 21',
      'Mar 18',
      'Apr 12',
      'May 7',
      'Jun 1',
      'Jun 26',
    ]);
  });

  it('labels a day whose midnight the clocks skip with its date, where the day begins', () => {
    // Chile turned its clocks from 00:00 to 01:00 on 7 September 2025: that day began at 01:00 (04:00 UTC).
    const from = Date.UTC(2025, 8, 4, 12);
    expect(placed(time.timeTicks({ from, to: from + 6 * DAY }, 'America/Santiago'))).toEqual([
      'Sep 5@09-05T04:00',
      'Sep 6@09-06T04:00',
      'Sep 7@09-07T04:00',
      'Sep 8@09-08T03:00',
      'Sep 9@09-09T03:00',
      'Sep 10@09-10T03:00',
    ]);
  });

  it('gives an hour the clocks skip no tick of its own', () => {
    // Berlin went from 02:00 to 03:00 on 30 March 2025: 02:00 and 03:00 are the same instant.
    const from = Date.UTC(2025, 2, 29, 22);
    expect(placed(time.timeTicks({ from, to: from + 6 * HOUR }, 'Europe/Berlin'))).toEqual([
      '23:00@03-29T22:00',
      'Mar 30@03-29T23:00',
      '01:00@03-30T00:00',
      '03:00@03-30T01:00',
      '04:00@03-30T02:00',
      '05:00@03-30T03:00',
      '06:00@03-30T04:00',
    ]);
  });
});

describe('rangeLabel', () => {
  it('gives dates and hours up to exactly two days', () => {
    const from = Date.UTC(2025, 2, 3, 14);
    expect(time.rangeLabel({ from, to: from + DAY }, 'UTC')).toBe('Mar 3, 14:00 – Mar 4, 14:00 · UTC');
    expect(time.rangeLabel({ from, to: from + 2 * DAY }, 'UTC')).toBe('Mar 3, 14:00 – Mar 5, 14:00 · UTC');
    expect(time.rangeLabel({ from, to: from + 2 * DAY + MINUTE }, 'UTC')).toBe('Mar 3 – Mar 5, 2025 · UTC');
  });

  it('reads the clocks of the zone, and names it', () => {
    const from = Date.UTC(2025, 7, 14, 17, 30);
    expect(time.rangeLabel({ from, to: from + 12 * HOUR }, 'Asia/Kolkata')).toBe('Aug 14, 23:00 – Aug 15, 11:00 · Asia/Kolkata');
  });

  it('gives the year once, or twice when the range crosses one', () => {
    expect(time.rangeLabel({ from: Date.UTC(2025, 2, 1, 12), to: Date.UTC(2025, 2, 31, 12) }, 'UTC')).toBe(
      'Mar 1 – Mar 31, 2025 · UTC',
    );
    expect(time.rangeLabel({ from: Date.UTC(2024, 11, 10, 3), to: Date.UTC(2025, 0, 9, 3) }, 'Asia/Tokyo')).toBe(
      'Dec 10, 2024 – Jan 9, 2025 · Asia/Tokyo',
    );
  });
});
