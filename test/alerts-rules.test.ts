import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alertMemorySchema,
  emptyAccount,
  emptyMemory,
  markAnnounced,
  onAccountList,
  onAccountListFailure,
  onFeatures,
  onFeaturesFailure,
  onForecast,
  type AccountMemory,
  type AlertMemory,
  type AlertSettings,
  type Incident,
} from '../src/alerts/rules.js';
import { featuresFixture } from '../src/emulators/useapi.js';
import type { Forecast } from '../src/history/usage.js';
import { alertEmbed } from '../src/presentation/alerts.js';
import { UseapiError } from '../src/useapi/errors.js';
import { featuresSchema, type Features } from '../src/useapi/schemas.js';

const SETTINGS: AlertSettings = { creditsBelow: 100, expiryDays: 3, failureChecks: 3, forecastDays: 3 };
const EMAIL = 'rules@example.com';
const DAY_MS = 86_400_000;
const NOW = new Date('2031-03-10T12:00:00Z');
/** Far from NOW, so no expiry rule fires unless a test asks for one. */
const FAR = new Date('2032-01-01T00:00:00Z');

/** Features as the client returns them: parsed by the real schema from the emulator's fixture. */
function features(overrides: Record<string, unknown> = {}): Features {
  return featuresSchema.parse(
    featuresFixture({ expired_date: FAR.toISOString(), billing_renewal_date: FAR.toISOString(), ...overrides }),
  );
}

/** Features whose spendable total (daily + monthly + package) is `total`, split over the three fields. */
function credits(total: number, overrides: Record<string, unknown> = {}): Features {
  const daily = Math.min(total, 7);
  const pkg = Math.min(total - daily, 5);
  return features({ credit_daily: daily, credit_package: pkg, credit_monthly: total - daily - pkg, ...overrides });
}

function at(base: Date, days: number): Date {
  return new Date(base.getTime() + days * DAY_MS);
}

const upstream = () => new UseapiError('upstream', 'GET /v2/pixverse/features answered 500', { status: 500 });
const timeout = () => new UseapiError('timeout', 'GET /v2/pixverse/features did not answer in time');
const accountError = () => new UseapiError('account-error', 'GET /v2/pixverse/features answered 596', { status: 596 });
const unauthorized = () => new UseapiError('unauthorized', 'GET /v2/pixverse/accounts answered 401', { status: 401 });
const subscription = () => new UseapiError('subscription', 'GET /v2/pixverse/accounts answered 402', { status: 402 });

function kinds(incidents: Incident[]): string[] {
  return incidents.map((incident) => incident.kind);
}

/*
 * What the monitor does when every post succeeds: the rule, then each incident marked announced.
 * The rules alone never mark anything (a post may fail); these helpers play the successful monitor.
 */
function announced(memory: AlertMemory, incidents: Incident[]): Incident[] {
  for (const incident of incidents) markAnnounced(memory, incident);
  return incidents;
}

function holding(account: AccountMemory, email: string): AlertMemory {
  return { ...emptyMemory(), accounts: { [email]: account } };
}

function seen(account: AccountMemory, email: string, reading: Features, settings: AlertSettings, now: Date): Incident[] {
  return announced(holding(account, email), onFeatures(account, email, reading, settings, now));
}

function failed(account: AccountMemory, email: string, error: unknown, settings: AlertSettings, now: Date): Incident[] {
  return announced(holding(account, email), onFeaturesFailure(account, email, error, settings, now));
}

function listed(memory: AlertMemory, emails: readonly string[]): Incident[] {
  return announced(memory, onAccountList(memory, emails));
}

function listFailed(memory: AlertMemory, error: unknown, settings: AlertSettings): Incident[] {
  return announced(memory, onAccountListFailure(memory, error, settings));
}

function expiring(what: 'expires' | 'renews', date: Date, email = EMAIL): Incident {
  return {
    kind: 'expiring',
    email,
    expiresAt: what === 'expires' ? date : undefined,
    renewsAt: what === 'renews' ? date : undefined,
  };
}

