import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  forecast,
  MIN_CHECKS_FOR_FORECAST,
  usageBetween,
  usageRate,
  type Bucket,
  type Forecast,
  type Reading,
} from '../src/history/usage.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2031, 2, 10);

function reading(at: number, daily: number, monthly: number, pkg: number, extra: Partial<Reading> = {}): Reading {
  return { at, daily, monthly, package: pkg, ...extra };
}

function byTime(readings: Reading[]): Reading[] {
  return [...readings].sort((a, b) => a.at - b.at);
}

/**
 * A steady drain of `perCheck` credits a check from the monthly bucket, `left` credits at the last of
 * `checks` readings `intervalMs` apart. Nothing refills inside it.
 */
function steadyDrain(left: number, perCheck: number, checks: number, intervalMs: number, extra: Partial<Reading> = {}) {
  return Array.from({ length: checks }, (_, i) => reading(T0 + i * intervalMs, 0, left + perCheck * (checks - 1 - i), 0, extra));
}

/** Readings at the same times and with the same last reading, whose monthly bucket falls by `uses[i]` in pair i. */
function drainOf(uses: readonly number[], intervalMs: number, last: Reading): Reading[] {
  const after = (i: number) => uses.slice(i).reduce((sum, use) => sum + use, 0);
  return Array.from({ length: uses.length + 1 }, (_, i) => ({
    ...last,
    at: last.at - (uses.length - i) * intervalMs,
    monthly: last.monthly + after(i),
  }));
}

function lastOf(readings: readonly Reading[]): Reading {
  const last = readings.at(-1);
  if (last === undefined) throw new Error('no readings');
  return last;
}

/** How late a forecast is: run-out dates first, then lasting (by what is left), then idle. */
function lateness(f: Forecast): [number, number] {
  switch (f.kind) {
    case 'runs-out':
      return [0, f.at];
    case 'lasts':
      return [1, f.leftAtRefill];
    case 'idle':
      return [2, 0];
    case 'collecting':
      throw new Error('a forecast was expected');
  }
}

/** Fails unless `later` is no earlier than `earlier`, give or take a rounding: 1 ms on a date, a trace on credits left. */
function expectNotEarlier(later: Forecast, earlier: Forecast): void {
  const [laterRank, laterValue] = lateness(later);
  const [earlierRank, earlierValue] = lateness(earlier);
  expect(laterRank).toBeGreaterThanOrEqual(earlierRank);
  const slack = earlierRank === 0 ? 1 : 1e-9 * Math.max(1, Math.abs(earlierValue));
  if (laterRank === earlierRank) expect(laterValue).toBeGreaterThanOrEqual(earlierValue - slack);
}

// --- An account as PixVerse runs it, to measure readings against what was really spent. ---

interface Plan {
  daily: number;
  monthly: number;
  package: number;
  dailyAllowance: number;
  monthlyAllowance: number;
  dailyRefillAt: number;
  monthlyRefillAt: number;
}

type AccountEvent =
  { at: number; kind: 'spend'; amount: number } | { at: number; kind: 'credit'; bucket: Bucket; amount: number };

const SPENDING_ORDER: readonly Bucket[] = ['daily', 'monthly', 'package'];

/**
 * Spending takes daily credits, then monthly, then package; the daily bucket is reset to its allowance
 * every 24 h from `dailyRefillAt`, the monthly one every 30 days from `monthlyRefillAt`; a credit (a
 * purchase, a refund) adds to a bucket. Returns the readings at `checks` and what was really spent.
 */
function runAccount(plan: Plan, events: readonly AccountEvent[], checks: readonly number[]) {
  const held: Record<Bucket, number> = { daily: plan.daily, monthly: plan.monthly, package: plan.package };
  let nextDaily = plan.dailyRefillAt;
  let nextMonthly = plan.monthlyRefillAt;
  const pending = [...events].sort((a, b) => a.at - b.at);
  const spent: Array<{ at: number; amount: number }> = [];
  const readings: Reading[] = [];
  for (const at of checks) {
    for (let event = pending[0]; Math.min(nextDaily, nextMonthly, event?.at ?? Infinity) <= at; event = pending[0]) {
      if (nextDaily <= nextMonthly && nextDaily <= (event?.at ?? Infinity)) {
        held.daily = plan.dailyAllowance;
        nextDaily += DAY;
      } else if (nextMonthly <= (event?.at ?? Infinity)) {
        held.monthly = plan.monthlyAllowance;
        nextMonthly += 30 * DAY;
      } else if (event !== undefined) {
        pending.shift();
        if (event.kind === 'credit') held[event.bucket] += event.amount;
        else spent.push({ at: event.at, amount: take(held, event.amount) });
      }
    }
    readings.push({
      at,
      ...held,
      dailyAllowance: plan.dailyAllowance,
      monthlyAllowance: plan.monthlyAllowance,
      dailyRefillAt: nextDaily,
      monthlyRefillAt: nextMonthly,
    });
  }
  const spentBetween = (from: number, to: number) =>
    spent.filter((s) => s.at > from && s.at <= to).reduce((sum, s) => sum + s.amount, 0);
  return { readings, spentBetween };
}

