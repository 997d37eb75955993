import type { APIMessage, APIModalInteractionResponseCallbackData } from 'discord-api-types/v10';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { InvokerFixture } from '../../src/emulators/discord/index.js';
import { featuresFixture } from '../../src/emulators/useapi.js';
import { ActionSigner } from '../../src/discord/actions.js';
import {
  ADMIN,
  GUILD_ID,
  OTHER_CHANNEL,
  SECRETS,
  TEXT_CHANNEL,
  controls,
  isEphemeral,
  outcomeOf,
  startStack,
  visibleText,
  type Control,
  type Stack,
} from './stack.js';

/**
 * `/pixverse-accounts`, the admin console, driven through the real client: every button, select and
 * form, pressed by the admin who opened it, by another admin, by a member, and with forged ids.
 */

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const OWNER = '200000000000000777';
const admin = { permissions: ADMIN, userId: OWNER };
const otherAdmin = { permissions: ADMIN, userId: '200000000000000888' };
const member = { userId: '200000000000000999' };
const PASSWORD = 'pixverse-password-never-shown-7Q';

const registration = (channel: string, server = GUILD_ID, maxJobs = 2, discord: string = SECRETS.pixverseDiscordToken) => ({
  channel,
  server,
  discord,
  maxJobs,
});

function control(message: APIMessage, match: string): Control {
  const found = controls(message).find((c) => (c.label ?? c.placeholder ?? '').startsWith(match));
  if (!found)
    throw new Error(
      `no control "${match}" on the message: ${controls(message)
        .map((c) => c.label ?? c.placeholder)
        .join(', ')}`,
    );
  return found;
}

async function openConsole(s: Stack, who: Partial<InvokerFixture> = admin): Promise<APIMessage> {
  return s.command('pixverse-accounts', [], who).finalMessage();
}

/** The form a button or select opened (callback type 9). */
async function formOf(handle: ReturnType<Stack['pressButton']>): Promise<APIModalInteractionResponseCallbackData> {
  const first = await handle.firstResponse();
  expect(first.callbackType).toBe(9);
  return (first.body as { data: APIModalInteractionResponseCallbackData }).data;
}

