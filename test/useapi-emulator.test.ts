import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UseapiEmulator, drainedFeatures, featuresFixture } from '../src/emulators/useapi.js';
import type { UseapiEmulatorOptions } from '../src/emulators/useapi.js';

const TOKEN = 'user:1-emulator';
const CHANNEL_A = '123456789012345678';
const CHANNEL_B = '223456789012345678';
const GUILD = '323456789012345678';
const DISCORD_A = 'discord-token-a-emulator';
const DISCORD_B = 'discord-token-b-emulator';
const V1_EMPTY = 'Configuration not found. To create configuration use pixverse/account/<channel>.';
const V2_EMPTY = 'Configuration not found. To create configuration use pixverse/accounts.';

let emulator: UseapiEmulator;

async function restart(options: Omit<UseapiEmulatorOptions, 'token'> = {}): Promise<void> {
  await emulator.close();
  emulator = await UseapiEmulator.start({ token: TOKEN, ...options });
}

interface CallOptions {
  body?: unknown;
  token?: string | null;
  signal?: AbortSignal;
}

function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? TOKEN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  return fetch(`${emulator.url}${path}`, { method, headers, body, signal: options.signal });
}

async function jsonOf(response: Response): Promise<unknown> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return response.json();
}

function v1Body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { discord: DISCORD_A, server: GUILD, channel: CHANNEL_A, maxJobs: 3, ...overrides };
}

beforeEach(async () => {
  emulator = await UseapiEmulator.start({ token: TOKEN });
});

afterEach(async () => {
  await emulator.close();
});

describe('auth and routing', () => {
  it('answers 401 JSON without the right bearer token, even on unknown paths', async () => {
    for (const [path, token] of [
      ['/v1/pixverse/account', null],
      ['/v2/pixverse/features/', 'user:2-wrong'],
      ['/nowhere', null],
    ] as const) {
      const response = await call('GET', path, { token });
      expect(response.status).toBe(401);
      expect(await jsonOf(response)).toEqual({ error: 'Unauthorized', code: 401 });
    }
  });

  it('answers 404 JSON on unknown routes and methods', async () => {
    for (const [method, path] of [
      ['GET', '/v3/pixverse/features'],
      ['GET', '/v1/pixverse/accounts'],
      ['PUT', `/v1/pixverse/account/${CHANNEL_A}`],
      ['POST', '/v2/pixverse/features/'],
    ] as const) {
      const response = await call(method, path);
      expect(response.status).toBe(404);
      expect(await jsonOf(response)).toEqual({ error: 'Not found', code: 404 });
    }
  });

  it('records requests with the raw path, query, headers and body', async () => {
    await call('POST', `/v1/pixverse/account/${CHANNEL_A}?x=1`, { body: v1Body() });
    await call('GET', '/v2/pixverse/accounts/a%2Bb%40example.com');
    const [recorded] = emulator.requestsTo('post', '/v1/pixverse/account/');
    expect(recorded?.path).toBe(`/v1/pixverse/account/${CHANNEL_A}`);
    expect(recorded?.query.get('x')).toBe('1');
    expect(recorded?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(recorded?.body ?? '')).toEqual(v1Body());
    expect(emulator.requestsTo('GET', '/v2/pixverse/accounts/a+b@')).toHaveLength(1);
    expect(emulator.requestsTo('GET', '/v2/pixverse/accounts/a%2B')).toHaveLength(1);
  });
});

