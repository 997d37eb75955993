import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { DiscordEmulator } from '../../src/emulators/discord/index.js';
import { startStack, visibleText, type Stack } from './stack.js';

/** Discord misbehaving: a gateway that closes or dies, a rate-limited edit, an expired interaction. */

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

async function expectCreditsAnswered(s: Stack): Promise<void> {
  const handle = s.command('credits');
  const first = await handle.firstResponse();
  expect(first.at - handle.dispatchedAt).toBeLessThan(3_000);
  expect(visibleText(await handle.finalMessage())).toContain('credits left to spend');
}

function sessions(discord: DiscordEmulator): number {
  return discord.identifies.length + discord.resumes.length;
}

function level(line: string): number {
  return (JSON.parse(line) as { level: number }).level;
}

describe('gateway trouble', () => {
  it('resumes after Discord closes the gateway with 4000, then answers', async () => {
    stack = await startStack();
    await expectCreditsAnswered(stack);
    expect(stack.discord.identifies).toHaveLength(1);

    stack.discord.closeGateway(4000);
    await stack.discord.waitForResumed(1, 10_000);
    expect(stack.discord.resumes).toHaveLength(1);
    expect(stack.discord.identifies).toHaveLength(1); // resumed, not a new session

    await expectCreditsAnswered(stack);
    expect(stack.logs.filter((line) => line.includes('"msg":"gateway resumed"'))).toHaveLength(1);
  });

  it('answers an interaction Discord sent while the gateway was down (replayed on resume)', async () => {
    stack = await startStack();
    stack.discord.closeGateway(4000);
    // The client is reconnecting: the dispatch is queued in the session and replayed on RESUME.
    const handle = stack.command('credits');
    const first = await handle.firstResponse();
    expect(first.at - handle.dispatchedAt).toBeLessThan(3_000);
    expect(visibleText(await handle.finalMessage())).toContain('credits left to spend');
    expect(stack.discord.resumes.length).toBeGreaterThanOrEqual(1);
  });

  it('reconnects after the socket dies without a close frame, then answers', async () => {
    stack = await startStack();
    const before = sessions(stack.discord);
    stack.discord.dropGateway();
    await until(() => sessions(stack!.discord) > before, 10_000, 'the client to resume or identify again');
    // A resume needs the RESUMED dispatch before interactions flow again; an identify needs READY.
    if (stack.discord.resumes.length > 0) await stack.discord.waitForResumed(1, 10_000);
    else await stack.discord.waitForReady(10_000);
    await expectCreditsAnswered(stack);
  });
});

describe('token reset while running', () => {
  it('reports a token Discord stops accepting (4004 on resume) as fatal, naming DISCORD_TOKEN', async () => {
    stack = await startStack();
    stack.discord.rejectToken();
    stack.discord.closeGateway(4000);
    await until(
      () => stack!.discord.resumes.length + stack!.discord.identifies.length > 1,
      5_000,
      'a resume or identify attempt',
    );
    // Without a gateway the bot can never answer again: that must not pass as a mere warning.
    await until(
      () => stack!.logs.some((line) => level(line) >= 50 && line.includes('DISCORD_TOKEN')),
      3_000,
      'an error or fatal log line that names DISCORD_TOKEN',
    );
  });
});

describe('Discord REST trouble', () => {
  const rateLimits: Array<{ name: string; headers: Record<string, string> }> = [
    {
      name: 'per-route limit',
      headers: {
        'Retry-After': '1',
        'X-RateLimit-Limit': '5',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': String(Math.ceil(Date.now() / 1000) + 1),
        'X-RateLimit-Reset-After': '1',
        'X-RateLimit-Bucket': 'e2e0bucket0webhook0edit',
        'X-RateLimit-Scope': 'user',
      },
    },
    {
      name: 'global limit',
      headers: { 'Retry-After': '1', 'X-RateLimit-Global': 'true', 'X-RateLimit-Scope': 'global' },
    },
  ];

  it.each(rateLimits)(
    'retries an edit refused with 429 ($name) after Retry-After, and the answer arrives',
    async ({ headers }) => {
      stack = await startStack();
      // Slower than the bot's fast window (25 ms): the reply is deferred, then edited in.
      stack.useapi.latencyMs = 600;
      stack.discord.addRestFault({
        method: 'PATCH',
        path: /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/,
        status: 429,
        headers,
        body: { message: 'You are being rate limited.', retry_after: 1, global: 'X-RateLimit-Global' in headers },
        times: 1,
      });

      const handle = stack.command('credits');
      const first = await handle.firstResponse();
      expect(first.callbackType).toBe(5);
      expect(first.at - handle.dispatchedAt).toBeLessThan(3_000);
      const message = await handle.finalMessage(8_000);
      expect(visibleText(message)).toContain('credits left to spend');

      const edits = stack.discord.requests.filter((r) => r.method === 'PATCH' && r.path.includes(`/${handle.token}/messages/`));
      expect(edits).toHaveLength(2);
      expect(edits[1]!.at - edits[0]!.at).toBeGreaterThanOrEqual(950);
      expect(stack.logs.filter((line) => level(line) >= 50)).toEqual([]);
    },
  );

  it('an interaction Discord no longer knows (10062): one warning, no retried callback, next one served', async () => {
    stack = await startStack();
    stack.discord.addRestFault({
      method: 'POST',
      path: /^\/interactions\/\d+\/[^/]+\/callback$/,
      status: 404,
      body: { code: 10062, message: 'Unknown interaction' },
      times: 1,
    });

    const handle = stack.command('credits');
    await until(
      () => stack!.logs.some((line) => line.includes('"msg":"interaction handled"') && line.includes(handle.id)),
      5_000,
      'the interaction to be handled',
    );
    await sleep(300); // room for a wrong retry or a second warning

    const callbacks = stack.discord.requests.filter(
      (r) => r.method === 'POST' && r.path.startsWith(`/interactions/${handle.id}/`),
    );
    expect(callbacks).toHaveLength(1);
    expect(handle.responses).toEqual([]);
    const warnings = stack.logs.filter((line) => level(line) === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(handle.id);
    expect(warnings[0]).toContain('10062');
    expect(stack.logs.filter((line) => level(line) >= 50)).toEqual([]);
    // Nothing else was sent for it either (no follow-up, no edit).
    expect(stack.discord.requests.filter((r) => r.path.includes(handle.token))).toHaveLength(1);

    await expectCreditsAnswered(stack);
  });
});
