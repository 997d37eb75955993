import { randomBytes } from 'node:crypto';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ComponentType,
  InteractionContextType,
  InteractionType,
  Locale,
  MessageType,
  type APIApplicationCommandAutocompleteDMInteraction,
  type APIApplicationCommandAutocompleteGuildInteraction,
  type APIApplicationCommandAutocompleteInteraction,
  type APIApplicationCommandInteractionDataOption,
  type APIChatInputApplicationCommandDMInteraction,
  type APIChatInputApplicationCommandGuildInteraction,
  type APIChatInputApplicationCommandInteraction,
  type APIInteractionDataResolved,
  type APIInteractionDataResolvedChannel,
  type APIInteractionGuildMember,
  type APIMessage,
  type APIMessageComponentInteraction,
  type APIMessageComponentInteractionData,
  type APIMessageStringSelectInteractionData,
  type APIModalSubmission,
  type APIModalSubmitDMInteraction,
  type APIModalSubmitGuildInteraction,
  type APIModalSubmitInteraction,
  type APIMessageComponentDMInteraction,
  type APIMessageComponentGuildInteraction,
  type APIUser,
  type ChannelType,
  type ThreadChannelType,
} from 'discord-api-types/v10';
import type { DiscordEmulator } from './emulator.js';
import { BOT_PERMISSIONS, MEMBER_PERMISSIONS, guildMember, plainUser, isThread } from './guilds.js';
import { snowflake } from './snowflake.js';

export interface InvokerFixture {
  /** null: the command was used in a DM with the bot. */
  guildId: string | null;
  channel: { id: string; type: number; name?: string; parent_id?: string };
  userId?: string;
  /** The member's permissions as a decimal bitfield; defaults to an ordinary member's. */
  permissions?: string;
  locale?: Locale;
}

type CommandOptions = APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommand>[];
type AutocompleteOptions = APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommandAutocomplete>[];
type InteractionChannel = NonNullable<APIChatInputApplicationCommandInteraction['channel']>;

// Discord's current upload limit for servers without boosts.
const ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;
const DEFAULT_USER_ID = '200000000000000001';

export function chatInputInteraction(
  emu: DiscordEmulator,
  invoker: InvokerFixture,
  command: { name: string; id?: string; options?: CommandOptions },
): APIChatInputApplicationCommandInteraction {
  const data = {
    ...commandIdentity(emu, invoker, command),
    type: ApplicationCommandType.ChatInput as const,
    ...(command.options ? { options: command.options } : {}),
    ...resolvedFor(emu, command.options ?? []),
  };
  const type = InteractionType.ApplicationCommand as const;
  if (invoker.guildId === null) {
    return { ...common(emu, invoker), ...dmFields(invoker), type, data } satisfies APIChatInputApplicationCommandDMInteraction;
  }
  return {
    ...common(emu, invoker),
    ...guildFields(invoker, invoker.guildId),
    type,
    data,
  } satisfies APIChatInputApplicationCommandGuildInteraction;
}

export function autocompleteInteraction(
  emu: DiscordEmulator,
  invoker: InvokerFixture,
  command: { name: string; id?: string; options: AutocompleteOptions },
): APIApplicationCommandAutocompleteInteraction {
  const data = {
    ...commandIdentity(emu, invoker, command),
    type: ApplicationCommandType.ChatInput as const,
    options: command.options,
  };
  const type = InteractionType.ApplicationCommandAutocomplete as const;
  if (invoker.guildId === null) {
    return {
      ...common(emu, invoker),
      ...dmFields(invoker),
      type,
      data,
    } satisfies APIApplicationCommandAutocompleteDMInteraction;
  }
  return {
    ...common(emu, invoker),
    ...guildFields(invoker, invoker.guildId),
    type,
    data,
  } satisfies APIApplicationCommandAutocompleteGuildInteraction;
}

/**
 * A submitted modal: a text value is a text input (one per action row), a list of values a select
 * inside a label, as Discord sends each (custom_id → value or values).
 */
export function modalSubmitInteraction(
  emu: DiscordEmulator,
  invoker: InvokerFixture,
  submitted: { custom_id: string; fields: Record<string, string | string[]> },
): APIModalSubmitInteraction {
  const data: APIModalSubmission = {
    custom_id: submitted.custom_id,
    components: Object.entries(submitted.fields).map(([customId, value]) =>
      typeof value === 'string'
        ? { type: ComponentType.ActionRow, components: [{ type: ComponentType.TextInput, custom_id: customId, value }] }
        : { type: ComponentType.Label, component: { type: ComponentType.StringSelect, custom_id: customId, values: value } },
    ),
  };
  const type = InteractionType.ModalSubmit as const;
  if (invoker.guildId === null) {
    return { ...common(emu, invoker), ...dmFields(invoker), type, data } satisfies APIModalSubmitDMInteraction;
  }
  return {
    ...common(emu, invoker),
    ...guildFields(invoker, invoker.guildId),
    type,
    data,
  } satisfies APIModalSubmitGuildInteraction;
}

/**
 * A press on a button. With `messageId` of a message the emulator knows (a reply the bot sent), the
 * interaction carries that message as it stands; otherwise a bot message holding just this button.
 */
export function buttonInteraction(
  emu: DiscordEmulator,
  invoker: InvokerFixture,
  pressed: { custom_id: string; messageId?: string },
): APIMessageComponentInteraction {
  return componentInteraction(
    emu,
    invoker,
    { custom_id: pressed.custom_id, component_type: ComponentType.Button },
    pressed.messageId,
  );
}

