import { ButtonStyle, ComponentType, TextInputStyle } from 'discord.js';
import { describe, expect, it } from 'vitest';
import {
  accountSavedReply,
  addAccountModal,
  confirmRemoveAccount,
  consoleReply,
  reconnectModal,
  reconnectRows,
  type ConsoleControls,
  type ConsoleState,
} from '../src/presentation/console.js';
import { COLORS, type ReplyBody } from '../src/presentation/embeds.js';
import type { V1Channel, V2Account } from '../src/useapi/schemas.js';

const GUILD = '100000000000000001';
const OTHER_GUILD = '100000000000000002';
const SESSION_END = new Date('2026-12-01T00:00:00Z'); // <t:1796083200:R>

const account = (email: string, fields: Partial<V2Account> = {}): V2Account => ({
  email,
  maxJobs: undefined,
  sessionExpiresAt: undefined,
  error: undefined,
  ...fields,
});

const channel = (id: string, maxJobs: number, fields: Partial<V1Channel> = {}): V1Channel => ({
  channel: id,
  server: GUILD,
  maxJobs,
  discordMasked: '••••WXYZ',
  ...fields,
});

/** Ids as the router would sign them; the refs stand for the short values a select sends. */
const controls: ConsoleControls = {
  add: 'add.sig',
  reconnect: 'reconnect.sig',
  remove: 'remove.sig',
  unregister: 'unregister.sig',
  accountRef: (email) => `ref:${email}`,
  channelName: (id) => (id === '200000000000000001' ? 'general' : undefined),
};

const state = (fields: Partial<ConsoleState> = {}): ConsoleState => ({
  guildId: GUILD,
  accounts: { ok: true, items: [] },
  channels: { ok: true, items: [] },
  scheduler: undefined,
  subscription: undefined,
  ...fields,
});

/** The custom id of each row's control, in order. */
const controlIds = (reply: ReplyBody) =>
  reply.components?.map((row) => {
    const control = row.components[0];
    return control && 'custom_id' in control ? control.custom_id : undefined;
  });

const INTRO = 'useapi.net keeps two separate lists: v2 email accounts (`/credits`) and v1 channels (`/pixverse-register`).';
const ADD_ROW = {
  type: ComponentType.ActionRow,
  components: [{ type: ComponentType.Button, style: ButtonStyle.Primary, label: 'Add account', custom_id: 'add.sig' }],
};