describe('v1 Discord configurations', () => {
  it.each([
    [{ discord: undefined }, 'Required param discord is missing or empty'],
    [{ discord: '' }, 'Required param discord is missing or empty'],
    [{ server: undefined }, 'Required param server is missing or empty'],
    [{ channel: undefined }, 'Required param channel is missing or empty'],
    [{ channel: 'general' }, 'Required param channel (general) is not valid Discord channel id'],
    [{ channel: '1234567890123456' }, 'Required param channel (1234567890123456) is not valid Discord channel id'],
    [{ channel: CHANNEL_B }, `Required param channel (${CHANNEL_B}) not matching to /pixverse/account/${CHANNEL_A}`],
    [{ maxJobs: undefined }, 'Required param maxJobs is missing or empty'],
    [{ maxJobs: 0 }, 'Required param maxJobs is missing or empty'],
    [{ maxJobs: -2 }, 'Required param maxJobs is missing or empty'],
    [{ maxJobs: 11 }, "Required param maxJobs 11 can't be more that 10"],
  ])('POST %j → 400 %s', async (overrides, message) => {
    const response = await call('POST', `/v1/pixverse/account/${CHANNEL_A}`, { body: v1Body(overrides) });
    expect(response.status).toBe(400);
    expect(await jsonOf(response)).toEqual({ error: message, code: 400 });
    expect(emulator.channels()).toEqual([]);
  });

  it('rejects a body that is not a JSON object', async () => {
    for (const body of ['{"discord":', '[]', '']) {
      const response = await call('POST', `/v1/pixverse/account/${CHANNEL_A}`, { body });
      expect(response.status).toBe(400);
      expect(await jsonOf(response)).toMatchObject({ code: 400 });
    }
  });

  it('uses maxConcurrentJobs as the maxJobs ceiling', async () => {
    await restart({ maxConcurrentJobs: 3 });
    const response = await call('POST', `/v1/pixverse/account/${CHANNEL_A}`, { body: v1Body({ maxJobs: 4 }) });
    expect(await response.json()).toEqual({ error: "Required param maxJobs 4 can't be more that 3", code: 400 });
  });

  it('creates and updates with 204 and no body, then lists the discord token in clear', async () => {
    const created = await call('POST', `/v1/pixverse/account/${CHANNEL_A}`, { body: v1Body() });
    expect(created.status).toBe(204);
    expect(created.headers.get('content-type')).toBeNull();
    expect(await created.text()).toBe('');

    const updated = await call('POST', `/v1/pixverse/account/${CHANNEL_A}`, { body: v1Body({ maxJobs: 5 }) });
    expect(updated.status).toBe(204);

    const record = { server: GUILD, channel: CHANNEL_A, discord: DISCORD_A, maxJobs: 5 };
    expect(await jsonOf(await call('GET', '/v1/pixverse/account'))).toEqual({ [CHANNEL_A]: record });
    expect(await jsonOf(await call('GET', `/v1/pixverse/account/${CHANNEL_A}`))).toEqual(record);
    expect(emulator.channels()).toEqual([{ discord: DISCORD_A, server: GUILD, channel: CHANNEL_A, maxJobs: 5 }]);
  });

  it('refuses a discord token that another channel already holds', async () => {
    emulator.setChannels([{ discord: DISCORD_A, server: GUILD, channel: CHANNEL_A, maxJobs: 1 }]);
    const clash = await call('POST', `/v1/pixverse/account/${CHANNEL_B}`, { body: v1Body({ channel: CHANNEL_B }) });
    expect(clash.status).toBe(400);
    expect(await clash.json()).toEqual({ error: `Channel ${CHANNEL_A} configuration has same discord value`, code: 400 });

    const other = v1Body({ channel: CHANNEL_B, discord: DISCORD_B });
    expect((await call('POST', `/v1/pixverse/account/${CHANNEL_B}`, { body: other })).status).toBe(204);
    expect(emulator.channels().map((record) => record.channel)).toEqual([CHANNEL_A, CHANNEL_B]);
  });

  it('answers the plain-text "Configuration not found" 404s, and 204 on delete', async () => {
    for (const [method, path] of [
      ['GET', '/v1/pixverse/account'],
      ['GET', `/v1/pixverse/account/${CHANNEL_A}`],
      ['DELETE', `/v1/pixverse/account/${CHANNEL_A}`],
    ] as const) {
      const response = await call(method, path);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toBe(V1_EMPTY);
    }

    emulator.setChannels([{ discord: DISCORD_A, server: GUILD, channel: CHANNEL_A, maxJobs: 1 }]);
    const deleted = await call('DELETE', `/v1/pixverse/account/${CHANNEL_A}`);
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    expect(emulator.channels()).toEqual([]);
  });
});