/** A choice in a string select menu: `values` as Discord sends them (the options' values). */
export function selectInteraction(
  emu: DiscordEmulator,
  invoker: InvokerFixture,
  chosen: { custom_id: string; values: string[]; messageId?: string },
): APIMessageComponentInteraction {
  const data: APIMessageStringSelectInteractionData = {
    custom_id: chosen.custom_id,
    component_type: ComponentType.StringSelect,
    values: chosen.values,
  };
  return componentInteraction(emu, invoker, data, chosen.messageId);
}

function componentInteraction(
  emu: DiscordEmulator,
  invoker: InvokerFixture,
  data: APIMessageComponentInteractionData,
  messageId: string | undefined,
): APIMessageComponentInteraction {
  const known = messageId === undefined ? undefined : emu.message(messageId);
  const message = known ?? buttonMessage(emu, invoker, data.custom_id, messageId);
  const type = InteractionType.MessageComponent as const;
  if (invoker.guildId === null) {
    return {
      ...common(emu, invoker),
      ...dmFields(invoker),
      type,
      data,
      message,
    } satisfies APIMessageComponentDMInteraction;
  }
  return {
    ...common(emu, invoker),
    ...guildFields(invoker, invoker.guildId),
    type,
    data,
    message,
  } satisfies APIMessageComponentGuildInteraction;
}

function common(emu: DiscordEmulator, invoker: InvokerFixture) {
  const locale = invoker.locale ?? Locale.EnglishUS;
  return {
    id: snowflake(),
    application_id: emu.applicationId,
    token: `emulated-interaction-${randomBytes(32).toString('base64url')}`,
    version: 1 as const,
    app_permissions: BOT_PERMISSIONS,
    locale,
    entitlements: [],
    attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
    channel: interactionChannel(invoker),
    channel_id: invoker.channel.id,
  };
}

function guildFields(invoker: InvokerFixture, guildId: string) {
  const member: APIInteractionGuildMember = {
    ...guildMember(plainUser(invoker.userId ?? DEFAULT_USER_ID), new Date(0).toISOString()),
    permissions: invoker.permissions ?? MEMBER_PERMISSIONS,
  };
  return {
    guild_id: guildId,
    guild: { id: guildId, locale: Locale.EnglishUS, features: [] },
    guild_locale: Locale.EnglishUS,
    member,
    authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: guildId },
    context: InteractionContextType.Guild,
  };
}

function dmFields(invoker: InvokerFixture) {
  return {
    user: plainUser(invoker.userId ?? DEFAULT_USER_ID),
    // A guild-installed app used in its bot DM is authorised by the "0" (no guild) owner.
    authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: '0' },
    context: InteractionContextType.BotDM,
  };
}

function interactionChannel(invoker: InvokerFixture): InteractionChannel {
  const { channel } = invoker;
  return {
    id: channel.id,
    type: channel.type as ChannelType,
    ...(channel.name === undefined ? {} : { name: channel.name }),
    ...(invoker.guildId === null ? {} : { guild_id: invoker.guildId }),
    ...(channel.parent_id === undefined ? {} : { parent_id: channel.parent_id }),
  } as InteractionChannel;
}

function commandIdentity(emu: DiscordEmulator, invoker: InvokerFixture, command: { name: string; id?: string }) {
  const registered = emu.registeredCommand(command.name, invoker.guildId);
  return {
    id: command.id ?? registered?.id ?? snowflake(),
    name: command.name,
    ...(registered?.guild_id ? { guild_id: registered.guild_id } : {}),
  };
}

/** Fills `resolved` for channel and user options, which discord.js reads them from. */
function resolvedFor(emu: DiscordEmulator, options: CommandOptions): { resolved?: APIInteractionDataResolved } {
  const channels: Record<string, APIInteractionDataResolvedChannel> = {};
  const users: Record<string, APIUser> = {};
  const visit = (list: CommandOptions): void => {
    for (const option of list) {
      if (
        option.type === ApplicationCommandOptionType.Subcommand ||
        option.type === ApplicationCommandOptionType.SubcommandGroup
      ) {
        visit(option.options ?? []);
      } else if (option.type === ApplicationCommandOptionType.Channel) {
        const found = emu.findChannel(option.value);
        if (found) channels[option.value] = resolvedChannel(found.channel);
      } else if (option.type === ApplicationCommandOptionType.User) {
        users[option.value] = plainUser(option.value);
      }
    }
  };
  visit(options);
  const resolved: APIInteractionDataResolved = {
    ...(Object.keys(channels).length > 0 ? { channels } : {}),
    ...(Object.keys(users).length > 0 ? { users } : {}),
  };
  return Object.keys(resolved).length > 0 ? { resolved } : {};
}

function resolvedChannel(channel: { id: string; name: string; type: number; parent_id?: string }) {
  if (isThread(channel)) {
    return {
      id: channel.id,
      name: channel.name,
      type: channel.type as ThreadChannelType,
      permissions: BOT_PERMISSIONS,
      ...(channel.parent_id === undefined ? {} : { parent_id: channel.parent_id }),
      thread_metadata: {
        archived: false,
        auto_archive_duration: 1440 as const,
        archive_timestamp: new Date(0).toISOString(),
        locked: false,
      },
    } satisfies APIInteractionDataResolvedChannel;
  }
  return {
    id: channel.id,
    name: channel.name,
    type: channel.type,
    permissions: BOT_PERMISSIONS,
  } as APIInteractionDataResolvedChannel;
}

function buttonMessage(emu: DiscordEmulator, invoker: InvokerFixture, customId: string, id?: string): APIMessage {
  return {
    id: id ?? snowflake(),
    channel_id: invoker.channel.id,
    author: emu.botUser,
    content: '',
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: MessageType.Default,
    components: [
      {
        type: ComponentType.ActionRow,
        components: [{ type: ComponentType.Button, style: 1, label: 'Button', custom_id: customId }],
      },
    ],
  };
}
