import type { Features } from '../useapi/schemas.js';
import type { HistoryStore, StoredReading } from './store.js';
import { forecast, usageBetween, type Forecast, type Reading } from './usage.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** What a summary reads: the forecast looks back at most a week (see usage.ts). */
const SUMMARY_LOOKBACK_MS = 7 * DAY_MS;

/** What `/credits` and the digest show of an account's history, kept ready so neither waits on the database. */
export interface AccountSummary {
  /** The latest reading kept. */
  latest: StoredReading;
  /** Credits used in the last 24 hours, as far as readings cover them. */
  used: { credits: number; coveredMs: number };
  forecast: Forecast;
}

export interface HistoryLogger {
  warn(obj: object, msg?: string): void;
}

/** StoredReading → what the usage functions read. */
export function usageReading(stored: StoredReading): Reading {
  return {
    at: stored.at.getTime(),
    daily: stored.daily,
    monthly: stored.monthly,
    package: stored.package,
    ...(stored.dailyAllowance === undefined ? {} : { dailyAllowance: stored.dailyAllowance }),
    ...(stored.monthlyAllowance === undefined ? {} : { monthlyAllowance: stored.monthlyAllowance }),
    ...(stored.dailyRefillAt === undefined ? {} : { dailyRefillAt: stored.dailyRefillAt.getTime() }),
    ...(stored.monthlyRefillAt === undefined ? {} : { monthlyRefillAt: stored.monthlyRefillAt.getTime() }),
    ...(stored.renewsAt === undefined ? {} : { renewsAt: stored.renewsAt.getTime() }),
    ...(stored.expiresAt === undefined ? {} : { expiresAt: stored.expiresAt.getTime() }),
  };
}

/** What useapi.net said of an account's credits at `at`, as the store keeps it. */
export function storedReading(email: string, features: Features, at: Date): StoredReading {
  const f = features;
  return {
    email,
    at,
    daily: f.credit_daily ?? 0,
    monthly: f.credit_monthly ?? 0,
    package: f.credit_package ?? 0,
    ...(f.credit_daily_gift === undefined ? {} : { dailyAllowance: f.credit_daily_gift }),
    ...(f.credit_monthly_gift === undefined ? {} : { monthlyAllowance: f.credit_monthly_gift }),
    ...(f.plan_name === undefined ? {} : { plan: f.plan_name }),
    ...(f.daily_credits_refresh_time === undefined ? {} : { dailyRefillAt: f.daily_credits_refresh_time }),
    ...(f.credits_refresh_time === undefined ? {} : { monthlyRefillAt: f.credits_refresh_time }),
    ...(f.billing_renewal_date === undefined ? {} : { renewsAt: f.billing_renewal_date }),
    ...(f.expired_date === undefined ? {} : { expiresAt: f.expired_date }),
  };
}

/** An account's usage and forecast from its readings of the last week, as of `now`. */
export function summarise(readings: readonly StoredReading[], now: number): AccountSummary | undefined {
  const latest = readings.at(-1);
  if (!latest) return undefined;
  const usage = readings.map(usageReading);
  const day = usageBetween(usage, now - DAY_MS, now);
  return { latest, used: { credits: day.used, coveredMs: day.coveredMs }, forecast: forecast(usage, now) };
}

/**
 * The history the bot keeps: every fresh reading of an account's credits goes into the store, and each
 * account's summary (use in the last 24 hours, forecast) is worked out after each of its readings, so
 * answers read it without waiting. A write that fails is logged once and the bot goes on: a missing
 * reading makes the history thinner, never a command fail.
 */
export class CreditHistory {
  private readonly summaries = new Map<string, AccountSummary>();
  private readonly pending = new Set<Promise<void>>();
  private failureLogged = false;

  constructor(
    private readonly store: HistoryStore,
    private readonly logger: HistoryLogger,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Summaries of every account with readings, at start-up. */
  async load(): Promise<void> {
    for (const email of await this.store.emails()) await this.summarise(email);
  }

  /** Keeps a fresh reading (the useapi client's observer calls this for every credits read it made). */
  record(email: string, features: Features, at: Date = new Date(this.now())): void {
    const write = this.store
      .record(storedReading(email, features, at))
      .then(() => this.summarise(email))
      .then(
        () => {
          this.failureLogged = false;
        },
        (error: unknown) => {
          if (!this.failureLogged) this.logger.warn({ err: error }, 'could not keep a credit reading in the history');
          this.failureLogged = true;
        },
      )
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  summary(email: string): AccountSummary | undefined {
    return this.summaries.get(email);
  }

  /** Readings of one account (or every account) from `since`, oldest first. */
  readings(query: { email?: string; since: Date }): Promise<StoredReading[]> {
    return this.store.readings(query);
  }

  /** Emails with readings: accounts may have left useapi.net and still have a history. */
  emails(): Promise<string[]> {
    return this.store.emails();
  }

  /** Deletes readings past the retention; called after each background check. */
  async prune(): Promise<number> {
    return this.store.prune(new Date(this.now()));
  }

  /** Waits for the writes under way, then closes the store. */
  async close(): Promise<void> {
    await this.settled();
    await this.store.close();
  }

  /** Resolves once every reading recorded so far is written (and summarised). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async summarise(email: string): Promise<void> {
    const now = this.now();
    const readings = await this.store.readings({ email, since: new Date(now - SUMMARY_LOOKBACK_MS) });
    const summary = summarise(readings, now);
    if (summary) this.summaries.set(email, summary);
    else this.summaries.delete(email);
  }
}