function take(held: Record<Bucket, number>, amount: number): number {
  let left = amount;
  for (const bucket of SPENDING_ORDER) {
    const part = Math.min(held[bucket], left);
    held[bucket] -= part;
    left -= part;
  }
  return amount - left;
}

const accountArb = fc
  .record({
    dailyAllowance: fc.integer({ min: 0, max: 300 }),
    monthlyAllowance: fc.integer({ min: 0, max: 3_000 }),
    dailyShare: fc.double({ min: 0, max: 1, noNaN: true }),
    monthlyShare: fc.double({ min: 0, max: 1, noNaN: true }),
    dailyRefillIn: fc.integer({ min: 1, max: DAY }),
    monthlyRefillIn: fc.integer({ min: 1, max: 12 * DAY }),
    intervalMs: fc.integer({ min: 5 * MIN, max: 4 * HOUR }),
    checks: fc.integer({ min: 2, max: 48 }),
    spends: fc.array(fc.record({ when: fc.double({ min: 0, max: 1, noNaN: true }), amount: fc.integer({ min: 0, max: 150 }) }), {
      maxLength: 40,
    }),
    credits: fc.array(
      fc.record({
        when: fc.double({ min: 0, max: 1, noNaN: true }),
        bucket: fc.constantFrom<Bucket>('daily', 'monthly', 'package'),
        amount: fc.integer({ min: 1, max: 500 }),
      }),
      { maxLength: 3 },
    ),
  })
  .map((a) => {
    const checks = Array.from({ length: a.checks }, (_, i) => T0 + i * a.intervalMs);
    const span = (a.checks - 1) * a.intervalMs;
    const moment = (when: number) => T0 + Math.round(when * span);
    const spends: AccountEvent[] = a.spends.map((s) => ({ at: moment(s.when), kind: 'spend', amount: s.amount }));
    const credits: AccountEvent[] = a.credits.map((c) => ({
      at: moment(c.when),
      kind: 'credit',
      bucket: c.bucket,
      amount: c.amount,
    }));
    const plan: Plan = {
      daily: Math.round(a.dailyShare * a.dailyAllowance),
      monthly: Math.round(a.monthlyShare * a.monthlyAllowance),
      // Enough bought credits that no spend is ever refused: what is spent is then what was asked.
      package: a.spends.reduce((sum, s) => sum + s.amount, 0),
      dailyAllowance: a.dailyAllowance,
      monthlyAllowance: a.monthlyAllowance,
      dailyRefillAt: T0 + a.dailyRefillIn,
      monthlyRefillAt: T0 + a.monthlyRefillIn,
    };
    return { plan, spends, credits, checks, span };
  });

// --- Arbitrary histories: values that jump anywhere, refill times on schedule, stale or missing. ---

const creditsArb = fc.integer({ min: 0, max: 2_000 });

/** The next moment after `at` of a schedule that repeats every `period` from `phase`. */
function onSchedule(at: number, phase: number, period: number): number {
  return phase + (Math.floor((at - phase) / period) + 1) * period;
}

const scheduleKind = fc.constantFrom('on', 'on', 'on', 'missing', 'stale', 'random');

const historyArb = fc
  .record({
    dailyPhase: fc.integer({ min: 0, max: DAY }),
    monthlyPhase: fc.integer({ min: 0, max: 6 * DAY }),
    rows: fc.array(
      fc.record({
        // On a 10-minute grid, so that readings taken at the same instant come up too.
        offset: fc.integer({ min: 0, max: (6 * DAY) / (10 * MIN) }).map((n) => n * 10 * MIN),
        daily: creditsArb,
        monthly: creditsArb,
        package: creditsArb,
        dailyAllowance: fc.option(creditsArb, { nil: undefined }),
        monthlyAllowance: fc.option(creditsArb, { nil: undefined }),
        dailySchedule: scheduleKind,
        monthlySchedule: scheduleKind,
        randomAt: fc.integer({ min: 0, max: (8 * DAY) / (10 * MIN) }).map((n) => n * 10 * MIN),
        renewsIn: fc.option(fc.integer({ min: -DAY, max: 60 * DAY }), { nil: undefined }),
        expiresIn: fc.option(fc.integer({ min: -DAY, max: 60 * DAY }), { nil: undefined }),
      }),
      { maxLength: 40 },
    ),
  })
  .map(({ dailyPhase, monthlyPhase, rows }) =>
    byTime(
      rows.map((row) => {
        const at = T0 + row.offset;
        const refillAt = (kind: string, phase: number, period: number) =>
          kind === 'on'
            ? onSchedule(at, T0 + phase, period)
            : kind === 'stale'
              ? at - HOUR
              : kind === 'random'
                ? T0 + row.randomAt
                : undefined;
        const r: Reading = reading(at, row.daily, row.monthly, row.package);
        if (row.dailyAllowance !== undefined) r.dailyAllowance = row.dailyAllowance;
        if (row.monthlyAllowance !== undefined) r.monthlyAllowance = row.monthlyAllowance;
        const daily = refillAt(row.dailySchedule, dailyPhase, DAY);
        if (daily !== undefined) r.dailyRefillAt = daily;
        const monthly = refillAt(row.monthlySchedule, monthlyPhase, 7 * DAY);
        if (monthly !== undefined) r.monthlyRefillAt = monthly;
        if (row.renewsIn !== undefined) r.renewsAt = at + row.renewsIn;
        if (row.expiresIn !== undefined) r.expiresAt = at + row.expiresIn;
        return r;
      }),
    ),
  );

