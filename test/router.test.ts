import { setTimeout as sleep } from 'node:timers/promises';
import {
  DiscordAPIError,
  MessageFlags,
  PermissionFlagsBits,
  PermissionsBitField,
  RESTJSONErrorCodes,
  type Interaction,
} from 'discord.js';
import { describe, expect, it } from 'vitest';
import { ActionSigner } from '../src/discord/actions.js';
import type { Command, CommandContext } from '../src/discord/command.js';
import { createRouter, type Outcome } from '../src/discord/router.js';
import { createLogger } from '../src/logger.js';
import { Refusal } from '../src/refusal.js';

/**
 * The router against interactions reduced to what it reads of them, and a command whose handlers
 * record what reached them: what each interaction ends as (the metric), what the user is answered,
 * and what is logged.
 */

const GUILD = '300000000000000001';
const OTHER_GUILD = '300000000000000002';
const CHANNEL = '400000000000000001';
const USER = '200000000000000001';
const OTHER_USER = '200000000000000002';
const INTERACTION = '900000000000000001';
const signer = new ActionSigner(Buffer.alloc(32, 1));

type Kind = 'command' | 'autocomplete' | 'button' | 'modal' | 'select' | 'context-menu';

function fakeInteraction(kind: Kind, fields: Record<string, unknown> = {}) {
  const seen = { replies: [] as unknown[], choices: [] as unknown[][] };
  const interaction = {
    id: INTERACTION,
    type: 2,
    guildId: GUILD as string | null,
    channelId: CHANNEL as string | null,
    user: { id: USER },
    commandName: 'probe',
    customId: kind === 'context-menu' ? undefined : signer.sign({ command: 'probe', name: 'go', args: [] }),
    memberPermissions: new PermissionsBitField(PermissionFlagsBits.ManageGuild),
    responded: false,
    options: { data: [], getFocused: () => ({ name: 'query', value: 'typed' }) },
    isChatInputCommand: () => kind === 'command',
    isAutocomplete: () => kind === 'autocomplete',
    isModalSubmit: () => kind === 'modal',
    isButton: () => kind === 'button',
    isStringSelectMenu: () => kind === 'select',
    isRepliable: () => kind !== 'autocomplete',
    inGuild: () => interaction.guildId !== null,
    respond: (choices: unknown[]) => {
      seen.choices.push(choices);
      interaction.responded = true;
      return Promise.resolve();
    },
    reply: (body: unknown) => {
      seen.replies.push(body);
      return Promise.resolve();
    },
    ...fields,
  };
  return { interaction: interaction as unknown as Interaction, seen };
}

function setUp(command: Partial<Command>, options: { guildIds?: string[]; send?: () => Promise<void> } = {}) {
  const sent: { body: unknown; visibility: unknown }[] = [];
  const ended: { command: string; outcome: Outcome; ms: number }[] = [];
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', secrets: [], destination: { write: (line: string) => void lines.push(line) } });
  const context = {
    respond: {
      send: (_interaction: unknown, body: unknown, visibility: unknown) => {
        sent.push({ body, visibility });
        return options.send?.() ?? Promise.resolve();
      },
    },
  } as unknown as CommandContext;
  const probe = {
    data: { name: 'probe', description: 'A command for the router' },
    execute: () => Promise.resolve(),
    ...command,
  } as Command;
  const router = createRouter({
    commands: [probe],
    context,
    actions: signer,
    guildIds: options.guildIds ?? [GUILD],
    logger,
    onInteraction: (name, outcome, ms) => ended.push({ command: name, outcome, ms }),
  });
  const logs = () => lines.map((line) => JSON.parse(line) as { level: number; msg: string; [field: string]: unknown });
  return { router, sent, ended, logs };
}

/** Dispatches and waits until it has ended: `drain` waits for everything under way. */
async function run(setup: ReturnType<typeof setUp>, interaction: Interaction) {
  setup.router.dispatch(interaction);
  await setup.router.drain(1_000);
  return setup.ended.at(-1);
}

const answer = (setup: ReturnType<typeof setUp>) => JSON.stringify(setup.sent.at(-1)?.body);
const gone = (code: number) => new DiscordAPIError({ code, message: 'gone' }, code, 404, 'POST', '/interactions', {});
const WARN = 40;
const ERROR = 50;

