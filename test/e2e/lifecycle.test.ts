import type { APIMessage } from 'discord-api-types/v10';
import { afterEach, describe, expect, it, vi } from 'vitest';
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
  type Stack,
} from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const registration = (channel: string, server = GUILD_ID, maxJobs = 2, discord: string = SECRETS.pixverseDiscordToken) => ({
  channel,
  server,
  discord,
  maxJobs,
});

/** The custom ids of the buttons on a message. */
function buttonIds(message: APIMessage): string[] {
  return controls(message).map((control) => control.custom_id ?? '');
}

describe('/pixverse-unregister', () => {
  async function ask(s: Stack, options: Parameters<Stack['command']>[1] = []) {
    const handle = s.command('pixverse-unregister', options, { permissions: ADMIN, userId: '200000000000000777' });
    const message = await handle.finalMessage();
    return { message, ids: buttonIds(message) };
  }

  it('asks first, and removes the current channel’s registration only after Remove', async () => {
    stack = await startStack({ channels: [registration(TEXT_CHANNEL.id)] });
    const { message, ids } = await ask(stack);
    expect(visibleText(message)).toContain('Remove this registration?');
    expect(visibleText(message)).toContain('••••WXYZ');
    expect(isEphemeral(message)).toBe(true);
    expect(stack.useapi.requestsTo('DELETE', '/v1/')).toHaveLength(0);
    const confirm = ids.find((id) => id.includes(':confirm:'))!;

    // A list read now is cached…
    await stack.command('pixverse-accounts', [], { permissions: ADMIN }).finalMessage();
    const press = stack.pressButton(confirm, message.id, { permissions: ADMIN, userId: '200000000000000777' });
    const first = await press.firstResponse();
    expect([6, 7]).toContain(first.callbackType);
    const done = await press.finalMessage();
    expect(visibleText(done)).toContain('Registration removed');
    expect(done.components ?? []).toEqual([]);
    expect(stack.useapi.requestsTo('DELETE', `/v1/pixverse/account/${TEXT_CHANNEL.id}`)).toHaveLength(1);
    expect(stack.useapi.channels()).toEqual([]);

    // …and the removal invalidated it.
    const after = visibleText(await stack.command('pixverse-accounts', [], { permissions: ADMIN }).finalMessage());
    expect(after).toContain('None. `/pixverse-register` in a channel registers it.');
  });

  it('defers the update when useapi.net is slow, then edits the question into the result', async () => {
    stack = await startStack({ channels: [registration(TEXT_CHANNEL.id)] });
    const { message, ids } = await ask(stack);
    stack.useapi.latencyMs = 200;
    const press = stack.pressButton(
      ids.find((id) => id.includes(':confirm:'))!,
      message.id,
      { permissions: ADMIN, userId: '200000000000000777' },
    );
    expect((await press.firstResponse()).callbackType).toBe(6);
    const done = await press.finalMessage();
    expect(visibleText(done)).toContain('Registration removed');
    expect(done.components ?? []).toEqual([]);
  });

  it('takes another channel from the option, and Remove removes that one', async () => {
    stack = await startStack({
      channels: [registration(TEXT_CHANNEL.id), registration(OTHER_CHANNEL.id, GUILD_ID, 2, 'other-user-token-0000000000-EFGH')],
    });
    const { message, ids } = await ask(stack, [{ name: 'channel', type: 7, value: OTHER_CHANNEL.id }]);
    expect(visibleText(message)).toContain(`<#${OTHER_CHANNEL.id}>`);
    const confirm = ids.find((id) => id.includes(':confirm:'))!;
    const done = await stack
      .pressButton(confirm, message.id, { permissions: ADMIN, userId: '200000000000000777' })
      .finalMessage();
    expect(visibleText(done)).toContain(`<#${OTHER_CHANNEL.id}> is no longer registered`);
    expect(stack.useapi.requestsTo('DELETE', `/v1/pixverse/account/${OTHER_CHANNEL.id}`)).toHaveLength(1);
    expect(stack.useapi.channels().map((channel) => channel.channel)).toEqual([TEXT_CHANNEL.id]);
  });

  it('Cancel removes nothing', async () => {
    stack = await startStack({ channels: [registration(TEXT_CHANNEL.id)] });
    const { message, ids } = await ask(stack);
    const cancel = ids.find((id) => id.includes(':cancel:'))!;
    const done = await stack.pressButton(cancel, message.id, { permissions: ADMIN, userId: '200000000000000777' }).finalMessage();
    expect(visibleText(done)).toContain('stays registered');
    expect(stack.useapi.requestsTo('DELETE', '/v1/')).toHaveLength(0);
    expect(stack.useapi.channels()).toHaveLength(1);
  });

  it('refuses a press by anyone but the admin who asked, even another admin', async () => {
    stack = await startStack({ channels: [registration(TEXT_CHANNEL.id)] });
    const { message, ids } = await ask(stack);
    const confirm = ids.find((id) => id.includes(':confirm:'))!;
    const other = await stack
      .pressButton(confirm, message.id, { permissions: ADMIN, userId: '200000000000000888' })
      .finalMessage();
    expect(visibleText(other)).toContain('Only the admin who ran');
    expect(isEphemeral(other)).toBe(true);
    const member = await stack.pressButton(confirm, message.id, { userId: '200000000000000777' }).finalMessage();
    expect(visibleText(member)).toContain('Manage Server');
    expect(stack.useapi.requestsTo('DELETE', '/v1/')).toHaveLength(0);
  });

  it('says what it did in each case: not registered, already gone at the press, cancelled, a name it never signs', async () => {
    stack = await startStack({ channels: [registration(TEXT_CHANNEL.id)] });
    const admin = { permissions: ADMIN, userId: '200000000000000777' };
    const none = await ask(stack, [{ name: 'channel', type: 7, value: OTHER_CHANNEL.id }]);
    expect(visibleText(none.message)).toContain(
      `Not registered\n<#${OTHER_CHANNEL.id}> is not registered with useapi.net; there is nothing to remove.`,
    );
    const asked = Date.now();
    const { message, ids } = await ask(stack);
    const expires = Number(/This question expires <t:(\d+):R>\./.exec(visibleText(message))?.[1]) * 1000;
    expect(expires - asked).toBeGreaterThan(55_000);
    expect(expires - asked).toBeLessThanOrEqual(61_000);
    const cancel = ids.find((id) => id.includes(':cancel:'))!;
    expect(visibleText(await stack.pressButton(cancel, message.id, admin).finalMessage())).toContain(
      `Cancelled\n<#${TEXT_CHANNEL.id}> stays registered.`,
    );
    const signer = await ActionSigner.fromDataDir(stack.config.dataDir);
    const bogus = stack.pressButton(
      signer.sign({ command: 'pixverse-unregister', name: 'wipe', args: [TEXT_CHANNEL.id], userId: admin.userId }),
      message.id,
      admin,
    );
    expect(visibleText(await bogus.finalMessage())).toContain(
      'This button is not valid any more; run `/pixverse-unregister` again.',
    );
    await vi.waitFor(() => expect(outcomeOf(stack!, bogus.id)).toBe('refused:forged-action'));
    expect(stack.useapi.channels()).toHaveLength(1);
    // Removed elsewhere between the question and the press: nothing to delete, and no DELETE sent.
    stack.useapi.setChannels([]);
    const confirm = ids.find((id) => id.includes(':confirm:'))!;
    expect(visibleText(await stack.pressButton(confirm, message.id, admin).finalMessage())).toContain(
      `Was not registered\n<#${TEXT_CHANNEL.id}> was not registered with useapi.net (already removed?). Nothing changed.`,
    );
    expect(stack.useapi.requestsTo('DELETE', '/v1/')).toHaveLength(0);
  });

  it('refuses a press after the minute has passed', async () => {
    stack = await startStack({ channels: [registration(TEXT_CHANNEL.id)] });
    const { message, ids } = await ask(stack);
    const confirm = ids.find((id) => id.includes(':confirm:'))!;
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 61_000);
      const done = await stack
        .pressButton(confirm, message.id, { permissions: ADMIN, userId: '200000000000000777' })
        .finalMessage();
      expect(visibleText(done)).toContain('Question expired');
    } finally {
      vi.useRealTimers();
    }
    expect(stack.useapi.requestsTo('DELETE', '/v1/')).toHaveLength(0);
  });

  it('refuses a button id it did not issue: made up, altered, or signed for another channel', async () => {
    stack = await startStack({
      channels: [registration(TEXT_CHANNEL.id), registration(OTHER_CHANNEL.id)],
    });
    const { message, ids } = await ask(stack);
    const confirm = ids.find((id) => id.includes(':confirm:'))!;
    const admin = { permissions: ADMIN, userId: '200000000000000777' };
    for (const forged of [
      `pixverse-unregister:confirm:${OTHER_CHANNEL.id}:200000000000000777:${Math.floor(Date.now() / 1000) + 600}`,
      confirm.replace(TEXT_CHANNEL.id, OTHER_CHANNEL.id),
      confirm.replace(/:([0-9a-z]+):([^:]+)$/, ':zzzzzzzz:$2'),
      confirm.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    ]) {
      const answer = await stack.pressButton(forged, message.id, admin).finalMessage();
      expect(visibleText(answer), forged).toContain('was not made by this bot');
    }
    expect(stack.useapi.requestsTo('DELETE', '/v1/')).toHaveLength(0);
    expect(stack.useapi.channels()).toHaveLength(2);
  });

  it('a signed Remove re-checks at press time: a registration that moved to another server is not removed', async () => {
    stack = await startStack({ channels: [registration(TEXT_CHANNEL.id)] });
    const { message, ids } = await ask(stack);
    // Between the question and the press, the channel's registration now names another server.
    stack.useapi.setChannels([registration(TEXT_CHANNEL.id, '300000000000000099')]);
    const confirm = ids.find((id) => id.includes(':confirm:'))!;
    const done = await stack
      .pressButton(confirm, message.id, { permissions: ADMIN, userId: '200000000000000777' })
      .finalMessage();
    expect(visibleText(done)).toContain('belongs to another server');
    expect(stack.useapi.requestsTo('DELETE', '/v1/')).toHaveLength(0);
    expect(stack.useapi.channels()).toHaveLength(1);
  });

  it('says "not registered" without asking when there is nothing to remove', async () => {
    stack = await startStack({ channels: [] });
    const { message, ids } = await ask(stack);
    expect(visibleText(message)).toContain('not registered');
    expect(ids).toEqual([]);
  });

  it('says "was not registered" when it is gone by the time Remove is pressed (404)', async () => {
    stack = await startStack({ channels: [registration(TEXT_CHANNEL.id)] });
    const { message, ids } = await ask(stack);
    stack.useapi.setChannels([]);
    const confirm = ids.find((id) => id.includes(':confirm:'))!;
    const done = await stack
      .pressButton(confirm, message.id, { permissions: ADMIN, userId: '200000000000000777' })
      .finalMessage();
    expect(visibleText(done)).toContain('Was not registered');
  });

  it('refuses to remove another server’s registration', async () => {
    stack = await startStack({ channels: [registration(OTHER_CHANNEL.id, '300000000000000099')] });
    const { message } = await ask(stack, [{ name: 'channel', type: 7, value: OTHER_CHANNEL.id }]);
    expect(visibleText(message)).toContain('belongs to another server');
  });
});