describe('v2 features', () => {
  it('serves the only account without an email, with or without the trailing slash', async () => {
    emulator.setAccounts([{ email: 'solo@example.com' }]);
    for (const path of ['/v2/pixverse/features/', '/v2/pixverse/features']) {
      const response = await call('GET', path);
      expect(response.status).toBe(200);
      expect(await jsonOf(response)).toMatchObject({ plan_name: 'Pro', credit_daily: 30, price: '60.00' });
    }
  });

  it('requires the email with several accounts and finds a URL-encoded "+" email', async () => {
    emulator.setAccounts([
      { email: 'first@example.com' },
      { email: 'team+video@example.com', features: featuresFixture({ plan_name: 'Standard' }) },
    ]);
    const missing = await call('GET', '/v2/pixverse/features/');
    expect(missing.status).toBe(400);
    expect(await jsonOf(missing)).toMatchObject({ code: 400 });

    const encoded = `?email=${encodeURIComponent('team+video@example.com')}`;
    const found = await call('GET', `/v2/pixverse/features/${encoded}`);
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ plan_name: 'Standard' });

    // An unencoded "+" reads as a space, as on any real server.
    const raw = await call('GET', '/v2/pixverse/features/?email=team+video@example.com');
    expect(raw.status).toBe(404);
    expect(await jsonOf(raw)).toMatchObject({ code: 404 });
  });

  it('answers 596 for an account in error state and plain text when none is configured', async () => {
    const none = await call('GET', '/v2/pixverse/features/?email=a%40example.com');
    expect(none.status).toBe(404);
    expect(await none.text()).toBe(V2_EMPTY);

    emulator.setAccounts([{ email: 'broken@example.com', error: 'Session expired' }]);
    const broken = await call('GET', '/v2/pixverse/features/?email=broken%40example.com');
    expect(broken.status).toBe(596);
    expect(await jsonOf(broken)).toEqual({ error: 'Session expired', code: 596 });
  });

  it('builds a realistic fixture with overrides', () => {
    const features = featuresFixture({ credit_package: 0 });
    expect(features).toMatchObject({ credit_monthly: 12_450, credit_monthly_gift: 15_000, credit_package: 0 });
    expect(features.qualities).toEqual(['360p', '540p', '720p', '1080p']);
    expect(Date.parse(String(features.expired_date))).toBeGreaterThan(Date.now());
  });
});

describe('v2 accounts', () => {
  it('lists accounts with masked secrets and the error field', async () => {
    const empty = await call('GET', '/v2/pixverse/accounts');
    expect(empty.status).toBe(404);
    expect(empty.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await empty.text()).toBe(V2_EMPTY);

    emulator.setAccounts([
      { email: 'ok@example.com', maxJobs: 3 },
      { email: 'bad@example.com', error: 'Session expired' },
    ]);
    const list = (await jsonOf(await call('GET', '/v2/pixverse/accounts'))) as Record<string, Record<string, unknown>>;
    expect(Object.keys(list)).toEqual(['ok@example.com', 'bad@example.com']);
    expect(list['ok@example.com']).toMatchObject({
      email: 'ok@example.com',
      maxJobs: 3,
      password: '…secured…',
      jwt: { Username: 'ok', token: expect.stringContaining('…secured…') as unknown },
    });
    expect(list['ok@example.com']).not.toHaveProperty('error');
    expect(list['bad@example.com']).toMatchObject({ error: 'Session expired' });
    const jwt = list['ok@example.com']?.jwt as { ExpireTime: number; ExpireTimeUTC: string };
    expect(Date.parse(jwt.ExpireTimeUTC) / 1000).toBe(jwt.ExpireTime);
  });

  it('creates (201), reads, re-adds to clear the error, and deletes an account by URL-encoded email', async () => {
    const path = `/v2/pixverse/accounts/${encodeURIComponent('a+b@example.com')}`;
    const invalid = await call('POST', path, { body: { email: 'a+b@example.com', password: 'pw', maxJobs: 9 } });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({ error: "Required param maxJobs 9 can't be more that 8", code: 400 });
    const mismatch = await call('POST', path, { body: { email: 'c@example.com', password: 'pw', maxJobs: 1 } });
    expect(mismatch.status).toBe(400);

    emulator.setAccounts([{ email: 'a+b@example.com', error: 'Session expired' }]);
    const created = await call('POST', path, { body: { email: 'a+b@example.com', password: 'pw', maxJobs: 2 } });
    expect(created.status).toBe(201);
    expect(await jsonOf(created)).toMatchObject({ email: 'a+b@example.com', maxJobs: 2, password: '…secured…' });
    expect(await (await call('GET', path)).json()).not.toHaveProperty('error');

    expect((await call('DELETE', path)).status).toBe(204);
    const gone = await call('GET', path);
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toContain('text/plain');
    expect(await gone.text()).toMatch(/^Configuration not found/);
    expect((await call('DELETE', path)).status).toBe(404);
  });

  it('an account in error state answers 596 to its own read too', async () => {
    emulator.setAccounts([{ email: 'err@example.com', error: 'Session expired' }]);
    expect((await call('GET', '/v2/pixverse/accounts/err%40example.com')).status).toBe(596);
  });

  it('PixVerse refuses a wrong password with a 401 of useapi.net’s own wording, not the fixed Unauthorized', async () => {
    emulator.setPixverseLogin('p@example.com', 'right');
    const wrong = await call('POST', '/v2/pixverse/accounts/p%40example.com', {
      body: { email: 'p@example.com', password: 'nope', maxJobs: 1 },
    });
    expect(wrong.status).toBe(401);
    const body = (await wrong.json()) as { error: string };
    expect(body.error).not.toBe('Unauthorized');
    expect(body.error).toContain('p@example.com');
    const right = await call('POST', '/v2/pixverse/accounts/p%40example.com', {
      body: { email: 'p@example.com', password: 'right', maxJobs: 1 },
    });
    expect(right.status).toBe(201);
  });

  it('the subscription counts accounts in error state as used slots', async () => {
    emulator.setAccounts([{ email: 'a@example.com' }, { email: 'b@example.com', error: 'Session expired' }]);
    expect(await (await call('GET', '/v2/account')).json()).toMatchObject({
      subscriptionIsActive: true,
      maxAccountsPerAPI: 3,
      accounts: { pixverse: { total: 2, active: 1, error: 1 } },
    });
  });

  it('the scheduler lists the running jobs and each account’s free capacity', async () => {
    emulator.setAccounts([{ email: 'a@example.com', maxJobs: 3 }]);
    emulator.setJobs([{ id: 'j-1', email: 'a@example.com', type: 'video', started: Date.now() - 65_000 }]);
    const body = (await (await call('GET', '/v2/pixverse/scheduler/available')).json()) as {
      executing: Array<Record<string, unknown>>;
      available: unknown[];
    };
    expect(body.executing[0]).toMatchObject({ id: 'j-1', type: 'video', elapsed: '01:05' });
    expect(body.available).toEqual([{ email: 'a@example.com', maxJobs: 3, executing: 1, available: 2 }]);
  });
});

