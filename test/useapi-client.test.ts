import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UseapiEmulator, featuresFixture } from '../src/emulators/useapi.js';
import type { UseapiEmulatorOptions, UseapiFault, V1ChannelRecord } from '../src/emulators/useapi.js';
import { UseapiClient, endpointTemplate, parseRetryAfter } from '../src/useapi/client.js';
import type { ClientLogger, RegisterChannelInput, UseapiClientOptions } from '../src/useapi/client.js';
import { UseapiError } from '../src/useapi/errors.js';
import { maskSecret } from '../src/secrets.js';

// Deliberately not shaped like real tokens: distinctive, so a leak is easy to find.
const TOKEN = 'user:1-clienttest-apitoken-zq';
const DISCORD_A = 'discord-clear-alpha-token-qx01';
const DISCORD_B = 'discord-clear-bravo-token-qx02';
const CHANNEL_A = '123456789012345678';
const CHANNEL_B = '223456789012345678';
const GUILD = '323456789012345678';
const FEATURES_PATH = '/v2/pixverse/features';
const V1_PATH = '/v1/pixverse/account';

const TIMEOUTS = { connectMs: 500, headersMs: 400, bodyMs: 400, totalMs: 900 };

let emu: UseapiEmulator;
const clients: UseapiClient[] = [];

async function restart(options: Omit<UseapiEmulatorOptions, 'token'> = {}): Promise<void> {
  await emu.close();
  emu = await UseapiEmulator.start({ token: TOKEN, ...options });
}

function makeClient(overrides: Partial<UseapiClientOptions> = {}): UseapiClient {
  const client = new UseapiClient({
    token: TOKEN,
    baseUrl: emu.url,
    timeouts: TIMEOUTS,
    cacheTtlMs: 0,
    retryBaseMs: 5,
    ...overrides,
  });
  clients.push(client);
  return client;
}

/** The error the call rejected with; fails the test when it resolves or throws something else. */
async function failure(promise: Promise<unknown>): Promise<UseapiError> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UseapiError);
    return error as UseapiError;
  }
  throw new Error(`expected a UseapiError, the call resolved with ${JSON.stringify(outcome)}`);
}

function record(channel: string, discord: string, maxJobs = 2): V1ChannelRecord {
  return { channel, discord, server: GUILD, maxJobs };
}

function registration(overrides: Partial<RegisterChannelInput> = {}): RegisterChannelInput {
  return { channel: CHANNEL_A, server: GUILD, discord: DISCORD_A, maxJobs: 2, ...overrides };
}

function jsonError(status: number, message: string): UseapiFault {
  return { kind: 'status', status, body: JSON.stringify({ error: message, code: status }), contentType: 'application/json' };
}

async function waitFor(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > until) throw new Error('condition not reached in time');
    await sleep(2);
  }
}

/**
 * Starts a channel list that useapi.net answers slowly, then registers a channel while it is in flight:
 * the list's answer is from before the write. Wrapped, so the caller awaits it when it chooses.
 */
async function readAcrossAWrite(client: UseapiClient): Promise<{ stale: ReturnType<UseapiClient['channels']> }> {
  emu.latencyMs = 150;
  const stale = client.channels();
  await waitFor(() => emu.requestsTo('GET', V1_PATH).length === 1);
  emu.latencyMs = 0;
  await client.registerChannel(registration());
  return { stale };
}

beforeEach(async () => {
  emu = await UseapiEmulator.start({ token: TOKEN, accounts: [{ email: 'solo@example.com' }] });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await emu.close();
});

describe('features()', () => {
  it('reads the single account without an email', async () => {
    const features = await makeClient().features();
    expect(features.plan_name).toBe('Pro');
    expect(features.credit_daily).toBe(30);
    expect(features.credit_monthly).toBe(12_450);
    expect(features.credit_package).toBe(500);
    const [request, ...more] = emu.requestsTo('GET', FEATURES_PATH);
    expect(more).toHaveLength(0);
    expect(request?.query.has('email')).toBe(false);
  });

  it("several accounts without an email → 'bad-request' carrying useapi's message", async () => {
    await restart({ accounts: [{ email: 'a@example.com' }, { email: 'b@example.com' }] });
    const error = await failure(makeClient().features());
    expect(error.kind).toBe('bad-request');
    expect(error.status).toBe(400);
    expect(error.upstreamMessage).toBe('Parameter email is required when multiple accounts configured');
  });

  it('URL-encodes an email holding "+" and gets that account', async () => {
    const email = 'team+pix@example.com';
    await restart({
      accounts: [{ email: 'other@example.com' }, { email, features: featuresFixture({ credit_package: 777 }) }],
    });
    const features = await makeClient().features(email);
    expect(features.credit_package).toBe(777);
    const [request] = emu.requestsTo('GET', FEATURES_PATH);
    // URLSearchParams re-encodes what it decoded: a raw "+" would have come back as a space.
    expect(request?.query.toString()).toContain('%2B');
    expect(request?.query.get('email')).toBe(email);
  });

  it("no account configured (plain-text 404) → 'not-found' with useapi's text", async () => {
    await restart({ accounts: [] });
    const error = await failure(makeClient().features());
    expect(error.kind).toBe('not-found');
    expect(error.upstreamMessage).toMatch(/^Configuration not found/);
  });

  it("an unknown email → 'not-found'", async () => {
    const error = await failure(makeClient().features('nobody@example.com'));
    expect(error.kind).toBe('not-found');
    expect(error.status).toBe(404);
  });

  it("an account in error → 'account-error' (596) with useapi's text", async () => {
    const text = 'PixVerse session rejected, delete the account and add it again';
    await restart({ accounts: [{ email: 'broken@example.com', error: text }] });
    const error = await failure(makeClient().features('broken@example.com'));
    expect(error.kind).toBe('account-error');
    expect(error.status).toBe(596);
    expect(error.upstreamMessage).toBe(text);
  });

  it('parses drift: numbers from strings, the zero date, 0/1 flags; drops billing links', async () => {
    await restart({
      accounts: [
        {
          email: 'drift@example.com',
          features: featuresFixture({
            credit_daily: '45',
            credit_monthly: '1200.5',
            gen_simultaneously: '3',
            expired_date: '0001-01-01T00:00:00Z',
            billing_renewal_date: '2031-05-06T07:08:09Z',
            allow_fast_mode: 0,
            allow_relaxed_mode: 1,
            remove_watermark: 'true',
          }),
        },
      ],
    });
    const features = await makeClient().features('drift@example.com');
    expect(features.credit_daily).toBe(45);
    expect(features.credit_monthly).toBe(1200.5);
    expect(features.gen_simultaneously).toBe(3);
    expect(features.price).toBe('60.00');
    expect(features.expired_date).toBeUndefined();
    expect(features.billing_renewal_date).toEqual(new Date('2031-05-06T07:08:09Z'));
    expect(features.allow_fast_mode).toBe(false);
    expect(features.allow_relaxed_mode).toBe(true);
    expect(features.remove_watermark).toBe(true);
    expect(features).not.toHaveProperty('invoice_url');
    expect(features).not.toHaveProperty('stripe_bill_url');
    expect(JSON.stringify(features)).not.toMatch(/stripe|invoice/);
  });
});

