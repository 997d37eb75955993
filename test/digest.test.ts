import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PostFailure } from '../src/alerts/monitor.js';
import { DigestScheduler, isDigestDue, localClock, type Digest } from '../src/history/digest.js';
import { storedReading } from '../src/history/history.js';
import type { Forecast } from '../src/history/usage.js';
import { featuresFixture } from '../src/emulators/useapi.js';
import { COLORS } from '../src/presentation/embeds.js';
import { creditsCard, digestEmbed, usedLine } from '../src/presentation/history.js';
import { featuresSchema } from '../src/useapi/schemas.js';

/** A scheduler on a clock the test moves, with a durable state that outlives the scheduler. */
function digestClock(options: {
  time?: string;
  timeZone?: string;
  state?: { saved: unknown };
  post?: (digest: Digest) => Promise<void>;
}) {
  const state = options.state ?? { saved: undefined };
  const sent: Digest[] = [];
  let now = new Date('2031-03-10T06:00:00Z');
  const scheduler = new DigestScheduler({
    time: options.time ?? '09:00',
    timeZone: options.timeZone ?? 'UTC',
    accounts: () => Promise.resolve([{ email: 'a@example.com', summary: undefined }]),
    post:
      options.post ??
      ((digest) => {
        sent.push(digest);
        return Promise.resolve();
      }),
    state: {
      get: () => Promise.resolve(state.saved),
      set: (value) => {
        state.saved = value;
        return Promise.resolve();
      },
    },
    logger: { warn: () => undefined, info: () => undefined },
    now: () => now,
    tickMs: 3_600_000,
  });
  return {
    scheduler,
    sent,
    state,
    /** Moves the clock without looking at it. */
    set: (iso: string) => {
      now = new Date(iso);
    },
    at: async (iso: string) => {
      now = new Date(iso);
      await scheduler.tick();
    },
  };
}

describe('localClock and isDigestDue', () => {
  it('reads the day and the time of day in the zone', () => {
    expect(localClock(new Date('2031-03-10T23:30:00Z'), 'UTC')).toEqual({ day: '2031-03-10', minutes: 23 * 60 + 30 });
    expect(localClock(new Date('2031-03-10T23:30:00Z'), 'Europe/Paris')).toEqual({ day: '2031-03-11', minutes: 30 });
    expect(localClock(new Date('2031-03-10T03:00:00Z'), 'America/New_York')).toEqual({ day: '2031-03-09', minutes: 23 * 60 });
  });

  it('is due from its time on, once per local day', () => {
    const at = (iso: string) => new Date(iso);
    expect(isDigestDue('09:00', at('2031-03-10T08:59:00Z'), 'UTC', undefined)).toBe(false);
    expect(isDigestDue('09:00', at('2031-03-10T09:00:00Z'), 'UTC', undefined)).toBe(true);
    expect(isDigestDue('09:00', at('2031-03-10T21:00:00Z'), 'UTC', '2031-03-09')).toBe(true);
    expect(isDigestDue('09:00', at('2031-03-10T21:00:00Z'), 'UTC', '2031-03-10')).toBe(false);
    // 09:00 in Tokyo is 00:00 UTC.
    expect(isDigestDue('09:00', at('2031-03-10T00:00:00Z'), 'Asia/Tokyo', undefined)).toBe(true);
    expect(isDigestDue('09:00', at('2031-03-09T23:59:00Z'), 'Asia/Tokyo', undefined)).toBe(false);
  });

  it('property: over any run of clock readings, at most one digest a local day, and one each day the time was reached', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 * 24 * 60 }), { minLength: 1, maxLength: 200 }), (minutes) => {
        const start = Date.parse('2031-03-01T00:00:00Z');
        let lastDay: string | undefined;
        const sentDays: string[] = [];
        for (const minute of [...minutes].sort((a, b) => a - b)) {
          const now = new Date(start + minute * 60_000);
          if (isDigestDue('09:30', now, 'UTC', lastDay)) {
            lastDay = localClock(now, 'UTC').day;
            sentDays.push(lastDay);
          }
        }
        expect(new Set(sentDays).size).toBe(sentDays.length);
        const reachedDays = new Set(
          minutes
            .filter((minute) => minute % (24 * 60) >= 9 * 60 + 30)
            .map((minute) => localClock(new Date(start + minute * 60_000), 'UTC').day),
        );
        expect(new Set(sentDays)).toEqual(reachedDays);
      }),
    );
  });
});

