import { afterEach, describe, expect, it } from 'vitest';
import { UseapiEmulator, type UseapiFault } from '../../src/emulators/useapi.js';
import { ADMIN, SECRETS, isEphemeral, startStack, visibleText, type Stack } from './stack.js';

/**
 * useapi.net misbehaving in every way the reference lists, seen through `/credits` and
 * `/pixverse-register` with the real discord.js client. The stack's useapi.net budget is 2 s
 * (USEAPI_TOTAL_TIMEOUT), so even "hangs" and "answers after 5 s" end within a few seconds.
 */

let stack: Stack | undefined;
let extraUseapi: UseapiEmulator | undefined;
afterEach(async () => {
  try {
    await stack?.close();
  } finally {
    stack = undefined;
    await extraUseapi?.close();
    extraUseapi = undefined;
  }
});

const EMAIL = [{ name: 'email', type: 3 as const, value: 'team@example.com' }];

/** What a failure message must never show a person. */
function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/\bat .+\.(ts|js|mjs|cjs)(:\d+)?/); // a stack frame
  expect(text).not.toMatch(/node:internal|node_modules/);
  expect(text).not.toContain('undefined');
  expect(text).not.toContain('Error:');
  expect(text).not.toContain('[object');
  expect(text).not.toMatch(/UND_ERR|\bECONN|<html|<!DOCTYPE/i);
  expect(text).not.toContain(SECRETS.useapiToken);
}

/** After a fault is gone, the very next `/credits` is served as if nothing had happened. */
async function expectServedNormally(s: Stack): Promise<void> {
  const handle = s.command('credits', EMAIL);
  const first = await handle.firstResponse();
  expect(first.at - handle.dispatchedAt).toBeLessThan(3_000);
  const text = visibleText(await handle.finalMessage());
  expect(text).toContain('credits left to spend');
  expect(text).toContain('plan `Pro`');
}

interface FaultCase {
  name: string;
  fault: UseapiFault;
  /** Distinctive phrases of the failure text for this kind (src/presentation/failure.ts). */
  says: string[];
}

const FEATURES = '/v2/pixverse/features';

const cases: FaultCase[] = [
  { name: 'hangs', fault: { kind: 'hang' }, says: ['did not answer in time', 'Try again in a minute'] },
  {
    name: 'answers only after 5 s',
    fault: { kind: 'delay', ms: 5_000 },
    says: ['did not answer in time', 'Try again in a minute'],
  },
  {
    name: 'answers 500',
    fault: { kind: 'status', status: 500, body: '{"error":"Internal error","code":500}', contentType: 'application/json' },
    says: ['useapi.net is having trouble', 'HTTP 500', 'try again in a few minutes'],
  },
  {
    name: 'answers 502 (retried, still failing)',
    fault: { kind: 'status', status: 502, body: 'Bad Gateway', contentType: 'text/plain' },
    says: ['useapi.net is having trouble', 'HTTP 502', 'try again in a few minutes'],
  },
  {
    name: 'answers 503 (retried, still failing)',
    fault: { kind: 'status', status: 503, body: '{"error":"Service Unavailable","code":503}', contentType: 'application/json' },
    says: ['useapi.net is having trouble', 'HTTP 503', 'try again in a few minutes'],
  },
  {
    name: 'answers a Cloudflare HTML error page',
    fault: { kind: 'html', status: 520 },
    says: ['useapi.net is having trouble', 'HTTP 520', 'try again in a few minutes'],
  },
  {
    name: 'answers 200 with malformed JSON',
    fault: { kind: 'malformed-json' },
    says: ['unreadable answer', 'Try again later'],
  },
  {
    name: 'resets the connection',
    fault: { kind: 'reset' },
    says: ['Could not reach useapi.net', 'Try again in a minute'],
  },
  {
    name: 'answers 401',
    fault: { kind: 'status', status: 401, body: '{"error":"Unauthorized","code":401}', contentType: 'application/json' },
    says: ['rejected the bot’s API token', '`USEAPI_TOKEN`', 'restart the bot'],
  },
  {
    name: 'answers 402',
    fault: { kind: 'status', status: 402, body: '{"error":"Subscription expired","code":402}', contentType: 'application/json' },
    says: ['No active useapi.net subscription', 'Renew it on useapi.net'],
  },
  {
    name: 'answers 429 with Retry-After: 30',
    fault: { kind: 'busy', retryAfterSeconds: 30 },
    says: ['useapi.net is busy', 'Try again in 30 s'],
  },
  {
    name: 'answers 429 without Retry-After (retried, still busy)',
    fault: { kind: 'busy' },
    says: ['useapi.net is busy', 'Try again in half a minute'],
  },
  {
    name: 'answers 596 (account in error state)',
    fault: { kind: 'account-error' },
    says: ['error state', 'press **Reconnect**'],
  },
];

