import {
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  PermissionFlagsBits,
  type ApplicationCommandOptionType,
  type APIApplicationCommandOptionChoice,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type ModalSubmitInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { AlertMonitor } from '../alerts/monitor.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { UseapiClient } from '../useapi/client.js';

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

/** The credit monitor, once started, or why it is not running. */
export interface AlertsHandle {
  monitor: AlertMonitor | undefined;
  problem: string | undefined;
}

/** What a handler may use: no HTTP, no Discord wiring, only the useapi client, the monitor and settings. */
export interface CommandContext {
  useapi: UseapiClient;
  config: Config;
  logger: Logger;
  alerts: AlertsHandle;
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
  /** Per-user wait between two runs of the command, from the configuration; absent: none. */
  cooldownMs?(config: Config): number;
  /** Runs after the router checked the guild, the member's permissions and every option. */
  execute(interaction: ChatInputCommandInteraction, options: OptionsOf<D>, ctx: CommandContext): Promise<void>;
  /** Choices for the focused option; must be quick, autocomplete cannot be deferred. */
  autocomplete?(
    interaction: AutocompleteInteraction,
    focused: { name: string; value: string },
    ctx: CommandContext,
  ): Promise<APIApplicationCommandOptionChoice[]>;
  /** Modals and buttons whose custom id starts with `<command name>:`. */
  modalSubmit?(interaction: ModalSubmitInteraction, ctx: CommandContext): Promise<void>;
  button?(interaction: ButtonInteraction, ctx: CommandContext): Promise<void>;
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
export function defineCommand<const D extends CommandDefinition>(command: Command<D>): Command<D> {
  return command;
}