describe('low credits', () => {
  it('alerts once when crossing below the threshold, stays quiet while below', () => {
    const account = emptyAccount();
    expect(seen(account, EMAIL, credits(500), SETTINGS, NOW)).toEqual([]);
    const crossing = seen(account, EMAIL, credits(40), SETTINGS, NOW);
    expect(crossing).toEqual([{ kind: 'low-credits', email: EMAIL, spendable: 40, threshold: 100 }]);
    expect(seen(account, EMAIL, credits(39), SETTINGS, NOW)).toEqual([]);
    expect(seen(account, EMAIL, credits(0), SETTINGS, NOW)).toEqual([]);
    expect(account.low).toBe(true);
  });

  it('alerts on the very first reading when it is already below', () => {
    expect(kinds(seen(emptyAccount(), EMAIL, credits(3), SETTINGS, NOW))).toEqual(['low-credits']);
  });

  it('re-arms silently at or above the threshold, then alerts on the next drop', () => {
    const account = emptyAccount();
    expect(kinds(seen(account, EMAIL, credits(10), SETTINGS, NOW))).toEqual(['low-credits']);
    expect(seen(account, EMAIL, credits(100), SETTINGS, NOW)).toEqual([]);
    expect(account.low).toBe(false);
    expect(seen(account, EMAIL, credits(5_000), SETTINGS, NOW)).toEqual([]);
    expect(seen(account, EMAIL, credits(99), SETTINGS, NOW)).toEqual([
      { kind: 'low-credits', email: EMAIL, spendable: 99, threshold: 100 },
    ]);
  });

  it('treats exactly the threshold as not low (strictly below)', () => {
    const account = emptyAccount();
    expect(seen(account, EMAIL, credits(100), SETTINGS, NOW)).toEqual([]);
    expect(account.low).toBe(false);
    expect(kinds(seen(account, EMAIL, credits(99.5), SETTINGS, NOW))).toEqual(['low-credits']);
  });

  it('counts daily, monthly and package credits together', () => {
    const account = emptyAccount();
    // 60 + 30 + 20 = 110: no single field reaches 100, the sum does.
    expect(seen(account, EMAIL, features({ credit_daily: 60, credit_monthly: 30, credit_package: 20 }), SETTINGS, NOW)).toEqual(
      [],
    );
    expect(account.last?.spendable).toBe(110);
  });

  it('property: low-credits incidents = downward crossings, whatever errors come between', () => {
    const reading = fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 200 }).map((spendable) => ({ spendable })) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 1_000_000 }).map((spendable) => ({ spendable })) },
      {
        weight: 2,
        arbitrary: fc
          .constantFrom<() => unknown>(upstream, timeout, accountError, () => new Error('a bug'))
          .map((make) => ({ error: make() })),
      },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.array(reading, { maxLength: 60 }), (threshold, readings) => {
        const settings = { ...SETTINGS, creditsBelow: threshold };
        const account = emptyAccount();
        let alerts = 0;
        let crossings = 0;
        let below = false;
        for (const item of readings) {
          const incidents =
            'spendable' in item
              ? seen(account, EMAIL, credits(item.spendable), settings, NOW)
              : failed(account, EMAIL, item.error, settings, NOW);
          alerts += incidents.filter((incident) => incident.kind === 'low-credits').length;
          if ('spendable' in item) {
            if (item.spendable < threshold && !below) crossings += 1;
            below = item.spendable < threshold;
          }
        }
        expect(alerts).toBe(crossings);
      }),
      { numRuns: 300 },
    );
  });
});

describe('account error (596)', () => {
  it('announces the error once and the recovery once', () => {
    const account = emptyAccount();
    expect(failed(account, EMAIL, accountError(), SETTINGS, NOW)).toEqual([{ kind: 'account-error', email: EMAIL }]);
    expect(failed(account, EMAIL, accountError(), SETTINGS, NOW)).toEqual([]);
    expect(failed(account, EMAIL, accountError(), SETTINGS, NOW)).toEqual([]);
    expect(seen(account, EMAIL, credits(500), SETTINGS, NOW)).toEqual([{ kind: 'account-recovered', email: EMAIL }]);
    expect(seen(account, EMAIL, credits(500), SETTINGS, NOW)).toEqual([]);
  });

  it('never reports 596 as "unreadable", however many checks it lasts', () => {
    const account = emptyAccount();
    const all: Incident[] = [];
    for (let i = 0; i < 10; i += 1) all.push(...failed(account, EMAIL, accountError(), SETTINGS, NOW));
    expect(kinds(all)).toEqual(['account-error']);
  });

  it('a recovery with low credits gives both incidents', () => {
    const account = emptyAccount();
    failed(account, EMAIL, accountError(), SETTINGS, NOW);
    expect(kinds(seen(account, EMAIL, credits(1), SETTINGS, NOW)).sort()).toEqual(['account-recovered', 'low-credits']);
  });

  it('a good reading without a prior error is no recovery', () => {
    expect(seen(emptyAccount(), EMAIL, credits(500), SETTINGS, NOW)).toEqual([]);
  });
});

