/**
 * How fast an account's credits go and whether they last until they refill, as pure functions of its
 * stored readings. No endpoint reports what a generation cost or a history of credits
 * (shared/reference/useapi-pixverse.md, "Credit cost"): use is only what disappears between two
 * successive readings. Everything here is therefore an estimate, and each rule says which way it errs.
 * Nothing here reads a clock: the present is always a parameter.
 */

/** One reading of an account's credits, as the history store keeps it. */
export interface Reading {
  at: number; // ms since epoch
  daily: number;
  monthly: number;
  package: number;
  dailyAllowance?: number; // credit_daily_gift
  monthlyAllowance?: number; // credit_monthly_gift
  dailyRefillAt?: number; // next daily_credits_refresh_time, ms
  monthlyRefillAt?: number; // next credits_refresh_time, ms
  renewsAt?: number; // billing_renewal_date, ms
  expiresAt?: number; // expired_date, ms
}

export type Bucket = 'daily' | 'monthly' | 'package';

/** A bucket that went up: a refill, a purchase, or a credit such as a refund. `amount` is what it added. */
export interface Refill {
  at: number;
  bucket: Bucket;
  amount: number;
}

export interface Usage {
  /** Credits used; never negative. */
  used: number;
  /** The rises seen, oldest first. */
  refills: Refill[];
  /** How much of the window the readings span: the time `used` was measured over. */
  coveredMs: number;
}

/** What would change the picture: the monthly credits refill, the plan renews, or the plan ends. */
export interface PlanEvent {
  what: 'monthly-refill' | 'renewal' | 'expiry';
  at: number;
}

export type Forecast =
  | { kind: 'collecting'; checks: number; needed: number }
  | { kind: 'idle' }
  /**
   * Spendable credits reach 0 at `at`, before `next` (undefined: no refill, renewal or expiry is known).
   * `at` counts from the latest reading, so it can lie before now when that reading is old.
   */
  | { kind: 'runs-out'; at: number; ratePerDay: number; next: PlanEvent | undefined }
  /**
   * Credits are left at `until` (`horizon`: nothing is known to happen sooner and the simulation
   * stopped looking): `leftAtRefill` of them, just before that moment.
   */
  | { kind: 'lasts'; until: { what: PlanEvent['what'] | 'horizon'; at: number }; ratePerDay: number; leftAtRefill: number };

export interface ForecastOptions {
  /** How far ahead the simulation looks (default 400 days: beyond any plan's next renewal, yearly ones included). */
  horizonDays?: number;
}

const DAY_MS = 86_400_000;

/** The product's promise: a forecast once readings from this many checks exist. */
export const MIN_CHECKS_FOR_FORECAST = 6;

/**
 * `usageRate` answers only when the readings span at least this share of its window. Gaps between
 * readings still count as covered (the use in them is seen as one difference), so a shorter span
 * means the history is younger than the window or stopped before its end: the rate would then pass
 * off a part of the window (a busy afternoon) as the whole of it. Three quarters still lets a
 * 24 h window be measured with checks every 6 hours.
 */
const MIN_COVERAGE = 0.75;

/**
 * The forecast's rate comes from the last 24 hours when they are covered: a whole day averages out the
 * daily rhythm of work and of the daily refill, reacts to a change of pace within a day, and is the
 * "used in the last 24 hours" that `/credits` shows beside the forecast, so the two agree. Otherwise
 * (a history younger than a day, or readings that stopped) it comes from whatever the last 7 days
 * hold: a rough rate early on is what the product promises after six checks, and use older than a
 * week says little about now.
 */
const RECENT_MS = DAY_MS;
const LOOKBACK_MS = 7 * DAY_MS;

const DEFAULT_HORIZON_DAYS = 400;

interface BucketModel {
  bucket: Bucket;
  value(reading: Reading): number;
  /** What the bucket is reset to at its refill, when known. */
  level(reading: Reading): number | undefined;
  /** When the bucket refills next, as the reading announced it. */
  nextRefill(reading: Reading): number | undefined;
}

const BUCKETS: readonly BucketModel[] = [
  { bucket: 'daily', value: (r) => r.daily, level: (r) => r.dailyAllowance, nextRefill: (r) => r.dailyRefillAt },
  {
    bucket: 'monthly',
    value: (r) => r.monthly,
    level: (r) => r.monthlyAllowance,
    // Without a refresh time of its own, the monthly bucket refills when the plan renews.
    nextRefill: (r) => r.monthlyRefillAt ?? r.renewsAt,
  },
  // Bought credits never refill: a rise is a purchase, whose size says nothing about what was used.
  { bucket: 'package', value: (r) => r.package, level: () => undefined, nextRefill: () => undefined },
];

