import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { featuresFixture } from '../src/emulators/useapi.js';
import {
  errorBodySchema,
  featuresSchema,
  spendableCredits,
  v1ChannelSchema,
  v1ChannelsSchema,
  v2AccountSchema,
  v2AccountsSchema,
  schedulerSchema,
  subscriptionSchema,
} from '../src/useapi/schemas.js';

const CHANNEL_A = '123456789012345678';
const CHANNEL_B = '223456789012345678';
const GUILD = '323456789012345678';
const DISCORD_CLEAR = 'discord-clear-schema-token-wv77';

function parsed<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new Error(`expected a successful parse: ${result.error.message}`);
  return result.data;
}

function refused(schema: z.ZodType, input: unknown): void {
  expect(schema.safeParse(input).success).toBe(false);
}

describe('featuresSchema', () => {
  it('reads the documented body (both generations of fields)', () => {
    const features = parsed(featuresSchema, featuresFixture());
    expect(features).toMatchObject({
      plan_name: 'Pro',
      credit_daily: 30,
      credit_daily_gift: 60,
      credit_monthly: 12_450,
      credit_monthly_gift: 15_000,
      credit_package: 500,
      gen_simultaneously: 5,
      allow_fast_mode: true,
      remove_watermark: true,
      remaining_days: 30,
      qualities: ['360p', '540p', '720p', '1080p'],
      price: '60.00',
      billing_period: 'month',
    });
    expect(features.expired_date).toBeInstanceOf(Date);
    expect(features.credits_refresh_time).toBeInstanceOf(Date);
    expect(features.daily_credits_refresh_time).toBeInstanceOf(Date);
    expect(spendableCredits(features)).toBe(30 + 12_450 + 500);
  });

  it('reads the refill times the usage history needs, and tolerates them absent or zero', () => {
    const refills = parsed(featuresSchema, {
      credit_daily: 1,
      credits_refresh_time: '2031-04-01T00:00:00Z',
      daily_credits_refresh_time: '2031-03-11T00:00:00Z',
    });
    expect(refills.credits_refresh_time).toEqual(new Date('2031-04-01T00:00:00Z'));
    expect(refills.daily_credits_refresh_time).toEqual(new Date('2031-03-11T00:00:00Z'));
    const none = parsed(featuresSchema, {
      credit_daily: 1,
      credits_refresh_time: '0001-01-01T00:00:00Z',
      daily_credits_refresh_time: 7,
    });
    expect(none.credits_refresh_time).toBeUndefined();
    expect(none.daily_credits_refresh_time).toBeUndefined();
  });

  it('tolerates unknown fields and drops them, billing links included', () => {
    const features = parsed(featuresSchema, {
      credit_daily: 1,
      brand_new_field: { nested: [1, 2, 3] },
      invoice_url: 'https://invoice.example/i/1',
      stripe_bill_url: 'https://billing.example/p/1',
    });
    expect(features.credit_daily).toBe(1);
    expect(Object.keys(features)).not.toContain('brand_new_field');
    expect(JSON.stringify(features)).not.toMatch(/invoice|billing\.example/);
  });

  it('drift: numbers as strings, flags as 0/1, booleans or strings, dates as zero date, seconds or ms', () => {
    const features = parsed(featuresSchema, {
      credit_daily: '12',
      credit_monthly: ' 3.5 ',
      credit_package: -2,
      current_plan_type: '3',
      allow_fast_mode: 0,
      allow_relaxed_mode: 2,
      remove_watermark: 'false',
      expired_date: '0001-01-01T00:00:00Z',
      billing_renewal_date: 1_900_000_000,
      plan_name: 42,
      price: 60,
      next_plan_name: '   ',
    });
    expect(features.credit_daily).toBe(12);
    expect(features.credit_monthly).toBe(3.5);
    expect(features.credit_package).toBe(-2);
    expect(features.current_plan_type).toBe(3);
    expect(features.allow_fast_mode).toBe(false);
    expect(features.allow_relaxed_mode).toBe(true);
    expect(features.remove_watermark).toBe(false);
    expect(features.expired_date).toBeUndefined();
    expect(features.billing_renewal_date).toEqual(new Date(1_900_000_000_000));
    expect(features.plan_name).toBe('42');
    expect(features.price).toBe('60');
    expect(features.next_plan_name).toBeUndefined();
    expect(parsed(featuresSchema, { credit_daily: 1, expired_date: 1_900_000_000_000 }).expired_date).toEqual(
      new Date(1_900_000_000_000),
    );
    expect(parsed(featuresSchema, { credit_daily: 1, expired_date: null }).expired_date).toBeUndefined();
    expect(parsed(featuresSchema, { credit_daily: 1, expired_date: 'not a date' }).expired_date).toBeUndefined();
  });

  it('one credit field is enough', () => {
    const features = parsed(featuresSchema, { credit_package: '7' });
    expect(features.credit_package).toBe(7);
    expect(features.credit_daily).toBeUndefined();
    expect(spendableCredits(features)).toBe(7);
  });

  it('any one of the three credit fields is enough', () => {
    expect(parsed(featuresSchema, { credit_daily: 1 }).credit_daily).toBe(1);
    expect(parsed(featuresSchema, { credit_monthly: 2 }).credit_monthly).toBe(2);
    expect(parsed(featuresSchema, { credit_package: 3 }).credit_package).toBe(3);
  });

  it("flags written as text: '1' and 'true' are on, '0' and 'false' off", () => {
    const flags = (value: unknown) => parsed(featuresSchema, { credit_daily: 1, allow_fast_mode: value }).allow_fast_mode;
    expect([flags('1'), flags('true'), flags('0'), flags('false'), flags(true), flags(5), flags(0)]).toEqual([
      true,
      true,
      false,
      false,
      true,
      true,
      false,
    ]);
  });

  it('dates: a number below 1e12 is seconds, from 1e12 on milliseconds; nothing before 1971 is a date', () => {
    const date = (value: unknown) => parsed(featuresSchema, { credit_daily: 1, expired_date: value }).expired_date;
    expect(date(1e12)).toEqual(new Date(1e12));
    expect(date(1e12 - 1)).toEqual(new Date((1e12 - 1) * 1000));
    expect(date('1971-01-01T00:00:00Z')).toEqual(new Date('1971-01-01T00:00:00Z'));
    expect(date('1970-12-31T23:59:59Z')).toBeUndefined();
    expect(date(0)).toBeUndefined();
    expect(date('')).toBeUndefined();
  });

  it('a text field sent as null is absent, not the word "null"', () => {
    const features = parsed(featuresSchema, { credit_daily: 1, plan_name: null, price: 0 });
    expect(features.plan_name).toBeUndefined();
    expect(features.price).toBe('0');
  });

  it('a body without any credit field is refused', () => {
    refused(featuresSchema, {});
    refused(featuresSchema, { plan_name: 'Pro', credit_daily_gift: 60, credit_monthly_gift: 15_000 });
    refused(featuresSchema, []);
    refused(featuresSchema, null);
    refused(featuresSchema, 'credit_daily');
  });

  it.each([
    ['a word', 'lots'],
    ['an object', { value: 3 }],
    ['a boolean', true],
    ['null', null],
    ['an empty string', ''],
    ['a number with a unit', '30 credits'],
    ['a digit string too large for a number', '9'.repeat(400)],
    ['NaN written out', 'NaN'],
  ])('a credit field holding %s is refused', (_name, value) => {
    refused(featuresSchema, { credit_daily: value });
    refused(featuresSchema, { credit_monthly: value, credit_daily: 1 });
  });

  it('a wrong-typed optional field reads as absent instead of failing the body', () => {
    const features = parsed(featuresSchema, {
      credit_daily: 5,
      plan_name: { name: 'Pro' },
      credit_daily_gift: 'sixty',
      expired_date: [2030, 1, 1],
      allow_fast_mode: 'maybe',
      qualities: '720p',
      gen_simultaneously: '9'.repeat(400),
      remaining_days: false,
    });
    expect(features.credit_daily).toBe(5);
    for (const key of [
      'plan_name',
      'credit_daily_gift',
      'expired_date',
      'allow_fast_mode',
      'qualities',
      'gen_simultaneously',
      'remaining_days',
    ] as const) {
      expect(features[key], key).toBeUndefined();
    }
  });
});

