import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyAccount,
  emptyMemory,
  onAccountList,
  onAccountListFailure,
  onFeatures,
  onFeaturesFailure,
  type AccountMemory,
  type AlertMemory,
  type AlertSettings,
  type Incident,
} from '../src/alerts/rules.js';
import { featuresFixture } from '../src/emulators/useapi.js';
import { alertEmbed } from '../src/presentation/alerts.js';
import { UseapiError } from '../src/useapi/errors.js';
import { featuresSchema, type Features } from '../src/useapi/schemas.js';

const SETTINGS: AlertSettings = { creditsBelow: 100, expiryDays: 3, failureChecks: 3 };
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

describe('low credits', () => {
  it('alerts once when crossing below the threshold, stays quiet while below', () => {
    const account = emptyAccount();
    expect(onFeatures(account, EMAIL, credits(500), SETTINGS, NOW)).toEqual([]);
    const crossing = onFeatures(account, EMAIL, credits(40), SETTINGS, NOW);
    expect(crossing).toEqual([{ kind: 'low-credits', email: EMAIL, spendable: 40, threshold: 100 }]);
    expect(onFeatures(account, EMAIL, credits(39), SETTINGS, NOW)).toEqual([]);
    expect(onFeatures(account, EMAIL, credits(0), SETTINGS, NOW)).toEqual([]);
    expect(account.low).toBe(true);
  });

  it('alerts on the very first reading when it is already below', () => {
    expect(kinds(onFeatures(emptyAccount(), EMAIL, credits(3), SETTINGS, NOW))).toEqual(['low-credits']);
  });

  it('re-arms silently at or above the threshold, then alerts on the next drop', () => {
    const account = emptyAccount();
    expect(kinds(onFeatures(account, EMAIL, credits(10), SETTINGS, NOW))).toEqual(['low-credits']);
    expect(onFeatures(account, EMAIL, credits(100), SETTINGS, NOW)).toEqual([]);
    expect(account.low).toBe(false);
    expect(onFeatures(account, EMAIL, credits(5_000), SETTINGS, NOW)).toEqual([]);
    expect(onFeatures(account, EMAIL, credits(99), SETTINGS, NOW)).toEqual([
      { kind: 'low-credits', email: EMAIL, spendable: 99, threshold: 100 },
    ]);
  });

  it('treats exactly the threshold as not low (strictly below)', () => {
    const account = emptyAccount();
    expect(onFeatures(account, EMAIL, credits(100), SETTINGS, NOW)).toEqual([]);
    expect(account.low).toBe(false);
    expect(kinds(onFeatures(account, EMAIL, credits(99.5), SETTINGS, NOW))).toEqual(['low-credits']);
  });

  it('counts daily, monthly and package credits together', () => {
    const account = emptyAccount();
    // 60 + 30 + 20 = 110: no single field reaches 100, the sum does.
    expect(
      onFeatures(account, EMAIL, features({ credit_daily: 60, credit_monthly: 30, credit_package: 20 }), SETTINGS, NOW),
    ).toEqual([]);
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
              ? onFeatures(account, EMAIL, credits(item.spendable), settings, NOW)
              : onFeaturesFailure(account, EMAIL, item.error, settings, NOW);
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
    expect(onFeaturesFailure(account, EMAIL, accountError(), SETTINGS, NOW)).toEqual([{ kind: 'account-error', email: EMAIL }]);
    expect(onFeaturesFailure(account, EMAIL, accountError(), SETTINGS, NOW)).toEqual([]);
    expect(onFeaturesFailure(account, EMAIL, accountError(), SETTINGS, NOW)).toEqual([]);
    expect(onFeatures(account, EMAIL, credits(500), SETTINGS, NOW)).toEqual([{ kind: 'account-recovered', email: EMAIL }]);
    expect(onFeatures(account, EMAIL, credits(500), SETTINGS, NOW)).toEqual([]);
  });

  it('never reports 596 as "unreadable", however many checks it lasts', () => {
    const account = emptyAccount();
    const all: Incident[] = [];
    for (let i = 0; i < 10; i += 1) all.push(...onFeaturesFailure(account, EMAIL, accountError(), SETTINGS, NOW));
    expect(kinds(all)).toEqual(['account-error']);
  });

  it('a recovery with low credits gives both incidents', () => {
    const account = emptyAccount();
    onFeaturesFailure(account, EMAIL, accountError(), SETTINGS, NOW);
    expect(kinds(onFeatures(account, EMAIL, credits(1), SETTINGS, NOW)).sort()).toEqual(['account-recovered', 'low-credits']);
  });

  it('a good reading without a prior error is no recovery', () => {
    expect(onFeatures(emptyAccount(), EMAIL, credits(500), SETTINGS, NOW)).toEqual([]);
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
        expect(onFeatures(account, EMAIL, reading(soon.toISOString()), SETTINGS, NOW)).toEqual([
          { kind: 'expiring', email: EMAIL, what, date: soon },
        ]);
        expect(onFeatures(account, EMAIL, reading(soon.toISOString()), SETTINGS, at(NOW, 0.5))).toEqual([]);
        expect(onFeatures(account, EMAIL, reading(soon.toISOString()), SETTINGS, at(NOW, 1))).toEqual([]);
        const later = at(NOW, 2.5);
        expect(onFeatures(account, EMAIL, reading(later.toISOString()), SETTINGS, at(NOW, 1))).toEqual([
          { kind: 'expiring', email: EMAIL, what, date: later },
        ]);
      });

      it('warns for a date exactly N days ahead, not for one beyond', () => {
        expect(onFeatures(emptyAccount(), EMAIL, reading(at(NOW, 3).toISOString()), SETTINGS, NOW)).toHaveLength(1);
        expect(
          onFeatures(emptyAccount(), EMAIL, reading(new Date(at(NOW, 3).getTime() + 1_000).toISOString()), SETTINGS, NOW),
        ).toEqual([]);
        expect(onFeatures(emptyAccount(), EMAIL, reading(at(NOW, 30).toISOString()), SETTINGS, NOW)).toEqual([]);
      });

      it('a date beyond N days warns once it comes within N days', () => {
        const account = emptyAccount();
        const date = at(NOW, 10);
        expect(onFeatures(account, EMAIL, reading(date.toISOString()), SETTINGS, NOW)).toEqual([]);
        expect(onFeatures(account, EMAIL, reading(date.toISOString()), SETTINGS, at(NOW, 6))).toEqual([]);
        expect(kinds(onFeatures(account, EMAIL, reading(date.toISOString()), SETTINGS, at(NOW, 7.5)))).toEqual(['expiring']);
        expect(onFeatures(account, EMAIL, reading(date.toISOString()), SETTINGS, at(NOW, 8))).toEqual([]);
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
          expect(onFeatures(account, EMAIL, reading(value), SETTINGS, NOW), String(value)).toEqual([]);
        }
        expect(account.warned).toEqual([]);
      });

      it('with expiryDays 0 nothing ever warns', () => {
        expect(
          onFeatures(emptyAccount(), EMAIL, reading(at(NOW, 0.01).toISOString()), { ...SETTINGS, expiryDays: 0 }, NOW),
        ).toEqual([]);
      });
    });
  }

  it('expiry and renewal on the same date are two warnings, each once', () => {
    const account = emptyAccount();
    const soon = at(NOW, 1).toISOString();
    const both = features({ credit_monthly: 5_000, expired_date: soon, billing_renewal_date: soon });
    expect(
      onFeatures(account, EMAIL, both, SETTINGS, NOW).map((incident) =>
        incident.kind === 'expiring' ? incident.what : incident.kind,
      ),
    ).toEqual(['expires', 'renews']);
    expect(onFeatures(account, EMAIL, both, SETTINGS, NOW)).toEqual([]);
  });

  it('`warned` does not grow with dates that have passed', () => {
    const account = emptyAccount();
    let now = NOW;
    let warnings = 0;
    // A year of monthly renewals, read daily: each renewal warns once and is then forgotten.
    for (let day = 0; day < 365; day += 1) {
      now = at(NOW, day);
      const nextRenewal = at(NOW, Math.floor(day / 30) * 30 + 30);
      const incidents = onFeatures(
        account,
        EMAIL,
        credits(5_000, { billing_renewal_date: nextRenewal.toISOString(), expired_date: nextRenewal.toISOString() }),
        SETTINGS,
        now,
      );
      warnings += incidents.length;
      expect(account.warned.length).toBeLessThanOrEqual(2);
    }
    // 12 full months crossed in the year (renewals on days 30…360) → 2 warnings each.
    expect(warnings).toBe(2 * 12);
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
      expect(onFeaturesFailure(account, EMAIL, make(), SETTINGS, NOW)).toEqual([]);
      expect(onFeaturesFailure(account, EMAIL, make(), SETTINGS, NOW)).toEqual([]);
      const third = onFeaturesFailure(account, EMAIL, make(), SETTINGS, NOW);
      expect(third).toHaveLength(1);
      expect(third[0]).toMatchObject({ kind: 'unreadable', email: EMAIL, checks: 3 });
      for (let i = 0; i < 5; i += 1) expect(onFeaturesFailure(account, EMAIL, make(), SETTINGS, NOW)).toEqual([]);
    });
  }

  it('a success resets the count, so failures must again last failureChecks', () => {
    const account = emptyAccount();
    onFeaturesFailure(account, EMAIL, timeout(), SETTINGS, NOW);
    onFeaturesFailure(account, EMAIL, upstream(), SETTINGS, NOW);
    expect(onFeatures(account, EMAIL, credits(500), SETTINGS, NOW)).toEqual([]);
    expect(account.failures).toBe(0);
    expect(onFeaturesFailure(account, EMAIL, timeout(), SETTINGS, NOW)).toEqual([]);
    expect(onFeaturesFailure(account, EMAIL, timeout(), SETTINGS, NOW)).toEqual([]);
    expect(kinds(onFeaturesFailure(account, EMAIL, timeout(), SETTINGS, NOW))).toEqual(['unreadable']);
  });

  it('after a reported failure and a success, a new long failure is reported again', () => {
    const account = emptyAccount();
    const all: Incident[] = [];
    for (let i = 0; i < 4; i += 1) all.push(...onFeaturesFailure(account, EMAIL, upstream(), SETTINGS, NOW));
    all.push(...onFeatures(account, EMAIL, credits(500), SETTINGS, NOW));
    for (let i = 0; i < 4; i += 1) all.push(...onFeaturesFailure(account, EMAIL, upstream(), SETTINGS, NOW));
    expect(kinds(all)).toEqual(['unreadable', 'unreadable']);
  });

  it('records the last problem for /credits-alerts, keeping the last good values', () => {
    const account = emptyAccount();
    onFeatures(account, EMAIL, credits(500, { plan_name: 'Pro' }), SETTINGS, NOW);
    onFeaturesFailure(account, EMAIL, timeout(), SETTINGS, at(NOW, 1));
    expect(account.last).toEqual({ at: at(NOW, 1).toISOString(), spendable: 500, plan: 'Pro', problem: 'timeout' });
    onFeatures(account, EMAIL, credits(400), SETTINGS, at(NOW, 2));
    expect(account.last?.problem).toBeUndefined();
  });

  it('the account list failing transiently is reported once, after failureChecks', () => {
    const memory = emptyMemory();
    expect(onAccountListFailure(memory, timeout(), SETTINGS)).toEqual([]);
    expect(onAccountListFailure(memory, upstream(), SETTINGS)).toEqual([]);
    const third = onAccountListFailure(memory, upstream(), SETTINGS);
    expect(third).toHaveLength(1);
    expect(third[0]).toMatchObject({ kind: 'unreadable', email: undefined, checks: 3 });
    expect(onAccountListFailure(memory, upstream(), SETTINGS)).toEqual([]);
    expect(onAccountList(memory, [EMAIL])).toEqual([]);
    expect(onAccountListFailure(memory, upstream(), SETTINGS)).toEqual([]);
    expect(onAccountListFailure(memory, upstream(), SETTINGS)).toEqual([]);
    expect(kinds(onAccountListFailure(memory, upstream(), SETTINGS))).toEqual(['unreadable']);
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
      for (let i = 0; i < 6; i += 1) all.push(...onAccountListFailure(memory, make(), SETTINGS));
      expect(kinds(all)).toEqual(['token-rejected']);
      expect(all[0]).toMatchObject({ kind: 'token-rejected', error: { kind: make().kind } });
      expect(memory.listFailures).toBe(0);
      expect(onAccountList(memory, [EMAIL])).toEqual([{ kind: 'token-accepted' }]);
      expect(onAccountList(memory, [EMAIL])).toEqual([]);
      expect(kinds(onAccountListFailure(memory, make(), SETTINGS))).toEqual(['token-rejected']);
    });
  }

  it('a successful list without a prior rejection announces nothing', () => {
    expect(onAccountList(emptyMemory(), [EMAIL])).toEqual([]);
  });

  it('forgets accounts that left the list, so a returning account starts afresh', () => {
    const memory: AlertMemory = emptyMemory();
    const kept: AccountMemory = emptyAccount();
    const gone: AccountMemory = emptyAccount();
    memory.accounts = { [EMAIL]: kept, 'gone@example.com': gone };
    onFeatures(kept, EMAIL, credits(5), SETTINGS, NOW);
    onFeatures(gone, 'gone@example.com', credits(5), SETTINGS, NOW);
    onAccountList(memory, [EMAIL, 'new@example.com']);
    expect(Object.keys(memory.accounts)).toEqual([EMAIL]);
    expect(memory.accounts[EMAIL]).toBe(kept);
    expect(memory.accounts[EMAIL]?.low).toBe(true);
    onAccountList(memory, []);
    expect(memory.accounts).toEqual({});
  });
});