/**
 * When the bucket refilled between two readings, as the earlier one announced it. Only an announced
 * refill counts: a rise at another moment is a purchase, a refund or a gift, and treating it as a
 * refill would invent hidden use, so that adding credits could make the history look hungrier.
 */
function refillBetween(model: BucketModel, prev: Reading, next: Reading): number | undefined {
  const due = model.nextRefill(prev);
  // A refill time already past when it was read is stale and says nothing about this interval; one at
  // the reading's own instant is still to come, or the server would already announce the next one.
  if (due === undefined || due < prev.at || due > next.at) return undefined;
  // The server must have moved its schedule on since: a time that came and went unchanged may be
  // stale, and taking it for a refill would invent use.
  const following = model.nextRefill(next);
  return following !== undefined && following > due ? due : undefined;
}

interface Change {
  used: number;
  refills: Refill[];
}

/**
 * One bucket between two readings. A fall is use; a rise is not negative use. A refill resets the
 * bucket to its allowance (daily credits do not carry over), which hides the use around it: the use
 * after it is estimated as allowance − new value, which is exact; the use before it is lost, so the
 * estimate errs low, never high.
 */
function bucketChange(model: BucketModel, prev: Reading, next: Reading): Change {
  const before = model.value(prev);
  const after = model.value(next);
  const refilledAt = refillBetween(model, prev, next);
  if (refilledAt === undefined) {
    if (after <= before) return { used: before - after, refills: [] };
    return { used: 0, refills: [{ at: next.at, bucket: model.bucket, amount: after - before }] };
  }
  // Without the allowance, assume the bucket refilled to no less than it held (a bucket holds no more
  // than it refills to): the fall, if any, is then a lower bound of the use.
  const level = model.level(next) ?? model.level(prev) ?? Math.max(before, after);
  const used = Math.max(0, level - after);
  const amount = after + used - before;
  return { used, refills: amount > 0 ? [{ at: refilledAt, bucket: model.bucket, amount }] : [] };
}

function pairChange(prev: Reading, next: Reading): Change {
  const changes = BUCKETS.map((model) => bucketChange(model, prev, next));
  return {
    used: changes.reduce((sum, change) => sum + change.used, 0),
    refills: changes.flatMap((change) => change.refills).sort((a, b) => a.at - b.at),
  };
}

/**
 * A pair of readings belongs to the window when both lie in it. It must start before the window's
 * end, so that a pair of readings taken at the same moment `b` falls in [b, c] and not also in
 * [a, b]: windows that meet at a reading then add up exactly.
 */
function pairInWindow(prev: Reading, next: Reading, from: number, to: number): boolean {
  return from <= prev.at && next.at <= to && prev.at < to;
}

/** The store returns readings in order; sorting again is cheap, and a misordered input then cannot fake a refill. */
function byTime(readings: readonly Reading[]): Reading[] {
  return [...readings].sort((a, b) => a.at - b.at);
}

/** Credits used in [from, to], the rises seen there, and how much of the window the readings span. */
export function usageBetween(readings: readonly Reading[], from: number, to: number): Usage {
  const sorted = byTime(readings);
  const usage: Usage = { used: 0, refills: [], coveredMs: 0 };
  for (let i = 1; i < sorted.length; i += 1) {
    const prev = sorted[i - 1]!;
    const next = sorted[i]!;
    if (!pairInWindow(prev, next, from, to)) continue;
    const change = pairChange(prev, next);
    usage.used += change.used;
    usage.refills.push(...change.refills);
    usage.coveredMs += next.at - prev.at;
  }
  return usage;
}

function perDay(usage: Usage): number | undefined {
  return usage.coveredMs > 0 ? (usage.used * DAY_MS) / usage.coveredMs : undefined;
}

/**
 * Credits per day over the `windowMs` ending at `now`, measured over the time the readings span;
 * undefined when they span less than three quarters of the window (see MIN_COVERAGE).
 */
export function usageRate(readings: readonly Reading[], now: number, windowMs: number): number | undefined {
  const usage = usageBetween(readings, now - windowMs, now);
  return usage.coveredMs >= MIN_COVERAGE * windowMs ? perDay(usage) : undefined;
}

function forecastRate(readings: readonly Reading[], now: number): number | undefined {
  return usageRate(readings, now, RECENT_MS) ?? perDay(usageBetween(readings, now - LOOKBACK_MS, now));
}