describe('v2 accounts', () => {
  const record = (email: string | undefined, extra: Record<string, unknown> = {}) => ({
    ...(email === undefined ? {} : { email }),
    maxJobs: 2,
    password: '…secured…',
    jwt: {
      AccountId: 1,
      ExpireTime: 1_900_000_000,
      ExpireTimeUTC: '2030-03-17T17:46:40Z',
      Username: 'x',
      token: 'abc…secured…cde',
    },
    ...extra,
  });

  it('the keyed list: sorted by email, session expiry and error state kept, secrets not', () => {
    const list = parsed(v2AccountsSchema, {
      'zed@example.com': record('zed@example.com'),
      'amy@example.com': record('amy@example.com', { error: 'session rejected', maxJobs: '4' }),
    });
    expect(list).toEqual([
      { email: 'amy@example.com', maxJobs: 4, sessionExpiresAt: new Date('2030-03-17T17:46:40Z'), error: 'session rejected' },
      { email: 'zed@example.com', maxJobs: 2, sessionExpiresAt: new Date('2030-03-17T17:46:40Z'), error: undefined },
    ]);
    expect(JSON.stringify(list)).not.toMatch(/secured|password/);
  });

  it('a record without email uses its key; a missing jwt or UTC time falls back', () => {
    const list = parsed(v2AccountsSchema, {
      'key@example.com': { maxJobs: 1 },
      'other@example.com': { email: 'other@example.com', jwt: { ExpireTime: 1_900_000_000 } },
    });
    expect(list[0]).toEqual({ email: 'key@example.com', maxJobs: 1, sessionExpiresAt: undefined, error: undefined });
    expect(list[1]?.sessionExpiresAt).toEqual(new Date(1_900_000_000_000));
  });

  it('wrong-typed fields read as absent', () => {
    const [account] = parsed(v2AccountsSchema, {
      'a@example.com': { email: 7, maxJobs: 'many', jwt: 'not an object', error: { what: 1 } },
    });
    expect(account).toEqual({ email: 'a@example.com', maxJobs: undefined, sessionExpiresAt: undefined, error: undefined });
  });

  it('an empty object is an empty list; a non-object is refused', () => {
    expect(parsed(v2AccountsSchema, {})).toEqual([]);
    refused(v2AccountsSchema, []);
    refused(v2AccountsSchema, 'Configuration not found.');
    refused(v2AccountsSchema, null);
  });

  it('one account record', () => {
    expect(parsed(v2AccountSchema, record('one@example.com'))).toMatchObject({ email: 'one@example.com', maxJobs: 2 });
  });

  it('one account record without an email still has a text email (the caller knows which it asked for)', () => {
    expect(parsed(v2AccountSchema, record(undefined)).email).toBe('');
  });
});