describe('accounts()', () => {
  it('lists the configured accounts, sorted, with their state', async () => {
    await restart({
      accounts: [
        { email: 'zed@example.com', maxJobs: 3 },
        { email: 'amy@example.com', error: 'session rejected' },
      ],
    });
    const list = await makeClient().accounts();
    expect(list.map((account) => account.email)).toEqual(['amy@example.com', 'zed@example.com']);
    expect(list[1]?.maxJobs).toBe(3);
    expect(list[1]?.sessionExpiresAt).toBeInstanceOf(Date);
    expect(list[0]?.error).toBe('session rejected');
    expect(list[1]?.error).toBeUndefined();
  });

  it('none configured (plain-text 404) → []', async () => {
    await restart({ accounts: [] });
    expect(await makeClient().accounts()).toEqual([]);
    expect(emu.requestsTo('GET', '/v2/pixverse/accounts')).toHaveLength(1);
  });

  it('knownAccounts() keeps the last list after the cache expired and useapi.net fails', async () => {
    const client = makeClient({ cacheTtlMs: 20 });
    expect(client.knownAccounts()).toBeUndefined();
    const list = await client.accounts();
    expect(list.map((account) => account.email)).toEqual(['solo@example.com']);
    await sleep(40);
    emu.addFault({ path: '/v2/pixverse/accounts', fault: jsonError(500, 'down') });
    expect((await failure(client.accounts())).kind).toBe('upstream');
    expect(emu.requestsTo('GET', '/v2/pixverse/accounts')).toHaveLength(2);
    expect(client.knownAccounts()).toEqual(list);
  });
});

describe('channels() and channel(id)', () => {
  it('none configured → [] and undefined', async () => {
    const client = makeClient();
    expect(await client.channels()).toEqual([]);
    expect(await client.channel(CHANNEL_A)).toBeUndefined();
    expect(emu.requestsTo('GET', V1_PATH)).toHaveLength(2);
  });

  it('never returns the clear discord token; the masked form keeps its last 4 characters', async () => {
    await restart({ channels: [record(CHANNEL_B, DISCORD_B, 4), record(CHANNEL_A, DISCORD_A)] });
    const client = makeClient();
    const list = await client.channels();
    expect(list.map((channel) => channel.channel)).toEqual([CHANNEL_A, CHANNEL_B]);
    expect(list[1]).toMatchObject({ channel: CHANNEL_B, server: GUILD, maxJobs: 4 });
    expect(list[0]?.discordMasked).toBe(maskSecret(DISCORD_A));
    expect(list[0]?.discordMasked?.endsWith(DISCORD_A.slice(-4))).toBe(true);
    const one = await client.channel(CHANNEL_B);
    expect(one?.discordMasked?.endsWith(DISCORD_B.slice(-4))).toBe(true);
    const everything = JSON.stringify([list, one]);
    for (const secret of [DISCORD_A, DISCORD_B]) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(secret.slice(0, -4));
    }
  });
});

describe('registerChannel()', () => {
  it('resolves on 204 and the registration exists upstream', async () => {
    await expect(makeClient().registerChannel(registration({ maxJobs: 3 }))).resolves.toBeUndefined();
    expect(emu.channels()).toEqual([record(CHANNEL_A, DISCORD_A, 3)]);
    const [post] = emu.requestsTo('POST', `${V1_PATH}/${CHANNEL_A}`);
    expect(JSON.parse(post?.body ?? '')).toEqual({ discord: DISCORD_A, server: GUILD, channel: CHANNEL_A, maxJobs: 3 });
  });

  it.each([
    [{ discord: '' }, 'Required param discord is missing or empty'],
    [{ server: '' }, 'Required param server is missing or empty'],
    [{ maxJobs: 0 }, 'Required param maxJobs is missing or empty'],
    [{ maxJobs: 11 }, "Required param maxJobs 11 can't be more that 10"],
  ])('emulator validation %j → bad-request "%s"', async (overrides, message) => {
    const error = await failure(makeClient().registerChannel(registration(overrides)));
    expect(error.kind).toBe('bad-request');
    expect(error.upstreamMessage).toBe(message);
  });

  it.each([
    'Required param discord is missing or empty',
    'Required param server is missing or empty',
    'Required param channel is missing or empty',
    `Required param channel (${CHANNEL_A}) is not valid Discord channel id`,
    `Required param channel (${CHANNEL_A}) not matching to /pixverse/account/${CHANNEL_A}`,
    'Required param maxJobs is missing or empty',
    "Required param maxJobs 7 can't be more that 5",
    `Channel ${CHANNEL_B} configuration has same discord value`,
  ])('documented 400 "%s" comes back verbatim', async (message) => {
    emu.addFault({ method: 'POST', path: `${V1_PATH}/${CHANNEL_A}`, fault: jsonError(400, message) });
    const error = await failure(makeClient().registerChannel(registration()));
    expect(error.kind).toBe('bad-request');
    expect(error.status).toBe(400);
    expect(error.upstreamMessage).toBe(message);
  });

  it("one Discord token on a second channel → 'same discord value' naming the first channel", async () => {
    const client = makeClient();
    await client.registerChannel(registration());
    const error = await failure(client.registerChannel(registration({ channel: CHANNEL_B })));
    expect(error.kind).toBe('bad-request');
    expect(error.upstreamMessage).toBe(`Channel ${CHANNEL_A} configuration has same discord value`);
  });

  it.each<[string, UseapiFault, string]>([
    ['503', jsonError(503, 'unavailable'), 'upstream'],
    ['502 html', { kind: 'html', status: 502 }, 'upstream'],
    ['429', { kind: 'busy' }, 'busy'],
    ['reset', { kind: 'reset' }, 'network'],
  ])('is never retried (%s)', async (_name, fault, kind) => {
    emu.addFault({ method: 'POST', path: `${V1_PATH}/${CHANNEL_A}`, fault });
    const error = await failure(makeClient().registerChannel(registration()));
    expect(error.kind).toBe(kind);
    await sleep(30);
    expect(emu.requestsTo('POST', V1_PATH)).toHaveLength(1);
  });
});

describe('unregisterChannel()', () => {
  it('true on 204, false on the plain-text 404', async () => {
    await restart({ channels: [record(CHANNEL_A, DISCORD_A)] });
    const client = makeClient();
    expect(await client.unregisterChannel(CHANNEL_A)).toBe(true);
    expect(emu.channels()).toEqual([]);
    expect(await client.unregisterChannel(CHANNEL_A)).toBe(false);
    expect(emu.requestsTo('DELETE', V1_PATH)).toHaveLength(2);
  });
});