describe('what the console shows', () => {
  it('v2 accounts with capacity, session and error state; slots; v1 registrations with masked tokens', async () => {
    const foreignToken = 'foreign-clear-user-token-0000-ABCD';
    stack = await startStack({
      channels: [registration(TEXT_CHANNEL.id), registration('400000000000000055', '300000000000000099', 1, foreignToken)],
      accounts: [
        { email: 'ok@example.com', maxJobs: 3 },
        { email: 'broken@example.com', error: 'session rejected' },
      ],
    });
    stack.useapi.setJobs([{ id: 'job-1', email: 'ok@example.com', type: 'video', started: Date.now() - 30_000 }]);
    const message = await openConsole(stack);
    const text = visibleText(message);
    expect(isEphemeral(message)).toBe(true);
    expect(text).toContain('2 of 3 PixVerse account slots used (1 in error state)');
    expect(text).toMatch(/`ok@example.com` · running 1 of 3 jobs · session expires <t:\d+:R>/);
    expect(text).toMatch(/• ⚠️ `broken@example.com`\n {2}↳ in error state: `session rejected` — \*\*Reconnect\*\* it below/);
    expect(text).toContain(`<#${TEXT_CHANNEL.id}> · max jobs 2 · token \`••••WXYZ\``);
    expect(text).toContain('`400000000000000055` (server `300000000000000099`)');
    expect(text).toContain('••••ABCD');
    expect(text).not.toContain(foreignToken);
    expect(control(message, 'Add account').type).toBe(2);
    expect(control(message, 'Reconnect an account').options?.map((o) => o.label)).toEqual(['broken@example.com']);
    expect(control(message, 'Remove a PixVerse account').options?.map((o) => o.label)).toEqual([
      'broken@example.com',
      'ok@example.com',
    ]);
    // Only this server's registrations can be chosen: another server's never gets a control.
    expect(control(message, 'Unregister a channel').options?.map((o) => o.value)).toEqual([TEXT_CHANNEL.id]);
    expect(stack.discord.validationErrors).toEqual([]);
  });

  it('says "none" for both lists, and still offers Add account', async () => {
    stack = await startStack({ accounts: [], channels: [] });
    const message = await openConsole(stack);
    expect(visibleText(message)).toContain('None yet. **Add account** below adds one');
    expect(visibleText(message)).toContain('None. `/pixverse-register` in a channel registers it.');
    expect(controls(message).map((c) => c.label ?? c.placeholder)).toEqual(['Add account']);
  });

  it('shows one list failing beside the other; capacity and slots failing only leave them out', async () => {
    stack = await startStack({ channels: [registration(TEXT_CHANNEL.id)], env: { USEAPI_CACHE_TTL: '0s' } });
    stack.useapi.addFault({ path: '/v2/pixverse/accounts', fault: { kind: 'status', status: 500, body: 'oops' } });
    stack.useapi.addFault({ path: '/v2/pixverse/scheduler/available', fault: { kind: 'status', status: 500 } });
    stack.useapi.addFault({ path: '/v2/account', fault: { kind: 'status', status: 500 } });
    const text = visibleText(await openConsole(stack));
    expect(text).toContain(`<#${TEXT_CHANNEL.id}>`);
    expect(text).toContain('useapi.net is having trouble');
  });

  it('10 accounts and 50 registrations of this server still render within Discord’s limits', async () => {
    const channels = Array.from({ length: 50 }, (_, i) =>
      registration(
        `41000000000000${String(i).padStart(4, '0')}`,
        GUILD_ID,
        1,
        `bulk-clear-user-token-${String(i).padStart(6, '0')}-zz`,
      ),
    );
    const accounts = Array.from({ length: 10 }, (_, i) => ({
      email: `a-rather-long-account-name-number-${i}@example.com`,
      ...(i % 3 === 0 ? { error: 'session rejected' } : {}),
    }));
    stack = await startStack({ channels, accounts });
    const message = await openConsole(stack);
    expect(stack.discord.validationErrors).toEqual([]);
    expect(message.components?.length).toBeLessThanOrEqual(5);
    expect(control(message, 'Unregister a channel').options).toHaveLength(25);
    expect(message.content).toContain('Only the first 25 channels can be chosen here');
    expect(visibleText(message)).toMatch(/…and \d+ more/);
    const total = message.embeds.reduce(
      (sum, e) => sum + (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0),
      0,
    );
    expect(total).toBeLessThanOrEqual(6_000);
  });

  it('is refused to a member without Manage Server, with no upstream call', async () => {
    stack = await startStack();
    expect(visibleText(await openConsole(stack, member))).toContain('Manage Server');
    expect(stack.useapi.requests).toHaveLength(0);
  });
});