const windowArb = fc
  .tuple(fc.integer({ min: -HOUR, max: 7 * DAY }), fc.integer({ min: -HOUR, max: 7 * DAY }))
  .map(([a, b]) => ({ from: T0 + Math.min(a, b), to: T0 + Math.max(a, b) }));

// --- usageBetween ---

describe('usageBetween: use is what disappears between readings', () => {
  it('counts falls across the three buckets', () => {
    const readings = [reading(T0, 50, 1_000, 200), reading(T0 + HOUR, 20, 1_000, 200), reading(T0 + 2 * HOUR, 0, 990, 195)];
    expect(usageBetween(readings, T0, T0 + 2 * HOUR)).toEqual({ used: 65, refills: [], coveredMs: 2 * HOUR });
  });

  it('does not count the daily reset as use: the bucket goes back to its allowance', () => {
    const refill = T0 + DAY;
    const schedule = (at: number) => ({ dailyAllowance: 20, dailyRefillAt: at < refill ? refill : refill + DAY });
    const readings = [
      reading(refill - HOUR, 5, 300, 0, schedule(refill - HOUR)),
      reading(refill + HOUR, 20, 300, 0, schedule(refill + HOUR)),
    ];
    expect(usageBetween(readings, refill - DAY, refill + DAY)).toEqual({
      used: 0,
      refills: [{ at: refill, bucket: 'daily', amount: 15 }],
      coveredMs: 2 * HOUR,
    });
  });

  it('estimates the use hidden by a daily reset as allowance − new value, even when the bucket ends lower than before', () => {
    const refill = T0 + DAY;
    const schedule = (at: number) => ({ dailyAllowance: 60, dailyRefillAt: at < refill ? refill : refill + DAY });
    // 5 left before midnight; reset to 60; a 57-credit video after it leaves 3: the bucket fell by 2, 57 were used.
    const readings = [
      reading(refill - HOUR, 5, 0, 0, schedule(refill - HOUR)),
      reading(refill + HOUR, 3, 0, 0, schedule(refill + HOUR)),
    ];
    const usage = usageBetween(readings, T0, T0 + 2 * DAY);
    expect(usage.used).toBe(57);
    expect(usage.refills).toEqual([{ at: refill, bucket: 'daily', amount: 55 }]);
  });

  it('does not count a package purchase, and still sees the use beside it', () => {
    const readings = [reading(T0, 0, 100, 0), reading(T0 + HOUR, 0, 90, 500)];
    expect(usageBetween(readings, T0, T0 + HOUR)).toEqual({
      used: 10,
      refills: [{ at: T0 + HOUR, bucket: 'package', amount: 500 }],
      coveredMs: HOUR,
    });
  });

  it('follows a monthly refill in the middle of the window', () => {
    const refill = T0 + 90 * MIN;
    const schedule = (at: number) => ({ monthlyAllowance: 1_000, monthlyRefillAt: at < refill ? refill : refill + 30 * DAY });
    const monthly = [100, 80, 970, 950];
    const readings = monthly.map((value, i) => reading(T0 + i * HOUR, 0, value, 0, schedule(T0 + i * HOUR)));
    // 20 before, 30 after the refill (hidden by it: 1000 − 970), 20 after: 70; the refill added 920 (80 → 1000).
    expect(usageBetween(readings, T0, T0 + 3 * HOUR)).toEqual({
      used: 70,
      refills: [{ at: refill, bucket: 'monthly', amount: 920 }],
      coveredMs: 3 * HOUR,
    });
  });

  it('falls back to the renewal date for the monthly refill when no refresh time is known', () => {
    const renewal = T0 + 30 * MIN;
    const readings = [
      reading(T0, 0, 40, 0, { monthlyAllowance: 500, renewsAt: renewal }),
      reading(T0 + HOUR, 0, 450, 0, { monthlyAllowance: 500, renewsAt: renewal + 30 * DAY }),
    ];
    expect(usageBetween(readings, T0, T0 + HOUR).used).toBe(50);
  });

  it('does not take a rise off schedule (a refund, a gift) for a refill that hides use', () => {
    const schedule = { dailyAllowance: 60, dailyRefillAt: T0 + 12 * HOUR };
    const readings = [reading(T0, 10, 0, 0, schedule), reading(T0 + HOUR, 30, 0, 0, schedule)];
    expect(usageBetween(readings, T0, T0 + HOUR)).toEqual({
      used: 0,
      refills: [{ at: T0 + HOUR, bucket: 'daily', amount: 20 }],
      coveredMs: HOUR,
    });
  });

  it('does not trust a refill time that came and went without the schedule moving on', () => {
    const stuck = { dailyAllowance: 60, dailyRefillAt: T0 + 30 * MIN };
    const readings = [reading(T0, 10, 0, 0, stuck), reading(T0 + HOUR, 4, 0, 0, stuck)];
    expect(usageBetween(readings, T0, T0 + HOUR).used).toBe(6);
  });

  it('without the allowance, takes the fall across a refill as the use (a lower bound)', () => {
    const readings = [
      reading(T0, 10, 0, 0, { dailyRefillAt: T0 + 30 * MIN }),
      reading(T0 + HOUR, 4, 0, 0, { dailyRefillAt: T0 + DAY }),
    ];
    expect(usageBetween(readings, T0, T0 + HOUR)).toEqual({ used: 6, refills: [], coveredMs: HOUR });
  });

  it("counts a refill announced at either reading's own instant", () => {
    const schedule = (dailyRefillAt: number) => ({ dailyAllowance: 60, dailyRefillAt });
    const atFirst = [reading(T0, 10, 0, 0, schedule(T0)), reading(T0 + HOUR, 50, 0, 0, schedule(T0 + DAY))];
    expect(usageBetween(atFirst, T0, T0 + HOUR).used).toBe(10);
    const atSecond = [reading(T0, 10, 0, 0, schedule(T0 + HOUR)), reading(T0 + HOUR, 50, 0, 0, schedule(T0 + HOUR + DAY))];
    expect(usageBetween(atSecond, T0, T0 + HOUR)).toEqual({
      used: 10,
      refills: [{ at: T0 + HOUR, bucket: 'daily', amount: 50 }],
      coveredMs: HOUR,
    });
  });

  it('refills to the allowance in force after the refill (a plan changed with it)', () => {
    const readings = [
      reading(T0, 10, 0, 0, { dailyAllowance: 20, dailyRefillAt: T0 + 30 * MIN }),
      reading(T0 + HOUR, 50, 0, 0, { dailyAllowance: 60, dailyRefillAt: T0 + 30 * MIN + DAY }),
    ];
    expect(usageBetween(readings, T0, T0 + HOUR).used).toBe(10);
  });

  it('lists the refills oldest first, across buckets', () => {
    const readings = [
      reading(T0, 0, 0, 0, {
        dailyAllowance: 10,
        monthlyAllowance: 100,
        dailyRefillAt: T0 + 50 * MIN,
        monthlyRefillAt: T0 + 10 * MIN,
      }),
      reading(T0 + HOUR, 10, 100, 5, {
        dailyAllowance: 10,
        monthlyAllowance: 100,
        dailyRefillAt: T0 + DAY,
        monthlyRefillAt: T0 + 30 * DAY,
      }),
    ];
    expect(usageBetween(readings, T0, T0 + HOUR).refills).toEqual([
      { at: T0 + 10 * MIN, bucket: 'monthly', amount: 100 },
      { at: T0 + 50 * MIN, bucket: 'daily', amount: 10 },
      { at: T0 + HOUR, bucket: 'package', amount: 5 },
    ]);
  });

  it('counts only pairs of readings inside the window, and says how much of it they span', () => {
    const readings = [0, 4, 8, 12, 16].map((h, i) => reading(T0 + h * HOUR, 0, 100 - 10 * i, 0));
    // Readings at 4, 8 and 12 h lie in [2 h, 14 h]: two pairs, 8 h.
    expect(usageBetween(readings, T0 + 2 * HOUR, T0 + 14 * HOUR)).toEqual({ used: 20, refills: [], coveredMs: 8 * HOUR });
    expect(usageBetween(readings, T0 + 5 * HOUR, T0 + 7 * HOUR)).toEqual({ used: 0, refills: [], coveredMs: 0 });
  });

  it('property: use is never negative, rises are positive, coverage lies within the window', () => {
    fc.assert(
      fc.property(historyArb, windowArb, (readings, { from, to }) => {
        const usage = usageBetween(readings, from, to);
        expect(usage.used).toBeGreaterThanOrEqual(0);
        expect(usage.coveredMs).toBeGreaterThanOrEqual(0);
        expect(usage.coveredMs).toBeLessThanOrEqual(to - from);
        for (const refill of usage.refills) {
          expect(refill.amount).toBeGreaterThan(0);
          expect(refill.at).toBeGreaterThanOrEqual(from);
          expect(refill.at).toBeLessThanOrEqual(to);
        }
      }),
    );
  });

  it('property: [a, c] = [a, b] + [b, c] when a reading lies on b', () => {
    fc.assert(
      fc.property(
        historyArb.filter((readings) => readings.length > 0),
        fc.nat(),
        fc.integer({ min: 0, max: 2 * DAY }),
        fc.integer({ min: 0, max: 2 * DAY }),
        (readings, pick, before, after) => {
          const b = readings[pick % readings.length]!.at;
          const [whole, left, right] = [
            usageBetween(readings, b - before, b + after),
            usageBetween(readings, b - before, b),
            usageBetween(readings, b, b + after),
          ];
          expect(whole.used).toBe(left.used + right.used);
          expect(whole.coveredMs).toBe(left.coveredMs + right.coveredMs);
          expect(whole.refills).toEqual([...left.refills, ...right.refills]);
        },
      ),
    );
  });

  it('property: the order the readings come in does not matter', () => {
    const distinct = historyArb.filter((readings) => new Set(readings.map((r) => r.at)).size === readings.length);
    fc.assert(
      fc.property(
        distinct.chain((readings) =>
          fc.tuple(fc.constant(readings), fc.shuffledSubarray(readings, { minLength: readings.length })),
        ),
        windowArb,
        ([readings, shuffled], { from, to }) => {
          expect(usageBetween(shuffled, from, to)).toEqual(usageBetween(readings, from, to));
          const now = (readings.at(-1)?.at ?? T0) + HOUR;
          expect(forecast(shuffled, now)).toEqual(forecast(readings, now));
        },
      ),
    );
  });

  it('property: measured use is exactly what was spent when nothing refills, and never more when things do', () => {
    fc.assert(
      fc.property(accountArb, fc.boolean(), ({ plan, spends, credits, checks, span }, quiet) => {
        const events = quiet ? spends : [...spends, ...credits];
        // A quiet account refills nowhere in the readings: its refill times lie after the last check.
        const account = quiet ? { ...plan, dailyRefillAt: T0 + span + 1, monthlyRefillAt: T0 + span + 1 } : plan;
        const { readings, spentBetween } = runAccount(account, events, checks);
        const first = readings[0]!.at;
        const last = lastOf(readings).at;
        const used = usageBetween(readings, first, last).used;
        if (quiet) expect(used).toBe(spentBetween(first, last));
        else expect(used).toBeLessThanOrEqual(spentBetween(first, last));
      }),
    );
  });

  it('property: a jump up anywhere never increases measured use, in any window', () => {
    fc.assert(
      fc.property(
        historyArb,
        windowArb,
        fc.constantFrom<Bucket>('daily', 'monthly', 'package'),
        fc.nat(),
        fc.integer({ min: 1, max: 5_000 }),
        (readings, { from, to }, bucket, start, jump) => {
          const jumped = readings.map((r, i) => (i >= start % (readings.length + 1) ? { ...r, [bucket]: r[bucket] + jump } : r));
          expect(usageBetween(jumped, from, to).used).toBeLessThanOrEqual(usageBetween(readings, from, to).used);
        },
      ),
    );
  });
});