describe('ids that are not snowflakes', () => {
  const bad = [
    '../x',
    '123?a=b',
    '',
    ' 123456789012345678',
    '12345678901234567a',
    '1'.repeat(21),
    `${CHANNEL_A}/..`,
    '%2e%2e',
    `${CHANNEL_A}#x`,
  ];

  it.each(bad)('%j is refused before any request', async (id) => {
    const client = makeClient();
    for (const call of [
      () => client.channel(id),
      () => client.registerChannel(registration({ channel: id })),
      () => client.unregisterChannel(id),
    ]) {
      const error = await failure(call());
      expect(error.kind).toBe('bad-request');
      expect(error.message).toBe('the channel id is not a Discord channel id (17 to 20 digits)');
    }
    expect(emu.requests).toHaveLength(0);
  });
});

describe('error kinds', () => {
  it.each<[number, string]>([
    [402, 'subscription'],
    [403, 'forbidden'],
    [500, 'upstream'],
    [418, 'upstream'],
    [300, 'upstream'],
  ])('%i → %s', async (status, kind) => {
    emu.addFault({ path: FEATURES_PATH, fault: jsonError(status, `status ${status} text`) });
    const error = await failure(makeClient().features());
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.upstreamMessage).toBe(`status ${status} text`);
    expect(error.message).toBe(`GET /v2/pixverse/features answered ${status}: status ${status} text`);
  });

  it("a wrong token → 'unauthorized'", async () => {
    const error = await failure(makeClient({ token: 'user:2-wrong-test' }).features());
    expect(error.name).toBe('UseapiError');
    expect(error.kind).toBe('unauthorized');
    expect(error.status).toBe(401);
    expect(error.upstreamMessage).toBe('Unauthorized');
  });

  it("an HTML 502 page → 'upstream' with no HTML in the message", async () => {
    emu.addFault({ path: FEATURES_PATH, fault: { kind: 'html', status: 502 } });
    const error = await failure(makeClient().features());
    expect(error.kind).toBe('upstream');
    expect(error.status).toBe(502);
    expect(error.upstreamMessage).toBeUndefined();
    expect(error.message).not.toMatch(/<|html|cloudflare/i);
  });

  it('an HTML page without an html content type still gives no HTML', async () => {
    emu.addFault({
      path: FEATURES_PATH,
      fault: { kind: 'status', status: 500, body: '  <html><body>oops</body></html>', contentType: 'text/plain' },
    });
    const error = await failure(makeClient().features());
    expect(error.upstreamMessage).toBeUndefined();
    expect(error.message).not.toContain('<');
  });

  it('a plain-text error body is kept, control characters removed and length capped', async () => {
    emu.addFault({
      path: FEATURES_PATH,
      fault: { kind: 'status', status: 500, body: `line one\n\u0007line two${'x'.repeat(1000)}`, contentType: 'text/plain' },
    });
    const error = await failure(makeClient().features());
    expect(error.upstreamMessage?.startsWith('line one line two')).toBe(true);
    expect(error.upstreamMessage?.length).toBeLessThanOrEqual(300);
    // eslint-disable-next-line no-control-regex -- the assertion is about control characters
    expect(error.upstreamMessage).not.toMatch(/[\u0000-\u001f]/);
  });

  it("malformed JSON on 200 → 'invalid-response'", async () => {
    emu.addFault({ path: FEATURES_PATH, fault: { kind: 'malformed-json' } });
    const error = await failure(makeClient().features());
    expect(error.kind).toBe('invalid-response');
    expect(emu.requestsTo('GET', FEATURES_PATH)).toHaveLength(1);
  });

  it("a 200 body of the wrong shape → 'invalid-response'", async () => {
    emu.addFault({
      path: FEATURES_PATH,
      fault: { kind: 'status', status: 200, body: '{"plan_name":"Pro"}', contentType: 'application/json' },
    });
    const error = await failure(makeClient().features());
    expect(error.kind).toBe('invalid-response');
    expect(error.message).toBe(
      'GET /v2/pixverse/features answered an unexpected body ((body): no credit field (credit_daily, credit_monthly, credit_package) in the answer)',
    );
  });

  it("a hang longer than the total budget → 'timeout' at the budget", async () => {
    emu.addFault({ path: FEATURES_PATH, fault: { kind: 'hang' } });
    const started = performance.now();
    const error = await failure(
      makeClient({ timeouts: { connectMs: 200, headersMs: 5_000, bodyMs: 5_000, totalMs: 200 } }).features(),
    );
    expect(error.kind).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(700);
  });

  it("the headers timeout ends a hung read long before the total budget: 'timeout', not retried", async () => {
    emu.addFault({ path: FEATURES_PATH, fault: { kind: 'hang' } });
    const started = performance.now();
    const error = await failure(
      makeClient({ timeouts: { connectMs: 500, headersMs: 100, bodyMs: 100, totalMs: 4_000 } }).features(),
    );
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe('GET /v2/pixverse/features did not answer in time');
    expect(error.details.endpoint).toBe('GET /v2/pixverse/features');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(emu.requestsTo('GET', FEATURES_PATH)).toHaveLength(1);
  });

  it("a reset → 'network' after the retries", async () => {
    emu.addFault({ path: FEATURES_PATH, fault: { kind: 'reset' } });
    const error = await failure(makeClient().features());
    expect(error.kind).toBe('network');
    expect(emu.requestsTo('GET', FEATURES_PATH)).toHaveLength(3);
  });

  it("connection refused → 'network'", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await failure(makeClient({ baseUrl: `http://127.0.0.1:${port}` }).features());
    expect(error.kind).toBe('network');
    expect(error.message).toBe('GET /v2/pixverse/features could not be reached (ECONNREFUSED)');
    expect(error.details.endpoint).toBe('GET /v2/pixverse/features');
  });

  it("429 with Retry-After → 'busy' with retryAfterMs", async () => {
    emu.addFault({ path: FEATURES_PATH, fault: { kind: 'busy', retryAfterSeconds: 30 } });
    const error = await failure(makeClient().features());
    expect(error.kind).toBe('busy');
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(30_000);
    expect(error.upstreamMessage).toBe('All configured accounts are busy, please retry later');
  });

  it('every error names the endpoint without the query (it can hold an email)', async () => {
    const error = await failure(makeClient().features('secret.person@example.com'));
    expect(error.details.endpoint).toBe('GET /v2/pixverse/features');
    // useapi.net's own text may echo the email; the client's part of the message never adds the query.
    expect(error.message).not.toContain('?email=');
    expect(error.message).not.toContain('secret.person%40');
  });
});