describe('Add account', () => {
  it('opens a form that never prefills the password, adds the account, shows what was stored, masked', async () => {
    stack = await startStack({ accounts: [] });
    stack.secrets.push(PASSWORD);
    const console = await openConsole(stack);
    const form = await formOf(stack.pressButton(control(console, 'Add account').custom_id!, console.id, admin));
    expect(form.title).toBe('Add a PixVerse account');
    const inputs = form.components.map((label) =>
      'component' in label ? (label.component as { type: number; custom_id: string; value?: string }) : undefined,
    );
    expect(inputs.map((input) => input?.custom_id)).toEqual(['email', 'password', 'max_jobs']);
    // Text inputs come empty: nothing is prefilled, least of all a password.
    expect(inputs.filter((input) => input?.type === 4).every((input) => input?.value === undefined)).toBe(true);

    const done = await stack
      .submitModal(form.custom_id, { email: 'new@example.com', password: PASSWORD, max_jobs: ['3'] }, admin)
      .finalMessage();
    const text = visibleText(done);
    expect(text).toContain('Account added');
    expect(text).toContain('`new@example.com` is on useapi.net');
    expect(text).toMatch(/Max jobs \*\*3\*\* · password `••••` \(sent once, not kept\) · session expires <t:\d+:R>/);
    expect(text).toContain('the PixVerse website was logged out of this account');
    expect(text).not.toContain(PASSWORD);
    const posts = stack.useapi.requestsTo('POST', '/v2/pixverse/accounts/new%40example.com');
    expect(posts).toHaveLength(1);
    expect(JSON.parse(posts[0]!.body)).toEqual({ email: 'new@example.com', password: PASSWORD, maxJobs: 3 });
    expect(stack.useapi.accountStates()).toEqual([{ email: 'new@example.com', maxJobs: 3, error: undefined }]);
    // stack.close() checks that the password reached no log line and nothing sent to Discord.
  });

  it('a PixVerse login failure (401 of its own) says which password to check, not the API token', async () => {
    stack = await startStack({ accounts: [] });
    stack.secrets.push(PASSWORD);
    stack.useapi.setPixverseLogin('new@example.com', 'the-right-one-0000');
    const console = await openConsole(stack);
    const form = await formOf(stack.pressButton(control(console, 'Add account').custom_id!, console.id, admin));
    const text = visibleText(
      await stack
        .submitModal(form.custom_id, { email: 'new@example.com', password: PASSWORD, max_jobs: ['1'] }, admin)
        .finalMessage(),
    );
    expect(text).toContain('PixVerse refused the email and password');
    expect(text).toContain('the password this account uses on pixverse.ai (not your useapi.net password)');
    expect(text).not.toContain('USEAPI_TOKEN');
  });

  it('explains useapi.net’s 400s, and refuses what is not an email before sending anything', async () => {
    stack = await startStack({ accounts: [] });
    stack.secrets.push(PASSWORD);
    const console = await openConsole(stack);
    const open = async () =>
      (await formOf(stack!.pressButton(control(console, 'Add account').custom_id!, console.id, admin))).custom_id;
    const notEmail = visibleText(
      await stack.submitModal(await open(), { email: 'not an email', password: PASSWORD, max_jobs: ['1'] }, admin).finalMessage(),
    );
    expect(notEmail).toContain('is not an email address');
    const forgedJobs = visibleText(
      await stack
        .submitModal(await open(), { email: 'a@example.com', password: PASSWORD, max_jobs: ['9'] }, admin)
        .finalMessage(),
    );
    expect(forgedJobs).toContain('Max jobs must be a whole number from 1 to 8');
    expect(stack.useapi.requestsTo('POST', '/v2/')).toHaveLength(0);
    stack.useapi.addFault({
      method: 'POST',
      path: /^\/v2\/pixverse\/accounts\//,
      fault: {
        kind: 'status',
        status: 400,
        body: JSON.stringify({ error: "Required param maxJobs 5 can't be more that 4", code: 400 }),
        contentType: 'application/json',
      },
    });
    const limit = visibleText(
      await stack
        .submitModal(await open(), { email: 'a@example.com', password: PASSWORD, max_jobs: ['5'] }, admin)
        .finalMessage(),
    );
    expect(limit).toContain('at most 4 jobs at once for a PixVerse account');
  });

  it('a form is for the admin who opened it; a forged one is refused; nothing is sent', async () => {
    stack = await startStack({ accounts: [] });
    stack.secrets.push(PASSWORD);
    const console = await openConsole(stack);
    const form = await formOf(stack.pressButton(control(console, 'Add account').custom_id!, console.id, admin));
    const fields = { email: 'x@example.com', password: PASSWORD, max_jobs: ['1'] };
    expect(visibleText(await stack.submitModal(form.custom_id, fields, otherAdmin).finalMessage())).toContain(
      'Only the admin who ran `/pixverse-accounts`',
    );
    expect(visibleText(await stack.submitModal(form.custom_id, fields, member).finalMessage())).toContain('Manage Server');
    expect(
      visibleText(await stack.submitModal('pixverse-accounts:add-form::0:AAAAAAAAAAAAAAAA', fields, admin).finalMessage()),
    ).toContain('was not made by this bot');
    expect(stack.useapi.requestsTo('POST', '/v2/')).toHaveLength(0);
  });
});

