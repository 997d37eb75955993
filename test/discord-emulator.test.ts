import { once } from 'node:events';
import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  ModalBuilder,
  Routes,
  TextInputBuilder,
  TextInputStyle,
  type ChatInputApplicationCommandData,
  type Interaction,
} from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DiscordEmulator,
  autocompleteInteraction,
  buttonInteraction,
  chatInputInteraction,
  modalSubmitInteraction,
  type EmulatedGuild,
  type InvokerFixture,
} from '../src/emulators/discord/index.js';

const TOKEN = 'emulator-bot-token';
const GUILD: EmulatedGuild = {
  id: '100000000000000001',
  name: 'Emulated Guild',
  ownerId: '200000000000000099',
  channels: [
    { id: '100000000000000010', name: 'general', type: 0 },
    { id: '100000000000000011', name: 'renders', type: 11, parent_id: '100000000000000010' },
  ],
};
const IN_GENERAL: InvokerFixture = { guildId: GUILD.id, channel: { id: '100000000000000010', type: 0, name: 'general' } };
const IN_THREAD: InvokerFixture = {
  guildId: GUILD.id,
  channel: { id: '100000000000000011', type: 11, name: 'renders', parent_id: '100000000000000010' },
};
const CREDITS: ChatInputApplicationCommandData = {
  name: 'credits',
  description: 'Show PixVerse credits',
  options: [{ type: ApplicationCommandOptionType.String, name: 'email', description: 'Account', autocomplete: true }],
};

let emu: DiscordEmulator;
let client: Client | undefined;

function startEmulator(interactionDeadlineMs?: number): Promise<DiscordEmulator> {
  // Fast heartbeats exercise the ACKs without slowing the file down.
  return DiscordEmulator.start({ botToken: TOKEN, guilds: [GUILD], heartbeatIntervalMs: 100, interactionDeadlineMs });
}

beforeEach(async () => {
  emu = await startEmulator();
});

afterEach(async () => {
  await client?.destroy();
  client = undefined;
  await emu.close();
});

async function login(): Promise<Client<true>> {
  const bot = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: emu.apiUrl } });
  client = bot;
  const ready = once(bot, Events.ClientReady);
  await bot.login(TOKEN);
  await ready;
  return bot as Client<true>;
}

function nextInteraction(bot: Client): Promise<Interaction> {
  return once(bot, Events.InteractionCreate).then(([interaction]) => interaction as Interaction);
}

async function rejection(promise: Promise<unknown>): Promise<DiscordAPIError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof DiscordAPIError)) throw new Error(`expected a DiscordAPIError, got ${String(error)}`);
  return error;
}