/**
 * The earliest of the monthly refill, the renewal and the expiry still ahead of the latest reading (at
 * its very instant counts: it has not happened yet if the reading still announces it); on a tie, in
 * that order, so a plan that renews and expires at once renews.
 */
function nextPlanEvent(latest: Reading): PlanEvent | undefined {
  const events: Array<[PlanEvent['what'], number | undefined]> = [
    ['monthly-refill', latest.monthlyRefillAt],
    ['renewal', latest.renewsAt],
    ['expiry', latest.expiresAt],
  ];
  let next: PlanEvent | undefined;
  for (const [what, at] of events) {
    if (at !== undefined && at >= latest.at && (next === undefined || at < next.at)) next = { what, at };
  }
  return next;
}

interface DailyRefill {
  at: number;
  level: number;
}

const NO_DAILY_REFILL: DailyRefill = { at: Infinity, level: 0 };

/** Without both the time and the allowance no daily refill is assumed: the forecast then errs early. */
function firstDailyRefill(latest: Reading): DailyRefill {
  const { dailyRefillAt: at, dailyAllowance: level } = latest;
  if (at === undefined || level === undefined) return NO_DAILY_REFILL;
  // A refill time already past (not yet updated upstream) still gives the time of day.
  const days = Math.max(0, Math.ceil((latest.at - at) / DAY_MS));
  return { at: at + days * DAY_MS, level };
}

/**
 * Spends forward from the latest reading at `ratePerDay`, daily credits first (they expire at the
 * daily refill), then the rest. The monthly and package credits are one pool here because the
 * simulation stops at the first monthly refill, renewal or expiry: that is the event the question is
 * about. One step per daily refill, so at most `horizonDays` + 1 steps.
 */
function simulate(latest: Reading, ratePerDay: number, horizonDays: number): Forecast {
  const next = nextPlanEvent(latest);
  const horizon = latest.at + horizonDays * DAY_MS;
  const until = next !== undefined && next.at <= horizon ? next : { what: 'horizon' as const, at: horizon };
  const refill = firstDailyRefill(latest);
  let refillAt = refill.at;
  let t = latest.at;
  let daily = latest.daily;
  let rest = latest.monthly + latest.package;
  for (;;) {
    const stepEnd = Math.min(refillAt, until.at);
    // Multiplied before divided, so that whole rates and times give whole credits: a balance that
    // lasts exactly until a refill is not taken for one that runs out just before it.
    const spend = (ratePerDay * (stepEnd - t)) / DAY_MS;
    if (daily + rest < spend) {
      return { kind: 'runs-out', at: Math.round(t + ((daily + rest) * DAY_MS) / ratePerDay), ratePerDay, next };
    }
    const fromDaily = Math.min(daily, spend);
    daily -= fromDaily;
    rest -= spend - fromDaily;
    if (stepEnd === until.at) return { kind: 'lasts', until, ratePerDay, leftAtRefill: daily + rest };
    // Reset, not topped up: what was left of the day's credits is gone.
    t = stepEnd;
    daily = refill.level;
    refillAt += DAY_MS;
  }
}

/**
 * At the recent rate, when the spendable credits (daily + monthly + package) reach 0, and whether that
 * comes before the monthly refill, renewal or expiry. An estimate that assumes the recent pace goes
 * on: it is not a promise, and it knows nothing of credits bought later. Daily refills delay the run-out
 * but save only an account that spends less per day than its daily allowance. An account at 0 has run
 * out, whatever its rate.
 */
export function forecast(readings: readonly Reading[], now: number, options: ForecastOptions = {}): Forecast {
  // Only readings the rate can come from count as checks, so a long-stopped history collects afresh.
  const recent = byTime(readings).filter((reading) => reading.at >= now - LOOKBACK_MS && reading.at <= now);
  const latest = recent.at(-1);
  const ratePerDay = forecastRate(recent, now);
  if (latest === undefined || recent.length < MIN_CHECKS_FOR_FORECAST || ratePerDay === undefined) {
    return { kind: 'collecting', checks: recent.length, needed: MIN_CHECKS_FOR_FORECAST };
  }
  if (latest.daily + latest.monthly + latest.package <= 0) {
    return { kind: 'runs-out', at: latest.at, ratePerDay, next: nextPlanEvent(latest) };
  }
  if (ratePerDay === 0) return { kind: 'idle' };
  return simulate(latest, ratePerDay, options.horizonDays ?? DEFAULT_HORIZON_DAYS);
}