describe('Reconnect', () => {
  const broken = () => ({ email: 'broken@example.com', maxJobs: 4, error: 'session rejected' });

  it('from the console: asks only the password, keeps the email and max jobs, and the account works again', async () => {
    stack = await startStack({ accounts: [broken()] });
    stack.secrets.push(PASSWORD);
    const console = await openConsole(stack);
    const pick = control(console, 'Reconnect an account');
    const form = await formOf(stack.choose(pick.custom_id!, [pick.options![0]!.value], console.id, admin));
    expect(form.title).toBe('Reconnect a PixVerse account');
    expect(JSON.stringify(form.components)).toContain('broken@example.com');
    expect(JSON.stringify(form.components)).not.toMatch(/"value"/);
    const done = visibleText(await stack.submitModal(form.custom_id, { password: PASSWORD }, admin).finalMessage());
    expect(done).toContain('Account reconnected');
    expect(done).toContain('`broken@example.com` is signed in again and works.');
    expect(JSON.parse(stack.useapi.requestsTo('POST', '/v2/pixverse/accounts/')[0]!.body)).toEqual({
      email: 'broken@example.com',
      password: PASSWORD,
      maxJobs: 4,
    });
    expect(stack.useapi.accountStates()).toEqual([{ email: 'broken@example.com', maxJobs: 4, error: undefined }]);
    expect(visibleText(await stack.command('credits').finalMessage())).toContain('credits left to spend');
  });

  it('from the 596 card of /credits: the button opens the same form, for admins only', async () => {
    stack = await startStack({ accounts: [broken(), { email: 'ok@example.com' }] });
    stack.secrets.push(PASSWORD);
    const card = await stack.command('credits', [], member).finalMessage();
    const button = control(card, 'Reconnect');
    expect(visibleText(await stack.pressButton(button.custom_id!, card.id, member).finalMessage())).toContain('Manage Server');
    const form = await formOf(stack.pressButton(button.custom_id!, card.id, otherAdmin));
    await stack.submitModal(form.custom_id, { password: PASSWORD }, otherAdmin).finalMessage();
    expect(stack.useapi.accountStates().find((account) => account.email === 'broken@example.com')?.error).toBeUndefined();
  });

  it('from the 596 alert: the alert carries the button, and it works', async () => {
    stack = await startStack({ accounts: [broken()], env: { ALERT_CHANNEL_ID: OTHER_CHANNEL.id, CHECK_INTERVAL: '1h' } });
    stack.secrets.push(PASSWORD);
    // The first check runs in the background after start-up: wait for its alert rather than race it.
    const alert = await vi.waitFor(() => {
      const [posted] = stack!.discord.channelMessages(OTHER_CHANNEL.id);
      if (!posted) throw new Error('no alert posted yet');
      return posted;
    });
    expect(visibleText(alert)).toContain('PixVerse account in error state');
    const form = await formOf(stack.pressButton(control(alert, 'Reconnect').custom_id!, alert.id, admin));
    const done = visibleText(await stack.submitModal(form.custom_id, { password: PASSWORD }, admin).finalMessage());
    expect(done).toContain('Account reconnected');
  });

  it('an account removed meanwhile is not re-added by an old form', async () => {
    stack = await startStack({ accounts: [broken()] });
    stack.secrets.push(PASSWORD);
    const console = await openConsole(stack);
    const pick = control(console, 'Reconnect an account');
    const form = await formOf(stack.choose(pick.custom_id!, [pick.options![0]!.value], console.id, admin));
    stack.useapi.setAccounts([]);
    const text = visibleText(await stack.submitModal(form.custom_id, { password: PASSWORD }, admin).finalMessage());
    expect(text).toContain('Not on useapi.net any more');
    expect(stack.useapi.requestsTo('POST', '/v2/')).toHaveLength(0);
  });

  it('a chosen value the bot never offered names no account', async () => {
    stack = await startStack({ accounts: [broken()] });
    const console = await openConsole(stack);
    const pick = control(console, 'Reconnect an account');
    const forged = await stack.choose(pick.custom_id!, ['not-an-account-ref'], console.id, admin).finalMessage();
    expect(visibleText(forged)).toContain('not on useapi.net any more');
  });
});