describe('router: who and where', () => {
  it('serves any server when DISCORD_GUILD_ID is not set', async () => {
    const executed: string[] = [];
    const setup = setUp({ execute: () => Promise.resolve(void executed.push('probe')) }, { guildIds: [] });
    expect(await run(setup, fakeInteraction('command', { guildId: OTHER_GUILD }).interaction)).toMatchObject({ outcome: 'ok' });
    expect(executed).toEqual(['probe']);
  });

  it('refuses a server outside DISCORD_GUILD_ID, and says so to the user, privately', async () => {
    const setup = setUp({ execute: () => Promise.reject(new Error('must not run')) });
    const ended = await run(setup, fakeInteraction('command', { guildId: OTHER_GUILD }).interaction);
    expect(ended).toMatchObject({ command: 'probe', outcome: 'refused:guild-not-served' });
    expect(answer(setup)).toContain('This bot is not set up to serve this server.');
    expect(setup.sent.at(-1)?.visibility).toEqual({ ephemeral: true });
  });

  it('serves an interaction that carries no channel id', async () => {
    const setup = setUp({});
    expect(await run(setup, fakeInteraction('command', { channelId: null }).interaction)).toMatchObject({ outcome: 'ok' });
  });

  it('names every permission the member lacks', async () => {
    const needs = String(PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ManageChannels);
    const setup = setUp({ data: { name: 'probe', description: 'Needs two permissions', default_member_permissions: needs } });
    const member = { memberPermissions: new PermissionsBitField(0n) };
    expect(await run(setup, fakeInteraction('command', member).interaction)).toMatchObject({
      outcome: 'refused:missing-permission',
    });
    expect(answer(setup)).toContain('You need the **ManageChannels** and **Manage Server** permission to use this command.');
  });
});

describe('router: buttons, forms and menus', () => {
  it('refuses a button whose id was moved to another command, before any handler runs', async () => {
    const pressed: string[] = [];
    const setup = setUp({ button: () => Promise.resolve(void pressed.push('button')) });
    const customId = signer.sign({ command: 'credits', name: 'go', args: [] });
    // Routed to `probe` by its claimed prefix, but signed for `credits`.
    const moved = `probe${customId.slice('credits'.length)}`;
    expect(await run(setup, fakeInteraction('button', { customId: moved }).interaction)).toMatchObject({
      outcome: 'refused:forged-action',
    });
    expect(answer(setup)).toContain('This button or form was not made by this bot. Run the command again.');
    expect(pressed).toEqual([]);
  });

  it('lets only the admin it was issued to answer a question', async () => {
    const pressed: string[] = [];
    const setup = setUp({ button: () => Promise.resolve(void pressed.push('button')) });
    const customId = signer.sign({ command: 'probe', name: 'confirm', args: [], userId: OTHER_USER });
    expect(await run(setup, fakeInteraction('button', { customId }).interaction)).toMatchObject({
      outcome: 'refused:not-invoker',
    });
    expect(answer(setup)).toContain('Only the admin who ran `/probe` can answer this question.');
    expect(pressed).toEqual([]);
  });

  it('refuses a form sent to a command that only has a menu, without running the menu', async () => {
    const chosen: string[] = [];
    const setup = setUp({ select: () => Promise.resolve(void chosen.push('select')) });
    expect(await run(setup, fakeInteraction('modal').interaction)).toMatchObject({ outcome: 'refused:unknown-command' });
    expect(answer(setup)).toContain('This action is not available any more.');
    expect(chosen).toEqual([]);
    expect(
      await run(setUp({ select: () => Promise.resolve(void chosen.push('select')) }), fakeInteraction('select').interaction),
    ).toMatchObject({
      outcome: 'ok',
    });
    expect(chosen).toEqual(['select']);
  });

  it('answers an interaction of a kind it does not handle as an unknown command, not as a bug', async () => {
    const setup = setUp({});
    expect(await run(setup, fakeInteraction('context-menu').interaction)).toMatchObject({
      command: 'unknown',
      outcome: 'refused:unknown-command',
    });
    expect(answer(setup)).toContain('This command is not known to this bot.');
  });
});

describe('router: autocomplete', () => {
  it('offers nothing for a command without suggestions, and at most 25', async () => {
    const without = fakeInteraction('autocomplete');
    await run(setUp({}), without.interaction);
    expect(without.seen.choices).toEqual([[]]);
    const many = fakeInteraction('autocomplete');
    const choices = Array.from({ length: 30 }, (_, i) => ({ name: `c${i}`, value: `c${i}` }));
    await run(setUp({ autocomplete: () => Promise.resolve(choices) }), many.interaction);
    expect(many.seen.choices).toEqual([choices.slice(0, 25)]);
  });

  it('answers a failed suggestion with no choices, once', async () => {
    const failed = fakeInteraction('autocomplete');
    const setup = setUp({ autocomplete: () => Promise.reject(new Error('broken')) });
    expect(await run(setup, failed.interaction)).toMatchObject({ outcome: 'bug' });
    expect(failed.seen.choices).toEqual([[]]);
    expect(setup.sent).toEqual([]);
    const late = fakeInteraction('autocomplete');
    const respondedThenFailed = setUp({
      autocomplete: async (interaction) => {
        await interaction.respond([{ name: 'a', value: 'a' }]);
        throw new Error('after answering');
      },
    });
    await run(respondedThenFailed, late.interaction);
    expect(late.seen.choices).toEqual([[{ name: 'a', value: 'a' }]]);
  });
});