describe('consoleReply', () => {
  it('each account with what it runs, its session, or its error; the slots; each control in a row of its own', () => {
    const reply = consoleReply(
      state({
        accounts: {
          ok: true,
          items: [
            account('alice@example.com', { maxJobs: 3, sessionExpiresAt: SESSION_END }),
            account('bob@example.com', { maxJobs: 2, error: 'session rejected' }),
            account('carol@example.com'),
            account('dave@example.com', { maxJobs: 2 }),
            account('erin@example.com', { maxJobs: 4 }),
            account('frank@example.com'),
          ],
        },
        channels: {
          ok: true,
          items: [
            channel('200000000000000001', 2),
            channel('200000000000000002', 1, { discordMasked: undefined }),
            channel('200000000000000003', 5, { server: OTHER_GUILD }),
            channel('200000000000000004', 1, { server: undefined }),
          ],
        },
        scheduler: {
          running: [],
          capacity: [
            { email: 'alice@example.com', maxJobs: 3, executing: 1 },
            // useapi.net said nothing of erin's capacity: the account's own setting stands in.
            { email: 'erin@example.com', maxJobs: undefined, executing: 0 },
            { email: 'frank@example.com', maxJobs: undefined, executing: 0 },
          ],
        },
        subscription: { active: true, slots: 10, pixverse: { total: 6, active: 5, error: 1 } },
      }),
      controls,
    );
    expect(reply).toEqual({
      content: INTRO,
      embeds: [
        {
          title: 'PixVerse accounts (v2, email logins) (6)',
          description: [
            '6 of 10 PixVerse account slots used (1 in error state)',
            '• `alice@example.com` · running 1 of 3 jobs · session expires <t:1796083200:R>',
            '• ⚠️ `bob@example.com`',
            '  ↳ in error state: `session rejected` — **Reconnect** it below',
            '• `carol@example.com`',
            '• `dave@example.com` · max jobs 2',
            '• `erin@example.com` · running 0 of 4 jobs',
            '• `frank@example.com`',
          ].join('\n'),
          color: COLORS.failure,
          footer: { text: '1 account in error state' },
        },
        {
          title: 'Channel registrations (v1) (4)',
          description: [
            '<#200000000000000001> · max jobs 2 · token `••••WXYZ`',
            '<#200000000000000002> · max jobs 1 · token `none`',
            '`200000000000000003` (server `100000000000000002`) · max jobs 5 · token `••••WXYZ`',
            '`200000000000000004` (server unknown) · max jobs 1 · token `••••WXYZ`',
          ].join('\n'),
          color: COLORS.info,
        },
      ],
      components: [
        ADD_ROW,
        {
          type: ComponentType.ActionRow,
          components: [
            {
              type: ComponentType.StringSelect,
              custom_id: 'reconnect.sig',
              placeholder: 'Reconnect an account in error state…',
              options: [
                { label: 'bob@example.com', value: 'ref:bob@example.com', description: 'in error state: session rejected' },
              ],
            },
          ],
        },
        {
          type: ComponentType.ActionRow,
          components: [
            {
              type: ComponentType.StringSelect,
              custom_id: 'remove.sig',
              placeholder: 'Remove a PixVerse account…',
              options: [
                { label: 'alice@example.com', value: 'ref:alice@example.com', description: 'max jobs 3' },
                { label: 'bob@example.com', value: 'ref:bob@example.com', description: 'in error state: session rejected' },
                { label: 'carol@example.com', value: 'ref:carol@example.com', description: 'max jobs ?' },
                { label: 'dave@example.com', value: 'ref:dave@example.com', description: 'max jobs 2' },
                { label: 'erin@example.com', value: 'ref:erin@example.com', description: 'max jobs 4' },
                { label: 'frank@example.com', value: 'ref:frank@example.com', description: 'max jobs ?' },
              ],
            },
          ],
        },
        {
          type: ComponentType.ActionRow,
          components: [
            {
              type: ComponentType.StringSelect,
              custom_id: 'unregister.sig',
              placeholder: 'Unregister a channel of this server…',
              // Only this server's channels; a name the bot does not know is shown as the id.
              options: [
                { label: '#general', value: '200000000000000001', description: 'max jobs 2' },
                { label: '#200000000000000002', value: '200000000000000002', description: 'max jobs 1' },
              ],
            },
          ],
        },
      ],
    });
  });

  it('healthy accounts without a scheduler reading: blue, no footer, each with its own max jobs', () => {
    const reply = consoleReply(
      state({ accounts: { ok: true, items: [account('alice@example.com', { maxJobs: 3 }), account('bob@example.com')] } }),
      { ...controls, reconnect: 'reconnect.sig' },
    );
    expect(reply.embeds?.[0]).toEqual({
      title: 'PixVerse accounts (v2, email logins) (2)',
      description: '• `alice@example.com` · max jobs 3\n• `bob@example.com`',
      color: COLORS.info,
    });
    // Nothing in error state: no reconnect select, even with its id.
    expect(controlIds(reply)).toEqual(['add.sig', 'remove.sig']);
  });

  it('no accounts: the slots and an inactive subscription above how to add one', () => {
    const reply = consoleReply(state({ subscription: { active: false, slots: 3, pixverse: { total: 0, error: 0 } } }), controls);
    expect(reply.embeds?.[0]).toEqual({
      title: 'PixVerse accounts (v2, email logins)',
      description: [
        '0 of 3 PixVerse account slots used',
        '⚠️ The useapi.net subscription is not active.',
        'None yet. **Add account** below adds one; `/credits` then shows its credits.',
      ].join('\n'),
      color: COLORS.info,
    });
    expect(reply.embeds?.[1]).toEqual({
      title: 'Channel registrations (v1)',
      description: 'None. `/pixverse-register` in a channel registers it.',
      color: COLORS.info,
    });
    expect(reply.components).toEqual([ADD_ROW]);
  });

  it.each([
    ['no subscription reading', undefined],
    ['an active subscription without slot counts', { active: true, slots: undefined, pixverse: undefined }],
    ['slots but no PixVerse count', { active: undefined, slots: 3, pixverse: undefined }],
    ['a PixVerse count but no slots', { active: true, slots: undefined, pixverse: { total: 2 } }],
  ])('no slots line from %s', (_, subscription) => {
    expect(consoleReply(state({ subscription }), controls).embeds?.[0]?.description).toBe(
      'None yet. **Add account** below adds one; `/credits` then shows its credits.',
    );
  });

  it('slots without an error count say nothing of errors', () => {
    const subscription = { active: true, slots: 3, pixverse: { total: 2 } };
    expect(consoleReply(state({ subscription }), controls).embeds?.[0]?.description).toMatch(
      /^2 of 3 PixVerse account slots used\nNone yet/,
    );
  });

  it('lists that could not be read say why, and offer nothing to act on', () => {
    const failure = { title: 'useapi.net did not answer in time', text: 'Try again in a minute.' };
    const reply = consoleReply(state({ accounts: { ok: false, failure }, channels: { ok: false, failure } }), controls);
    expect(reply.embeds).toEqual([
      {
        title: 'PixVerse accounts (v2, email logins)',
        description: '**useapi.net did not answer in time.** Try again in a minute.',
        color: COLORS.failure,
      },
      {
        title: 'Channel registrations (v1)',
        description: '**useapi.net did not answer in time.** Try again in a minute.',
        color: COLORS.failure,
      },
    ]);
    expect(reply.components).toEqual([ADD_ROW]);
  });

  it('a control without an id is left out', () => {
    const reply = consoleReply(
      state({
        accounts: { ok: true, items: [account('bob@example.com', { error: 'session rejected' })] },
        channels: { ok: true, items: [channel('200000000000000001', 2)] },
      }),
      { ...controls, reconnect: undefined, remove: undefined, unregister: undefined },
    );
    expect(reply.components).toEqual([ADD_ROW]);
  });

  it('a select holds 25 channels; more are named in the message with the command that removes any', () => {
    const channels = (count: number) =>
      Array.from({ length: count }, (_, index) => channel(String(300000000000000000n + BigInt(index)), 1));
    const exactly = consoleReply(state({ channels: { ok: true, items: channels(25) } }), controls);
    expect(exactly.content).toBe(INTRO);
    expect(exactly.components?.[1]?.components[0]).toMatchObject({ custom_id: 'unregister.sig' });

    const over = consoleReply(state({ channels: { ok: true, items: channels(26) } }), controls);
    expect(over.content).toBe(
      `${INTRO}\nOnly the first 25 channels can be chosen here: \`/pixverse-unregister channel:\` removes any.`,
    );
    const select = over.components?.[1]?.components[0];
    expect(select?.type === ComponentType.StringSelect && select.options.map((option) => option.value)).toEqual(
      channels(25).map((item) => item.channel),
    );
  });

  it('option text is one line of at most 100 characters, and never empty', () => {
    const long = `${'x'.repeat(120)}@example.com`;
    const reply = consoleReply(
      state({
        accounts: { ok: true, items: [account(' \n '), account(long, { error: `line one\nline two ${'y'.repeat(100)}` })] },
      }),
      controls,
    );
    const select = reply.components?.[controlIds(reply)?.indexOf('remove.sig') ?? -1]?.components[0];
    expect(select?.type === ComponentType.StringSelect && select.options).toEqual([
      { label: '—', value: 'ref: \n ', description: 'max jobs ?' },
      {
        label: `${'x'.repeat(99)}…`,
        value: `ref:${long}`,
        description: `in error state: line one line two ${'y'.repeat(65)}…`,
      },
    ]);
  });
});