describe('Remove and Unregister', () => {
  it('Remove asks first; only the admin who asked can confirm; the account goes; an old question then does nothing', async () => {
    stack = await startStack({
      accounts: [{ email: 'a@example.com' }, { email: 'b@example.com' }],
      env: { CHECK_INTERVAL: 'off' },
    });
    const console = await openConsole(stack);
    const pick = control(console, 'Remove a PixVerse account');
    const chooseA = pick.options!.find((o) => o.label === 'a@example.com')!.value;
    const question = await stack.choose(pick.custom_id!, [chooseA], console.id, admin).finalMessage();
    expect(visibleText(question)).toContain('Remove this PixVerse account?');
    expect(stack.useapi.requestsTo('DELETE', '/v2/')).toHaveLength(0);
    const confirm = control(question, 'Remove').custom_id!;
    expect(visibleText(await stack.pressButton(confirm, question.id, otherAdmin).finalMessage())).toContain(
      'Only the admin who ran',
    );
    expect(visibleText(await stack.pressButton(confirm, question.id, member).finalMessage())).toContain('Manage Server');
    const done = await stack.pressButton(confirm, question.id, admin).finalMessage();
    expect(visibleText(done)).toContain('`a@example.com` is no longer on useapi.net');
    expect(stack.useapi.accountStates().map((account) => account.email)).toEqual(['b@example.com']);
    expect(stack.useapi.requestsTo('DELETE', '/v2/pixverse/accounts/a%40example.com')).toHaveLength(1);
    const again = await stack.pressButton(confirm, question.id, admin).finalMessage();
    expect(visibleText(again)).toContain('Not on useapi.net any more');
  });

  it('Cancel removes nothing; a late press is refused', async () => {
    stack = await startStack({ accounts: [{ email: 'a@example.com' }] });
    const console = await openConsole(stack);
    const pick = control(console, 'Remove a PixVerse account');
    const question = await stack.choose(pick.custom_id!, [pick.options![0]!.value], console.id, admin).finalMessage();
    expect(
      visibleText(await stack.pressButton(control(question, 'Cancel').custom_id!, question.id, admin).finalMessage()),
    ).toContain('Cancelled');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 61_000);
      expect(
        visibleText(await stack.pressButton(control(question, 'Remove').custom_id!, question.id, admin).finalMessage()),
      ).toContain('Question expired');
    } finally {
      vi.useRealTimers();
    }
    expect(stack.useapi.requestsTo('DELETE', '/v2/')).toHaveLength(0);
  });

  it('Unregister from the console: only this server’s channels, asked, then re-checked when pressed', async () => {
    stack = await startStack({
      channels: [registration(TEXT_CHANNEL.id), registration('400000000000000055', '300000000000000099')],
    });
    const console = await openConsole(stack);
    const pick = control(console, 'Unregister a channel');
    const question = await stack.choose(pick.custom_id!, [TEXT_CHANNEL.id], console.id, admin).finalMessage();
    expect(visibleText(question)).toContain('Remove this registration?');
    const done = await stack.pressButton(control(question, 'Remove').custom_id!, question.id, admin).finalMessage();
    expect(visibleText(done)).toContain('Registration removed');
    // A value the select never offered (another server's channel) is refused when chosen.
    const foreign = stack.choose(pick.custom_id!, ['400000000000000055'], console.id, admin);
    expect(visibleText(await foreign.finalMessage())).toContain('belongs to another server');
    await vi.waitFor(() => expect(outcomeOf(stack!, foreign.id)).toBe('refused:other-server'));
    expect(stack.useapi.channels().map((channel) => channel.channel)).toEqual(['400000000000000055']);
  });

  it('forged select and button ids are refused before anything runs', async () => {
    stack = await startStack({ accounts: [{ email: 'a@example.com' }] });
    for (const forged of [
      'pixverse-accounts:remove-pick::0:AAAAAAAAAAAAAAAA',
      'pixverse-accounts:remove:x:200000000000000777:0:AAAAAAAAAAAAAAAA',
    ]) {
      const handle = forged.includes('pick')
        ? stack.choose(forged, ['x'], undefined, admin)
        : stack.pressButton(forged, undefined, admin);
      expect(visibleText(await handle.finalMessage())).toContain('was not made by this bot');
    }
    expect(stack.useapi.requestsTo('DELETE', '/v2/')).toHaveLength(0);
  });
});