describe('router: failures', () => {
  it('answers a bug privately and logs it as an error', async () => {
    const setup = setUp({ execute: () => Promise.reject(new Error('boom')) });
    expect(await run(setup, fakeInteraction('command').interaction)).toMatchObject({ outcome: 'bug' });
    expect(answer(setup)).toContain('Something went wrong in the bot');
    expect(setup.sent.at(-1)?.visibility).toEqual({ ephemeral: true });
    // The owner finds the error and the interaction it broke in the log.
    expect(setup.logs().filter((line) => line.level === ERROR)).toMatchObject([
      { msg: 'interaction handler failed', err: { message: 'boom' }, interaction: INTERACTION },
    ]);
  });

  it('only warns about an interaction Discord no longer takes, and does not try to answer it', async () => {
    for (const code of [RESTJSONErrorCodes.UnknownInteraction, RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged]) {
      const setup = setUp({ execute: () => Promise.reject(gone(code)) });
      expect(await run(setup, fakeInteraction('command').interaction)).toMatchObject({ outcome: 'expired' });
      expect(setup.sent).toEqual([]);
      const warned = setup.logs().filter((line) => line.level >= WARN);
      expect(warned).toMatchObject([{ level: WARN, msg: 'interaction could no longer be answered', code }]);
    }
  });

  it('treats any other Discord error as a bug', async () => {
    const setup = setUp({ execute: () => Promise.reject(gone(RESTJSONErrorCodes.MissingPermissions)) });
    expect(await run(setup, fakeInteraction('command').interaction)).toMatchObject({ outcome: 'bug' });
    expect(setup.sent).toHaveLength(1);
  });

  it('warns when the failure answer finds the interaction gone, and logs an error when it fails otherwise', async () => {
    const refused = () => Promise.reject(new Refusal('cooldown', 'wait'));
    const goneSetup = setUp({ execute: refused }, { send: () => Promise.reject(gone(RESTJSONErrorCodes.UnknownInteraction)) });
    await run(goneSetup, fakeInteraction('command').interaction);
    expect(goneSetup.logs().filter((line) => line.level >= WARN)).toMatchObject([
      { level: WARN, msg: 'interaction could no longer be answered', code: RESTJSONErrorCodes.UnknownInteraction },
    ]);
    const brokenSetup = setUp({ execute: refused }, { send: () => Promise.reject(new Error('socket closed')) });
    await run(brokenSetup, fakeInteraction('command').interaction);
    expect(brokenSetup.logs().filter((line) => line.level >= WARN)).toMatchObject([
      { level: ERROR, msg: 'could not send the failure answer', err: { message: 'socket closed' }, interaction: INTERACTION },
    ]);
  });

  it('reports how long the interaction took', async () => {
    const setup = setUp({ execute: () => sleep(20) });
    const before = performance.now();
    const ended = await run(setup, fakeInteraction('command').interaction);
    expect(ended?.ms).toBeGreaterThanOrEqual(19);
    expect(ended?.ms).toBeLessThanOrEqual(performance.now() - before);
  });
});

describe('router: draining', () => {
  it('waits for interactions under way, then answers new ones that the bot is restarting', async () => {
    const finished: string[] = [];
    const setup = setUp({ execute: () => sleep(30).then(() => void finished.push('first')) });
    setup.router.dispatch(fakeInteraction('command').interaction);
    await setup.router.drain(1_000);
    expect(finished).toEqual(['first']);
    const late = fakeInteraction('command');
    setup.router.dispatch(late.interaction);
    await setup.router.drain(1_000);
    expect(late.seen.replies).toEqual([
      { content: 'The bot is restarting. Try again in a moment.', flags: MessageFlags.Ephemeral },
    ]);
    expect(finished).toEqual(['first']);
    expect(setup.ended).toHaveLength(1);
    // Suggestions cannot be answered with a message; they get nothing.
    const suggestion = fakeInteraction('autocomplete', { reply: () => Promise.reject(new Error('not repliable')) });
    setup.router.dispatch(suggestion.interaction);
    await sleep(0);
    expect(setup.logs().filter((line) => line.level >= WARN)).toEqual([]);
  });

  it('warns when the restarting answer cannot be sent', async () => {
    const setup = setUp({});
    await setup.router.drain(1_000);
    setup.router.dispatch(fakeInteraction('command', { reply: () => Promise.reject(new Error('gone')) }).interaction);
    await sleep(0);
    expect(setup.logs().filter((line) => line.level >= WARN)).toMatchObject([
      { level: WARN, msg: 'could not answer during shutdown', err: { message: 'gone' } },
    ]);
  });

  it('gives up on an interaction that does not end within the timeout', async () => {
    const setup = setUp({ execute: () => new Promise(() => undefined) });
    setup.router.dispatch(fakeInteraction('command').interaction);
    const started = performance.now();
    await setup.router.drain(50);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