describe('retries', () => {
  it.each<[string, UseapiFault, string]>([
    ['502', jsonError(502, 'bad gateway'), 'upstream'],
    ['503', jsonError(503, 'unavailable'), 'upstream'],
    ['504', { kind: 'html', status: 504 }, 'upstream'],
    ['429', { kind: 'busy' }, 'busy'],
    ['reset', { kind: 'reset' }, 'network'],
  ])('a read failing with %s is sent 3 times, then fails', async (_name, fault, kind) => {
    emu.addFault({ path: FEATURES_PATH, fault });
    const error = await failure(makeClient().features());
    expect(error.kind).toBe(kind);
    expect(emu.requestsTo('GET', FEATURES_PATH)).toHaveLength(3);
  });

  it.each<[string, UseapiFault]>([
    ['503', jsonError(503, 'unavailable')],
    ['429', { kind: 'busy' }],
    ['429 Retry-After: 0', { kind: 'busy', retryAfterSeconds: 0 }],
    ['reset', { kind: 'reset' }],
  ])('one passing %s, then the answer: 2 requests', async (_name, fault) => {
    emu.addFault({ path: FEATURES_PATH, fault, times: 1 });
    const features = await makeClient().features();
    expect(features.credit_daily).toBe(30);
    expect(emu.requestsTo('GET', FEATURES_PATH)).toHaveLength(2);
  });

  it('other reads are retried too (accounts, channels, channel)', async () => {
    const client = makeClient();
    emu.addFault({ path: '/v2/pixverse/accounts', fault: { kind: 'reset' }, times: 1 });
    emu.addFault({ path: V1_PATH, fault: jsonError(503, 'x'), times: 1 });
    emu.addFault({ path: `${V1_PATH}/${CHANNEL_A}`, fault: jsonError(502, 'x'), times: 1 });
    expect(await client.accounts()).toHaveLength(1);
    expect(await client.channels()).toEqual([]);
    expect(await client.channel(CHANNEL_A)).toBeUndefined();
    expect(emu.requests).toHaveLength(6);
  });

  it.each<[string, UseapiFault, string]>([
    ['500', jsonError(500, 'internal'), 'upstream'],
    ['400', jsonError(400, 'bad'), 'bad-request'],
    ['401', jsonError(401, 'Unauthorized'), 'unauthorized'],
    ['596', { kind: 'account-error' }, 'account-error'],
    ['invalid JSON', { kind: 'malformed-json' }, 'invalid-response'],
  ])('is not retried on %s', async (_name, fault, kind) => {
    emu.addFault({ path: FEATURES_PATH, fault });
    const error = await failure(makeClient().features());
    expect(error.kind).toBe(kind);
    expect(emu.requestsTo('GET', FEATURES_PATH)).toHaveLength(1);
  });

  it('a Retry-After beyond the remaining budget fails at once as busy', async () => {
    emu.addFault({ path: FEATURES_PATH, fault: { kind: 'busy', retryAfterSeconds: 5 } });
    const started = performance.now();
    const error = await failure(makeClient({ timeouts: { ...TIMEOUTS, totalMs: 2_000 } }).features());
    const elapsed = performance.now() - started;
    expect(error.kind).toBe('busy');
    expect(error.retryAfterMs).toBe(5_000);
    expect(elapsed).toBeLessThan(500);
    expect(emu.requestsTo('GET', FEATURES_PATH)).toHaveLength(1);
  });

  it('a failing read with retries stays within totalMs', async () => {
    emu.latencyMs = 120;
    emu.addFault({ path: FEATURES_PATH, fault: jsonError(503, 'unavailable') });
    const totalMs = 500;
    const client = makeClient({ timeouts: { ...TIMEOUTS, totalMs }, retryBaseMs: 150, maxRetries: 10 });
    const started = performance.now();
    const error = await failure(client.features());
    const elapsed = performance.now() - started;
    expect(['upstream', 'timeout']).toContain(error.kind);
    expect(elapsed).toBeLessThan(totalMs + 150);
    expect(emu.requestsTo('GET', FEATURES_PATH).length).toBeGreaterThanOrEqual(2);
  });

  it('maxRetries: 0 sends a read once', async () => {
    emu.addFault({ path: FEATURES_PATH, fault: { kind: 'reset' } });
    expect((await failure(makeClient({ maxRetries: 0 }).features())).kind).toBe('network');
    expect(emu.requestsTo('GET', FEATURES_PATH)).toHaveLength(1);
  });
});