describe('secrets', () => {
  it('the password reaches useapi.net once and nothing else: no reply, no log line at debug, no Discord request', async () => {
    stack = await startStack({ accounts: [{ email: 'z@example.com', maxJobs: 1, error: 'session rejected' }] });
    stack.secrets.push(PASSWORD);
    // useapi.net echoing the password in an error must not carry it anywhere either.
    stack.useapi.addFault({
      method: 'POST',
      path: /^\/v2\/pixverse\/accounts\//,
      times: 1,
      fault: {
        kind: 'status',
        status: 400,
        body: JSON.stringify({ error: `bad password ${PASSWORD}`, code: 400 }),
        contentType: 'application/json',
      },
    });
    const console = await openConsole(stack);
    const pick = control(console, 'Reconnect an account');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const form = await formOf(stack.choose(pick.custom_id!, [pick.options![0]!.value], console.id, admin));
      const text = visibleText(await stack.submitModal(form.custom_id, { password: PASSWORD }, admin).finalMessage());
      expect(text).not.toContain(PASSWORD);
    }
    expect(stack.useapi.requestsTo('POST', '/v2/pixverse/accounts/')).toHaveLength(2);
    await stack.bot.history.settled();
    const readings = JSON.stringify(await stack.bot.history.readings({ since: new Date(0) }));
    expect(readings).not.toContain(PASSWORD);
    // stack.close() scans every log line and every request Discord received for it.
  });
});

// A useapi.net answering the account with a different plan limit: the reply says to choose less.
describe('plan limit', () => {
  it('a max jobs above the plan’s generations at once is pointed out after adding', async () => {
    stack = await startStack({ accounts: [{ email: 'p@example.com', features: featuresFixture({ gen_simultaneously: 2 }) }] });
    stack.secrets.push(PASSWORD);
    const console = await openConsole(stack);
    const form = await formOf(stack.pressButton(control(console, 'Add account').custom_id!, console.id, admin));
    const text = visibleText(
      await stack
        .submitModal(form.custom_id, { email: 'p@example.com', password: PASSWORD, max_jobs: ['5'] }, admin)
        .finalMessage(),
    );
    expect(text).toContain('Its plan runs 2 generations at once: choose 2 or fewer');
  });
});