describe('addAccountModal and reconnectModal', () => {
  const password = (description: string) => ({
    type: ComponentType.Label,
    label: 'PixVerse password',
    description,
    component: {
      type: ComponentType.TextInput,
      custom_id: 'password',
      style: TextInputStyle.Short,
      required: true,
      min_length: 1,
      max_length: 200,
    },
  });

  it('Add asks the email, the password (never prefilled) and max jobs 1–8, 1 chosen', () => {
    expect(addAccountModal('add-form.sig')).toEqual({
      custom_id: 'add-form.sig',
      title: 'Add a PixVerse account',
      components: [
        {
          type: ComponentType.Label,
          label: 'Email',
          description: 'The email the account signs in to pixverse.ai with (not Google, Apple or Discord sign-in)',
          component: {
            type: ComponentType.TextInput,
            custom_id: 'email',
            style: TextInputStyle.Short,
            required: true,
            max_length: 254,
            placeholder: 'name@example.com',
          },
        },
        password('Sent once to useapi.net and kept nowhere. Signing in logs the PixVerse website out.'),
        {
          type: ComponentType.Label,
          label: 'Max jobs',
          description: 'How many generations useapi.net runs at once through it (at most what its plan allows)',
          component: {
            type: ComponentType.StringSelect,
            custom_id: 'max_jobs',
            options: [
              { label: '1', value: '1', default: true },
              { label: '2', value: '2', default: false },
              { label: '3', value: '3', default: false },
              { label: '4', value: '4', default: false },
              { label: '5', value: '5', default: false },
              { label: '6', value: '6', default: false },
              { label: '7', value: '7', default: false },
              { label: '8', value: '8', default: false },
            ],
            min_values: 1,
            max_values: 1,
          },
        },
      ],
    });
  });

  it('Reconnect asks only the password, naming the account on one line within 100 characters', () => {
    expect(reconnectModal('reconnect-form.sig', 'bob@example.com')).toEqual({
      custom_id: 'reconnect-form.sig',
      title: 'Reconnect a PixVerse account',
      components: [password('Of bob@example.com. Sent once, kept nowhere; logs the PixVerse website out.')],
    });
    const description = reconnectModal('reconnect-form.sig', `bob\n${'b'.repeat(60)}@example.com`).components[0];
    expect(description).toMatchObject({ description: `Of bob ${'b'.repeat(60)}@example.com. Sent once, kept no…` });
  });
});