describe('expiry and renewal', () => {
  for (const [field, what] of [
    ['expired_date', 'expires'],
    ['billing_renewal_date', 'renews'],
  ] as const) {
    describe(`${field} (${what})`, () => {
      const reading = (date: unknown) => credits(5_000, { [field]: date });

      it('warns once for a date within N days, again for a new date', () => {
        const account = emptyAccount();
        const soon = at(NOW, 2);
        expect(seen(account, EMAIL, reading(soon.toISOString()), SETTINGS, NOW)).toEqual([expiring(what, soon)]);
        expect(seen(account, EMAIL, reading(soon.toISOString()), SETTINGS, at(NOW, 0.5))).toEqual([]);
        expect(seen(account, EMAIL, reading(soon.toISOString()), SETTINGS, at(NOW, 1))).toEqual([]);
        const later = at(NOW, 2.5);
        expect(seen(account, EMAIL, reading(later.toISOString()), SETTINGS, at(NOW, 1))).toEqual([expiring(what, later)]);
      });

      it('warns for a date exactly N days ahead, not for one beyond', () => {
        expect(seen(emptyAccount(), EMAIL, reading(at(NOW, 3).toISOString()), SETTINGS, NOW)).toHaveLength(1);
        expect(seen(emptyAccount(), EMAIL, reading(new Date(at(NOW, 3).getTime() + 1_000).toISOString()), SETTINGS, NOW)).toEqual(
          [],
        );
        expect(seen(emptyAccount(), EMAIL, reading(at(NOW, 30).toISOString()), SETTINGS, NOW)).toEqual([]);
      });

      it('a date beyond N days warns once it comes within N days', () => {
        const account = emptyAccount();
        const date = at(NOW, 10);
        expect(seen(account, EMAIL, reading(date.toISOString()), SETTINGS, NOW)).toEqual([]);
        expect(seen(account, EMAIL, reading(date.toISOString()), SETTINGS, at(NOW, 6))).toEqual([]);
        expect(kinds(seen(account, EMAIL, reading(date.toISOString()), SETTINGS, at(NOW, 7.5)))).toEqual(['expiring']);
        expect(seen(account, EMAIL, reading(date.toISOString()), SETTINGS, at(NOW, 8))).toEqual([]);
      });

      it('never warns for the zero date, an absent date, now, or a past date', () => {
        const account = emptyAccount();
        for (const value of [
          '0001-01-01T00:00:00Z',
          null,
          '',
          undefined,
          NOW.toISOString(),
          at(NOW, -1).toISOString(),
          at(NOW, -400).toISOString(),
        ]) {
          expect(seen(account, EMAIL, reading(value), SETTINGS, NOW), String(value)).toEqual([]);
        }
        expect(account.warned).toEqual([]);
      });

      it('with expiryDays 0 nothing ever warns', () => {
        expect(seen(emptyAccount(), EMAIL, reading(at(NOW, 0.01).toISOString()), { ...SETTINGS, expiryDays: 0 }, NOW)).toEqual(
          [],
        );
      });
    });
  }

  it('a plan that expires and renews on the same date is one warning, once', () => {
    const account = emptyAccount();
    const soon = at(NOW, 1);
    const both = features({ credit_monthly: 5_000, expired_date: soon.toISOString(), billing_renewal_date: soon.toISOString() });
    expect(seen(account, EMAIL, both, SETTINGS, NOW)).toEqual([
      { kind: 'expiring', email: EMAIL, expiresAt: soon, renewsAt: soon },
    ]);
    expect(seen(account, EMAIL, both, SETTINGS, NOW)).toEqual([]);
  });

  it('expiry and renewal on the same day at different hours are still one warning', () => {
    const account = emptyAccount();
    const expires = new Date('2031-03-11T00:30:00Z');
    const renews = new Date('2031-03-11T23:00:00Z');
    const both = features({ expired_date: expires.toISOString(), billing_renewal_date: renews.toISOString() });
    expect(seen(account, EMAIL, both, SETTINGS, NOW)).toEqual([
      { kind: 'expiring', email: EMAIL, expiresAt: expires, renewsAt: renews },
    ]);
    expect(seen(account, EMAIL, both, SETTINGS, at(NOW, 0.2))).toEqual([]);
  });

  it('expiry and renewal on different days are two warnings, the nearer first', () => {
    const account = emptyAccount();
    const expires = at(NOW, 1);
    const renews = at(NOW, 2);
    const both = features({ expired_date: expires.toISOString(), billing_renewal_date: renews.toISOString() });
    expect(seen(account, EMAIL, both, SETTINGS, NOW)).toEqual([expiring('expires', expires)]);
    expect(seen(account, EMAIL, both, SETTINGS, NOW)).toEqual([expiring('renews', renews)]);
    expect(seen(account, EMAIL, both, SETTINGS, NOW)).toEqual([]);
  });

  it('a renewal before the expiry is the nearer one, and is warned about first', () => {
    const account = emptyAccount();
    const renews = at(NOW, 1);
    const expires = at(NOW, 2);
    const both = features({ expired_date: expires.toISOString(), billing_renewal_date: renews.toISOString() });
    expect(seen(account, EMAIL, both, SETTINGS, NOW)).toEqual([expiring('renews', renews)]);
    expect(seen(account, EMAIL, both, SETTINGS, NOW)).toEqual([expiring('expires', expires)]);
    expect(account.warned).toEqual([`renews:${renews.toISOString()}`, `expires:${expires.toISOString()}`]);
  });

  it('`warned` does not grow with dates that have passed', () => {
    const account = emptyAccount();
    let now = NOW;
    let warnings = 0;
    // A year of monthly renewals, read daily: each renewal warns once and is then forgotten.
    for (let day = 0; day < 365; day += 1) {
      now = at(NOW, day);
      const nextRenewal = at(NOW, Math.floor(day / 30) * 30 + 30);
      const incidents = seen(
        account,
        EMAIL,
        credits(5_000, { billing_renewal_date: nextRenewal.toISOString(), expired_date: nextRenewal.toISOString() }),
        SETTINGS,
        now,
      );
      warnings += incidents.length;
      expect(account.warned.length).toBeLessThanOrEqual(2);
    }
    // 12 full months crossed in the year (renewals on days 30…360) → one warning each (expiry and renewal share the date).
    expect(warnings).toBe(12);
    expect(account.warned.every((key) => Date.parse(key.slice(key.indexOf(':') + 1)) > now.getTime())).toBe(true);
  });
});