describe('coalescing and cache', () => {
  it('20 concurrent identical reads share one request', async () => {
    await restart({ accounts: [{ email: 'a@x.com' }], latencyMs: 40 });
    const client = makeClient();
    const results = await Promise.all(Array.from({ length: 20 }, () => client.features('a@x.com')));
    expect(new Set(results.map((result) => JSON.stringify(result))).size).toBe(1);
    expect(emu.requestsTo('GET', FEATURES_PATH)).toHaveLength(1);
  });

  it('concurrent reads of different emails are not merged', async () => {
    await restart({ accounts: [{ email: 'a@x.com' }, { email: 'b@x.com', features: featuresFixture({ credit_package: 1 }) }] });
    const client = makeClient();
    const [a, b] = await Promise.all([client.features('a@x.com'), client.features('b@x.com')]);
    expect(a.credit_package).toBe(500);
    expect(b.credit_package).toBe(1);
    expect(emu.requestsTo('GET', FEATURES_PATH)).toHaveLength(2);
  });

  it('a failure is shared by the callers waiting on it, and not cached', async () => {
    await restart({ accounts: [{ email: 'a@x.com' }], latencyMs: 20 });
    emu.addFault({ path: FEATURES_PATH, fault: jsonError(500, 'boom'), times: 1 });
    const client = makeClient({ cacheTtlMs: 10_000 });
    const outcomes = await Promise.allSettled([client.features('a@x.com'), client.features('a@x.com')]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect((await client.features('a@x.com')).credit_daily).toBe(30);
    expect(emu.requestsTo('GET', FEATURES_PATH)).toHaveLength(2);
  });

  it('reuses an answer within the TTL and asks again after it', async () => {
    const client = makeClient({ cacheTtlMs: 80 });
    await client.features();
    await client.features();
    expect(emu.requestsTo('GET', FEATURES_PATH)).toHaveLength(1);
    await sleep(120);
    await client.features();
    expect(emu.requestsTo('GET', FEATURES_PATH)).toHaveLength(2);
  });

  it('cacheTtlMs 0 turns the cache off', async () => {
    const client = makeClient({ cacheTtlMs: 0 });
    await client.accounts();
    await client.accounts();
    expect(emu.requestsTo('GET', '/v2/pixverse/accounts')).toHaveLength(2);
  });

  it('registerChannel() and unregisterChannel() invalidate the channels() cache', async () => {
    const client = makeClient({ cacheTtlMs: 60_000 });
    expect(await client.channels()).toEqual([]);
    await client.registerChannel(registration());
    const after = await client.channels();
    expect(after.map((channel) => channel.channel)).toEqual([CHANNEL_A]);
    expect(emu.requestsTo('GET', V1_PATH)).toHaveLength(2);
    await client.channels();
    expect(emu.requestsTo('GET', V1_PATH)).toHaveLength(2);
    expect(await client.unregisterChannel(CHANNEL_A)).toBe(true);
    expect(await client.channels()).toEqual([]);
    expect(emu.requestsTo('GET', V1_PATH)).toHaveLength(3);
  });

  it('a read that started before a write does not refill the cache with stale data', async () => {
    const client = makeClient({ cacheTtlMs: 60_000 });
    const { stale } = await readAcrossAWrite(client);
    // The early read was answered from the state before the write…
    expect(await stale).toEqual([]);
    // …and must not be what the next read sees.
    const fresh = await client.channels();
    expect(fresh.map((channel) => channel.channel)).toEqual([CHANNEL_A]);
    expect(emu.requestsTo('GET', V1_PATH)).toHaveLength(2);
  });

  it('a read started after a write does not join a read in flight from before it', async () => {
    const client = makeClient({ cacheTtlMs: 60_000 });
    const { stale } = await readAcrossAWrite(client);
    const fresh = await client.channels();
    expect(fresh.map((channel) => channel.channel)).toEqual([CHANNEL_A]);
    expect(await stale).toEqual([]);
  });
});

describe('secrets', () => {
  it('the API token travels only in the Authorization header; the logger never sees it', async () => {
    const calls: unknown[] = [];
    const logger: ClientLogger = {
      debug: (obj, msg) => calls.push(['debug', obj, msg]),
      warn: (obj, msg) => calls.push(['warn', obj, msg]),
    };
    await restart({ accounts: [{ email: 'a+b@x.com' }, { email: 'c@x.com' }] });
    const client = makeClient({ logger });
    emu.addFault({ path: FEATURES_PATH, fault: { kind: 'reset' }, times: 1 });
    await client.features('a+b@x.com');
    await client.accounts();
    await client.registerChannel(registration());
    await client.channels();
    await client.channel(CHANNEL_A);
    await failure(client.registerChannel(registration({ channel: CHANNEL_B })));
    await client.unregisterChannel(CHANNEL_A);
    emu.addFault({ path: FEATURES_PATH, fault: { kind: 'busy' } });
    await failure(client.features('c@x.com'));

    expect(emu.requests.length).toBeGreaterThanOrEqual(10);
    for (const request of emu.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
      const { authorization: _authorization, ...otherHeaders } = request.headers;
      const elsewhere = [request.path, request.query.toString(), request.body, JSON.stringify(otherHeaders)].join('\n');
      expect(elsewhere).not.toContain(TOKEN);
      expect(elsewhere).not.toContain(encodeURIComponent(TOKEN));
    }
    expect(calls.length).toBeGreaterThan(0);
    const logged = JSON.stringify(calls);
    expect(logged).not.toContain(TOKEN);
    expect(logged).not.toContain(DISCORD_A);
  });

  it('the API token and the configured secrets, quoted back by useapi.net, are scrubbed before the text is kept', async () => {
    const botToken = 'clienttest-discord-bot-token-77';
    emu.addFault({ path: FEATURES_PATH, fault: jsonError(400, `token ${TOKEN} and ${botToken} refused`) });
    const error = await failure(makeClient({ secrets: [botToken, undefined] }).features());
    expect(error.upstreamMessage).toBe('token [redacted] and [redacted] refused');
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).not.toContain(botToken);
  });

  it('errors never quote the API token or the Discord token', async () => {
    emu.addFault({ method: 'POST', path: /.*/, fault: jsonError(400, 'nope') });
    const error = await failure(makeClient().registerChannel(registration()));
    const text = JSON.stringify({ message: error.message, details: error.details, stack: error.stack });
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(DISCORD_A);
  });
});

describe('property: any answer becomes a value or a UseapiError', () => {
  const statuses = fc.integer({ min: 200, max: 599 });
  const bodies = fc.oneof(
    fc.jsonValue().map((value) => JSON.stringify(value)),
    fc.string(),
    fc.constantFrom('', '<html><body>Bad gateway</body></html>', '{"error":', 'null', '[]', '{"error":{"a":1}}'),
    fc.record({ error: fc.oneof(fc.string(), fc.integer()), code: fc.integer() }).map((value) => JSON.stringify(value)),
    fc.dictionary(fc.string(), fc.jsonValue()).map((value) => JSON.stringify({ [CHANNEL_A]: value, 'a@x.com': value })),
  );
  const contentTypes = fc.constantFrom(
    undefined,
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'text/html; charset=UTF-8',
    'application/octet-stream',
  );
  const retryAfter = fc.option(fc.constantFrom('0', '1', 'soon', '1.5', 'Wed, 21 Oct 2015 07:28:00 GMT', '-3'), {
    nil: undefined,
  });

  it('never throws anything else, for every method', async () => {
    const client = makeClient({ maxRetries: 0, cacheTtlMs: 0 });
    const methods: Array<() => Promise<unknown>> = [
      () => client.features(),
      () => client.features('a@x.com'),
      () => client.accounts(),
      () => client.channels(),
      () => client.channel(CHANNEL_A),
      () => client.registerChannel(registration()),
      () => client.unregisterChannel(CHANNEL_A),
    ];
    await fc.assert(
      fc.asyncProperty(statuses, bodies, contentTypes, retryAfter, async (status, body, contentType, retry) => {
        emu.clearFaults();
        const noBody = status === 204 || status === 205 || status === 304;
        emu.addFault({
          path: /.*/,
          fault: {
            kind: 'status',
            status,
            ...(noBody ? {} : { body }),
            ...(contentType === undefined ? {} : { contentType }),
            ...(retry === undefined ? {} : { headers: { 'Retry-After': retry } }),
          },
        });
        for (const method of methods) {
          try {
            await method();
          } catch (error) {
            if (!(error instanceof UseapiError)) {
              throw new Error(`status ${status}, body ${JSON.stringify(body)}: ${String(error)}`);
            }
            expect(typeof error.kind).toBe('string');
          }
        }
      }),
      { numRuns: 100 },
    );
    expect(emu.requests.length).toBeGreaterThanOrEqual(100 * methods.length);
  });
});

describe('endpointTemplate', () => {
  it('names endpoints without ids, emails or query, so logs and metric labels stay bounded', () => {
    expect(endpointTemplate('GET', '/v2/pixverse/features/?email=a%2Bb%40example.com')).toBe('GET /v2/pixverse/features');
    expect(endpointTemplate('POST', '/v1/pixverse/account/123456789012345678')).toBe('POST /v1/pixverse/account/:channel');
    expect(endpointTemplate('GET', '/v2/pixverse/accounts/a%40example.com')).toBe('GET /v2/pixverse/accounts/:email');
    expect(endpointTemplate('GET', '/v2/pixverse/accounts')).toBe('GET /v2/pixverse/accounts');
  });
});