describe('reconnectRows', () => {
  const buttons = (count: number) =>
    Array.from({ length: count }, (_, index) => ({ email: `user${index + 1}@example.com`, customId: `reconnect.${index + 1}` }));
  const labels = (rows: ReturnType<typeof reconnectRows>) =>
    rows.map((row) =>
      row.components.map((button) => (button.type === ComponentType.Button && 'label' in button ? button.label : '?')),
    );

  it('a lone button says Reconnect; several name their accounts; none gives no row', () => {
    expect(reconnectRows(buttons(1))).toEqual([
      {
        type: ComponentType.ActionRow,
        components: [{ type: ComponentType.Button, style: ButtonStyle.Primary, label: 'Reconnect', custom_id: 'reconnect.1' }],
      },
    ]);
    expect(labels(reconnectRows(buttons(2)))).toEqual([['Reconnect user1@example.com', 'Reconnect user2@example.com']]);
    expect(labels(reconnectRows(buttons(1), { named: true }))).toEqual([['Reconnect user1@example.com']]);
    expect(labels(reconnectRows(buttons(2), { named: false }))).toEqual([['Reconnect', 'Reconnect']]);
    expect(reconnectRows([])).toEqual([]);
  });

  it('five to a row, at most five rows', () => {
    expect(reconnectRows(buttons(5)).map((row) => row.components.length)).toEqual([5]);
    expect(reconnectRows(buttons(6)).map((row) => row.components.length)).toEqual([5, 1]);
    const most = reconnectRows(buttons(30));
    expect(most.map((row) => row.components.length)).toEqual([5, 5, 5, 5, 5]);
    expect(most.at(-1)?.components.at(-1)).toMatchObject({ custom_id: 'reconnect.25' });
  });

  it('a name is one line of at most 80 characters', () => {
    const [row] = reconnectRows([
      { email: `a\n${'b'.repeat(90)}`, customId: 'x' },
      { email: 'c', customId: 'y' },
    ]);
    expect(row?.components[0]).toMatchObject({ label: `Reconnect a ${'b'.repeat(67)}…` });
  });
});