describe('v1 channels', () => {
  const v1 = (channel: string, extra: Record<string, unknown> = {}) => ({
    server: GUILD,
    channel,
    discord: DISCORD_CLEAR,
    maxJobs: 3,
    ...extra,
  });

  it('the keyed list: sorted, token masked at parse time', () => {
    const list = parsed(v1ChannelsSchema, { [CHANNEL_B]: v1(CHANNEL_B), [CHANNEL_A]: v1(CHANNEL_A, { maxJobs: '1' }) });
    expect(list.map((channel) => channel.channel)).toEqual([CHANNEL_A, CHANNEL_B]);
    expect(list[0]).toEqual({ channel: CHANNEL_A, server: GUILD, maxJobs: 1, discordMasked: `••••${DISCORD_CLEAR.slice(-4)}` });
    expect(JSON.stringify(list)).not.toContain(DISCORD_CLEAR);
    expect(list[0]).not.toHaveProperty('discord');
  });

  it('one configuration: a single record or an object keyed by its channel', () => {
    const single = parsed(v1ChannelSchema, v1(CHANNEL_A));
    const keyed = parsed(v1ChannelSchema, { [CHANNEL_A]: v1(CHANNEL_A) });
    expect(single).toEqual(keyed);
    expect(single.channel).toBe(CHANNEL_A);
    expect(JSON.stringify([single, keyed])).not.toContain(DISCORD_CLEAR);
  });

  it('a keyed object with several configurations is not one configuration, and the problem says how many', () => {
    const two = v1ChannelSchema.safeParse({ [CHANNEL_A]: v1(CHANNEL_A), [CHANNEL_B]: v1(CHANNEL_B) });
    expect(two.success).toBe(false);
    expect(JSON.stringify(two.error?.issues)).toContain('expected one configuration, got 2');
    refused(v1ChannelSchema, {});
  });

  it('a record without a token has no masked token', () => {
    const { discord: _discord, ...withoutToken } = v1(CHANNEL_A);
    expect(parsed(v1ChannelSchema, withoutToken).discordMasked).toBeUndefined();
  });

  it('a server that is not a Discord id is no server at all (it cannot match one, nor break out of a code span)', () => {
    for (const server of [42, '`**x**` [link](https://evil.example)', '', null, '12345', `${GUILD} `]) {
      expect(parsed(v1ChannelSchema, v1(CHANNEL_A, { server })).server, String(server)).toBeUndefined();
    }
    expect(parsed(v1ChannelSchema, v1(CHANNEL_A, { server: GUILD })).server).toBe(GUILD);
  });

  it('a record whose channel is not a snowflake, or without maxJobs, is refused', () => {
    refused(v1ChannelSchema, v1('../x'));
    refused(v1ChannelSchema, v1('12345'));
    refused(v1ChannelSchema, v1(CHANNEL_A, { maxJobs: 'some' }));
    refused(v1ChannelsSchema, { [CHANNEL_A]: v1(CHANNEL_A, { maxJobs: undefined }) });
  });
});

