import type { APIChatInputApplicationCommandInteraction, APIMessage } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { commands } from '../../src/discord/commands.js';
import { chatInputInteraction, type InvokerFixture } from '../../src/emulators/discord/index.js';
import { ADMIN, GUILD_ID, TEXT_CHANNEL, isEphemeral, startStack, visibleText, type Stack } from './stack.js';

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

/** The interaction got one ephemeral reply (no deferral, no upstream wait) saying `phrase`. */
async function expectRefusal(
  s: Stack,
  payload: APIChatInputApplicationCommandInteraction,
  phrase: string | RegExp,
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
  return message;
}

describe('forged options', () => {
  const forged: Array<{ name: string; command: string; options: unknown[]; says: string | RegExp; invoker?: InvokerFixture }> = [
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
    { name: 'a command the bot does not have', command: 'rm-rf', options: [], says: 'not known to this bot' },
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

  it.each(forged)('$name: refused, no exception, no upstream call', async ({ command, options, says, invoker }) => {
    stack = await startStack();
    await expectRefusal(stack, rawCommand(stack, command, options, invoker), says);
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

  it.each(steering)('%s: stays one query value of GET /v2/pixverse/features/ (or is refused)', async (email) => {
    stack = await startStack();
    const handle = stack.discord.dispatchInteraction(rawCommand(stack, 'credits', [{ name: 'email', type: 3, value: email }]));
    const text = visibleText(await handle.finalMessage());
    expect(handlerFailures(stack)).toEqual([]);
    for (const request of stack.useapi.requests) {
      expect(request.method).toBe('GET');
      expect(request.path).toBe('/v2/pixverse/features/');
      expect(request.query.getAll('email')).toEqual([email]);
      expect([...request.query.keys()]).toEqual(['email']);
    }
    // The emulator knows no such account: the bot says so, and shows the email as typed, inertly.
    if (stack.useapi.requests.length > 0) expect(text).toContain('Not found on useapi.net');
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
    const message = await expectRefusal(stack, payload, /channel/i);
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
    await expectRefusal(stack, payload, 'You need the **Manage Server** permission');
    expect(stack.useapi.requests).toEqual([]);
    expect(stack.useapi.channels()).toEqual([]);
    expect(handlerFailures(stack)).toEqual([]);
  });

  it('a member with no permissions field at all is refused for admin commands', async () => {
    stack = await startStack();
    const payload = rawCommand(stack, 'pixverse-register', [], admin);
    if (payload.member) (payload.member as { permissions?: string }).permissions = '0';
    await expectRefusal(stack, payload, 'Manage Server');
    expect(stack.useapi.requests).toEqual([]);
  });

  it.each(commands.map((command) => command.data.name))('/%s from a DM is refused, even for an Administrator', async (name) => {
    stack = await startStack();
    const dm: InvokerFixture = { guildId: null, channel: { id: '400000000000000077', type: 1 }, permissions: ADMIN };
    await expectRefusal(stack, rawCommand(stack, name, undefined, dm), 'only inside a server');
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
});