describe('Discord emulator with a real discord.js client', () => {
  it('logs in, delivers the guild with its channels and threads, records IDENTIFY and acks heartbeats', async () => {
    const bot = await login();
    await emu.waitForReady();
    expect(bot.application.id).toBe(emu.applicationId);
    expect(bot.user.id).toBe(emu.botUserId);
    const guild = bot.guilds.cache.get(GUILD.id);
    expect(guild?.available).toBe(true);
    expect(bot.channels.cache.get('100000000000000010')?.isTextBased()).toBe(true);
    expect(bot.channels.cache.get('100000000000000011')?.isThread()).toBe(true);
    expect(emu.identifies).toEqual([expect.objectContaining({ token: TOKEN, intents: GatewayIntentBits.Guilds })]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(bot.ws.ping).toBeGreaterThanOrEqual(0);
    expect(emu.identifies).toHaveLength(1);
    expect(emu.resumes).toHaveLength(0);
  });

  it('syncs guild and global commands, keeping ids of same-named commands', async () => {
    const bot = await login();
    const [created] = [...(await bot.application.commands.set([CREDITS], GUILD.id)).values()];
    expect(emu.commands(GUILD.id)).toEqual([
      expect.objectContaining({ id: created?.id, name: 'credits', application_id: emu.applicationId, guild_id: GUILD.id }),
    ]);
    const listed = (await bot.rest.get(Routes.applicationGuildCommands(emu.applicationId, GUILD.id))) as unknown[];
    expect(listed).toEqual(emu.commands(GUILD.id));
    expect(listed[0]).toMatchObject({
      type: 1,
      default_member_permissions: null,
      options: [{ name: 'email', autocomplete: true }],
    });

    await bot.application.commands.set([{ ...CREDITS, description: 'Credits left' }], GUILD.id);
    expect(emu.commands(GUILD.id)[0]).toMatchObject({ id: created?.id, description: 'Credits left' });

    await bot.application.commands.set([{ name: 'pixverse-accounts', description: 'List', defaultMemberPermissions: '32' }]);
    expect(emu.commands()).toEqual([expect.objectContaining({ name: 'pixverse-accounts', default_member_permissions: '32' })]);
    expect(emu.validationErrors).toEqual([]);
  });

  it('rejects a command Discord would reject, with 50035 and a recorded validation error', async () => {
    const bot = await login();
    const error = await rejection(bot.application.commands.set([{ name: 'Credits', description: 'x'.repeat(101) }], GUILD.id));
    expect(error.status).toBe(400);
    expect(error.code).toBe(50035);
    expect(error.message).toContain('BASE_TYPE_MAX_LENGTH');
    expect(emu.validationErrors[0]?.issues).toEqual([expect.objectContaining({ path: [0, 'description'] })]);
    expect(emu.commands(GUILD.id)).toEqual([]);
  });

  it('delivers a chat input interaction and records a validated reply', async () => {
    emu.setCommands([CREDITS], GUILD.id);
    const bot = await login();
    const received = nextInteraction(bot);
    const handle = emu.dispatchInteraction(chatInputInteraction(emu, IN_GENERAL, { name: 'credits' }));
    const interaction = await received;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    expect(interaction.commandId).toBe(emu.commands(GUILD.id)[0]?.id);
    expect(interaction.channelId).toBe(IN_GENERAL.channel.id);
    expect(interaction.inCachedGuild()).toBe(true);

    await interaction.reply({ content: 'You have 42 credits', flags: MessageFlags.Ephemeral });
    const first = await handle.firstResponse();
    expect(first).toMatchObject({ kind: 'callback', callbackType: 4 });
    expect(first.at - handle.dispatchedAt).toBeLessThan(3_000);
    expect(await handle.finalMessage()).toMatchObject({ content: 'You have 42 credits', flags: MessageFlags.Ephemeral });
    expect((await interaction.fetchReply()).content).toBe('You have 42 credits');
    expect(emu.validationErrors).toEqual([]);
    const callback = emu.requests.find((request) => request.path.endsWith('/callback'));
    expect(callback?.headers.authorization).toBeUndefined();
  });

  it('answers a deferred reply edited later, follow-ups, and with_response', async () => {
    const bot = await login();
    const received = nextInteraction(bot);
    const handle = emu.dispatchInteraction(chatInputInteraction(emu, IN_THREAD, { name: 'credits' }));
    const interaction = await received;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    expect(interaction.channelId).toBe(IN_THREAD.channel.id);

    const deferred = await interaction.deferReply({ flags: MessageFlags.Ephemeral, withResponse: true });
    expect(deferred.resource?.message?.flags.has(MessageFlags.Loading)).toBe(true);
    const edited = await interaction.editReply({ content: 'Done', embeds: [{ title: 'Credits', description: '42' }] });
    expect(edited.content).toBe('Done');
    const followUp = await interaction.followUp({
      content: 'One more thing',
      files: [{ attachment: Buffer.from('id,credits\n1,42\n'), name: 'credits.csv' }],
      flags: MessageFlags.Ephemeral,
    });
    expect(followUp.id).not.toBe(edited.id);
    expect(followUp.attachments.first()).toMatchObject({ name: 'credits.csv', size: 16 });
    await interaction.deleteReply();

    expect(handle.responses.map((record) => record.kind)).toEqual(['callback', 'edit', 'followup', 'delete']);
    expect(handle.responses[0]?.callbackType).toBe(5);
    expect(emu.message(edited.id)).toBeUndefined();
    const editRequest = emu.requests.find((request) => request.method === 'PATCH');
    expect(editRequest?.path).toBe(`/webhooks/${emu.applicationId}/${handle.token}/messages/@original`);
    expect(emu.validationErrors).toEqual([]);
  });

  it('turns the first follow-up after a defer into the original reply', async () => {
    const bot = await login();
    const received = nextInteraction(bot);
    const handle = emu.dispatchInteraction(chatInputInteraction(emu, IN_GENERAL, { name: 'credits' }));
    const interaction = await received;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    await interaction.deferReply();
    const followUp = await interaction.followUp('Filled in');
    expect((await handle.finalMessage()).id).toBe(followUp.id);
  });

  it('refuses a second callback with 40060', async () => {
    const bot = await login();
    const received = nextInteraction(bot);
    emu.dispatchInteraction(chatInputInteraction(emu, IN_GENERAL, { name: 'credits' }));
    const answered = await received;
    if (!answered.isChatInputCommand()) throw new Error('expected a chat input command');
    await answered.reply('first');
    // A second process answering the same interaction: discord.js itself refuses a second reply locally.
    const again = await rejection(
      bot.rest.post(Routes.interactionCallback(answered.id, answered.token), {
        body: { type: 4, data: { content: 'second' } },
        auth: false,
      }),
    );
    expect(again).toMatchObject({ status: 400, code: 40060 });
  });

  it('refuses a first callback after the deadline with 10062', async () => {
    await emu.close();
    emu = await startEmulator(200);
    const bot = await login();
    const received = nextInteraction(bot);
    const lateHandle = emu.dispatchInteraction(chatInputInteraction(emu, IN_GENERAL, { name: 'credits' }));
    const late = await received;
    if (!late.isChatInputCommand()) throw new Error('expected a chat input command');
    await new Promise((resolve) => setTimeout(resolve, 250));
    const expired = await rejection(late.reply('too late'));
    expect(expired).toMatchObject({ status: 404, code: 10062 });
    expect(lateHandle.responses).toEqual([]);
  });

  it('answers an invalid body with 50035 and records it, leaving the interaction unanswered', async () => {
    const bot = await login();
    const received = nextInteraction(bot);
    const handle = emu.dispatchInteraction(chatInputInteraction(emu, IN_GENERAL, { name: 'credits' }));
    const interaction = await received;
    const error = await rejection(
      bot.rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
        body: { type: 4, data: { embeds: [{ description: 'x'.repeat(4097) }] } },
        auth: false,
      }),
    );
    expect(error).toMatchObject({ status: 400, code: 50035 });
    expect(error.rawError).toMatchObject({
      message: 'Invalid Form Body',
      errors: { data: { embeds: { '0': { description: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } } } },
    });
    expect(emu.validationErrors).toEqual([
      expect.objectContaining({ path: `/interactions/${interaction.id}/${handle.token}/callback` }),
    ]);
    expect(handle.responses).toEqual([]);

    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    await interaction.reply('valid this time');
    expect((await handle.firstResponse()).callbackType).toBe(4);
  });

  it('shows a modal and delivers its submission', async () => {
    const bot = await login();
    let received = nextInteraction(bot);
    const commandHandle = emu.dispatchInteraction(chatInputInteraction(emu, IN_GENERAL, { name: 'pixverse-register' }));
    const command = await received;
    if (!command.isChatInputCommand()) throw new Error('expected a chat input command');
    const input = new TextInputBuilder().setCustomId('token').setLabel('Discord token').setStyle(TextInputStyle.Short);
    await command.showModal(
      new ModalBuilder()
        .setCustomId('register:3')
        .setTitle('Register channel')
        .addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(input)),
    );
    expect((await commandHandle.firstResponse()).callbackType).toBe(9);
    expect(emu.validationErrors).toEqual([]);

    received = nextInteraction(bot);
    const submitHandle = emu.dispatchInteraction(
      modalSubmitInteraction(emu, IN_GENERAL, { custom_id: 'register:3', fields: { token: 'typed-secret' } }),
    );
    const submitted = await received;
    if (!submitted.isModalSubmit()) throw new Error('expected a modal submission');
    expect(submitted.customId).toBe('register:3');
    expect(submitted.fields.getTextInputValue('token')).toBe('typed-secret');
    await submitted.reply({ content: 'Registered', flags: MessageFlags.Ephemeral });
    expect((await submitHandle.finalMessage()).content).toBe('Registered');
  });

  it('answers autocomplete with choices', async () => {
    emu.setCommands([CREDITS], GUILD.id);
    const bot = await login();
    const received = nextInteraction(bot);
    const handle = emu.dispatchInteraction(
      autocompleteInteraction(emu, IN_GENERAL, {
        name: 'credits',
        options: [{ type: ApplicationCommandOptionType.String, name: 'email', value: 'al', focused: true }],
      }),
    );
    const interaction = await received;
    if (!interaction.isAutocomplete()) throw new Error('expected autocomplete');
    expect(interaction.options.getFocused()).toBe('al');
    await interaction.respond([{ name: 'alice@example.com', value: 'alice@example.com' }]);
    expect(await handle.firstResponse()).toMatchObject({
      callbackType: 8,
      body: { data: { choices: [{ name: 'alice@example.com', value: 'alice@example.com' }] } },
    });
  });

  it('updates the message a button sits on', async () => {
    const bot = await login();
    let received = nextInteraction(bot);
    const commandHandle = emu.dispatchInteraction(chatInputInteraction(emu, IN_GENERAL, { name: 'pixverse-unregister' }));
    const command = await received;
    if (!command.isChatInputCommand()) throw new Error('expected a chat input command');
    const confirm = new ButtonBuilder().setCustomId('unregister:yes').setLabel('Unregister').setStyle(ButtonStyle.Danger);
    await command.reply({
      content: 'Sure?',
      components: [new ActionRowBuilder<ButtonBuilder>().addComponents(confirm)],
      flags: MessageFlags.Ephemeral,
    });
    const prompt = await commandHandle.finalMessage();

    received = nextInteraction(bot);
    const pressHandle = emu.dispatchInteraction(
      buttonInteraction(emu, IN_GENERAL, { custom_id: 'unregister:yes', messageId: prompt.id }),
    );
    const press = await received;
    if (!press.isButton()) throw new Error('expected a button press');
    expect(press.message.id).toBe(prompt.id);
    expect(press.message.interactionMetadata?.user.id).toBe(command.user.id);
    await press.update({ content: 'Unregistered', components: [] });
    expect(await pressHandle.firstResponse()).toMatchObject({ callbackType: 7, messageId: prompt.id });
    expect(await pressHandle.finalMessage()).toMatchObject({ id: prompt.id, content: 'Unregistered', components: [] });
    expect(emu.message(prompt.id)?.content).toBe('Unregistered');
  });

  it('supports deferUpdate followed by an edit of the component message', async () => {
    const bot = await login();
    const received = nextInteraction(bot);
    const handle = emu.dispatchInteraction(buttonInteraction(emu, IN_GENERAL, { custom_id: 'refresh' }));
    const press = await received;
    if (!press.isButton()) throw new Error('expected a button press');
    await press.deferUpdate();
    await press.editReply({ content: 'Refreshed', components: [] });
    expect(handle.responses.map((record) => record.callbackType ?? record.kind)).toEqual([6, 'edit']);
    expect((await handle.finalMessage()).content).toBe('Refreshed');
  });

  it('lets the client resume after close code 4000 and still delivers interactions', async () => {
    const bot = await login();
    emu.closeGateway(4000);
    await emu.waitForResumed(1);
    expect(emu.identifies).toHaveLength(1);
    expect(emu.resumes).toEqual([expect.objectContaining({ token: TOKEN })]);

    const received = nextInteraction(bot);
    const handle = emu.dispatchInteraction(chatInputInteraction(emu, IN_GENERAL, { name: 'credits' }));
    const interaction = await received;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    await interaction.reply('after resume');
    expect((await handle.firstResponse()).callbackType).toBe(4);
  });

  it('replays an interaction dispatched while the connection was down', async () => {
    const bot = await login();
    const received = nextInteraction(bot);
    emu.dropGateway();
    emu.dispatchInteraction(
      chatInputInteraction(emu, { guildId: null, channel: { id: '300000000000000001', type: 1 } }, { name: 'credits' }),
    );
    const interaction = await received;
    expect(interaction.inGuild()).toBe(false);
    expect(emu.resumes).toHaveLength(1);
  });

  it('retries an edit after a 429 with Retry-After', async () => {
    const bot = await login();
    emu.addRestFault({ method: 'PATCH', path: /^\/webhooks\//, status: 429, headers: { 'Retry-After': '0.05' }, times: 1 });
    const received = nextInteraction(bot);
    emu.dispatchInteraction(chatInputInteraction(emu, IN_GENERAL, { name: 'credits' }));
    const interaction = await received;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    await interaction.deferReply();
    expect((await interaction.editReply('after the rate limit')).content).toBe('after the rate limit');
    expect(emu.requests.filter((request) => request.method === 'PATCH')).toHaveLength(2);
  });

  it('posts channel messages and validates them', async () => {
    const bot = await login();
    const channel = bot.channels.cache.get('100000000000000010');
    if (!channel?.isSendable()) throw new Error('expected a sendable channel');
    const sent = await channel.send({ content: 'Low credits @everyone', allowedMentions: { parse: [] } });
    expect(sent.content).toBe('Low credits @everyone');
    expect(emu.channelMessages('100000000000000010')).toEqual([
      expect.objectContaining({ id: sent.id, mention_everyone: false }),
    ]);
    const fetched = await bot.channels.fetch('100000000000000011', { force: true });
    expect(fetched?.isThread()).toBe(true);
  });

  it('answers unknown routes and missing bot auth like Discord', async () => {
    const unknown = await fetch(`${emu.apiUrl}/v10/nothing/here`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/json');
    expect(await unknown.json()).toEqual({ message: '404: Not Found', code: 0 });
    const anonymous = await fetch(`${emu.apiUrl}/v10/users/@me`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ message: '401: Unauthorized', code: 0 });
  });

  it('makes login fail once the token is rejected', async () => {
    emu.rejectToken();
    const bot = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: emu.apiUrl } });
    client = bot;
    await expect(bot.login(TOKEN)).rejects.toMatchObject({ code: 'TokenInvalid' });
  });
});
