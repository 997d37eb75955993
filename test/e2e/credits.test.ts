import { afterEach, describe, expect, it, vi } from 'vitest';
import { featuresFixture } from '../../src/emulators/useapi.js';
import { controls, isEphemeral, outcomeOf, startStack, visibleText, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('/credits end to end', () => {
  it('shows the single account without an email, ephemeral, with bars, relative dates and separators', async () => {
    stack = await startStack();
    const handle = stack.command('credits');
    const first = await handle.firstResponse();
    expect(first.at - handle.dispatchedAt).toBeLessThan(3_000);
    const message = await handle.finalMessage();
    const text = visibleText(message);

    expect(text).toContain('`team@example.com`');
    expect(text).toContain('plan `Pro`');
    // 30 daily + 12,450 monthly + 500 package
    expect(text).toContain('**12,980** credits left to spend');
    expect(text).toContain('**12,450** / 15,000');
    expect(text).toMatch(/[▰▱]{10}/);
    expect(text).toMatch(/<t:\d+:R>/);
    expect(text).not.toMatch(/invoice|stripe|https?:\/\//i);
    expect(isEphemeral(message)).toBe(true);
    // One account is its card alone: no total line above it.
    expect(message.content).toBe('');
    expect(message.embeds).toHaveLength(1);
    expect(stack.useapi.requestsTo('GET', '/v2/pixverse/features')).toHaveLength(1);
    expect(stack.discord.validationErrors).toEqual([]);
    await vi.waitFor(() => expect(outcomeOf(stack!, handle.id)).toBe('ok'));
  });

  it('posts publicly with share:true, still without billing links', async () => {
    stack = await startStack();
    const message = await stack.command('credits', [{ name: 'share', type: 5, value: true }]).finalMessage();
    expect(isEphemeral(message)).toBe(false);
    expect(visibleText(message)).toContain('credits left to spend');
    expect(JSON.stringify(message)).not.toMatch(/invoice|stripe/i);
  });

  it('URL-encodes an email holding "+" and shows that account', async () => {
    stack = await startStack({
      accounts: [
        { email: 'video+team@example.com', features: featuresFixture({ credit_package: 1234, plan_name: 'Ultra' }) },
        { email: 'other@example.com' },
      ],
    });
    const message = await stack.command('credits', [{ name: 'email', type: 3, value: 'video+team@example.com' }]).finalMessage();
    expect(visibleText(message)).toContain('plan `Ultra`');
    const [request] = stack.useapi.requestsTo('GET', '/v2/pixverse/features');
    expect(request?.query.get('email')).toBe('video+team@example.com');
  });

  it('shows every account with a total when there are several, and a failed one beside the others', async () => {
    stack = await startStack({
      accounts: [
        { email: 'a@example.com', features: featuresFixture({ credit_daily: 10, credit_monthly: 100, credit_package: 0 }) },
        { email: 'b@example.com', features: featuresFixture({ credit_daily: 1, credit_monthly: 2, credit_package: 3 }) },
        { email: 'c@example.com', error: 'session rejected' },
      ],
    });
    const message = await stack.command('credits').finalMessage();
    const text = visibleText(message);
    expect(message.content).toBe('**116** credits left to spend across 2 accounts.\n1 account could not be read; see below.');
    expect(text).toContain('`c@example.com`');
    expect(text).toContain('error state');
    expect((message as { embeds: unknown[] }).embeds).toHaveLength(3);
    // Under several cards, the Reconnect button names the account it repairs.
    expect(controls(message).map((button) => button.label)).toEqual(['Reconnect c@example.com']);
  });

  it('a read failing for another reason than the error state shows as failed, with no Reconnect button', async () => {
    stack = await startStack({
      accounts: [
        { email: 'a@example.com', features: featuresFixture({ credit_daily: 10, credit_monthly: 100, credit_package: 0 }) },
        // Not the features useapi.net documents: this account's read fails, and Reconnect would not help.
        { email: 'b@example.com', features: { credit_daily: 'lots' } },
      ],
    });
    const handle = stack.command('credits');
    const message = await handle.finalMessage();
    expect(message.content).toBe('**110** credits left to spend across 1 account.\n1 account could not be read; see below.');
    expect(message.embeds).toHaveLength(2);
    expect(visibleText(message)).toContain('`b@example.com`');
    expect(controls(message)).toEqual([]);
    await vi.waitFor(() => expect(outcomeOf(stack!, handle.id)).toBe('ok'));
  });

  it('every account failing, one of them in error state, still shows each card with its Reconnect button', async () => {
    stack = await startStack({
      accounts: [
        { email: 'a@example.com', error: 'session rejected' },
        { email: 'b@example.com', features: { credit_daily: 'lots' } },
      ],
    });
    const message = await stack.command('credits').finalMessage();
    expect(message.content).toBe('**0** credits left to spend across 0 accounts.\n2 accounts could not be read; see below.');
    expect(message.embeds).toHaveLength(2);
    expect(controls(message).map((button) => button.label)).toEqual(['Reconnect a@example.com']);
  });

  it('one account of several, asked by email with its credits cached, is its card alone, in the callback', async () => {
    stack = await startStack({
      accounts: [{ email: 'a@example.com' }, { email: 'b@example.com', features: featuresFixture({ plan_name: 'Ultra' }) }],
    });
    await stack.command('credits').finalMessage();
    const reads = stack.useapi.requestsTo('GET', '/v2/pixverse/features').length;
    const handle = stack.command('credits', [{ name: 'email', type: 3, value: 'B@example.com' }], {
      userId: '200000000000000502',
    });
    const first = await handle.firstResponse();
    expect(first.callbackType).toBe(4);
    const body = (first.body as { data: { content?: string; embeds: unknown[] } }).data;
    expect(body.embeds).toHaveLength(1);
    expect(body.content).toBeUndefined();
    expect(visibleText(body)).toContain('`b@example.com`');
    expect(visibleText(body)).toContain('plan `Ultra`');
    expect(visibleText(body)).not.toContain('a@example.com');
    expect(stack.useapi.requestsTo('GET', '/v2/pixverse/features')).toHaveLength(reads);
  });

  it('before the bot has any account list, an email is answered once the list is read', async () => {
    stack = await startStack({
      accounts: [{ email: 'alpha@example.com' }, { email: 'beta@example.com' }],
      beforeStart: (useapi) =>
        useapi.addFault({ path: '/v2/pixverse/accounts', fault: { kind: 'status', status: 500 }, times: 1 }),
    });
    expect(stack.bot.useapi.knownAccounts()).toBeUndefined();
    const handle = stack.command('credits', [{ name: 'email', type: 3, value: 'beta@example.com' }]);
    expect(visibleText(await handle.finalMessage())).toContain('`beta@example.com`');
    await vi.waitFor(() => expect(outcomeOf(stack!, handle.id)).toBe('ok'));
    expect(stack.useapi.requestsTo('GET', '/v2/pixverse/features').map((request) => request.query.get('email'))).toEqual([
      'beta@example.com',
    ]);
  });

  it('before the bot has any account list, every account is read only once the list names it', async () => {
    stack = await startStack({
      accounts: [{ email: 'alpha@example.com' }, { email: 'beta@example.com' }],
      beforeStart: (useapi) =>
        useapi.addFault({ path: '/v2/pixverse/accounts', fault: { kind: 'status', status: 500 }, times: 1 }),
    });
    expect(stack.bot.useapi.knownAccounts()).toBeUndefined();
    const message = await stack.command('credits').finalMessage();
    expect(message.embeds).toHaveLength(2);
    const emails = stack.useapi.requestsTo('GET', '/v2/pixverse/features').map((request) => request.query.get('email'));
    expect(emails.sort()).toEqual(['alpha@example.com', 'beta@example.com']);
  });

  it('says so, with what to do, when no v2 account is configured', async () => {
    stack = await startStack({ accounts: [] });
    const text = visibleText(await stack.command('credits').finalMessage());
    expect(text).toContain('No PixVerse account on useapi.net');
    expect(text).toContain('POST /v2/pixverse/accounts');
    expect(stack.useapi.requestsTo('GET', '/v2/pixverse/features')).toHaveLength(0);
  });

  it('says so too when nothing is cached and the list is read for the command', async () => {
    stack = await startStack({ accounts: [], env: { USEAPI_CACHE_TTL: '0s' } });
    const handle = stack.command('credits');
    expect((await handle.firstResponse()).callbackType).toBe(5);
    expect(visibleText(await handle.finalMessage())).toContain('No PixVerse account on useapi.net');
    await vi.waitFor(() => expect(outcomeOf(stack!, handle.id)).toBe('ok'));
    expect(stack.useapi.requestsTo('GET', '/v2/pixverse/features')).toHaveLength(0);
  });

  it('when every account fails, the answer is the failure, not a total of nothing', async () => {
    stack = await startStack({
      accounts: [{ email: 'a@example.com' }, { email: 'b@example.com' }],
      env: { USEAPI_CACHE_TTL: '0s' },
    });
    stack.useapi.addFault({ path: '/v2/pixverse/features', fault: { kind: 'status', status: 500 } });
    const text = visibleText(await stack.command('credits').finalMessage());
    expect(text).toContain('useapi.net is having trouble');
    expect(text).not.toContain('credits left to spend');
  });

  it('shows 10 accounts at most (a message holds 10 embeds) and says how many there are', async () => {
    const accounts = Array.from({ length: 12 }, (_, i) => ({ email: `acct${String(i).padStart(2, '0')}@example.com` }));
    stack = await startStack({ accounts });
    const message = await stack.command('credits').finalMessage();
    expect(message.embeds).toHaveLength(10);
    expect(message.content).toBe(
      '**129,800** credits left to spend across 10 accounts.\nShowing 10 of 12 accounts; pick one with the `email` option.',
    );
    expect(stack.useapi.requestsTo('GET', '/v2/pixverse/features')).toHaveLength(10);
    // The 10 shown are all the answer needs: asked again, it comes from the cache, in the callback itself.
    const again = stack.command('credits', [], { userId: '200000000000000502' });
    const first = await again.firstResponse();
    expect(first.callbackType).toBe(4);
    expect((first.body as { data: { embeds: unknown[] } }).data.embeds).toHaveLength(10);
    expect(stack.useapi.requestsTo('GET', '/v2/pixverse/features')).toHaveLength(10);
    expect(stack.discord.validationErrors).toEqual([]);
  });

  it('autocomplete before any list is known waits for the first one, within the deadline', async () => {
    stack = await startStack({
      accounts: [{ email: 'alpha@example.com' }],
      beforeStart: (useapi) =>
        useapi.addFault({ path: '/v2/pixverse/accounts', fault: { kind: 'status', status: 500 }, times: 1 }),
    });
    expect(stack.bot.useapi.knownAccounts()).toBeUndefined();
    const handle = stack.autocomplete('credits', [{ name: 'email', type: 3, value: '', focused: true }]);
    const response = await handle.firstResponse();
    expect(response.at - handle.dispatchedAt).toBeLessThan(3_000);
    expect((response.body as { data: { choices: Array<{ value: string }> } }).data.choices).toEqual([
      { name: 'alpha@example.com', value: 'alpha@example.com' },
    ]);
  });

  it('autocomplete before any list is known, with useapi.net hanging, answers nothing in time', async () => {
    stack = await startStack({
      beforeStart: (useapi) =>
        useapi.addFault({ path: '/v2/pixverse/accounts', fault: { kind: 'status', status: 500 }, times: 1 }),
    });
    stack.useapi.addFault({ path: '/v2/pixverse/accounts', fault: { kind: 'hang' } });
    const handle = stack.autocomplete('credits', [{ name: 'email', type: 3, value: '', focused: true }]);
    const response = await handle.firstResponse();
    expect(response.at - handle.dispatchedAt).toBeLessThan(2_500);
    expect((response.body as { data: { choices: unknown[] } }).data.choices).toEqual([]);
  });

  it('autocompletes emails from the account list, filtered by what was typed', async () => {
    stack = await startStack({
      accounts: [{ email: 'alpha@example.com' }, { email: 'beta@example.com' }, { email: 'alpine@example.org' }],
    });
    const handle = stack.autocomplete('credits', [{ name: 'email', type: 3, value: 'alp', focused: true }]);
    const response = await handle.firstResponse();
    expect(response.callbackType).toBe(8);
    const choices = (response.body as { data: { choices: Array<{ value: string }> } }).data.choices;
    expect(choices.map((choice) => choice.value)).toEqual(['alpha@example.com', 'alpine@example.org']);
  });

  it('answers autocomplete from the last known list while useapi.net hangs', async () => {
    stack = await startStack({ accounts: [{ email: 'alpha@example.com' }], env: { USEAPI_CACHE_TTL: '0s' } });
    await stack.autocomplete('credits', [{ name: 'email', type: 3, value: '', focused: true }]).firstResponse();
    stack.useapi.addFault({ path: '/v2/pixverse/accounts', fault: { kind: 'hang' } });
    const handle = stack.autocomplete('credits', [{ name: 'email', type: 3, value: 'al', focused: true }]);
    const response = await handle.firstResponse();
    expect(response.at - handle.dispatchedAt).toBeLessThan(1_000);
    expect((response.body as { data: { choices: unknown[] } }).data.choices).toHaveLength(1);
  });

  it('autocomplete answers from the known list when refreshing it fails, and logs why', async () => {
    stack = await startStack({ accounts: [{ email: 'alpha@example.com' }], env: { USEAPI_CACHE_TTL: '0s' } });
    stack.useapi.addFault({ path: '/v2/pixverse/accounts', fault: { kind: 'status', status: 500 } });
    const response = await stack
      .autocomplete('credits', [{ name: 'email', type: 3, value: 'al', focused: true }])
      .firstResponse();
    expect((response.body as { data: { choices: Array<{ value: string }> } }).data.choices).toEqual([
      { name: 'alpha@example.com', value: 'alpha@example.com' },
    ]);
    const logged = await vi.waitFor(() => {
      const line = stack!.logs.find((text) => text.includes('account list refresh for autocomplete failed'));
      expect(line).toBeDefined();
      return JSON.parse(line!) as { level: number; err?: { message?: string } };
    });
    expect(logged.err?.message).toContain('500');
  });

  it('defers, then explains a useapi.net failure with what to do', async () => {
    stack = await startStack();
    stack.useapi.latencyMs = 100;
    stack.useapi.addFault({ path: '/v2/pixverse/features', fault: { kind: 'account-error' } });
    const handle = stack.command('credits', [{ name: 'email', type: 3, value: 'team@example.com' }]);
    expect((await handle.firstResponse()).callbackType).toBe(5);
    const message = await handle.finalMessage();
    expect(isEphemeral(message)).toBe(true);
    const text = visibleText(message);
    expect(text).toContain('error state');
    expect(text).toContain('press **Reconnect**');
    expect(text).not.toMatch(/undefined|Error:|at .*\.ts/);
    // The card carries the console's Reconnect button, signed for the admin command.
    const buttons = controls(message);
    expect(buttons.map((button) => button.label)).toEqual(['Reconnect']);
    expect(buttons[0]?.custom_id).toMatch(/^pixverse-accounts:reconnect:/);
  });

  it('answers in the callback itself when the answer is ready (cached), and defers when it is not', async () => {
    stack = await startStack();
    stack.useapi.latencyMs = 100;
    const cold = stack.command('credits', [], { userId: '200000000000000501' });
    expect((await cold.firstResponse()).callbackType).toBe(5);
    await cold.finalMessage();
    const warm = stack.command('credits', [], { userId: '200000000000000502' });
    const first = await warm.firstResponse();
    expect(first.callbackType).toBe(4);
    const cached = (first.body as { data: { content?: string; embeds: unknown[] } }).data;
    expect(visibleText(cached)).toContain('**12,980** credits left to spend');
    // The same single card as the cold answer: no total line.
    expect(cached.content).toBeUndefined();
    expect(cached.embeds).toHaveLength(1);
    expect(stack.discord.requests.filter((r) => r.method === 'PATCH' && r.path.includes(warm.token))).toHaveLength(0);
  });

  it('CREDITS_COOLDOWN makes a user wait before asking useapi.net again, and no one else', async () => {
    stack = await startStack({ env: { CREDITS_COOLDOWN: '30s', USEAPI_CACHE_TTL: '0s' } });
    await stack.command('credits').finalMessage();
    const handle = stack.command('credits');
    const again = await handle.finalMessage();
    expect(visibleText(again)).toMatch(/Try again in (30|29) s/);
    await vi.waitFor(() => expect(outcomeOf(stack!, handle.id)).toBe('refused:cooldown'));
    expect(isEphemeral(again)).toBe(true);
    const otherUser = await stack.command('credits', [], { userId: '200000000000000999' }).finalMessage();
    expect(visibleText(otherUser)).toContain('credits left to spend');
    expect(stack.useapi.requestsTo('GET', '/v2/pixverse/features')).toHaveLength(2);
  });

  it('the cooldown never holds back an answer the cache already has', async () => {
    stack = await startStack({ env: { CREDITS_COOLDOWN: '30s' } });
    await stack.command('credits').finalMessage();
    const again = stack.command('credits');
    expect((await again.firstResponse()).callbackType).toBe(4);
    expect(visibleText(await again.finalMessage())).toContain('credits left to spend');
    expect(stack.useapi.requestsTo('GET', '/v2/pixverse/features')).toHaveLength(1);
  });

  it('the cooldown never holds back a retry after a failure', async () => {
    stack = await startStack({ env: { CREDITS_COOLDOWN: '30s' } });
    stack.useapi.addFault({ path: '/v2/pixverse/features', fault: { kind: 'status', status: 500 }, times: 1 });
    expect(visibleText(await stack.command('credits').finalMessage())).toContain('useapi.net is having trouble');
    expect(visibleText(await stack.command('credits').finalMessage())).toContain('credits left to spend');
  });

  it('is off by default: a user asking twice gets two answers', async () => {
    stack = await startStack({ env: { USEAPI_CACHE_TTL: '0s' } });
    for (let i = 0; i < 2; i += 1)
      expect(visibleText(await stack.command('credits').finalMessage())).toContain('credits left to spend');
    expect(stack.useapi.requestsTo('GET', '/v2/pixverse/features')).toHaveLength(2);
  });

  it('a flood of made-up emails is answered locally and does not starve a real user', async () => {
    stack = await startStack({ env: { USEAPI_CACHE_TTL: '0s' } });
    stack.useapi.latencyMs = 100;
    const flood = Array.from({ length: 300 }, (_, i) =>
      stack!.command('credits', [{ name: 'email', type: 3, value: `made-up-${i}@example.com` }], {
        userId: `2000000000001${String(i).padStart(5, '0')}`,
      }),
    );
    const real = stack.command('credits', [{ name: 'email', type: 3, value: 'team@example.com' }]);
    expect(visibleText(await real.finalMessage(4_000))).toContain('credits left to spend');
    const answers = await Promise.all(flood.map((handle) => handle.finalMessage(4_000)));
    for (const answer of answers) expect(visibleText(answer)).toContain('is not one of the PixVerse accounts');
    expect(stack.useapi.requestsTo('GET', '/v2/pixverse/features').map((request) => request.query.get('email'))).toEqual([
      'team@example.com',
    ]);
    // Concurrent list reads share one request: the flood costs a handful of list reads, not 300.
    expect(stack.useapi.requestsTo('GET', '/v2/pixverse/accounts').length).toBeLessThanOrEqual(4);
  });

  it('with nothing cached, reads a known account’s credits beside the list: one round trip, not two', async () => {
    const accounts = [{ email: 'a@example.com' }, { email: 'b@example.com' }];
    stack = await startStack({ accounts, env: { USEAPI_CACHE_TTL: '0s' } });
    await stack.command('credits').finalMessage(); // the bot now knows the list, and nothing stays cached
    stack.useapi.latencyMs = 300;
    for (const options of [[{ name: 'email', type: 3, value: 'b@example.com' }], []]) {
      const before = stack.useapi.requests.length;
      const message = await stack.command('credits', options).finalMessage();
      expect(visibleText(message)).toContain('credits left to spend');
      const asked = stack.useapi.requests.slice(before);
      const list = asked.find((request) => request.path === '/v2/pixverse/accounts')!;
      const reads = asked.filter((request) => request.path.startsWith('/v2/pixverse/features'));
      expect(reads).toHaveLength(options.length === 0 ? 2 : 1);
      // Sent together, not one after the other's 300 ms answer.
      for (const read of reads) expect(Math.abs(read.at - list.at)).toBeLessThan(150);
    }
  });

  it('an account gone from the list since the bot last read it is refused, though its credits were read ahead', async () => {
    stack = await startStack({
      accounts: [{ email: 'a@example.com' }, { email: 'b@example.com' }],
      env: { USEAPI_CACHE_TTL: '0s' },
    });
    await stack.command('credits').finalMessage();
    stack.useapi.setAccounts([{ email: 'a@example.com' }]);
    const goneHandle = stack.command('credits', [{ name: 'email', type: 3, value: 'b@example.com' }]);
    const gone = await goneHandle.finalMessage();
    expect(visibleText(gone)).toContain('is not one of the PixVerse accounts');
    await vi.waitFor(() => expect(outcomeOf(stack!, goneHandle.id)).toBe('refused:unknown-account'));
    const every = await stack.command('credits').finalMessage();
    expect((every as { embeds: unknown[] }).embeds).toHaveLength(1);
    expect(visibleText(every)).toContain('`a@example.com`');
    expect(visibleText(every)).not.toContain('b@example.com');
  });

  it('an account added since the list was read more than 5 s ago is found, though the list is still cached', async () => {
    stack = await startStack(); // the start-up check reads the list; it stays cached for USEAPI_CACHE_TTL (30 s)
    stack.useapi.setAccounts([{ email: 'team@example.com' }, { email: 'new@example.com' }]);
    const lists = stack.useapi.requestsTo('GET', '/v2/pixverse/accounts').length;
    // Six seconds on: the cached list is no longer current enough to say an email is not an account.
    const now = performance.now.bind(performance);
    vi.spyOn(performance, 'now').mockImplementation(() => now() + 6_000);
    try {
      const handle = stack.command('credits', [{ name: 'email', type: 3, value: 'new@example.com' }]);
      expect(visibleText(await handle.finalMessage())).toContain('`new@example.com`');
      await vi.waitFor(() => expect(outcomeOf(stack!, handle.id)).toBe('ok'));
      expect(stack.useapi.requestsTo('GET', '/v2/pixverse/accounts')).toHaveLength(lists + 1);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('coalesces a burst of identical requests into one upstream call', async () => {
    stack = await startStack();
    stack.useapi.latencyMs = 100;
    const handles = Array.from({ length: 20 }, (_, i) =>
      stack!.command('credits', [], { userId: `2000000000000001${String(i).padStart(2, '0')}` }),
    );
    const messages = await Promise.all(handles.map((handle) => handle.finalMessage()));
    for (const message of messages) expect(visibleText(message)).toContain('credits left to spend');
    expect(stack.useapi.requestsTo('GET', '/v2/pixverse/features')).toHaveLength(1);
  });
});