describe('scheduler and subscription', () => {
  it("the scheduler: running jobs whatever their id is called, and each account's capacity", () => {
    expect(
      parsed(schedulerSchema, {
        executing: [{ id: 'j1', type: 'video' }, { videoId: 'j2' }, { video_id: 3, type: null }, {}],
        available: [
          { email: 'a@example.com', maxJobs: '3', executing: '1', available: 2 },
          { email: 'b@example.com', maxJobs: 2 },
          { maxJobs: 2 },
          'not an entry',
        ],
      }),
    ).toEqual({
      running: [
        { id: 'j1', type: 'video' },
        { id: 'j2', type: undefined },
        { id: '3', type: undefined },
        { id: undefined, type: undefined },
      ],
      capacity: [
        { email: 'a@example.com', maxJobs: 3, executing: 1 },
        { email: 'b@example.com', maxJobs: 2, executing: 0 },
      ],
    });
  });

  it('a scheduler answer without lists, or with lists of the wrong type, is no jobs and no capacity', () => {
    expect(parsed(schedulerSchema, {})).toEqual({ running: [], capacity: [] });
    expect(parsed(schedulerSchema, { executing: 'x', available: { email: 'a' } })).toEqual({ running: [], capacity: [] });
  });

  it('the subscription: active flag, slots and the PixVerse counts; anything unreadable is absent', () => {
    expect(
      parsed(subscriptionSchema, {
        subscriptionIsActive: '1',
        maxAccountsPerAPI: '5',
        accounts: { pixverse: { total: 2, active: '1', error: 1 }, other: { total: 9 } },
      }),
    ).toEqual({ active: true, slots: 5, pixverse: { total: 2, active: 1, error: 1 } });
    expect(parsed(subscriptionSchema, { accounts: { pixverse: 'broken' } })).toEqual({
      active: undefined,
      slots: undefined,
      pixverse: {},
    });
    expect(parsed(subscriptionSchema, {})).toEqual({ active: undefined, slots: undefined, pixverse: undefined });
  });
});

