import { afterEach, describe, expect, it } from 'vitest';
import { featuresFixture } from '../../src/emulators/useapi.js';
import { HistoryStore, databaseUrl } from '../../src/history/store.js';
import { ADMIN, NO_EMBEDS_CHANNEL, OTHER_CHANNEL, isEphemeral, startStack, visibleText, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const ROLE_ID = '500000000000000001';

async function alertStack(
  env: Record<string, string | undefined> = {},
  accounts = [
    { email: 'low@example.com', features: featuresFixture({ credit_daily: 0, credit_monthly: 20, credit_package: 0 }) },
  ],
) {
  return startStack({
    accounts,
    env: {
      ALERT_CHANNEL_ID: OTHER_CHANNEL.id,
      ALERT_ROLE_ID: ROLE_ID,
      ALERT_CREDITS_BELOW: '100',
      USEAPI_CACHE_TTL: '0s',
      CHECK_INTERVAL: '15m',
      ...env,
    },
  });
}

/** A state document as the bot saved it, read through a second connection to its database. */
async function savedState(s: Stack, key: string): Promise<unknown> {
  const store = await HistoryStore.open({ url: databaseUrl(s.config.dataDir, undefined), retentionDays: 400 });
  try {
    return await store.getState(key);
  } finally {
    await store.close();
  }
}

async function waitFor<T>(read: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('credit alerts through Discord', () => {
  it('posts one alert for low credits at start-up, pinging only ALERT_ROLE_ID, and remembers it', async () => {
    stack = await alertStack();
    const [message] = await waitFor(() => {
      const messages = stack!.discord.channelMessages(OTHER_CHANNEL.id);
      return messages.length > 0 ? messages : undefined;
    }, 'the alert');
    expect(visibleText(message)).toContain('PixVerse credits running low');
    expect(visibleText(message)).toContain('`low@example.com` has **20** credits left');
    expect(message?.content).toBe(`<@&${ROLE_ID}>`);
    const post = stack.discord.requests.find(
      (request) => request.method === 'POST' && request.path === `/channels/${OTHER_CHANNEL.id}/messages`,
    );
    expect((post?.body as { allowed_mentions: unknown }).allowed_mentions).toEqual({ parse: [], roles: [ROLE_ID] });
    expect(stack.discord.validationErrors).toEqual([]);

    const saved = await waitFor(async () => {
      const memory = (await savedState(stack!, 'alerts')) as { accounts: Record<string, { low: boolean }> } | undefined;
      return memory?.accounts['low@example.com']?.low ? memory : undefined;
    }, 'the alert memory in the database');
    expect(saved.accounts['low@example.com']?.low).toBe(true);
  });

  it('/credits-alerts shows the settings and the last state, and check_now posts nothing twice', async () => {
    stack = await alertStack();
    await waitFor(() => savedState(stack!, 'alerts'), 'the first check to finish');
    const message = await stack
      .command('credits-alerts', [{ name: 'check_now', type: 5, value: true }], { permissions: ADMIN })
      .finalMessage();
    const text = visibleText(message);
    expect(isEphemeral(message)).toBe(true);
    expect(text).toContain(`Alerts go to <#${OTHER_CHANNEL.id}> and ping <@&${ROLE_ID}>`);
    expect(text).toContain('below **100** spendable credits');
    expect(text).toContain('every **15 min**');
    expect(text).toContain('Check run now: nothing new to report');
    expect(text).toContain('`low@example.com` · 20 credits · plan `Pro` · ⚠️ low (alerted)');
    expect(stack.discord.channelMessages(OTHER_CHANNEL.id)).toHaveLength(1);
  });

  it('/credits-alerts without check_now shows the last check and asks useapi.net nothing', async () => {
    stack = await alertStack();
    await waitFor(() => savedState(stack!, 'alerts'), 'the first check to finish');
    const reads = stack.useapi.requestsTo('GET', '/v2/pixverse/features').length;
    for (const options of [[], [{ name: 'check_now', type: 5, value: false }]]) {
      const text = visibleText(await stack.command('credits-alerts', options, { permissions: ADMIN }).finalMessage());
      expect(text).toContain('`low@example.com` · 20 credits · plan `Pro` · ⚠️ low (alerted)');
      expect(text).not.toContain('Check run now');
    }
    expect(stack.useapi.requestsTo('GET', '/v2/pixverse/features')).toHaveLength(reads);
  });

  it('an alert Discord refuses for good is dropped, logged once, and check_now says so instead of "nothing new"', async () => {
    stack = await alertStack({ CHECK_INTERVAL: 'off' });
    stack.discord.addRestFault({
      method: 'POST',
      path: /^\/channels\/\d+\/messages$/,
      status: 400,
      body: { code: 50035, message: 'Invalid Form Body' },
    });
    const check = async () =>
      visibleText(
        await stack!
          .command('credits-alerts', [{ name: 'check_now', type: 5, value: true }], { permissions: ADMIN })
          .finalMessage(),
      );
    expect(await check()).toContain('Check run now: 1 refused by Discord and dropped (see the log)');
    expect(await check()).toContain('Check run now: nothing new to report');
    expect(stack.logs.filter((line) => line.includes('refused an alert for good'))).toHaveLength(1);
  });

  it('an alert that cannot be posted now is counted, and posted by the next check', async () => {
    stack = await alertStack({ CHECK_INTERVAL: 'off' });
    stack.discord.addRestFault({ method: 'POST', path: /^\/channels\/\d+\/messages$/, status: 503, times: 4 });
    const check = async () =>
      visibleText(
        await stack!
          .command('credits-alerts', [{ name: 'check_now', type: 5, value: true }], { permissions: ADMIN })
          .finalMessage(10_000),
      );
    expect(await check()).toContain('1 could not be posted (the next check tries again)');
    expect(await check()).toContain('Check run now: 1 alert posted');
    expect(stack.discord.channelMessages(OTHER_CHANNEL.id)).toHaveLength(1);
  });

  it('logs an unusable alert channel once and keeps serving commands', async () => {
    stack = await alertStack({ ALERT_CHANNEL_ID: '400000000000000404' });
    const warnings = stack.logs.filter((line) => line.includes('credit alerts are off'));
    expect(warnings).toHaveLength(1);
    expect(visibleText(await stack.command('credits').finalMessage())).toContain('credits left to spend');
    const status = visibleText(await stack.command('credits-alerts', [], { permissions: ADMIN }).finalMessage());
    expect(status).toContain('Not running: ALERT_CHANNEL_ID 400000000000000404');
  });

  it('a channel where the bot may not post embeds is refused at start-up, and nothing is posted there', async () => {
    stack = await alertStack({ ALERT_CHANNEL_ID: NO_EMBEDS_CHANNEL.id });
    const status = visibleText(await stack.command('credits-alerts', [], { permissions: ADMIN }).finalMessage());
    expect(status).toContain(
      `Not running: ALERT_CHANNEL_ID ${NO_EMBEDS_CHANNEL.id}: the bot needs View Channel, Send Messages and Embed Links there`,
    );
    expect(stack.discord.channelMessages(NO_EMBEDS_CHANNEL.id)).toEqual([]);
    expect(stack.logs.filter((line) => line.includes('credit alerts are off'))).toHaveLength(1);
  });

  it('says alerts are off when no channel is configured', async () => {
    stack = await startStack();
    const status = visibleText(await stack.command('credits-alerts', [], { permissions: ADMIN }).finalMessage());
    expect(status).toContain('Alerts are **off**');
  });
});