describe('/credits when useapi.net misbehaves', () => {
  it.each(cases)('$name: answers in time, explains, then serves the next one', async ({ fault, says }) => {
    stack = await startStack();
    stack.useapi.addFault({ path: FEATURES, fault });

    const handle = stack.command('credits', EMAIL);
    const first = await handle.firstResponse();
    expect(first.at - handle.dispatchedAt).toBeLessThan(3_000);
    const message = await handle.finalMessage(8_000);
    const text = visibleText(message);
    for (const phrase of says) expect(text).toContain(phrase);
    expectNoInternals(text);
    expect(isEphemeral(message)).toBe(true);
    // Nothing a user can act on came from the bot's own code path.
    expect(stack.logs.filter((line) => line.includes('"level":50'))).toEqual([]);
    expect(stack.discord.validationErrors).toEqual([]);

    stack.useapi.clearFaults();
    await expectServedNormally(stack);
  });

  it('retries a passing 503 on a read and then shows the credits', async () => {
    stack = await startStack();
    stack.useapi.addFault({ path: FEATURES, fault: { kind: 'status', status: 503 }, times: 1 });
    const text = visibleText(await stack.command('credits', EMAIL).finalMessage());
    expect(text).toContain('credits left to spend');
    expect(stack.useapi.requestsTo('GET', FEATURES)).toHaveLength(2);
  });

  it('connection refused (useapi.net down): answers in time, explains, then serves once it is back', async () => {
    stack = await startStack();
    const port = Number(new URL(stack.useapi.url).port);
    await stack.useapi.close();

    const handle = stack.command('credits', EMAIL);
    const first = await handle.firstResponse();
    expect(first.at - handle.dispatchedAt).toBeLessThan(3_000);
    const text = visibleText(await handle.finalMessage(8_000));
    expect(text).toContain('Could not reach useapi.net');
    expect(text).toContain('Try again in a minute');
    expectNoInternals(text);

    // useapi.net comes back on the same address: the bot needs no restart.
    extraUseapi = await UseapiEmulator.start({ token: SECRETS.useapiToken, accounts: [{ email: 'team@example.com' }], port });
    await expectServedNormally(stack);
    expect(extraUseapi.requestsTo('GET', FEATURES)).toHaveLength(1);
  });
});

describe('/pixverse-register when useapi.net fails the write', () => {
  const writes: Array<{ name: string; fault: UseapiFault; says: string[] }> = [
    {
      name: '503',
      fault: { kind: 'status', status: 503, body: '{"error":"Service Unavailable","code":503}', contentType: 'application/json' },
      says: ['useapi.net is having trouble', 'HTTP 503'],
    },
    { name: 'a connection reset', fault: { kind: 'reset' }, says: ['Could not reach useapi.net'] },
  ];

  it.each(writes)('$name: sends the POST exactly once and explains', async ({ fault, says }) => {
    stack = await startStack();
    stack.useapi.addFault({ method: 'POST', path: /^\/v1\/pixverse\/account\//, fault });

    const handle = stack.command('pixverse-register', [], { permissions: ADMIN });
    const first = await handle.firstResponse();
    expect(first.at - handle.dispatchedAt).toBeLessThan(3_000);
    const message = await handle.finalMessage(8_000);
    const text = visibleText(message);
    for (const phrase of says) expect(text).toContain(phrase);
    expectNoInternals(text);
    expect(isEphemeral(message)).toBe(true);

    // Writes are never retried: give a (wrong) retry time to happen before counting.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(stack.useapi.requestsTo('POST', '/v1/pixverse/account/')).toHaveLength(1);
    expect(stack.useapi.channels()).toEqual([]);
  });
});
