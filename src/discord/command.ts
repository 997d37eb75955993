import type { ApplicationCommandOptionType } from 'discord.js';
import {
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  PermissionFlagsBits,
  type APIApplicationCommandOptionChoice,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type ModalSubmitInteraction,
  type StringSelectMenuInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { AlertsView } from '../alerts/monitor.js';
import type { AccountSummary } from '../history/history.js';
import type { StoredReading } from '../history/store.js';
import type { Logger } from '../logger.js';
import type { UseapiClient } from '../useapi/client.js';
import type { Action, ActionRequest } from './actions.js';
import type { Cooldowns } from './cooldown.js';
import type { Responder } from './respond.js';

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * A command's JSON, exactly what is registered with Discord. Written once, `as const`, so the
 * handler's option types can be read off it.
 */
export type CommandDefinition = DeepReadonly<RESTPostAPIChatInputApplicationCommandsJSONBody>;

/** The option kinds the router checks and the handlers' types describe; any other kind does not compile. */
export type SupportedOptionType =
  | ApplicationCommandOptionType.String
  | ApplicationCommandOptionType.Integer
  | ApplicationCommandOptionType.Number
  | ApplicationCommandOptionType.Boolean
  | ApplicationCommandOptionType.Channel;

type SupportedDefinition = CommandDefinition & { readonly options?: readonly { readonly type: SupportedOptionType }[] };

/** Interactions the router has already checked come from a server: `guildId` is a string. */
export type InGuild = 'cached' | 'raw';

/** The settings handlers use. Not the configuration: the bot's own tokens are out of their reach. */
export interface CommandSettings {
  /** The v1 Discord user token `/pixverse-register` sends, when the owner configured one. */
  pixverseDiscordToken: string | undefined;
  defaultMaxJobs: number;
  /** TZ: the zone dates are drawn in on charts. */
  timeZone: string;
}

/** What a handler may read of the credit history. */
export interface HistoryView {
  /** The account's last day of use and forecast, kept ready (no database read). */
  summary(email: string): AccountSummary | undefined;
  readings(query: { email?: string; since: Date }): Promise<StoredReading[]>;
  /** Emails with readings (an account that left useapi.net keeps its history). */
  emails(): Promise<string[]>;
  /** When the next background reading is due; undefined when checks are off or none ran yet. */
  nextCheckAt(): Date | undefined;
}

/** What a handler may use: the useapi client, a way to answer, to sign buttons, and read-only views. */
export interface CommandContext {
  readonly useapi: UseapiClient;
  readonly respond: Responder;
  /** Signs the custom id of a button or form this handler offers. */
  readonly sign: (request: ActionRequest) => string;
  readonly settings: Readonly<CommandSettings>;
  readonly alerts: AlertsView;
  readonly history: HistoryView;
  /** Per-user wait between two `/credits` that ask useapi.net (CREDITS_COOLDOWN). */
  readonly creditsCooldown: Cooldowns;
  readonly logger: Logger;
}

type OptionValue<O> = O extends { type: ApplicationCommandOptionType.String }
  ? string
  : O extends { type: ApplicationCommandOptionType.Integer | ApplicationCommandOptionType.Number }
    ? number
    : O extends { type: ApplicationCommandOptionType.Boolean }
      ? boolean
      : O extends { type: ApplicationCommandOptionType.Channel }
        ? string
        : never;

/**
 * The handler's option object, derived from the definition: `{ email: string | undefined, … }`.
 * Required options are never undefined.
 */
export type OptionsOf<D> = D extends { options: readonly (infer O)[] }
  ? {
      [K in O as K extends { name: infer N extends string } ? N : never]: K extends { required: true }
        ? OptionValue<K>
        : OptionValue<K> | undefined;
    }
  : Record<string, never>;

export interface Command<D extends CommandDefinition = CommandDefinition> {
  data: D;
  /** Runs after the router checked the server, the member's permissions and every option. */
  execute(interaction: ChatInputCommandInteraction<InGuild>, options: OptionsOf<D>, ctx: CommandContext): Promise<void>;
  /** Choices for the focused option; must be quick, autocomplete cannot be deferred. */
  autocomplete?(
    interaction: AutocompleteInteraction<InGuild>,
    focused: { name: string; value: string },
    ctx: CommandContext,
  ): Promise<APIApplicationCommandOptionChoice[]>;
  /**
   * A button or form this command issued. The router has verified the signature, the expiry, who may
   * press it and the member's permissions; the handler still checks the action against the current state.
   */
  button?(interaction: ButtonInteraction<InGuild>, action: Action, ctx: CommandContext): Promise<void>;
  modalSubmit?(interaction: ModalSubmitInteraction<InGuild>, action: Action, ctx: CommandContext): Promise<void>;
  /** A select menu this command issued: its custom id is signed, the values chosen are not (check them). */
  select?(interaction: StringSelectMenuInteraction<InGuild>, action: Action, ctx: CommandContext): Promise<void>;
}

/** Every command here: chat input, installed in servers, usable only inside a server (not in DMs). */
export const GUILD_COMMAND = {
  type: ApplicationCommandType.ChatInput,
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
} as const;

/**
 * A command for server admins: Discord shows it only to members with Manage Server (Administrator
 * implies it), and the router checks the same permission again on every use.
 */
export const ADMIN_COMMAND = {
  ...GUILD_COMMAND,
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
} as const;

/** Keeps `data`'s literal type, so `execute` sees typed options. */
export function defineCommand<const D extends SupportedDefinition>(command: Command<D>): Command<D> {
  return command;
}