describe('documented variations', () => {
  it('a DELETE may answer 200 with a body, and old scheduler pages name the job id video_id', async () => {
    const other = await UseapiEmulator.start({
      token: TOKEN,
      accounts: [{ email: 'a@example.com' }],
      deleteStatus: 200,
      jobIdField: 'video_id',
    });
    try {
      other.setJobs([{ id: 'j-2', email: 'a@example.com', type: 'image', started: Date.now() }]);
      const headers = { authorization: `Bearer ${TOKEN}` };
      const jobs = (await (await fetch(`${other.url}/v2/pixverse/scheduler/available`, { headers })).json()) as {
        executing: Array<Record<string, unknown>>;
      };
      expect(jobs.executing[0]).toMatchObject({ video_id: 'j-2' });
      const deleted = await fetch(`${other.url}/v2/pixverse/accounts/a%40example.com`, { method: 'DELETE', headers });
      expect(deleted.status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('faults', () => {
  it('answers a raw status, then stops after `times` matches', async () => {
    emulator.addFault({
      path: '/v2/pixverse/accounts',
      times: 2,
      fault: { kind: 'status', status: 503, body: 'upstream down', contentType: 'text/plain', headers: { 'x-test': '1' } },
    });
    for (let i = 0; i < 2; i += 1) {
      const response = await call('GET', '/v2/pixverse/accounts');
      expect(response.status).toBe(503);
      expect(response.headers.get('x-test')).toBe('1');
      expect(await response.text()).toBe('upstream down');
    }
    expect((await call('GET', '/v2/pixverse/accounts')).status).toBe(404);
  });

  it('matches on method and RegExp paths, ahead of auth, until cleared', async () => {
    emulator.addFault({ method: 'delete', path: /^\/v1\/pixverse\/account\/\d+$/, fault: { kind: 'account-error' } });
    expect((await call('GET', `/v1/pixverse/account/${CHANNEL_A}`)).status).toBe(404);
    const faulted = await call('DELETE', `/v1/pixverse/account/${CHANNEL_A}`, { token: null });
    expect(faulted.status).toBe(596);
    expect(await jsonOf(faulted)).toMatchObject({ code: 596 });
    emulator.clearFaults();
    expect((await call('DELETE', `/v1/pixverse/account/${CHANNEL_A}`)).status).toBe(404);
  });

  it('answers 429 with Retry-After only when given', async () => {
    emulator.addFault({ path: '/v2/pixverse/features', times: 1, fault: { kind: 'busy', retryAfterSeconds: 7 } });
    emulator.addFault({ path: '/v2/pixverse/features', times: 1, fault: { kind: 'busy' } });
    const first = await call('GET', '/v2/pixverse/features/');
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(await jsonOf(first)).toMatchObject({ code: 429 });
    const second = await call('GET', '/v2/pixverse/features/');
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBeNull();
  });

  it('serves malformed JSON and Cloudflare-like HTML', async () => {
    emulator.addFault({ path: '/v2/pixverse/features', times: 1, fault: { kind: 'malformed-json' } });
    emulator.addFault({ path: '/v2/pixverse/features', times: 1, fault: { kind: 'html' } });
    emulator.addFault({ path: '/v2/pixverse/features', times: 1, fault: { kind: 'html', status: 520 } });
    const malformed = await call('GET', '/v2/pixverse/features/');
    expect(malformed.status).toBe(200);
    await expect(jsonOf(malformed)).rejects.toThrow();
    const html = await call('GET', '/v2/pixverse/features/');
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await html.text()).toContain('<!DOCTYPE html>');
    expect((await call('GET', '/v2/pixverse/features/')).status).toBe(520);
  });

  it('resets the connection so the client request rejects', async () => {
    emulator.addFault({ path: '/v1/pixverse/account', fault: { kind: 'reset' } });
    await expect(call('GET', '/v1/pixverse/account')).rejects.toThrow();
  });

  it('hangs until the client gives up', async () => {
    emulator.addFault({ path: '/v1/pixverse/account', fault: { kind: 'hang' } });
    await expect(call('GET', '/v1/pixverse/account', { signal: AbortSignal.timeout(100) })).rejects.toThrow();
  });

  it('delays an otherwise normal answer, and latencyMs slows every answer', async () => {
    emulator.addFault({ path: '/v1/pixverse/account', times: 1, fault: { kind: 'delay', ms: 120 } });
    let started = performance.now();
    const delayed = await call('GET', '/v1/pixverse/account');
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    expect(await delayed.text()).toBe(V1_EMPTY);

    emulator.latencyMs = 80;
    started = performance.now();
    expect((await call('GET', '/nowhere', { token: null })).status).toBe(401);
    expect(performance.now() - started).toBeGreaterThanOrEqual(70);
  });

  it('closes promptly with a hanging request open', async () => {
    emulator.addFault({ path: '/v1/pixverse/account', fault: { kind: 'hang' } });
    const pending = call('GET', '/v1/pixverse/account');
    const settled = pending.then(
      () => 'answered',
      () => 'rejected',
    );
    while (emulator.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = performance.now();
    await emulator.close();
    expect(performance.now() - started).toBeLessThan(500);
    expect(await settled).toBe('rejected');
  });
});

describe('drainedFeatures: an account in use, over time', () => {
  const HOUR = 3_600_000;
  const start = Date.parse('2031-03-10T12:00:00Z');
  const base = featuresFixture({
    credit_daily: 30,
    credit_daily_gift: 60,
    credit_monthly: 1_000,
    credit_package: 100,
    daily_credits_refresh_time: '2031-03-11T00:00:00Z',
  });
  const at = (hours: number) => drainedFeatures(base, { perHour: 10, since: start }, start + hours * HOUR);

  it('spends the daily credits first, then the monthly ones', () => {
    expect(at(0)).toMatchObject({ credit_daily: 30, credit_monthly: 1_000, credit_package: 100 });
    expect(at(2)).toMatchObject({ credit_daily: 10, credit_monthly: 1_000 });
    expect(at(5)).toMatchObject({ credit_daily: 0, credit_monthly: 980 });
  });

  it('resets the daily credits to their allowance at each daily refresh, and announces the next one', () => {
    // 12 h to midnight: 30 daily + 90 monthly spent; then the daily bucket is 60 again.
    expect(at(12)).toMatchObject({ credit_daily: 60, credit_monthly: 910, daily_credits_refresh_time: '2031-03-12T00:00:00Z' });
    expect(at(13)).toMatchObject({ credit_daily: 50, credit_monthly: 910 });
    expect(at(36)).toMatchObject({ credit_daily: 60, daily_credits_refresh_time: '2031-03-13T00:00:00Z' });
  });

  it('takes the package last, and never goes below zero', () => {
    const empty = drainedFeatures(base, { perHour: 1_000, since: start }, start + 10 * HOUR);
    expect(empty).toMatchObject({ credit_daily: 0, credit_monthly: 0, credit_package: 0 });
  });

  it('GET /v2/pixverse/features answers the drained credits of the moment', async () => {
    const emu = await UseapiEmulator.start({
      token: TOKEN,
      accounts: [{ email: 'busy@example.com', features: base, drain: { perHour: 100, since: Date.now() - HOUR } }],
    });
    try {
      const answer = await fetch(`${emu.url}/v2/pixverse/features/?email=busy%40example.com`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const body = (await answer.json()) as { credit_daily: number; credit_monthly: number; credit_package: number };
      // An hour at 100 an hour: the 30 daily credits, then ~70 of the monthly ones.
      expect(body.credit_daily).toBe(0);
      expect(body.credit_monthly).toBeGreaterThanOrEqual(928);
      expect(body.credit_monthly).toBeLessThanOrEqual(930);
    } finally {
      await emu.close();
    }
  });
});
