import { afterEach, describe, expect, it, vi } from 'vitest';
import { ActionSigner } from '../../src/discord/actions.js';
import {
  ADMIN,
  ADMINISTRATOR,
  FOREIGN_CHANNEL,
  OTHER_CHANNEL,
  OTHER_GUILD_ID,
  SECRETS,
  TEXT_CHANNEL,
  THREAD,
  GUILD_ID,
  isEphemeral,
  outcomeOf,
  startStack,
  visibleText,
  type Stack,
} from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const maxJobs = (value: number) => [{ name: 'max_jobs', type: 4 as const, value }];

function v1Posts(s: Stack) {
  return s.useapi.requestsTo('POST', '/v1/pixverse/account/');
}

describe('/pixverse-register end to end', () => {
  it('registers the current channel with the configured token, ephemeral, token masked', async () => {
    stack = await startStack();
    const message = await stack.command('pixverse-register', maxJobs(3), { permissions: ADMIN }).finalMessage();
    const text = visibleText(message);
    expect(text).toContain('Channel registered');
    expect(text).toContain(`<#${TEXT_CHANNEL.id}>`);
    expect(text).toContain('**3**');
    expect(text).toContain('••••WXYZ');
    expect(text).not.toContain(SECRETS.pixverseDiscordToken);
    expect(isEphemeral(message)).toBe(true);

    const [post] = v1Posts(stack);
    expect(post?.path).toBe(`/v1/pixverse/account/${TEXT_CHANNEL.id}`);
    expect(JSON.parse(post!.body)).toEqual({
      discord: SECRETS.pixverseDiscordToken,
      server: GUILD_ID,
      channel: TEXT_CHANNEL.id,
      maxJobs: 3,
    });
    expect(stack.useapi.channels()).toHaveLength(1);
  });

  it('uses PIXVERSE_MAX_JOBS when max_jobs is not given, and accepts Administrator', async () => {
    stack = await startStack({ env: { PIXVERSE_MAX_JOBS: '4' } });
    await stack.command('pixverse-register', [], { permissions: ADMINISTRATOR }).finalMessage();
    expect(stack.useapi.channels()[0]?.maxJobs).toBe(4);
  });

  it('registers a thread by its own id', async () => {
    stack = await startStack();
    await stack.command('pixverse-register', [], { permissions: ADMIN, channel: THREAD }).finalMessage();
    expect(stack.useapi.channels()).toEqual([expect.objectContaining({ channel: THREAD.id, server: GUILD_ID })]);
  });

  it('says "updated" with old and new maxJobs when the channel was registered', async () => {
    stack = await startStack({
      channels: [{ channel: TEXT_CHANNEL.id, server: GUILD_ID, discord: SECRETS.pixverseDiscordToken, maxJobs: 2 }],
    });
    const text = visibleText(await stack.command('pixverse-register', maxJobs(5), { permissions: ADMIN }).finalMessage());
    expect(text).toContain('Registration updated');
    expect(text).toContain('2 → **5**');
    expect(stack.useapi.channels()[0]?.maxJobs).toBe(5);
  });

  it('explains "same discord value": which channel holds the token and how to move it', async () => {
    stack = await startStack({
      channels: [{ channel: OTHER_CHANNEL.id, server: GUILD_ID, discord: SECRETS.pixverseDiscordToken, maxJobs: 1 }],
    });
    const text = visibleText(await stack.command('pixverse-register', [], { permissions: ADMIN }).finalMessage());
    expect(text).toContain('already serves another channel');
    expect(text).toContain(`<#${OTHER_CHANNEL.id}>`);
    expect(text).toContain('/pixverse-unregister');
  });

  it('turns the maxJobs ceiling refusal into what to do', async () => {
    stack = await startStack({ maxConcurrentJobs: 3 });
    const text = visibleText(await stack.command('pixverse-register', maxJobs(8), { permissions: ADMIN }).finalMessage());
    expect(text).toContain('at most 3 jobs');
    expect(text).toContain('max_jobs:3');
  });

  it('asks for the token in a modal when none is configured, keeps max_jobs, never prefills', async () => {
    stack = await startStack({ env: { PIXVERSE_DISCORD_TOKEN: undefined } });
    const handle = stack.command('pixverse-register', maxJobs(2), { permissions: ADMIN });
    const first = await handle.firstResponse();
    expect(first.callbackType).toBe(9);
    const modal = (first.body as { data: { custom_id: string; components: unknown[] } }).data;
    expect(JSON.stringify(modal.components)).not.toMatch(/"value"/);
    expect(stack.useapi.requests).toHaveLength(0);

    const typed = 'typed-in-modal-token-0123456789-QRST';
    stack.secrets.push(typed);
    const submit = stack.submitModal(modal.custom_id, { token: typed }, { permissions: ADMIN });
    const text = visibleText(await submit.finalMessage());
    expect(text).toContain('Channel registered');
    expect(text).toContain('••••QRST');
    expect(text).not.toContain(typed);
    expect(JSON.parse(v1Posts(stack)[0]!.body)).toMatchObject({ discord: typed, maxJobs: 2, channel: TEXT_CHANNEL.id });
  });

  /** The custom id of the form `/pixverse-register` shows (no token configured). */
  async function formId(
    s: Stack,
    options = maxJobs(2),
    who: Parameters<Stack['command']>[2] = { permissions: ADMIN },
  ): Promise<string> {
    const first = await s.command('pixverse-register', options, who).firstResponse();
    return (first.body as { data: { custom_id: string } }).data.custom_id;
  }

  it('refuses forged or altered form ids, and a token that is not one, without calling useapi.net', async () => {
    stack = await startStack({ env: { PIXVERSE_DISCORD_TOKEN: undefined } });
    const token = { token: 'x'.repeat(30) };
    const issued = await formId(stack);
    for (const forged of [
      'pixverse-register:token:99',
      'pixverse-register:token:1',
      issued.replace(':token:2:', ':token:9:'),
      issued.replace(/:[^:]+$/, ':AAAAAAAAAAAAAAAA'),
      `${issued}x`,
    ]) {
      const answer = await stack.submitModal(forged, token, { permissions: ADMIN }).finalMessage();
      expect(visibleText(answer), forged).toContain('was not made by this bot');
    }
    const spaced = await stack
      .submitModal(issued, { token: 'has spaces in it which tokens never do' }, { permissions: ADMIN })
      .finalMessage();
    expect(visibleText(spaced)).toContain('does not look like a Discord token');
    expect(stack.useapi.requests).toHaveLength(0);
  });

  it('the token form: what it asks, signed bounds on max_jobs, the token trimmed and checked whole', async () => {
    stack = await startStack({ env: { PIXVERSE_DISCORD_TOKEN: undefined } });
    const first = await stack.command('pixverse-register', maxJobs(2), { permissions: ADMIN }).firstResponse();
    const modal = (first.body as { data: { title: string; components: unknown[] } }).data;
    expect(modal.title).toBe('Register this channel with useapi.net');
    expect(modal.components).toEqual([
      {
        type: 1,
        components: [
          {
            type: 4,
            custom_id: 'token',
            label: 'Discord token useapi.net drives PixVerse with',
            style: 1,
            required: true,
            min_length: 20,
            max_length: 200,
            placeholder: 'The user token of the Discord account that runs PixVerse',
          },
        ],
      },
    ]);
    const admin = { permissions: ADMIN, userId: '200000000000000777' };
    const signer = await ActionSigner.fromDataDir(stack.config.dataDir);
    const form = (name: string, jobs: string) =>
      signer.sign({ command: 'pixverse-register', name, args: [jobs, TEXT_CHANNEL.id], userId: admin.userId });
    const token = 'signed-form-user-token-0123456789-LMNO';
    stack.secrets.push(token);
    // Signed, yet not what the command issues: another name, or max_jobs outside 1..10.
    for (const [name, jobs] of [
      ['wipe', '2'],
      ['token', '0'],
      ['token', '11'],
      ['token', '1.5'],
    ] as const) {
      const handle = stack.submitModal(form(name, jobs), { token }, admin);
      expect(visibleText(await handle.finalMessage())).toContain(
        'This form is not valid any more; run `/pixverse-register` again.',
      );
      await vi.waitFor(() => expect(outcomeOf(stack!, handle.id)).toBe('refused:forged-action'));
    }
    // Characters outside a token's before or after a valid-looking run: the whole value must be a token.
    for (const bad of [`a b${'x'.repeat(25)}`, `${'x'.repeat(25)}a b`]) {
      const handle = stack.submitModal(form('token', '10'), { token: bad }, admin);
      expect(visibleText(await handle.finalMessage())).toContain('does not look like a Discord token');
      await vi.waitFor(() => expect(outcomeOf(stack!, handle.id)).toBe('refused:invalid-input'));
    }
    const elsewhere = stack.submitModal(form('token', '10'), { token }, { ...admin, channel: OTHER_CHANNEL });
    await elsewhere.finalMessage();
    await vi.waitFor(() => expect(outcomeOf(stack!, elsewhere.id)).toBe('refused:invalid-input'));
    expect(stack.useapi.requests).toHaveLength(0);

    const done = await stack.submitModal(form('token', '10'), { token: `  ${token}\n` }, admin).finalMessage();
    expect(isEphemeral(done)).toBe(true);
    expect(visibleText(done)).toContain('Channel registered');
    expect(JSON.parse(v1Posts(stack)[0]!.body)).toMatchObject({ discord: token, maxJobs: 10 });
  });

  it('a form is for the admin who opened it, in the channel it was opened in', async () => {
    stack = await startStack({ env: { PIXVERSE_DISCORD_TOKEN: undefined } });
    const issued = await formId(stack);
    const token = { token: 'form-bound-user-token-0123456789-ABCD' };
    stack.secrets.push(token.token);
    const otherAdmin = await stack
      .submitModal(issued, token, { permissions: ADMIN, userId: '200000000000000888' })
      .finalMessage();
    expect(visibleText(otherAdmin)).toContain('Only the admin who ran `/pixverse-register`');
    const otherChannel = await stack.submitModal(issued, token, { permissions: ADMIN, channel: OTHER_CHANNEL }).finalMessage();
    expect(visibleText(otherChannel)).toContain('belongs to another channel');
    expect(stack.useapi.requests).toHaveLength(0);
  });

  it('a form submitted after its 15 minutes registers nothing', async () => {
    stack = await startStack({ env: { PIXVERSE_DISCORD_TOKEN: undefined } });
    const issued = await formId(stack);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 16 * 60_000);
      const late = await stack.submitModal(issued, { token: 'x'.repeat(30) }, { permissions: ADMIN }).finalMessage();
      expect(visibleText(late)).toContain('Question expired');
    } finally {
      vi.useRealTimers();
    }
    expect(stack.useapi.requests).toHaveLength(0);
  });

  it('refuses a member without Manage Server, even through a submitted modal, with no upstream call', async () => {
    stack = await startStack();
    const message = await stack.command('pixverse-register').finalMessage();
    expect(visibleText(message)).toContain('Manage Server');
    expect(isEphemeral(message)).toBe(true);
    const modal = await stack
      .submitModal('pixverse-register:token:1::0:AAAAAAAAAAAAAAAA', { token: 'x'.repeat(30) })
      .finalMessage();
    expect(visibleText(modal)).toContain('Manage Server');
    expect(stack.useapi.requests).toHaveLength(0);
  });

  it('refuses a server outside DISCORD_GUILD_ID and direct messages, with no upstream call', async () => {
    stack = await startStack();
    const foreign = await stack
      .command('pixverse-register', [], { guildId: OTHER_GUILD_ID, channel: FOREIGN_CHANNEL, permissions: ADMIN })
      .finalMessage();
    expect(visibleText(foreign)).toContain('not set up to serve this server');
    const dm = await stack
      .command('credits', [], { guildId: null, channel: { id: '400000000000000077', type: 1 } })
      .finalMessage();
    expect(visibleText(dm)).toContain('only inside a server');
    expect(stack.useapi.requests).toHaveLength(0);
  });

  it('refuses max_jobs out of range sent raw, with no upstream call', async () => {
    stack = await startStack();
    for (const value of [0, 11, 2.5]) {
      const message = await stack.command('pixverse-register', maxJobs(value), { permissions: ADMIN }).finalMessage();
      expect(visibleText(message)).toMatch(/max_jobs/);
    }
    expect(stack.useapi.requests).toHaveLength(0);
  });

  it('explains 401 and 402 from useapi.net', async () => {
    stack = await startStack();
    stack.useapi.addFault({
      method: 'POST',
      path: /^\/v1\//,
      fault: { kind: 'status', status: 401, body: '{"error":"Unauthorized","code":401}' },
      times: 1,
    });
    const handle = stack.command('pixverse-register', [], { permissions: ADMIN });
    expect(visibleText(await handle.finalMessage())).toContain('USEAPI_TOKEN');
    // Not one of the refusals of the registration itself: it goes to the router as an upstream failure.
    await vi.waitFor(() => expect(outcomeOf(stack!, handle.id)).toMatch(/^upstream:/));
    stack.useapi.addFault({
      method: 'POST',
      path: /^\/v1\//,
      fault: { kind: 'status', status: 402, body: '{"error":"Subscription required","code":402}' },
      times: 1,
    });
    const subscription = visibleText(await stack.command('pixverse-register', [], { permissions: ADMIN }).finalMessage());
    expect(subscription).toContain('subscription');
  });
});