describe('errorBodySchema', () => {
  it('reads {error, code}, numbers as text, and keeps other fields', () => {
    expect(parsed(errorBodySchema, { error: 'Unauthorized', code: 401 }).error).toBe('Unauthorized');
    expect(parsed(errorBodySchema, { error: 500 }).error).toBe('500');
    expect(parsed(errorBodySchema, { code: 404, errorDetails: 'x' })).toEqual({ code: 404, errorDetails: 'x' });
    refused(errorBodySchema, { error: { nested: true } });
    refused(errorBodySchema, 'plain text');
  });
});

describe('property: no schema ever throws', () => {
  const schemas = {
    featuresSchema,
    v2AccountsSchema,
    v2AccountSchema,
    v1ChannelsSchema,
    v1ChannelSchema,
    errorBodySchema,
    schedulerSchema,
    subscriptionSchema,
  } as const;

  /** JSON values, plus objects that use the field names the schemas look at, so deeper branches are reached. */
  const fieldNames = [
    ...Object.keys(featuresFixture()),
    'email',
    'maxJobs',
    'executing',
    'available',
    'videoId',
    'video_id',
    'subscriptionIsActive',
    'maxAccountsPerAPI',
    'accounts',
    'pixverse',
    'total',
    'jwt',
    'ExpireTime',
    'ExpireTimeUTC',
    'error',
    'code',
    'channel',
    'server',
    'discord',
    '__proto__',
    'constructor',
    CHANNEL_A,
  ];
  const leaf = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom('0001-01-01T00:00:00Z', '12', '1.5', '0', '1', 'true', CHANNEL_A, '9'.repeat(400), -0, 1e300),
  );
  const shaped = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.dictionary(fc.constantFrom(...fieldNames), tie('node'), { maxKeys: 8 }),
      fc.array(tie('node'), { maxLength: 3 }),
    ),
  })).node;
  /** A valid body with some of its fields replaced: mostly near-misses, some still valid. */
  const mutated = (base: Record<string, unknown>) =>
    fc
      .dictionary(fc.constantFrom(...Object.keys(base), 'extra'), leaf, { maxKeys: 3 })
      .map((overrides) => ({ ...base, ...overrides }));
  const v1Base = { server: GUILD, channel: CHANNEL_A, discord: DISCORD_CLEAR, maxJobs: 2 };
  const anyJson = fc.oneof(
    fc.jsonValue(),
    shaped,
    shaped.map((value) => JSON.parse(JSON.stringify(value)) as unknown),
    mutated(featuresFixture()),
    mutated(v1Base),
    mutated(v1Base).map((record) => ({ [CHANNEL_A]: record })),
    mutated({ email: 'a@example.com', maxJobs: 1, jwt: { ExpireTime: 1 } }).map((record) => ({ 'a@example.com': record })),
    mutated({ executing: [{ id: 'x', type: 'video' }], available: [{ email: 'a@example.com', maxJobs: 2, executing: 1 }] }),
    mutated({ subscriptionIsActive: true, maxAccountsPerAPI: 3, accounts: { pixverse: { total: 1, active: 1, error: 0 } } }),
  );

  for (const [name, schema] of Object.entries(schemas)) {
    it(`${name}.safeParse never throws on any JSON value`, () => {
      let successes = 0;
      let failures = 0;
      fc.assert(
        fc.property(anyJson, (value) => {
          const result = (schema as z.ZodType).safeParse(value);
          expect(typeof result.success).toBe('boolean');
          if (result.success) successes += 1;
          else failures += 1;
        }),
        { numRuns: 400 },
      );
      // The generator is only worth something if it reaches both outcomes.
      expect(successes).toBeGreaterThan(0);
      expect(failures).toBeGreaterThan(0);
    });
  }
});