// --- usageRate ---

describe('usageRate', () => {
  it('is credits per day over the time the readings span', () => {
    const readings = steadyDrain(1_000, 10, 25, HOUR);
    expect(usageRate(readings, lastOf(readings).at, DAY)).toBeCloseTo(240, 9);
  });

  it('is undefined when the readings span less than three quarters of the window', () => {
    const now = T0 + 17 * HOUR;
    const young = steadyDrain(1_000, 10, 18, HOUR); // spans 17 h of 24
    expect(usageRate(young, now, DAY)).toBeUndefined();
    const older = steadyDrain(1_000, 10, 19, HOUR).map((r) => ({ ...r, at: r.at - HOUR })); // spans 18 h
    expect(usageRate(older, now, DAY)).toBeCloseTo(240, 9);
    expect(usageRate([], now, DAY)).toBeUndefined();
    expect(usageRate(young, now, 0)).toBeUndefined();
  });

  it('property: bursty use with the same total over the window gives the same rate', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat({ max: 1_000 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: MIN, max: 6 * HOUR }),
        fc.double({ min: 0, max: 1 / 3, noNaN: true }),
        (steady, weights, intervalMs, slack) => {
          const last = reading(T0, 0, 500, 0);
          // A window the readings span most of: the rate is defined, and all of the use lies in it.
          const window = steady.length * intervalMs * (1 + slack);
          const rate = usageRate(drainOf(steady, intervalMs, last), T0, window);
          const total = steady.reduce((sum, use) => sum + use, 0);
          expect(rate).toBe((total * DAY) / (steady.length * intervalMs));
          expect(usageRate(drainOf(resplit(steady, weights), intervalMs, last), T0, window)).toBe(rate);
        },
      ),
    );
  });
});