describe('transient read failures', () => {
  for (const [name, make] of [
    ['timeout', timeout],
    ['upstream 500', upstream],
    ['a bug', () => new Error('a bug')],
  ] as const) {
    it(`${name}: reported once when it reaches failureChecks, not before`, () => {
      const account = emptyAccount();
      expect(failed(account, EMAIL, make(), SETTINGS, NOW)).toEqual([]);
      expect(failed(account, EMAIL, make(), SETTINGS, NOW)).toEqual([]);
      const third = failed(account, EMAIL, make(), SETTINGS, NOW);
      expect(third).toHaveLength(1);
      expect(third[0]).toMatchObject({ kind: 'unreadable', email: EMAIL, checks: 3 });
      for (let i = 0; i < 5; i += 1) expect(failed(account, EMAIL, make(), SETTINGS, NOW)).toEqual([]);
    });
  }

  it('a success resets the count, so failures must again last failureChecks', () => {
    const account = emptyAccount();
    failed(account, EMAIL, timeout(), SETTINGS, NOW);
    failed(account, EMAIL, upstream(), SETTINGS, NOW);
    expect(seen(account, EMAIL, credits(500), SETTINGS, NOW)).toEqual([]);
    expect(account.failures).toBe(0);
    expect(failed(account, EMAIL, timeout(), SETTINGS, NOW)).toEqual([]);
    expect(failed(account, EMAIL, timeout(), SETTINGS, NOW)).toEqual([]);
    expect(kinds(failed(account, EMAIL, timeout(), SETTINGS, NOW))).toEqual(['unreadable']);
  });

  it('after a reported failure and a success, a new long failure is reported again', () => {
    const account = emptyAccount();
    const all: Incident[] = [];
    for (let i = 0; i < 4; i += 1) all.push(...failed(account, EMAIL, upstream(), SETTINGS, NOW));
    all.push(...seen(account, EMAIL, credits(500), SETTINGS, NOW));
    for (let i = 0; i < 4; i += 1) all.push(...failed(account, EMAIL, upstream(), SETTINGS, NOW));
    expect(kinds(all)).toEqual(['unreadable', 'unreadable']);
  });

  it('records the last problem for /credits-alerts, keeping the last good values', () => {
    const account = emptyAccount();
    seen(account, EMAIL, credits(500, { plan_name: 'Pro' }), SETTINGS, NOW);
    failed(account, EMAIL, timeout(), SETTINGS, at(NOW, 1));
    expect(account.last).toEqual({ at: at(NOW, 1).toISOString(), spendable: 500, plan: 'Pro', problem: 'timeout' });
    seen(account, EMAIL, credits(400), SETTINGS, at(NOW, 2));
    expect(account.last?.problem).toBeUndefined();
    failed(account, EMAIL, new Error('a bug'), SETTINGS, at(NOW, 3));
    expect(account.last?.problem).toBe('bug');
  });

  it('a 596 between two long failures starts the count afresh: the second is reported too', () => {
    const account = emptyAccount();
    const all: Incident[] = [];
    for (let i = 0; i < 3; i += 1) all.push(...failed(account, EMAIL, upstream(), SETTINGS, NOW));
    all.push(...failed(account, EMAIL, accountError(), SETTINGS, NOW));
    expect(account.failures).toBe(0);
    for (let i = 0; i < 3; i += 1) all.push(...failed(account, EMAIL, upstream(), SETTINGS, NOW));
    expect(kinds(all)).toEqual(['unreadable', 'account-error', 'unreadable']);
  });

  it('the account list failing transiently is reported once, after failureChecks', () => {
    const memory = emptyMemory();
    expect(listFailed(memory, timeout(), SETTINGS)).toEqual([]);
    expect(listFailed(memory, upstream(), SETTINGS)).toEqual([]);
    const third = listFailed(memory, upstream(), SETTINGS);
    expect(third).toHaveLength(1);
    expect(third[0]).toMatchObject({ kind: 'unreadable', email: undefined, checks: 3 });
    expect(listFailed(memory, upstream(), SETTINGS)).toEqual([]);
    expect(listed(memory, [EMAIL])).toEqual([]);
    expect(listFailed(memory, upstream(), SETTINGS)).toEqual([]);
    expect(listFailed(memory, upstream(), SETTINGS)).toEqual([]);
    expect(kinds(listFailed(memory, upstream(), SETTINGS))).toEqual(['unreadable']);
  });
});

