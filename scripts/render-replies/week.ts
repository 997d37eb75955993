import { drainedFeatures, featuresFixture, type V2AccountSeed } from '../../src/emulators/useapi.js';
import { storedReading } from '../../src/history/history.js';
import type { StoredReading } from '../../src/history/store.js';
import { featuresSchema } from '../../src/useapi/schemas.js';

/*
 * A believable week of three PixVerse accounts, as the background checks would have kept it and as
 * useapi.net serves it now: the same time series on both sides, so `/credits`, `/credits-history` and
 * the digest read what the emulator says (the way `inUse()` of test/e2e/history.test.ts does it, with a
 * pace that follows the working day and a package bought along the way).
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** How often the background checks read the accounts (CHECK_INTERVAL). */
const CHECK_EVERY = 30 * MINUTE;

/** PixVerse dates: second precision, `Z`. */
const pixverseDate = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Story {
  email: string;
  /** What useapi.net said of the account a week ago. */
  features: Record<string, unknown>;
  /** Credits spent per hour in the hour that starts at `at` (ms). */
  pace: (at: number) => number;
  /** Credit packages bought: `credits` added to the package bucket at `at`. */
  purchases?: Array<{ at: number; credits: number }>;
}

export interface Week {
  /** The accounts as the useapi.net emulator serves them now. */
  accounts: V2AccountSeed[];
  /** What the history database holds of them. */
  history: StoredReading[];
}

const utcHour = (at: number): number => new Date(at).getUTCHours();

/** Plays `story` from `start` to `now`: a reading every CHECK_EVERY, and the account as it stands now. */
function play(story: Story, start: number, now: number): { account: V2AccountSeed; readings: StoredReading[] } {
  const readings: StoredReading[] = [];
  let features = story.features;
  let t = start;
  const purchases = [...(story.purchases ?? [])];
  for (;;) {
    readings.push(storedReading(story.email, featuresSchema.parse(features), new Date(t)));
    const next = t + CHECK_EVERY;
    if (next >= now - MINUTE) break;
    features = drainedFeatures(features, { perHour: story.pace(t), since: t }, next);
    for (const purchase of purchases.filter((p) => p.at > t && p.at <= next)) {
      features = { ...features, credit_package: Number(features.credit_package ?? 0) + purchase.credits };
    }
    t = next;
  }
  return { account: { email: story.email, features, drain: { perHour: story.pace(t), since: t } }, readings };
}

/**
 * studio@ works office hours and spends fast: its monthly credits run out before they refill.
 * night-shift@ renders overnight, ran dry mid-week and bought a 10,000-credit package the next morning.
 * sandbox@ tries a prompt or two a day and lives on its daily credits.
 */
export function week(now = Date.now()): Week {
  const start = now - 7 * DAY + 5 * MINUTE;
  const midnight = now - (now % DAY);
  const plan = (days: number, overrides: Record<string, unknown>) => {
    const refill = pixverseDate(midnight + days * DAY + 9 * HOUR);
    return featuresFixture({
      daily_credits_refresh_time: pixverseDate(midnight + DAY),
      credits_refresh_time: refill,
      billing_renewal_date: refill,
      expired_date: refill,
      ...overrides,
    });
  };
  // night-shift@ runs out of credits in the night of day 4 and buys a package when it wakes up.
  const purchaseAt = midnight - 3 * DAY + 10 * HOUR + 20 * MINUTE;
  const stories: Story[] = [
    {
      email: 'studio@example.com',
      features: plan(12, { credit_daily: 60, credit_monthly: 14_500, credit_package: 0 }),
      pace: (at) => (utcHour(at) >= 8 && utcHour(at) < 19 ? 140 : 6),
    },
    {
      email: 'night-shift@example.com',
      features: plan(8, {
        plan_name: 'Standard',
        credit_daily: 60,
        credit_monthly: 2_650,
        credit_monthly_gift: 5_000,
        credit_package: 0,
        gen_simultaneously: 3,
      }),
      pace: (at) => (utcHour(at) >= 20 || utcHour(at) < 4 ? 95 : 4),
      purchases: [{ at: purchaseAt, credits: 10_000 }],
    },
    {
      email: 'sandbox@example.com',
      features: plan(23, {
        plan_name: 'Basic',
        credit_daily: 60,
        credit_monthly: 900,
        credit_monthly_gift: 1_200,
        credit_package: 0,
        gen_simultaneously: 1,
      }),
      pace: (at) => (utcHour(at) === 14 ? 30 : utcHour(at) === 15 ? 15 : 0),
    },
  ];
  const played = stories.map((story) => play(story, start, now));
  return {
    accounts: played.map((p) => p.account),
    history: played.flatMap((p) => p.readings).sort((a, b) => a.at.getTime() - b.at.getTime()),
  };
}