describe('alertEmbed', () => {
  const email = 'someone.alerts@example.com';
  const incidents: Incident[] = [
    { kind: 'low-credits', email, spendable: 42, threshold: 100 },
    { kind: 'low-credits', email, spendable: 0, threshold: 100 },
    { kind: 'account-error', email },
    { kind: 'account-recovered', email },
    { kind: 'expiring', email, what: 'expires', date: at(NOW, 2) },
    { kind: 'expiring', email, what: 'renews', date: at(NOW, 2) },
    { kind: 'unreadable', email, checks: 3, error: upstream() },
    { kind: 'unreadable', email, checks: 3, error: timeout() },
    { kind: 'unreadable', email, checks: 3, error: new Error('a bug') },
    { kind: 'unreadable', email, checks: 3, error: undefined },
  ];

  for (const incident of incidents) {
    it(`${incident.kind}${'what' in incident ? ` (${incident.what})` : ''}: names the account in inline code, nothing undefined`, () => {
      const embed = alertEmbed(incident);
      expect(embed.title).toBeTruthy();
      expect(embed.description).toContain(`\`${email}\``);
      expect(typeof embed.color).toBe('number');
      expect(JSON.stringify(embed)).not.toMatch(/undefined|NaN|\[object Object\]|null/);
    });
  }

  it('low-credits shows the amount and the threshold; expiring the date', () => {
    expect(alertEmbed(incidents[0]!).description).toMatch(/\*\*42\*\*.*100/);
    const expiring = alertEmbed(incidents[4]!);
    expect(expiring.description).toContain(`<t:${Math.floor(at(NOW, 2).getTime() / 1000)}:`);
  });

  it('an account list that cannot be read says so instead of naming an account', () => {
    const embed = alertEmbed({ kind: 'unreadable', email: undefined, checks: 4, error: upstream() });
    expect(embed.description).toContain('the account list');
    expect(embed.description).toContain('4');
    expect(JSON.stringify(embed)).not.toMatch(/undefined|NaN|null/);
  });

  it('token incidents read without an account and without undefined', () => {
    for (const incident of [
      { kind: 'token-rejected', error: unauthorized() },
      { kind: 'token-rejected', error: subscription() },
      { kind: 'token-accepted' },
    ] as Incident[]) {
      const embed = alertEmbed(incident);
      expect(embed.title).toBeTruthy();
      expect(embed.description).toBeTruthy();
      expect(JSON.stringify(embed)).not.toMatch(/undefined|NaN|null/);
    }
    expect(alertEmbed({ kind: 'token-rejected', error: unauthorized() }).description).toContain('USEAPI_TOKEN');
  });

  it('an email with backticks cannot break out of the inline code', () => {
    const embed = alertEmbed({ kind: 'account-error', email: 'a`b`@example.com' });
    expect(embed.description).toContain("`a'b'@example.com`");
  });
});
