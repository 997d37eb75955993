import type { APIChatInputApplicationCommandInteraction, APIMessage } from 'discord-api-types/v10';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commands } from '../../commands/index.js';
import { chatInputInteraction, type InvokerFixture } from '../../src/emulators/discord/index.js';
import { featuresFixture } from '../../src/emulators/useapi.js';
import type { RefusalCode } from '../../src/refusal.js';
import { ADMIN, GUILD_ID, SECRETS, TEXT_CHANNEL, isEphemeral, outcomeOf, startStack, visibleText, type Stack } from './stack.js';

/**
 * Payloads Discord itself would never send (it validates options against the registered command),
 * sent raw through the gateway: whatever arrives, the bot refuses clearly, ephemerally, without an
 * exception and without calling useapi.net.
 */

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const member: InvokerFixture = { guildId: GUILD_ID, channel: TEXT_CHANNEL };
const admin: InvokerFixture = { ...member, permissions: ADMIN };

/** A chat-input payload from the fixtures with whatever options, even ill-typed ones. */
function rawCommand(
  s: Stack,
  name: string,
  options: unknown[] | undefined,
  invoker: InvokerFixture = member,
): APIChatInputApplicationCommandInteraction {
  const payload = chatInputInteraction(s.discord, invoker, { name });
  if (options !== undefined) (payload.data as { options?: unknown[] }).options = options;
  return payload;
}

function handlerFailures(s: Stack): string[] {
  return s.logs.filter((line) => line.includes('"level":50') || line.includes('interaction handler failed'));
}