describe('accountSavedReply', () => {
  it('an added account: where its credits are, its max jobs, the masked password, its session', () => {
    expect(accountSavedReply(account('alice@example.com', { maxJobs: 3, sessionExpiresAt: SESSION_END }), 'added', 4)).toEqual({
      embeds: [
        {
          title: 'Account added',
          description: [
            '`alice@example.com` is on useapi.net: `/credits` shows its credits.',
            'Max jobs **3** · password `••••` (sent once, not kept) · session expires <t:1796083200:R>',
            'PixVerse allows one session at a time: the PixVerse website was logged out of this account.',
          ].join('\n'),
          color: COLORS.ok,
        },
      ],
    });
  });

  it('a reconnected account without a known session or max jobs', () => {
    expect(accountSavedReply(account('bob@example.com'), 'reconnected', undefined)).toEqual({
      embeds: [
        {
          title: 'Account reconnected',
          description: [
            '`bob@example.com` is signed in again and works.',
            'Max jobs **1** · password `••••` (sent once, not kept)',
            'PixVerse allows one session at a time: the PixVerse website was logged out of this account.',
          ].join('\n'),
          color: COLORS.ok,
        },
      ],
    });
  });

  it('warns only when max jobs is over what the plan runs at once', () => {
    const warning = (maxJobs: number | undefined, planLimit: number | undefined) =>
      accountSavedReply(account('alice@example.com', { maxJobs }), 'added', planLimit)
        .embeds?.[0]?.description?.split('\n')
        .slice(3);
    expect(warning(5, 4)).toEqual(['⚠️ Its plan runs 4 generations at once: choose 4 or fewer with **Add account** again.']);
    expect(warning(4, 4)).toEqual([]);
    expect(warning(3, 4)).toEqual([]);
    expect(warning(5, undefined)).toEqual([]);
    expect(warning(undefined, 4)).toEqual([]);
  });
});

describe('confirmRemoveAccount', () => {
  it('says what removing the account does, when the question expires, and offers Remove then Cancel', () => {
    const reply = confirmRemoveAccount(
      account('alice@example.com', { maxJobs: 3 }),
      { confirm: 'yes.sig', cancel: 'no.sig' },
      new Date('2026-11-30T12:05:00Z'),
    );
    expect(reply).toEqual({
      embeds: [
        {
          title: 'Remove this PixVerse account?',
          description:
            '`alice@example.com` will no longer be on useapi.net: nothing runs through it and `/credits` stops showing it (its history stays). Adding it back needs its password.\nThis question expires <t:1796040300:R>.',
          color: COLORS.low,
        },
      ],
      components: [
        {
          type: ComponentType.ActionRow,
          components: [
            { type: ComponentType.Button, style: ButtonStyle.Danger, label: 'Remove', custom_id: 'yes.sig' },
            { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Cancel', custom_id: 'no.sig' },
          ],
        },
      ],
    });
  });
});