describe('the token and the account list', () => {
  for (const [name, make] of [
    ['401', unauthorized],
    ['402', subscription],
  ] as const) {
    it(`a token-wide ${name} is one incident however many checks, and its end is announced once`, () => {
      const memory = emptyMemory();
      const all: Incident[] = [];
      for (let i = 0; i < 6; i += 1) all.push(...listFailed(memory, make(), SETTINGS));
      expect(kinds(all)).toEqual(['token-rejected']);
      expect(all[0]).toMatchObject({ kind: 'token-rejected', error: { kind: make().kind } });
      expect(memory.listFailures).toBe(0);
      expect(listed(memory, [EMAIL])).toEqual([{ kind: 'token-accepted' }]);
      expect(listed(memory, [EMAIL])).toEqual([]);
      expect(kinds(listFailed(memory, make(), SETTINGS))).toEqual(['token-rejected']);
    });
  }

  it('an account first met in an announcement starts with nothing else remembered', () => {
    const memory = emptyMemory();
    const soon = at(NOW, 1);
    markAnnounced(memory, expiring('expires', soon, 'new@example.com'));
    expect(memory.accounts['new@example.com']).toEqual({
      low: false,
      error: false,
      warned: [`expires:${soon.toISOString()}`],
      failures: 0,
      failureReported: false,
      forecastWarned: false,
    });
  });

  it('a saved memory missing fields (an older shape) reads with the defaults; counts are kept', () => {
    expect(alertMemorySchema.parse({ version: 1, accounts: { [EMAIL]: {} } })).toEqual({
      version: 1,
      tokenRejected: false,
      listFailures: 0,
      listFailureReported: false,
      accounts: {
        [EMAIL]: { low: false, error: false, warned: [], failures: 0, failureReported: false, forecastWarned: false },
      },
    });
    expect(alertMemorySchema.parse({ version: 1 }).accounts).toEqual({});
    const counted = alertMemorySchema.parse({ version: 1, listFailures: 2, accounts: { [EMAIL]: { failures: 4 } } });
    expect(counted.listFailures).toBe(2);
    expect(counted.accounts[EMAIL]?.failures).toBe(4);
    expect(alertMemorySchema.safeParse({ version: 1, listFailures: -1 }).success).toBe(false);
  });

  it('a successful list without a prior rejection announces nothing', () => {
    expect(listed(emptyMemory(), [EMAIL])).toEqual([]);
  });

  it('forgets accounts that left the list, so a returning account starts afresh', () => {
    const memory: AlertMemory = emptyMemory();
    const kept: AccountMemory = emptyAccount();
    const gone: AccountMemory = emptyAccount();
    memory.accounts = { [EMAIL]: kept, 'gone@example.com': gone };
    seen(kept, EMAIL, credits(5), SETTINGS, NOW);
    seen(gone, 'gone@example.com', credits(5), SETTINGS, NOW);
    listed(memory, [EMAIL, 'new@example.com']);
    expect(Object.keys(memory.accounts)).toEqual([EMAIL]);
    expect(memory.accounts[EMAIL]).toBe(kept);
    expect(memory.accounts[EMAIL]?.low).toBe(true);
    listed(memory, []);
    expect(memory.accounts).toEqual({});
  });
});