/** The interaction got one ephemeral reply (no deferral, no upstream wait) saying `phrase`, refused with `code`. */
async function expectRefusal(
  s: Stack,
  payload: APIChatInputApplicationCommandInteraction,
  phrase: string | RegExp,
  code: RefusalCode,
): Promise<APIMessage> {
  const handle = s.discord.dispatchInteraction(payload);
  const first = await handle.firstResponse();
  expect(first.at - handle.dispatchedAt).toBeLessThan(3_000);
  expect(first.callbackType).toBe(4);
  expect(isEphemeral(first.body)).toBe(true);
  const message = await handle.finalMessage();
  const text = visibleText(message);
  if (typeof phrase === 'string') expect(text).toContain(phrase);
  else expect(text).toMatch(phrase);
  expect(text).not.toMatch(/undefined|Error:|\[object|something went wrong in the bot/i);
  expect(text.length).toBeLessThan(600);
  await vi.waitFor(() => expect(outcomeOf(s, handle.id)).toBe(`refused:${code}`));
  return message;
}

describe('forged options', () => {
  const forged: Array<{
    name: string;
    command: string;
    options: unknown[];
    says: string | RegExp;
    invoker?: InvokerFixture;
    code?: RefusalCode;
  }> = [
    {
      name: 'email as an integer option',
      command: 'credits',
      options: [{ name: 'email', type: 4, value: 42 }],
      says: '`email` has the wrong type',
    },
    {
      name: 'email typed string, value a number',
      command: 'credits',
      options: [{ name: 'email', type: 3, value: 42 }],
      says: '`email` must be text',
    },
    { name: 'email without a value', command: 'credits', options: [{ name: 'email', type: 3 }], says: '`email` must be text' },
    {
      name: 'share as the string "true"',
      command: 'credits',
      options: [{ name: 'share', type: 5, value: 'true' }],
      says: '`share` must be true or false',
    },
    {
      name: 'share typed string',
      command: 'credits',
      options: [{ name: 'share', type: 3, value: 'yes' }],
      says: '`share` has the wrong type',
    },
    {
      name: 'max_jobs as the string "3"',
      command: 'pixverse-register',
      options: [{ name: 'max_jobs', type: 4, value: '3' }],
      says: '`max_jobs` must be a whole number',
      invoker: admin,
    },
    {
      name: 'max_jobs as null',
      command: 'pixverse-register',
      options: [{ name: 'max_jobs', type: 4, value: null }],
      says: '`max_jobs` must be a whole number',
      invoker: admin,
    },
    {
      name: 'max_jobs as 1e300',
      command: 'pixverse-register',
      options: [{ name: 'max_jobs', type: 4, value: 1e300 }],
      says: '`max_jobs` must be between 1 and 10',
      invoker: admin,
    },
    {
      name: 'an unknown option max_jobz',
      command: 'pixverse-register',
      options: [{ name: 'max_jobz', type: 4, value: 3 }],
      says: 'no option named “max_jobz”',
      invoker: admin,
    },
    {
      name: 'an unknown option whose name carries markdown and a mention',
      command: 'credits',
      options: [{ name: '@everyone [x](https://evil.example)', type: 3, value: 'a' }],
      says: /no option named “everyonexhttpsevilexample”/,
    },
    {
      name: 'a command the bot does not have',
      command: 'rm-rf',
      options: [],
      says: 'not known to this bot',
      code: 'unknown-command',
    },
    {
      name: 'a 6,000-character email',
      command: 'credits',
      options: [{ name: 'email', type: 3, value: `${'a'.repeat(5_988)}@example.com` }],
      says: 'longer than 254 characters',
    },
    {
      name: 'an email with a newline',
      command: 'credits',
      options: [{ name: 'email', type: 3, value: 'team@example.com\nHost: evil' }],
      says: 'control characters',
    },
    {
      name: 'an email with a NUL',
      command: 'credits',
      options: [{ name: 'email', type: 3, value: 'team\u0000@example.com' }],
      says: 'control characters',
    },
    {
      name: 'an email with a DEL',
      command: 'credits',
      options: [{ name: 'email', type: 3, value: 'team\u007f@example.com' }],
      says: 'control characters',
    },
  ];

  it.each(forged)('$name: refused, no exception, no upstream call', async ({ command, options, says, invoker, code }) => {
    stack = await startStack();
    await expectRefusal(stack, rawCommand(stack, command, options, invoker), says, code ?? 'invalid-option');
    expect(stack.useapi.requests).toEqual([]);
    expect(handlerFailures(stack)).toEqual([]);
    expect(stack.discord.validationErrors).toEqual([]);
  });
});

describe('emails that try to steer the URL', () => {
  const steering = [
    '../../v1/pixverse/account',
    'a?email=other@example.com',
    'team@example.com#frag',
    '../accounts/x@y.z?x=1#y',
    'a%2F..%2Fb@example.com',
    'a&email=b@example.com',
  ];

  it.each(steering)('%s, as a real account: exactly one query value of GET /v2/pixverse/features/', async (email) => {
    stack = await startStack({ accounts: [{ email }, { email: 'team@example.com' }] });
    const handle = stack.discord.dispatchInteraction(rawCommand(stack, 'credits', [{ name: 'email', type: 3, value: email }]));
    const text = visibleText(await handle.finalMessage());
    expect(handlerFailures(stack)).toEqual([]);
    const reads = stack.useapi.requests.filter((request) => request.path !== '/v2/pixverse/accounts');
    expect(reads).toHaveLength(1);
    expect(reads[0]!.method).toBe('GET');
    expect(reads[0]!.path).toBe('/v2/pixverse/features/');
    expect(reads[0]!.query.getAll('email')).toEqual([email]);
    expect([...reads[0]!.query.keys()]).toEqual(['email']);
    expect(text).toContain('credits left to spend');
  });

  it.each(steering)('%s, not an account: answered from the account list, never sent to useapi.net', async (email) => {
    stack = await startStack();
    const handle = stack.discord.dispatchInteraction(rawCommand(stack, 'credits', [{ name: 'email', type: 3, value: email }]));
    expect(visibleText(await handle.finalMessage())).toContain('is not one of the PixVerse accounts');
    // The list read at start-up is seconds old: it is the answer, with no request at all.
    expect(stack.useapi.requests).toEqual([]);
    expect(handlerFailures(stack)).toEqual([]);
  });

  it('without a cache, an unknown email costs list reads only, never a credits read', async () => {
    stack = await startStack({ env: { USEAPI_CACHE_TTL: '0s' } });
    const handle = stack.discord.dispatchInteraction(
      rawCommand(stack, 'credits', [{ name: 'email', type: 3, value: 'made-up@example.com' }]),
    );
    expect(visibleText(await handle.finalMessage())).toContain('is not one of the PixVerse accounts');
    expect(stack.useapi.requests.map((request) => request.path)).toEqual(['/v2/pixverse/accounts', '/v2/pixverse/accounts']);
  });
});

describe('ill-formed strings and members', () => {
  it('an email holding half a surrogate pair is refused, with no exception and no upstream call', async () => {
    stack = await startStack();
    for (const email of ['team\uD800@example.com', '\uDC00', 'a\uDBFFb@example.com']) {
      await expectRefusal(
        stack,
        rawCommand(stack, 'credits', [{ name: 'email', type: 3, value: email }]),
        'broken text',
        'invalid-option',
      );
    }
    expect(stack.useapi.requests).toEqual([]);
    expect(handlerFailures(stack)).toEqual([]);
  });

  it('a whole emoji (a surrogate pair) is still an ordinary string', async () => {
    stack = await startStack();
    const handle = stack.discord.dispatchInteraction(
      rawCommand(stack, 'credits', [{ name: 'email', type: 3, value: 'team😀@example.com' }]),
    );
    expect(visibleText(await handle.finalMessage())).toContain('is not one of the PixVerse accounts');
    expect(handlerFailures(stack)).toEqual([]);
  });

  it('an admin command from a member whose permissions field is missing is refused, not a bug', async () => {
    stack = await startStack();
    const payload = rawCommand(stack, 'pixverse-accounts', [], admin);
    delete (payload.member as { permissions?: string }).permissions;
    await expectRefusal(stack, payload, 'did not say what you may do here', 'malformed-interaction');
    expect(stack.useapi.requests).toEqual([]);
    expect(handlerFailures(stack)).toEqual([]);
  });
});

describe('forged context', () => {
  const forgedChannels = ['pixverse-register', 'pixverse-unregister'].flatMap((command) =>
    ['../../x', `${TEXT_CHANNEL.id}/..`, '%2e%2e', `${TEXT_CHANNEL.id}?a=b`].map((bad) => ({ command, bad })),
  );

  it.each(forgedChannels)('/$command in channel $bad: never part of a useapi.net path', async ({ command, bad }) => {
    stack = await startStack();
    const payload = rawCommand(stack, command, [], admin);
    payload.channel = { ...payload.channel, id: bad };
    payload.channel_id = bad;
    const message = await expectRefusal(stack, payload, /channel/i, 'malformed-interaction');
    // Nothing was sent to useapi.net, so nothing may claim useapi.net said anything.
    expect(visibleText(message)).not.toMatch(/useapi\.net (said|refused)/);
    expect(stack.useapi.requests.filter((r) => r.path.includes('..') || r.path.includes('%2E'))).toEqual([]);
    expect(stack.useapi.requests).toEqual([]);
    expect(handlerFailures(stack)).toEqual([]);
  });

  it('a member the command was re-granted to, without Manage Server, is refused at run time', async () => {
    stack = await startStack();
    // Discord delivered it (an admin re-granted the command in Integrations), but permissions lack Manage Server.
    const payload = rawCommand(stack, 'pixverse-register', [{ name: 'max_jobs', type: 4, value: 2 }], {
      ...member,
      permissions: '3072',
    });
    await expectRefusal(stack, payload, 'You need the **Manage Server** permission', 'missing-permission');
    expect(stack.useapi.requests).toEqual([]);
    expect(stack.useapi.channels()).toEqual([]);
    expect(handlerFailures(stack)).toEqual([]);
  });

  it('a member with no permissions field at all is refused for admin commands', async () => {
    stack = await startStack();
    const payload = rawCommand(stack, 'pixverse-register', [], admin);
    if (payload.member) (payload.member as { permissions?: string }).permissions = '0';
    await expectRefusal(stack, payload, 'Manage Server', 'missing-permission');
    expect(stack.useapi.requests).toEqual([]);
  });

  it.each(commands.map((command) => command.data.name))('/%s from a DM is refused, even for an Administrator', async (name) => {
    stack = await startStack();
    const dm: InvokerFixture = { guildId: null, channel: { id: '400000000000000077', type: 1 }, permissions: ADMIN };
    await expectRefusal(stack, rawCommand(stack, name, undefined, dm), 'only inside a server', 'direct-message');
    expect(stack.useapi.requests).toEqual([]);
    expect(handlerFailures(stack)).toEqual([]);
  });
});

describe('text from useapi.net', () => {
  it('renders an upstream error inertly: inside inline code, no link, no mention, no formatting', async () => {
    stack = await startStack();
    const hostile = '@everyone [click](https://evil.example) **bold** <@123> `code`';
    stack.useapi.addFault({
      method: 'POST',
      path: /^\/v1\/pixverse\/account\//,
      fault: {
        kind: 'status',
        status: 400,
        body: JSON.stringify({ error: hostile, code: 400 }),
        contentType: 'application/json',
      },
    });
    const message = await stack.command('pixverse-register', [], { permissions: ADMIN }).finalMessage();
    const text = visibleText(message);
    expect(text).toContain('@everyone [click](https://evil.example) **bold** <@123>');
    // Outside inline-code spans, none of it survives.
    const outsideCode = text.replace(/`[^`\n]*`/g, '');
    for (const fragment of ['@everyone', '[click](', 'https://evil.example', '**bold**', '<@123>']) {
      expect(outsideCode).not.toContain(fragment);
    }
    // The backticks of the upstream text cannot close the span early.
    const span = /`([^`\n]*)`/.exec(text.slice(text.indexOf('useapi.net said:')))?.[1] ?? '';
    expect(span).toContain('[click](https://evil.example)');
    expect(span).toContain('<@123>');
    expect(span).toContain('code');
    expect(stack.useapi.requestsTo('POST', '/v1/pixverse/account/')).toHaveLength(1);
    // allowed_mentions parse [] on every message is asserted by stack.close().
  });

  const HOSTILE_PLAN = 'Pro **[Verify](https://evil.example)** @everyone <@&1> # H';

  /** Visible text with every inline-code span taken out: what could render as markdown. */
  function outsideCode(text: string): string {
    return text.replace(/`[^`\n]*`/g, '');
  }

  it('a plan name is text in a shared embed: no link, no heading, no mention can render', async () => {
    stack = await startStack({
      accounts: [{ email: 'team@example.com', features: featuresFixture({ plan_name: HOSTILE_PLAN }) }],
    });
    const message = await stack.command('credits', [{ name: 'share', type: 5, value: true }]).finalMessage();
    const text = visibleText(message);
    expect(isEphemeral(message)).toBe(false);
    expect(text).toContain(`\`${HOSTILE_PLAN}\``);
    for (const fragment of ['https://evil.example', '[Verify', '@everyone', '<@&1>', '# H']) {
      expect(outsideCode(text)).not.toContain(fragment);
    }
  });

  it('a 5,000-character plan name is cut to fit, and the reply goes out', async () => {
    const long = `Pro ${'x'.repeat(5_000)}`;
    stack = await startStack({ accounts: [{ email: 'team@example.com', features: featuresFixture({ plan_name: long }) }] });
    const message = await stack.command('credits').finalMessage();
    const text = visibleText(message);
    expect(text).toContain('credits left to spend');
    expect(text).toMatch(/plan `Pro x+…`/);
    expect(text).not.toContain('x'.repeat(200));
    expect(stack.discord.validationErrors).toEqual([]);
  });

  it('/credits-alerts shows plan names as text too', async () => {
    stack = await startStack({
      accounts: [{ email: 'team@example.com', features: featuresFixture({ plan_name: HOSTILE_PLAN }) }],
      env: { ALERT_CHANNEL_ID: TEXT_CHANNEL.id, CHECK_INTERVAL: '1h' },
    });
    const message = await stack.command('credits-alerts', [{ name: 'check_now', type: 5, value: true }], admin).finalMessage();
    const text = visibleText(message);
    expect(text).toContain(`plan \`${HOSTILE_PLAN}\``);
    expect(outsideCode(text)).not.toContain('https://evil.example');
  });

  it('a v1 registration whose server is not an id cannot break out of its code span', async () => {
    const breakout = '1` [x](https://evil.example) `';
    stack = await startStack({
      channels: [{ channel: '400000000000000055', server: breakout, discord: 'breakout-clear-user-token-0000-ZZZZ', maxJobs: 1 }],
    });
    const text = visibleText(await stack.command('pixverse-accounts', [], admin).finalMessage());
    expect(text).toContain('`400000000000000055` (server unknown)');
    expect(text).not.toContain('evil.example');
  });
});

describe('secrets useapi.net echoes back', () => {
  /** useapi.net answering a registration with a 400 whose message quotes what it was sent. */
  function echoingRegistration(s: Stack, echoed: (sent: Record<string, unknown>) => string): void {
    s.useapi.addFault({
      method: 'POST',
      path: /^\/v1\/pixverse\/account\//,
      fault: {
        kind: 'status',
        status: 400,
        body: JSON.stringify({ error: echoed({}), code: 400 }),
        contentType: 'application/json',
      },
    });
  }

  it('the configured PixVerse token, quoted in a 400, is scrubbed from the reply and every log line', async () => {
    stack = await startStack();
    echoingRegistration(stack, () => `Invalid discord token ${SECRETS.pixverseDiscordToken} for this channel`);
    const text = visibleText(await stack.command('pixverse-register', [], admin).finalMessage());
    expect(text).toContain('useapi.net said:');
    expect(text).toContain('Invalid discord token [redacted] for this channel');
    // stack.close() fails if the token reached Discord or the log.
  });

  it('a token typed into the form, quoted in a 400, is scrubbed too', async () => {
    stack = await startStack({ env: { PIXVERSE_DISCORD_TOKEN: undefined } });
    const typed = 'typed-echoed-user-token-0123456789-MNOP';
    stack.secrets.push(typed);
    echoingRegistration(stack, () => `discord ${typed} rejected`);
    const first = await stack.command('pixverse-register', [], admin).firstResponse();
    const form = (first.body as { data: { custom_id: string } }).data.custom_id;
    const text = visibleText(await stack.submitModal(form, { token: typed }, admin).finalMessage());
    expect(text).toContain('discord [redacted] rejected');
  });

  it('a secret that straddles the 300-character cut leaves no piece behind in the reply or the log', async () => {
    stack = await startStack();
    // The token starts 290 characters in: a cut at 300 before scrubbing would keep its first 10 characters.
    echoingRegistration(stack, () => `${'e'.repeat(290)}${SECRETS.pixverseDiscordToken} and more`);
    await stack.command('pixverse-register', [], admin).finalMessage();
    const piece = SECRETS.pixverseDiscordToken.slice(0, 9);
    expect(stack.logs.filter((line) => line.includes(piece))).toEqual([]);
    for (const request of stack.discord.requests) expect(JSON.stringify(request.body ?? '')).not.toContain(piece);
  });
});