describe('DigestScheduler', () => {
  it('sends once at its time, not before, and once the next day', async () => {
    const clock = digestClock({});
    await clock.scheduler.start();
    expect(clock.sent).toEqual([]);
    await clock.at('2031-03-10T09:00:30Z');
    await clock.at('2031-03-10T09:30:00Z');
    await clock.at('2031-03-10T23:59:00Z');
    expect(clock.sent.map((digest) => digest.day)).toEqual(['2031-03-10']);
    await clock.at('2031-03-11T08:00:00Z');
    await clock.at('2031-03-11T09:01:00Z');
    expect(clock.sent.map((digest) => digest.day)).toEqual(['2031-03-10', '2031-03-11']);
    await clock.scheduler.stop();
  });

  it('a restart the same day does not send it again; one that missed it sends it on return', async () => {
    const state = { saved: undefined as unknown };
    const first = digestClock({ state });
    await first.scheduler.start();
    await first.at('2031-03-10T09:05:00Z');
    await first.scheduler.stop();
    const second = digestClock({ state });
    second.set('2031-03-10T15:00:00Z');
    await second.scheduler.start();
    expect(second.sent).toEqual([]);
    await second.scheduler.stop();

    // Down from the 11th at 08:00 to 14:00: the digest of the 11th goes out as the bot comes back.
    const third = digestClock({ state });
    third.set('2031-03-11T14:00:00Z');
    await third.scheduler.start();
    expect(third.sent.map((digest) => digest.day)).toEqual(['2031-03-11']);
    await third.scheduler.stop();
  });

  it('a post that fails for now is tried again at the next look; one refused for good skips the day', async () => {
    let failures = 2;
    const sent: string[] = [];
    const clock = digestClock({
      post: (digest) => {
        if (failures-- > 0) return Promise.reject(new Error('socket hang up'));
        sent.push(digest.day);
        return Promise.resolve();
      },
    });
    await clock.at('2031-03-10T09:00:00Z');
    await clock.at('2031-03-10T09:01:00Z');
    await clock.at('2031-03-10T09:02:00Z');
    await clock.at('2031-03-10T09:03:00Z');
    expect(sent).toEqual(['2031-03-10']);

    const refused = digestClock({ post: () => Promise.reject(new PostFailure(true, { cause: new Error('Missing Access') })) });
    await refused.at('2031-03-10T09:00:00Z');
    expect(refused.state.saved).toEqual({ lastDay: '2031-03-10' });
  });
});

describe('digestEmbed', () => {
  it('one line per account, with what is known, nothing undefined', () => {
    const embed = digestEmbed({ day: '2031-03-10', accounts: [{ email: 'a@example.com', summary: undefined }] });
    expect(embed.title).toBe('PixVerse credits · Monday, March 10');
    expect(embed.description).toContain('`a@example.com` · no reading yet');
    expect(JSON.stringify(embed)).not.toMatch(/undefined|NaN/);
    expect(digestEmbed({ day: '2031-03-10', accounts: [] }).description).toBe('No PixVerse account to report on.');
  });

  it('fits Discord however many accounts there are', () => {
    const accounts = Array.from({ length: 200 }, (_, i) => ({ email: `account-${i}@example.com`, summary: undefined }));
    expect(digestEmbed({ day: '2031-03-10', accounts }).description!.length).toBeLessThanOrEqual(4_096);
  });
});

describe('usedLine', () => {
  it('says the hours the readings really span, so that it agrees with the pace of the forecast', () => {
    const HOUR = 3_600_000;
    expect(usedLine({ credits: 1234.4, coveredMs: 23.5 * HOUR })).toBe('**1,234** used in the last 23.5 h');
    expect(usedLine({ credits: 90, coveredMs: 24 * HOUR })).toBe('**90** used in the last 24 h');
    expect(usedLine({ credits: 5, coveredMs: 9 * HOUR + 2 * 60_000 })).toBe('**5** used in the last 9 h');
    // A first pair of readings minutes apart still names a span, never "0 h".
    expect(usedLine({ credits: 0, coveredMs: 60_000 })).toBe('**0** used in the last 0.1 h');
  });
});

describe('creditsCard', () => {
  const features = featuresSchema.parse(featuresFixture({ credit_daily: 60, credit_monthly: 15_000, credit_package: 500 }));
  const summary = (forecast: Forecast) => ({
    latest: storedReading('a@example.com', features, new Date()),
    used: { credits: 12_000, coveredMs: 86_400_000 },
    forecast,
  });

  it('turns a card amber when the credits run out before they refill, however many are left now', () => {
    expect(creditsCard('a@example.com', features, undefined).color).toBe(COLORS.ok);
    const lasting = summary({ kind: 'lasts', until: { what: 'horizon', at: Date.now() }, ratePerDay: 1, leftAtRefill: 10 });
    expect(creditsCard('a@example.com', features, lasting).color).toBe(COLORS.ok);
    const runsOut = summary({ kind: 'runs-out', at: Date.now() + 86_400_000, ratePerDay: 12_000, next: undefined });
    expect(creditsCard('a@example.com', features, runsOut).color).toBe(COLORS.low);
  });
});