describe('alertEmbed', () => {
  const email = 'someone.alerts@example.com';
  const incidents: Array<[Incident, string]> = [
    [{ kind: 'low-credits', email, spendable: 42, threshold: 100 }, 'PixVerse credits running low'],
    [{ kind: 'low-credits', email, spendable: 0, threshold: 100 }, 'PixVerse credits running low'],
    [{ kind: 'account-error', email }, 'PixVerse account in error state'],
    [{ kind: 'account-recovered', email }, 'PixVerse account working again'],
    [expiring('expires', at(NOW, 2), email), 'PixVerse plan about to expire'],
    [expiring('renews', at(NOW, 2), email), 'PixVerse plan about to renew'],
    [{ kind: 'expiring', email, expiresAt: at(NOW, 2), renewsAt: at(NOW, 2) }, 'PixVerse plan about to renew'],
    [{ kind: 'unreadable', email, checks: 3, error: upstream() }, 'Credits could not be checked'],
    [{ kind: 'unreadable', email, checks: 3, error: timeout() }, 'Credits could not be checked'],
    [{ kind: 'unreadable', email, checks: 3, error: new Error('a bug') }, 'Credits could not be checked'],
    [{ kind: 'unreadable', email, checks: 3, error: undefined }, 'Credits could not be checked'],
  ];

  for (const [incident, title] of incidents) {
    it(`${incident.kind} → "${title}": names the account in inline code, nothing undefined`, () => {
      const embed = alertEmbed(incident);
      expect(embed.title).toBe(title);
      expect(embed.description).toContain(`\`${email}\``);
      expect(typeof embed.color).toBe('number');
      expect(JSON.stringify(embed)).not.toMatch(/undefined|NaN|\[object Object\]|null/);
    });
  }

  it('low-credits shows the amount and the threshold; expiring the date', () => {
    expect(alertEmbed(incidents[0]![0]).description).toMatch(/\*\*42\*\*.*100/);
    const expiring = alertEmbed(incidents[4]![0]);
    expect(expiring.description).toContain(`<t:${Math.floor(at(NOW, 2).getTime() / 1000)}:`);
  });

  it('an account list that cannot be read says so instead of naming an account', () => {
    const embed = alertEmbed({ kind: 'unreadable', email: undefined, checks: 4, error: upstream() });
    expect(embed.description).toContain('the account list');
    expect(embed.description).toContain('4');
    expect(JSON.stringify(embed)).not.toMatch(/undefined|NaN|null/);
  });

  it('token incidents read without an account and without undefined', () => {
    for (const [incident, title] of [
      [{ kind: 'token-rejected', error: unauthorized() }, 'useapi.net rejected the bot’s API token'],
      [{ kind: 'token-rejected', error: subscription() }, 'No active useapi.net subscription'],
      [{ kind: 'token-accepted' }, 'useapi.net accepts the API token again'],
    ] as Array<[Incident, string]>) {
      const embed = alertEmbed(incident);
      expect(embed.title).toBe(title);
      expect(embed.description?.length).toBeGreaterThan(20);
      expect(JSON.stringify(embed)).not.toMatch(/undefined|NaN|null/);
    }
    expect(alertEmbed({ kind: 'token-rejected', error: unauthorized() }).description).toContain('USEAPI_TOKEN');
  });

  it('an email with backticks cannot break out of the inline code', () => {
    const embed = alertEmbed({ kind: 'account-error', email: 'a`b`@example.com' });
    expect(embed.description).toContain("`a'b'@example.com`");
  });
});