describe('what each answer carries', () => {
  /** The Add account form's custom id, freshly opened from `console`. */
  const addForm = async (s: Stack, console: APIMessage) =>
    (await formOf(s.pressButton(control(console, 'Add account').custom_id!, console.id, admin))).custom_id;

  it('Add account refuses each malformed field with its reason and sends nothing; the bounds themselves pass', async () => {
    stack = await startStack({ accounts: [] });
    stack.secrets.push(PASSWORD);
    const console = await openConsole(stack);
    const refused = async (fields: Record<string, string | string[]>, says: string) => {
      const handle = stack!.submitModal(
        await addForm(stack!, console),
        { password: PASSWORD, max_jobs: ['1'], ...fields },
        admin,
      );
      const message = await handle.finalMessage();
      expect(visibleText(message)).toContain(says);
      expect(isEphemeral(message)).toBe(true);
      await vi.waitFor(() => expect(outcomeOf(stack!, handle.id)).toBe('refused:invalid-input'));
    };
    // A control character is no whitespace: the email pattern alone would let it through.
    await refused({ email: 'a\u0001b@example.com' }, 'The form holds control characters or broken text. Press the button again.');
    await refused({ email: `${'a'.repeat(243)}@example.com` }, 'is not an email address. Press **Add account** again.');
    await refused({ email: 'a@example.com', max_jobs: ['0'] }, 'Max jobs must be a whole number from 1 to 8.');
    await refused({ email: 'a@example.com', max_jobs: ['two'] }, 'Max jobs must be a whole number from 1 to 8.');
    await refused({ email: 'a@example.com', password: '' }, 'The password is empty. Press **Add account** again.');
    expect(stack.useapi.requestsTo('POST', '/v2/')).toHaveLength(0);

    // 254 characters, the longest address there is, padded with spaces a paste brings along; 8 jobs, the most.
    const longest = `${'b'.repeat(242)}@example.com`;
    const added = await stack
      .submitModal(await addForm(stack, console), { email: ` ${longest}\t`, password: PASSWORD, max_jobs: ['8'] }, admin)
      .finalMessage();
    expect(isEphemeral(added)).toBe(true);
    expect(visibleText(added)).toContain('Account added');
    const [post] = stack.useapi.requestsTo('POST', '/v2/pixverse/accounts/');
    expect(JSON.parse(post!.body)).toEqual({ email: longest, password: PASSWORD, maxJobs: 8 });
  });

  it('useapi.net’s refusals of the account are answered in the form’s words; its outages go to the router', async () => {
    stack = await startStack({ accounts: [] });
    stack.secrets.push(PASSWORD);
    stack.useapi.setPixverseLogin('new@example.com', 'the-right-one-0000');
    const console = await openConsole(stack);
    const submit = async (email: string) =>
      stack!.submitModal(await addForm(stack!, console), { email, password: PASSWORD, max_jobs: ['1'] }, admin);
    const rejected = await submit('new@example.com');
    expect(visibleText(await rejected.finalMessage())).toContain('PixVerse refused the email and password');
    await vi.waitFor(() => expect(outcomeOf(stack!, rejected.id)).toBe('ok'));
    stack.useapi.addFault({
      method: 'POST',
      path: /^\/v2\/pixverse\/accounts\//,
      times: 1,
      fault: { kind: 'status', status: 500 },
    });
    const outage = await submit('other@example.com');
    expect(visibleText(await outage.finalMessage())).toContain('useapi.net is having trouble');
    await vi.waitFor(() => expect(outcomeOf(stack!, outage.id)).toMatch(/^upstream:/));
  });

  it('after adding, the plan is read afresh; when it cannot be read, the account is still reported added', async () => {
    const plan = (gen: number) => [{ email: 'p@example.com', features: featuresFixture({ gen_simultaneously: gen }) }];
    stack = await startStack({ accounts: plan(2) });
    stack.secrets.push(PASSWORD);
    // /credits leaves the plan of 2 in the cache; the account then moves to a plan of 3.
    await stack.command('credits').finalMessage();
    stack.useapi.setAccounts(plan(3));
    const console = await openConsole(stack);
    const add = async () =>
      visibleText(
        await stack!
          .submitModal(await addForm(stack!, console), { email: 'p@example.com', password: PASSWORD, max_jobs: ['5'] }, admin)
          .finalMessage(),
      );
    expect(await add()).toContain('Its plan runs 3 generations at once: choose 3 or fewer');
    stack.useapi.addFault({ path: /^\/v2\/pixverse\/features/, fault: { kind: 'status', status: 500 } });
    const blind = await add();
    expect(blind).toContain('Account added');
    expect(blind).not.toContain('generations at once');
  });

  it('with both lists failing the console is an error; otherwise it reads the accounts and the slots afresh each time', async () => {
    stack = await startStack();
    stack.useapi.addFault({ path: '/v2/pixverse/accounts', times: 1, fault: { kind: 'status', status: 500 } });
    stack.useapi.addFault({ path: '/v1/pixverse/account', times: 1, fault: { kind: 'status', status: 500 } });
    const handle = stack.command('pixverse-accounts', [], admin);
    const message = await handle.finalMessage();
    expect(visibleText(message)).toContain('useapi.net is having trouble');
    expect(controls(message)).toEqual([]);
    await vi.waitFor(() => expect(outcomeOf(stack!, handle.id)).toMatch(/^upstream:/));
    stack.useapi.requests.splice(0);
    await openConsole(stack);
    await openConsole(stack);
    expect(stack.useapi.requestsTo('GET', '/v2/pixverse/accounts')).toHaveLength(2);
    expect(stack.useapi.requestsTo('GET', '/v2/account')).toHaveLength(2);
  });

  it('Remove: the question runs a minute; a gone account, a failed delete and Cancel each say nothing changed', async () => {
    stack = await startStack({ accounts: [{ email: 'a@example.com' }], channels: [registration(TEXT_CHANNEL.id)] });
    const console = await openConsole(stack);
    // The channel select names channels as the server shows them.
    expect(control(console, 'Unregister a channel').options?.map((o) => o.label)).toEqual([`#${TEXT_CHANNEL.name}`]);
    const pick = control(console, 'Remove a PixVerse account');
    const asked = Date.now();
    const question = await stack.choose(pick.custom_id!, [pick.options![0]!.value], console.id, admin).finalMessage();
    const expires = Number(/This question expires <t:(\d+):R>\./.exec(visibleText(question))?.[1]) * 1000;
    expect(expires - asked).toBeGreaterThan(55_000);
    expect(expires - asked).toBeLessThanOrEqual(61_000);
    const gone =
      'Not on useapi.net any more\nThis account was removed meanwhile. Nothing was changed. Run `/pixverse-accounts` for the current list.';
    const stale = await stack.choose(pick.custom_id!, ['not-an-account-ref'], console.id, admin).finalMessage();
    expect(visibleText(stale)).toContain(gone);
    // useapi.net answering the delete with 404: someone else removed it between the list and the delete.
    stack.useapi.addFault({
      method: 'DELETE',
      path: /^\/v2\/pixverse\/accounts\//,
      times: 1,
      fault: { kind: 'status', status: 404 },
    });
    const failed = await stack.pressButton(control(question, 'Remove').custom_id!, question.id, admin).finalMessage();
    expect(visibleText(failed)).toContain(gone);
    const cancelled = await stack.pressButton(control(question, 'Cancel').custom_id!, question.id, admin).finalMessage();
    expect(visibleText(cancelled)).toContain('Cancelled\nNothing was changed.');
  });

  it('Reconnect refuses an empty password in its own words, and answers only the admin', async () => {
    stack = await startStack({ accounts: [{ email: 'broken@example.com', error: 'session rejected' }] });
    stack.secrets.push(PASSWORD);
    const console = await openConsole(stack);
    const pick = control(console, 'Reconnect an account');
    const form = async () =>
      (await formOf(stack!.choose(pick.custom_id!, [pick.options![0]!.value], console.id, admin))).custom_id;
    const empty = stack.submitModal(await form(), { password: '' }, admin);
    expect(visibleText(await empty.finalMessage())).toContain('The password is empty. Press **Reconnect** again.');
    await vi.waitFor(() => expect(outcomeOf(stack!, empty.id)).toBe('refused:invalid-input'));
    expect(stack.useapi.requestsTo('POST', '/v2/')).toHaveLength(0);
    const done = await stack.submitModal(await form(), { password: PASSWORD }, admin).finalMessage();
    expect(visibleText(done)).toContain('Account reconnected');
    expect(isEphemeral(done)).toBe(true);
    const unknown = stack.choose(pick.custom_id!, ['not-an-account-ref'], console.id, admin);
    await unknown.finalMessage();
    await vi.waitFor(() => expect(outcomeOf(stack!, unknown.id)).toBe('refused:unknown-account'));
  });

  it('a button, select or form signed by the bot with a name the console never issues is refused', async () => {
    stack = await startStack();
    const signer = await ActionSigner.fromDataDir(stack.config.dataDir);
    const id = signer.sign({ command: 'pixverse-accounts', name: 'format-disk', args: [], userId: OWNER });
    const handles = [
      stack.pressButton(id, undefined, admin),
      stack.choose(id, ['x'], undefined, admin),
      stack.submitModal(id, { password: PASSWORD }, admin),
    ];
    for (const handle of handles) {
      expect(visibleText(await handle.finalMessage())).toContain(
        'This button or form is not valid any more; run `/pixverse-accounts` again.',
      );
      await vi.waitFor(() => expect(outcomeOf(stack!, handle.id)).toBe('refused:forged-action'));
    }
    expect(stack.useapi.requests).toEqual([]);
  });
});