describe('v2 accounts: add, remove, capacity, subscription', () => {
  const PASSWORD = 'clienttest-pixverse-password-77';

  it('addAccount posts email, password and maxJobs once, and returns the stored record without secrets', async () => {
    const client = makeClient();
    const saved = await client.addAccount({ email: 'new+tag@example.com', password: PASSWORD, maxJobs: 2 });
    expect(saved).toMatchObject({ email: 'new+tag@example.com', maxJobs: 2 });
    expect(saved.sessionExpiresAt).toBeInstanceOf(Date);
    expect(JSON.stringify(saved)).not.toContain(PASSWORD);
    const posts = emu.requestsTo('POST', '/v2/pixverse/accounts/new%2Btag%40example.com');
    expect(posts).toHaveLength(1);
    expect(JSON.parse(posts[0]!.body)).toEqual({ email: 'new+tag@example.com', password: PASSWORD, maxJobs: 2 });
  });

  it('a write is never retried: a 503 on addAccount is one request', async () => {
    emu.addFault({ method: 'POST', path: /^\/v2\/pixverse\/accounts\//, fault: { kind: 'status', status: 503 } });
    const error = await failure(makeClient().addAccount({ email: 'a@example.com', password: PASSWORD, maxJobs: 1 }));
    expect(error.kind).toBe('upstream');
    expect(emu.requestsTo('POST', '/v2/')).toHaveLength(1);
  });

  it("PixVerse refusing the login is 'login-rejected'; the fixed Unauthorized body stays 'unauthorized'", async () => {
    emu.setPixverseLogin('a@example.com', 'the-right-one');
    const client = makeClient();
    const login = await failure(client.addAccount({ email: 'a@example.com', password: PASSWORD, maxJobs: 1 }));
    expect(login.kind).toBe('login-rejected');
    expect(login.upstreamMessage).toContain('a@example.com');
    const token = await failure(
      makeClient({ token: 'user:1-wrong-token-zz' }).addAccount({ email: 'a@example.com', password: PASSWORD, maxJobs: 1 }),
    );
    expect(token.kind).toBe('unauthorized');
  });

  it('a password useapi.net quotes back is scrubbed from the error before it is kept', async () => {
    emu.addFault({ method: 'POST', path: /^\/v2\/pixverse\/accounts\//, fault: jsonError(400, `password ${PASSWORD} rejected`) });
    const error = await failure(makeClient().addAccount({ email: 'a@example.com', password: PASSWORD, maxJobs: 1 }));
    expect(error.upstreamMessage).toBe('password [redacted] rejected');
    expect(error.message).not.toContain(PASSWORD);
  });

  it('removeAccount: true on 204 and on 200 with a body, false on the plain-text 404; it invalidates the list', async () => {
    const client = makeClient({ cacheTtlMs: 60_000 });
    expect(await client.accounts()).toHaveLength(1);
    expect(await client.removeAccount('solo@example.com')).toBe(true);
    expect(await client.accounts()).toEqual([]);
    expect(await client.removeAccount('solo@example.com')).toBe(false);
    await restart({ accounts: [{ email: 'b@example.com' }], deleteStatus: 200 });
    expect(await makeClient().removeAccount('b@example.com')).toBe(true);
  });

  it('scheduler reads running jobs and capacity, whatever the id is called', async () => {
    await restart({ accounts: [{ email: 'a@example.com', maxJobs: 3 }], jobIdField: 'videoId' });
    emu.setJobs([{ id: 'v-9', email: 'a@example.com', type: 'video', started: Date.now() }]);
    expect(await makeClient().scheduler()).toEqual({
      running: [{ id: 'v-9', type: 'video' }],
      capacity: [{ email: 'a@example.com', maxJobs: 3, executing: 1 }],
    });
  });

  it('subscription reads the slots, counting accounts in error', async () => {
    await restart({
      accounts: [{ email: 'a@example.com' }, { email: 'b@example.com', error: 'x' }],
      subscription: { active: true, maxAccountsPerAPI: 5 },
    });
    expect(await makeClient().subscription()).toEqual({ active: true, slots: 5, pixverse: { total: 2, active: 1, error: 1 } });
  });
});

describe('budget and connection limit', () => {
  it('maxConcurrent: 1 sends one request at a time; the next waits for the answer', async () => {
    await restart({ accounts: [{ email: 'solo@example.com' }], latencyMs: 120 });
    const client = makeClient({ maxConcurrent: 1 });
    await Promise.all([client.features(), client.accounts()]);
    const [first, second] = [...emu.requests].sort((a, b) => a.at - b.at);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(100);
  });

  it('a backoff longer than what is left of the budget is not waited for: one request, failing at once', async () => {
    emu.addFault({ path: FEATURES_PATH, fault: jsonError(503, 'unavailable') });
    const started = performance.now();
    const error = await failure(makeClient({ retryBaseMs: 5_000, timeouts: { ...TIMEOUTS, totalMs: 900 } }).features());
    expect(error.kind).toBe('upstream');
    expect(performance.now() - started).toBeLessThan(600);
    expect(emu.requestsTo('GET', FEATURES_PATH)).toHaveLength(1);
  });

  it('backs off exponentially with equal jitter, and logs each wait', async () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      const calls: Array<[string, Record<string, unknown>, string | undefined]> = [];
      const logger: ClientLogger = {
        debug: (obj, msg) => calls.push(['debug', obj as Record<string, unknown>, msg]),
        warn: (obj, msg) => calls.push(['warn', obj as Record<string, unknown>, msg]),
      };
      emu.addFault({ path: FEATURES_PATH, fault: jsonError(503, 'unavailable') });
      const client = makeClient({ logger, retryBaseMs: 40, timeouts: { ...TIMEOUTS, totalMs: 3_000 } });
      expect((await failure(client.features())).kind).toBe('upstream');
      // Step 40 then 80 ms: half of each, plus Math.random() × the other half.
      expect(calls.filter(([, , msg]) => msg === 'retrying useapi.net read').map(([, obj]) => obj)).toEqual([
        { endpoint: 'GET /v2/pixverse/features', kind: 'upstream', status: 503, waitMs: 30 },
        { endpoint: 'GET /v2/pixverse/features', kind: 'upstream', status: 503, waitMs: 60 },
      ]);
      expect(
        calls.filter(([, , msg]) => msg === 'useapi.net answered').map(([, obj]) => [obj.endpoint, obj.status, obj.attempt]),
      ).toEqual([
        ['GET /v2/pixverse/features', 503, 0],
        ['GET /v2/pixverse/features', 503, 1],
        ['GET /v2/pixverse/features', 503, 2],
      ]);
      const at = emu.requestsTo('GET', FEATURES_PATH).map((request) => request.at);
      expect(at).toHaveLength(3);
      expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(29);
      expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(59);
    } finally {
      random.mockRestore();
    }
  });

  it('a Retry-After on anything but a 429 is not obeyed: the read is retried with the usual backoff', async () => {
    emu.addFault({
      path: FEATURES_PATH,
      fault: { kind: 'status', status: 503, body: '', headers: { 'Retry-After': '5' } },
      times: 1,
    });
    const started = performance.now();
    expect((await makeClient({ timeouts: { ...TIMEOUTS, totalMs: 2_000 } }).features()).credit_daily).toBe(30);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(emu.requestsTo('GET', FEATURES_PATH)).toHaveLength(2);
  });
});

describe('interrupt() and close()', () => {
  it("a read waiting on useapi.net fails at once as 'interrupted', not as a confirmed or unconfirmed write", async () => {
    emu.addFault({ path: FEATURES_PATH, fault: { kind: 'hang' } });
    const client = makeClient({ timeouts: { connectMs: 500, headersMs: 5_000, bodyMs: 5_000, totalMs: 5_000 } });
    const pending = failure(client.features());
    await waitFor(() => emu.requests.length === 1);
    const started = performance.now();
    client.interrupt();
    const error = await pending;
    expect(performance.now() - started).toBeLessThan(500);
    expect(error.kind).toBe('interrupted');
    expect(error.message).toBe('GET /v2/pixverse/features was abandoned: the bot is stopping');
    expect(error.details).toEqual({ endpoint: 'GET /v2/pixverse/features', unconfirmedWrite: false });
  });

  it('an interrupted write is marked unconfirmed: useapi.net may have applied it', async () => {
    emu.addFault({ method: 'POST', path: `${V1_PATH}/${CHANNEL_A}`, fault: { kind: 'hang' } });
    const client = makeClient({ timeouts: { connectMs: 500, headersMs: 5_000, bodyMs: 5_000, totalMs: 5_000 } });
    const pending = failure(client.registerChannel(registration()));
    await waitFor(() => emu.requests.length === 1);
    client.interrupt();
    const error = await pending;
    expect(error.kind).toBe('interrupted');
    expect(error.details.unconfirmedWrite).toBe(true);
    expect(error.message).toBe('POST /v1/pixverse/account/:channel was abandoned: the bot is stopping');
  });

  it('a read waiting out a backoff gives up at once on interrupt()', async () => {
    emu.addFault({ path: FEATURES_PATH, fault: { kind: 'busy', retryAfterSeconds: 2 } });
    const client = makeClient({ timeouts: { ...TIMEOUTS, totalMs: 5_000 } });
    const pending = failure(client.features());
    await waitFor(() => emu.requests.length === 1);
    await sleep(20);
    const started = performance.now();
    client.interrupt();
    const error = await pending;
    expect(performance.now() - started).toBeLessThan(500);
    expect(error.kind).toBe('interrupted');
    expect(emu.requests).toHaveLength(1);
  });

  it('after close() every call fails as interrupted without a request', async () => {
    const client = makeClient();
    await client.close();
    expect((await failure(client.features())).kind).toBe('interrupted');
    expect((await failure(client.registerChannel(registration()))).details.unconfirmedWrite).toBe(true);
    expect(emu.requests).toHaveLength(0);
  });
});

describe('what the client reports', () => {
  it('the observer gets every attempt with its outcome and duration, and each final failure', async () => {
    await restart({ accounts: [{ email: 'solo@example.com' }], latencyMs: 30 });
    const attempts: Array<[string, string, number]> = [];
    const failures: string[] = [];
    const client = makeClient({
      observer: {
        upstreamAttempt: (endpoint, result, ms) => attempts.push([endpoint, result, ms]),
        upstreamFailure: (kind) => failures.push(kind),
      },
    });
    emu.addFault({ path: FEATURES_PATH, fault: { kind: 'reset' }, times: 1 });
    emu.addFault({ path: '/v2/pixverse/accounts', fault: jsonError(500, 'down'), times: 1 });
    const started = performance.now();
    await client.features();
    await failure(client.accounts());
    const elapsed = performance.now() - started;
    expect(attempts.map(([endpoint, result]) => [endpoint, result])).toEqual([
      ['GET /v2/pixverse/features', 'network'],
      ['GET /v2/pixverse/features', '200'],
      ['GET /v2/pixverse/accounts', '500'],
    ]);
    for (const [, result, ms] of attempts) {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(elapsed);
      if (result !== 'network') expect(ms).toBeGreaterThanOrEqual(25);
    }
    expect(failures).toEqual(['upstream']);
  });

  it('onFeatures hears every fetched reading that names its account, never a cached one or one without an email', async () => {
    const heard: Array<[string, number | undefined]> = [];
    const client = makeClient({
      cacheTtlMs: 60_000,
      onFeatures: (email, features) => heard.push([email, features.credit_daily]),
    });
    await client.features();
    expect(heard).toEqual([]);
    await client.features('solo@example.com');
    await client.features('solo@example.com');
    expect(heard).toEqual([['solo@example.com', 30]]);
    expect(emu.requestsTo('GET', FEATURES_PATH)).toHaveLength(2);
  });

  it('every request asks for JSON; only a request with a body says it sends JSON', async () => {
    const client = makeClient();
    await client.features();
    await client.registerChannel(registration());
    await client.unregisterChannel(CHANNEL_A);
    expect(emu.requests.map((request) => [request.method, request.headers.accept, request.headers['content-type']])).toEqual([
      ['GET', 'application/json', undefined],
      ['POST', 'application/json', 'application/json'],
      ['DELETE', 'application/json', undefined],
    ]);
  });

  it('the scheduler and the subscription are read with GET, and their failures name the endpoint', async () => {
    const client = makeClient();
    emu.addFault({ path: /.*/, fault: jsonError(500, 'down') });
    expect((await failure(client.scheduler())).details.endpoint).toBe('GET /v2/pixverse/scheduler/available');
    expect((await failure(client.subscription())).details.endpoint).toBe('GET /v2/account');
    expect(emu.requests.map(({ method }) => method)).toEqual(['GET', 'GET']);
  });

  it('every method names its endpoint when the answer is not JSON', async () => {
    const client = makeClient();
    emu.addFault({ path: /.*/, fault: { kind: 'status', status: 200, body: 'not json', contentType: 'text/plain' } });
    const calls: Array<[() => Promise<unknown>, string]> = [
      [() => client.features(), 'GET /v2/pixverse/features'],
      [() => client.accounts(), 'GET /v2/pixverse/accounts'],
      [() => client.channels(), 'GET /v1/pixverse/account'],
      [() => client.channel(CHANNEL_A), 'GET /v1/pixverse/account/<channel>'],
      [
        () => client.addAccount({ email: 'a@example.com', password: 'pw-not-shown', maxJobs: 1 }),
        'POST /v2/pixverse/accounts/<email>',
      ],
      [() => client.scheduler(), 'GET /v2/pixverse/scheduler/available'],
      [() => client.subscription(), 'GET /v2/account'],
    ];
    for (const [call, label] of calls) {
      const error = await failure(call());
      expect(error.kind).toBe('invalid-response');
      expect(error.message).toBe(`${label} answered 200 with a body that is not JSON`);
      expect(error.status).toBe(200);
    }
  });

  it('a problem deep in a body is named by its path, dot-separated', async () => {
    emu.addFault({
      path: V1_PATH,
      fault: { kind: 'status', status: 200, body: `{"${CHANNEL_A}":{"channel":"x"}}`, contentType: 'application/json' },
    });
    expect((await failure(makeClient().channels())).message).toContain(`(${CHANNEL_A}.channel: `);
  });

  it('a body of the wrong shape is described by its first three problems', async () => {
    emu.addFault({
      path: '/v2/pixverse/accounts',
      fault: { kind: 'status', status: 200, body: '{"a":1,"b":2,"c":3,"d":4}', contentType: 'application/json' },
    });
    const error = await failure(makeClient().accounts());
    expect(error.kind).toBe('invalid-response');
    expect(error.status).toBe(200);
    expect(error.details.endpoint).toBe('GET /v2/pixverse/accounts');
    expect(error.message).toMatch(/^GET \/v2\/pixverse\/accounts answered an unexpected body \(a: [^;]+; b: [^;]+; c: [^;]+\)$/);
  });
});

describe('bodies, statuses and the texts kept from them', () => {
  it('a body over 1 MB is refused unread; one of exactly 1 MB is read', async () => {
    const json = JSON.stringify(featuresFixture({ credit_daily: 7 }));
    const exact = json + ' '.repeat(1_000_000 - Buffer.byteLength(json));
    emu.addFault({
      path: FEATURES_PATH,
      fault: { kind: 'status', status: 200, body: exact, contentType: 'application/json' },
      times: 1,
    });
    expect((await makeClient().features()).credit_daily).toBe(7);
    emu.addFault({
      path: FEATURES_PATH,
      fault: { kind: 'status', status: 200, body: `${exact} `, contentType: 'application/json' },
    });
    const error = await failure(makeClient().features());
    expect(error.kind).toBe('invalid-response');
    expect(error.message).toBe('useapi.net answered with more than 1000000 bytes');
    expect(error.details.endpoint).toBe('GET /v2/pixverse/features');
  });

  it("a 401 with no text of its own is the token, 'unauthorized', not a refused login", async () => {
    emu.addFault({ path: FEATURES_PATH, fault: { kind: 'status', status: 401, body: '' } });
    const error = await failure(makeClient().features());
    expect(error.kind).toBe('unauthorized');
    expect(error.upstreamMessage).toBeUndefined();
    expect(error.message).toBe('GET /v2/pixverse/features answered 401');
  });

  it('an HTML content type hides the body even when it does not look like HTML', async () => {
    emu.addFault({ path: FEATURES_PATH, fault: { kind: 'status', status: 500, body: 'Bad gateway', contentType: 'text/html' } });
    expect((await failure(makeClient().features())).upstreamMessage).toBeUndefined();
  });

  it("plain text mentioning a '<' further in is still useapi.net's text", async () => {
    emu.addFault({
      path: FEATURES_PATH,
      fault: { kind: 'status', status: 500, body: 'maxJobs must be < 10', contentType: 'text/plain' },
    });
    expect((await failure(makeClient().features())).upstreamMessage).toBe('maxJobs must be < 10');
  });

  it('a 404 is "none configured" only when it says so or says nothing; any other 404 is not-found', async () => {
    const client = makeClient();
    emu.addFault({ path: V1_PATH, fault: { kind: 'status', status: 404, body: ' \n', contentType: 'text/plain' }, times: 1 });
    expect(await client.channels()).toEqual([]);
    emu.addFault({ path: V1_PATH, fault: jsonError(404, 'Route not found'), times: 1 });
    const error = await failure(client.channels());
    expect(error.kind).toBe('not-found');
    expect(error.upstreamMessage).toBe('Route not found');
  });

  it('an email that is not valid text is refused before any request, and peeks find nothing', async () => {
    const client = makeClient({ cacheTtlMs: 60_000 });
    const lone = 'a\uD800@example.com';
    const error = await failure(client.features(lone));
    expect(error.kind).toBe('bad-request');
    expect(error.message).toBe('the email is not valid text');
    expect((await failure(client.addAccount({ email: lone, password: 'pw-not-shown', maxJobs: 1 }))).kind).toBe('bad-request');
    expect((await failure(client.removeAccount(lone))).kind).toBe('bad-request');
    expect(client.peekFeatures(lone)).toBeUndefined();
    expect(emu.requests).toHaveLength(0);
  });
});

describe('cache limits', () => {
  it('peeks see an answer only while it is fresh', async () => {
    const client = makeClient({ cacheTtlMs: 40 });
    const list = await client.accounts();
    const features = await client.features('solo@example.com');
    expect(client.peekAccounts()).toEqual(list);
    expect(client.peekFeatures('solo@example.com')).toEqual(features);
    await sleep(80);
    expect(client.peekAccounts()).toBeUndefined();
    expect(client.peekFeatures('solo@example.com')).toBeUndefined();
  });

  it('holds at most 64 answers: the 65th pushes out the oldest', async () => {
    const emails = Array.from({ length: 65 }, (_, i) => `user${String(i).padStart(2, '0')}@example.com`);
    await restart({ accounts: emails.map((email) => ({ email })) });
    const client = makeClient({ cacheTtlMs: 60_000 });
    for (const email of emails.slice(0, 64)) await client.features(email);
    expect(emails.slice(0, 64).every((email) => client.peekFeatures(email) !== undefined)).toBe(true);
    await client.features(emails[64]);
    expect(client.peekFeatures(emails[0])).toBeUndefined();
    expect(client.peekFeatures(emails[1])).toBeDefined();
    expect(client.peekFeatures(emails[64])).toBeDefined();
  });

  it('a read from before a write, finishing while a newer read is in flight, does not detach the newer one', async () => {
    const client = makeClient({ cacheTtlMs: 60_000 });
    const { stale } = await readAcrossAWrite(client);
    emu.addFault({ method: 'GET', path: V1_PATH, fault: { kind: 'delay', ms: 400 }, times: 1 });
    const fresh = client.channels();
    expect(await stale).toEqual([]);
    // The old read is done; the newer one is still waiting on useapi.net, and a third read joins it.
    const joined = client.channels();
    expect((await joined).map((channel) => channel.channel)).toEqual([CHANNEL_A]);
    expect(await fresh).toEqual(await joined);
    expect(emu.requestsTo('GET', V1_PATH)).toHaveLength(2);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds, fractions and HTTP dates; anything else is absent', () => {
    expect(parseRetryAfter('30')).toBe(30_000);
    expect(parseRetryAfter(' 7 ')).toBe(7_000);
    expect(parseRetryAfter('1.25')).toBe(1_250);
    expect(parseRetryAfter(['2', '9'])).toBe(2_000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('   ')).toBeUndefined();
    expect(parseRetryAfter('5s')).toBeUndefined();
    expect(parseRetryAfter('x5')).toBeUndefined();
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT')).toBe(0);
    const inTenSeconds = parseRetryAfter(new Date(Date.now() + 10_000).toUTCString());
    expect(inTenSeconds).toBeGreaterThan(8_000);
    expect(inTenSeconds).toBeLessThanOrEqual(10_000);
  });
});