/** The same total as `uses`, over as many pairs, shared out by `weights` (all of it in one pair when they are all 0). */
function resplit(uses: readonly number[], weights: readonly number[]): number[] {
  const total = uses.reduce((sum, use) => sum + use, 0);
  const w = uses.map((_, i) => weights[i % weights.length]!);
  const weight = w.reduce((sum, x) => sum + x, 0);
  const parts = w.map((x) => (weight === 0 ? 0 : Math.floor((total * x) / weight)));
  parts[parts.length - 1]! += total - parts.reduce((sum, part) => sum + part, 0);
  return parts;
}

// --- forecast ---

describe('forecast: when do the spendable credits reach zero', () => {
  const FAR = { renewsAt: T0 + 365 * DAY };

  it(`collects until readings from ${MIN_CHECKS_FOR_FORECAST} checks exist: 5 → collecting, 6 → a forecast`, () => {
    const six = steadyDrain(1_000, 10, 6, HOUR, FAR);
    expect(forecast(six.slice(0, 5), six[4]!.at)).toEqual({ kind: 'collecting', checks: 5, needed: 6 });
    expect(forecast(six, lastOf(six).at)).toMatchObject({ kind: 'runs-out', ratePerDay: 240 });
    expect(forecast([], T0)).toEqual({ kind: 'collecting', checks: 0, needed: 6 });
  });

  it('counts only the checks of the last 7 days: a history that stopped long ago collects afresh', () => {
    const old = steadyDrain(1_000, 10, 20, HOUR, FAR);
    expect(forecast(old, lastOf(old).at + 8 * DAY)).toEqual({ kind: 'collecting', checks: 0, needed: 6 });
    // The oldest of six readings exactly 7 days back still counts.
    const six = steadyDrain(1_000, 10, 6, HOUR, FAR);
    expect(forecast(six, T0 + 7 * DAY)).toMatchObject({ kind: 'runs-out' });
    expect(forecast(six, T0 + 7 * DAY + 1)).toMatchObject({ kind: 'collecting', checks: 5 });
  });

  it('collects while six readings span no time at all: there is no rate to give', () => {
    const instant = Array.from({ length: 6 }, (_, i) => reading(T0, 0, 100 - i, 0, FAR));
    expect(forecast(instant, T0)).toEqual({ kind: 'collecting', checks: 6, needed: 6 });
  });

  it('is idle with no use in the window', () => {
    const readings = steadyDrain(1_000, 0, 10, HOUR, FAR);
    expect(forecast(readings, lastOf(readings).at)).toEqual({ kind: 'idle' });
  });

  it('runs out at the rate over the last 24 h, before the renewal', () => {
    const readings = steadyDrain(240, 10, 25, HOUR, { renewsAt: T0 + 10 * DAY });
    const now = lastOf(readings).at;
    expect(forecast(readings, now)).toEqual({
      kind: 'runs-out',
      at: now + DAY,
      ratePerDay: 240,
      next: { what: 'renewal', at: T0 + 10 * DAY },
    });
  });

  it('prefers the last 24 h over heavier use before them, once they are covered', () => {
    const heavy = steadyDrain(0, 100, 24, HOUR).map((r) => ({ ...r, monthly: r.monthly + 240 }));
    const light = steadyDrain(0, 10, 25, HOUR).map((r) => ({ ...r, at: r.at + 23 * HOUR }));
    const readings = [...heavy, ...light].map((r) => ({ ...r, ...FAR }));
    expect(forecast(readings, lastOf(readings).at)).toMatchObject({ kind: 'runs-out', ratePerDay: 240 });
  });

  it('lasts when the daily allowance covers the rate, whatever the monthly and package credits', () => {
    // 50 a day against 100 given each day: the 60 left before the refill in 12 h are enough.
    const plan = { dailyAllowance: 100, dailyRefillAt: T0 + 36 * HOUR, renewsAt: T0 + 20 * DAY };
    const readings = Array.from({ length: 25 }, (_, h) => reading(T0 + h * HOUR, 110 - (50 * h) / 24, 0, 0, plan));
    const result = forecast(readings, T0 + DAY);
    expect(result).toMatchObject({ kind: 'lasts', until: { what: 'renewal', at: T0 + 20 * DAY } });
    // The last daily refill before the renewal is at T0 + 19 d 12 h: 12 h of it are spent by the renewal.
    if (result.kind === 'lasts') expect(result.leftAtRefill).toBeCloseTo(75, 6);
  });

  it('runs out despite daily refills when the rate exceeds the daily allowance', () => {
    // 100 a day against 60 a day: 350 left after the first 12 h fall by 40 a day until a day starts with 60 + 30.
    const plan = { dailyAllowance: 60, dailyRefillAt: T0 + DAY + 12 * HOUR };
    const readings = Array.from({ length: 9 }, (_, i) => reading(T0 + i * 3 * HOUR, 0, 400 + 100 - 12.5 * i, 0, plan));
    const now = T0 + DAY;
    expect(forecast(readings, now)).toEqual({
      kind: 'runs-out',
      at: now + 12 * HOUR + 8 * DAY + 0.9 * DAY,
      ratePerDay: 100,
      next: undefined,
    });
  });

  /** A day of 100 credits a day out of the monthly bucket, ending with `daily` daily credits and nothing else at T0 + 1 d. */
  const hundredADay = (daily: number, extra: Partial<Reading>) =>
    Array.from({ length: 9 }, (_, i) => reading(T0 + i * 3 * HOUR, daily, 100 - 12.5 * i, 0, extra));

  it('resets the daily bucket at a refill instead of topping it up', () => {
    // 100 a day from 80 daily credits and nothing else; the refill in 6 h finds 55 left and sets 80, not 135.
    const now = T0 + DAY;
    const readings = hundredADay(80, { dailyAllowance: 80, dailyRefillAt: now + 6 * HOUR });
    expect(forecast(readings, now)).toEqual({
      kind: 'runs-out',
      at: now + 6 * HOUR + 0.8 * DAY,
      ratePerDay: 100,
      next: undefined,
    });
  });

  it('takes a daily refill time days old for its time of day, and one at the reading itself as due', () => {
    const now = T0 + DAY;
    const stale = hundredADay(80, { dailyAllowance: 80, dailyRefillAt: now + 6 * HOUR - 3 * DAY });
    expect(forecast(stale, now)).toMatchObject({ kind: 'runs-out', at: now + 6 * HOUR + 0.8 * DAY });
    // 30 daily credits, refilled to 80 at once: 0.8 of a day, not the 0.3 that 30 would last.
    const due = hundredADay(30, { dailyAllowance: 80, dailyRefillAt: now });
    expect(forecast(due, now)).toMatchObject({ kind: 'runs-out', at: now + 0.8 * DAY });
  });

  it('does not take a balance that lasts exactly until the daily refill for a run-out', () => {
    // 240 a day against 240 given each day, 60 left 6 h before the refill: it reaches 0 only as it refills.
    const now = T0 + DAY;
    const renewsAt = now + 6 * HOUR + 2 * DAY + 12 * HOUR;
    const readings = Array.from({ length: 9 }, (_, i) => reading(T0 + i * 3 * HOUR, 60, 240 - 30 * i, 0, {}));
    const last = { ...lastOf(readings), dailyAllowance: 240, dailyRefillAt: now + 6 * HOUR, renewsAt };
    expect(forecast([...readings.slice(0, -1), last], now)).toEqual({
      kind: 'lasts',
      until: { what: 'renewal', at: renewsAt },
      ratePerDay: 240,
      leftAtRefill: 120,
    });
  });

  it('runs out now at zero credits, with use or without', () => {
    const readings = steadyDrain(0, 10, 8, HOUR, { renewsAt: T0 + 5 * DAY });
    const now = lastOf(readings).at;
    expect(forecast(readings, now)).toEqual({
      kind: 'runs-out',
      at: now,
      ratePerDay: 240,
      next: { what: 'renewal', at: T0 + 5 * DAY },
    });
    const empty = steadyDrain(0, 0, 8, HOUR, { dailyAllowance: 20, dailyRefillAt: now + HOUR });
    expect(forecast(empty, now)).toEqual({ kind: 'runs-out', at: now, ratePerDay: 0, next: undefined });
  });

  it('names the earliest of monthly refill, renewal and expiry; renewal wins a tie with expiry', () => {
    const at = (extra: Partial<Reading>) => forecast(steadyDrain(10_000, 1, 8, HOUR, extra), T0 + 7 * HOUR);
    expect(at({ renewsAt: T0 + 5 * DAY, expiresAt: T0 + 5 * DAY })).toMatchObject({
      until: { what: 'renewal', at: T0 + 5 * DAY },
    });
    expect(at({ renewsAt: T0 + 9 * DAY, expiresAt: T0 + 5 * DAY })).toMatchObject({ until: { what: 'expiry' } });
    expect(at({ renewsAt: T0 + 9 * DAY, monthlyRefillAt: T0 + 3 * DAY })).toMatchObject({ until: { what: 'monthly-refill' } });
    // Dates in the past are not ahead of anything; one at the reading's own instant still is.
    expect(at({ renewsAt: T0 + 7 * HOUR })).toEqual({
      kind: 'lasts',
      until: { what: 'renewal', at: T0 + 7 * HOUR },
      ratePerDay: 24,
      leftAtRefill: 10_000,
    });
    expect(at({ renewsAt: T0 - DAY, expiresAt: T0 + 4 * DAY })).toMatchObject({ until: { what: 'expiry', at: T0 + 4 * DAY } });
  });

  it('stops looking at the horizon (400 days by default)', () => {
    const readings = steadyDrain(1_000_000, 1, 8, HOUR);
    const now = lastOf(readings).at;
    expect(forecast(readings, now)).toMatchObject({ kind: 'lasts', until: { what: 'horizon', at: now + 400 * DAY } });
    expect(forecast(readings, now, { horizonDays: 30 })).toMatchObject({ until: { what: 'horizon', at: now + 30 * DAY } });
    // A renewal beyond the horizon is not reached; one right on it is.
    expect(forecast(readings, now, { horizonDays: 30 })).toMatchObject({ until: { what: 'horizon' } });
    const renewing = (renewsAt: number) => readings.map((r) => ({ ...r, renewsAt }));
    expect(forecast(renewing(now + 31 * DAY), now, { horizonDays: 30 })).toMatchObject({ until: { what: 'horizon' } });
    expect(forecast(renewing(now + 30 * DAY), now, { horizonDays: 30 })).toMatchObject({ until: { what: 'renewal' } });
    // Looking further finds the run-out (after some 114 years at 24 a day).
    expect(forecast(readings, now, { horizonDays: 100_000 })).toMatchObject({ kind: 'runs-out' });
  });

  it('uses what a young history holds, and ignores readings after now', () => {
    const readings = steadyDrain(500, 5, 7, 30 * MIN, FAR);
    const now = lastOf(readings).at;
    const future = reading(now + HOUR, 0, 0, 0);
    // 500 credits at 240 a day: 50 hours.
    expect(forecast([...readings, future], now)).toMatchObject({ kind: 'runs-out', ratePerDay: 240, at: now + 50 * HOUR });
  });

  it('property: a steady drain runs out when its rate says, and twice the rate takes half the time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 6, max: 60 }),
        fc.integer({ min: MIN, max: HOUR }),
        (left, perCheck, checks, intervalMs) => {
          const once = forecast(steadyDrain(left, perCheck, checks, intervalMs), T0 + (checks - 1) * intervalMs);
          const twice = forecast(steadyDrain(left, 2 * perCheck, checks, intervalMs), T0 + (checks - 1) * intervalMs);
          const start = T0 + (checks - 1) * intervalMs;
          const toZero = (left / perCheck) * intervalMs;
          if (once.kind !== 'runs-out' || twice.kind !== 'runs-out') throw new Error('expected both to run out');
          expect(once.ratePerDay).toBeCloseTo((perCheck / intervalMs) * DAY, 6);
          expect(Math.abs(once.at - (start + toZero))).toBeLessThanOrEqual(1);
          expect(Math.abs(twice.at - start - toZero / 2)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('property: a higher rate never runs out later, whatever the daily refills and the renewal', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 6, max: 60 }),
        fc.integer({ min: MIN, max: 2 * HOUR }),
        fc.record({
          dailyAllowance: fc.integer({ min: 0, max: 500 }),
          refillIn: fc.integer({ min: 1, max: DAY }),
          renewsIn: fc.integer({ min: 1, max: 90 * DAY }),
        }),
        (left, slow, more, checks, intervalMs, plan) => {
          const now = T0 + (checks - 1) * intervalMs;
          const extra = {
            dailyAllowance: plan.dailyAllowance,
            dailyRefillAt: now + plan.refillIn,
            renewsAt: now + plan.renewsIn,
          };
          const slower = forecast(steadyDrain(left, slow, checks, intervalMs, extra), now);
          const faster = forecast(steadyDrain(left, slow + more, checks, intervalMs, extra), now);
          expectNotEarlier(slower, faster);
        },
      ),
    );
  });

  it('property: how the same use is split across readings does not move the forecast', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: MIN_CHECKS_FOR_FORECAST - 1, maxLength: 45 }),
        fc.array(fc.nat({ max: 1_000 }), { minLength: 1, maxLength: 45 }),
        fc.integer({ min: 5 * MIN, max: 30 * MIN }),
        fc.record({
          monthly: fc.integer({ min: 0, max: 5_000 }),
          dailyAllowance: fc.integer({ min: 0, max: 300 }),
          renewsIn: fc.integer({ min: 1, max: 60 * DAY }),
        }),
        fc.array(fc.boolean(), { minLength: 45, maxLength: 45 }),
        (steady, weights, intervalMs, plan, keep) => {
          const last = reading(T0, 0, plan.monthly, 0, {
            dailyAllowance: plan.dailyAllowance,
            dailyRefillAt: T0 + HOUR,
            renewsAt: T0 + plan.renewsIn,
          });
          const even = drainOf(steady, intervalMs, last);
          const expected = forecast(even, T0);
          // Burstier: the same total over the same readings.
          expect(forecast(drainOf(resplit(steady, weights), intervalMs, last), T0)).toEqual(expected);
          // Coarser: fewer readings between the same first and last ones.
          const sparse = even.filter((_, i) => i === 0 || i === even.length - 1 || keep[i]);
          if (sparse.length >= MIN_CHECKS_FOR_FORECAST) expect(forecast(sparse, T0)).toEqual(expected);
        },
      ),
    );
  });

  it('property: a jump up anywhere in the history never makes the forecast earlier', () => {
    fc.assert(
      fc.property(
        historyArb.filter((readings) => readings.length >= MIN_CHECKS_FOR_FORECAST),
        fc.constantFrom<Bucket>('daily', 'monthly', 'package'),
        fc.nat(),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 0, max: 2 * HOUR }),
        (readings, bucket, from, jump, late) => {
          const now = lastOf(readings).at + late;
          const jumped = readings.map((r, i) => (i >= from % readings.length ? { ...r, [bucket]: r[bucket] + jump } : r));
          const before = forecast(readings, now);
          const after = forecast(jumped, now);
          if (before.kind === 'collecting') expect(after).toEqual(before);
          else expectNotEarlier(after, before);
        },
      ),
    );
  });
});