describe('the run-out forecast', () => {
  const runsOut = (inDays: number, next?: { what: 'monthly-refill' | 'renewal' | 'expiry'; at: number }): Forecast => ({
    kind: 'runs-out',
    at: NOW.getTime() + inDays * DAY_MS,
    ratePerDay: 500,
    next,
  });
  const forecasted = (account: AccountMemory, forecast: Forecast, settings = SETTINGS) =>
    announced(holding(account, EMAIL), onForecast(account, EMAIL, forecast, settings, NOW));

  it('warns once about a run-out within the days, naming the date and the refill it comes before', () => {
    const account = emptyAccount();
    const refill = { what: 'monthly-refill' as const, at: NOW.getTime() + 10 * DAY_MS };
    expect(forecasted(account, runsOut(2, refill))).toEqual([
      { kind: 'runs-out', email: EMAIL, at: at(NOW, 2), ratePerDay: 500, before: { what: 'monthly-refill', at: at(NOW, 10) } },
    ]);
    expect(forecasted(account, runsOut(1.5, refill))).toEqual([]);
  });

  it('a run-out exactly forecastDays ahead is within the days', () => {
    expect(kinds(forecasted(emptyAccount(), runsOut(3)))).toEqual(['runs-out']);
  });

  it('re-arms once the forecast clears, and warns again when it returns', () => {
    const account = emptyAccount();
    expect(kinds(forecasted(account, runsOut(2)))).toEqual(['runs-out']);
    expect(
      forecasted(account, {
        kind: 'lasts',
        until: { what: 'renewal', at: at(NOW, 5).getTime() },
        ratePerDay: 10,
        leftAtRefill: 100,
      }),
    ).toEqual([]);
    expect(account.forecastWarned).toBe(false);
    expect(kinds(forecasted(account, runsOut(2.5)))).toEqual(['runs-out']);
  });

  it('stays quiet beyond the days, while collecting or idle, for an account already out, and with forecastDays 0', () => {
    expect(forecasted(emptyAccount(), runsOut(3.5))).toEqual([]);
    expect(forecasted(emptyAccount(), { kind: 'collecting', checks: 2, needed: 6 })).toEqual([]);
    expect(forecasted(emptyAccount(), { kind: 'idle' })).toEqual([]);
    expect(forecasted(emptyAccount(), runsOut(0))).toEqual([]);
    expect(forecasted(emptyAccount(), runsOut(1), { ...SETTINGS, forecastDays: 0 })).toEqual([]);
  });

  it('reads as a date, the pace, and the refill it comes before', () => {
    const embed = alertEmbed({
      kind: 'runs-out',
      email: EMAIL,
      at: at(NOW, 2),
      ratePerDay: 1234.4,
      before: { what: 'renewal', at: at(NOW, 9) },
    });
    expect(embed.title).toBe('PixVerse credits will run out before they refill');
    expect(embed.description).toContain(`\`${EMAIL}\``);
    expect(embed.description).toContain('At ~1,234 a day, runs out');
    expect(embed.description).toContain(`before the plan renews (<t:${Math.floor(at(NOW, 9).getTime() / 1000)}:D>)`);
  });
});
