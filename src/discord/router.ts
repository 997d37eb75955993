import { setTimeout as sleep } from 'node:timers/promises';
import { DiscordAPIError, MessageFlags, RESTJSONErrorCodes, type Interaction } from 'discord.js';
import type { Logger } from '../logger.js';
import { failureReply } from '../presentation/embeds.js';
import { describeFailure } from '../presentation/failure.js';
import { secondsFromMs } from '../presentation/format.js';
import { UseapiError } from '../useapi/errors.js';
import { Refusal } from '../refusal.js';
import type { Command, CommandContext } from './command.js';
import { Cooldowns } from './cooldown.js';
import { readOptions } from './options.js';
import { sendReply } from './respond.js';
import { isSnowflake } from '../snowflake.js';

export interface RouterOptions {
  commands: readonly Command[];
  context: CommandContext;
  /** When not empty, the only guilds served. */
  guildIds: readonly string[];
  logger: Logger;
  /** Called once per interaction as it ends (metrics). */
  onInteraction?: (command: string, outcome: Outcome, ms: number) => void;
}

/** How an interaction ended, for the one log line each interaction gets. */
export type Outcome = 'ok' | 'refused' | `upstream:${UseapiError['kind']}` | 'expired' | 'bug';

export interface Router {
  dispatch(interaction: Interaction): void;
  /** Stop taking interactions and wait, at most `timeoutMs`, for those under way. */
  drain(timeoutMs: number): Promise<void>;
}

/** Interactions that can no longer be answered: logged as warnings, never retried. */
const GONE_CODES = new Set<number | string>([
  RESTJSONErrorCodes.UnknownInteraction,
  RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged,
]);

/**
 * The single entry point and error boundary for every interaction: it finds the command, checks the
 * guild, the member's permissions and the options against the command's definition, runs the
 * handler, and makes sure the user gets an answer whatever the handler did.
 */
export function createRouter({ commands, context, guildIds, logger, onInteraction }: RouterOptions): Router {
  const byName = new Map(commands.map((command) => [command.data.name, command]));
  const served = new Set(guildIds);
  const inFlight = new Set<Promise<void>>();
  const cooldowns = new Map(
    commands.flatMap((command) =>
      command.cooldownMs ? [[command.data.name, new Cooldowns(command.cooldownMs(context.config))] as const] : [],
    ),
  );
  let accepting = true;

  function commandFor(interaction: Interaction): Command | undefined {
    if (interaction.isChatInputCommand() || interaction.isAutocomplete()) return byName.get(interaction.commandName);
    if (interaction.isModalSubmit() || interaction.isButton()) return byName.get(interaction.customId.split(':')[0] ?? '');
    return undefined;
  }

  /** The gate every command passes, in the order a person would explain it. */
  function checkAccess(interaction: Interaction, command: Command): void {
    if (!interaction.inGuild()) throw new Refusal('This bot works only inside a server, not in direct messages.');
    // Ids from the payload become parts of useapi.net requests; a forged one stops here.
    if (!isSnowflake(interaction.guildId) || (interaction.channelId !== null && !isSnowflake(interaction.channelId))) {
      throw new Refusal('This interaction does not come from a server channel the bot can serve.');
    }
    if (served.size > 0 && !served.has(interaction.guildId)) {
      throw new Refusal('This bot is not set up to serve this server.');
    }
    const required = command.data.default_member_permissions;
    if (required && !interaction.memberPermissions.has(BigInt(required))) {
      throw new Refusal('You need the **Manage Server** permission to use this command.');
    }
  }

  async function run(interaction: Interaction, command: Command): Promise<void> {
    checkAccess(interaction, command);
    if (interaction.isChatInputCommand()) {
      const options = readOptions(command.data, interaction.options.data);
      const wait = cooldowns.get(command.data.name)?.take(interaction.user.id) ?? 0;
      if (wait > 0) throw new Refusal(`You asked a moment ago. Try again in ${secondsFromMs(wait)} s.`);
      await command.execute(interaction, options, context);
    } else if (interaction.isAutocomplete()) {
      const focused = interaction.options.getFocused(true);
      const choices = command.autocomplete
        ? await command.autocomplete(interaction, { name: focused.name, value: String(focused.value) }, context)
        : [];
      await interaction.respond(choices.slice(0, 25));
    } else if (interaction.isModalSubmit() && command.modalSubmit) {
      await command.modalSubmit(interaction, context);
    } else if (interaction.isButton() && command.button) {
      await command.button(interaction, context);
    } else {
      throw new Refusal('This action is not available any more.');
    }
  }

  async function handle(interaction: Interaction): Promise<void> {
    const started = performance.now();
    const command = commandFor(interaction);
    let outcome: Outcome = 'ok';
    try {
      if (!command) throw new Refusal('This command is not known to this bot. It may have been removed; try again in a minute.');
      await run(interaction, command);
    } catch (error) {
      outcome = outcomeOf(error);
      if (outcome === 'bug') logger.error({ err: error, interaction: interaction.id }, 'interaction handler failed');
      if (outcome === 'expired')
        logger.warn(
          { interaction: interaction.id, code: (error as DiscordAPIError).code },
          'interaction could no longer be answered',
        );
      else await answerFailure(interaction, error);
    } finally {
      const ms = performance.now() - started;
      const name = command?.data.name ?? 'unknown';
      onInteraction?.(name, outcome, ms);
      logger.info(
        {
          interaction: interaction.id,
          type: interaction.type,
          command: name,
          guild: interaction.guildId,
          user: interaction.user.id,
          outcome,
          ms: Math.round(ms),
        },
        'interaction handled',
      );
    }
  }

  async function answerFailure(interaction: Interaction, error: unknown): Promise<void> {
    try {
      if (interaction.isAutocomplete()) {
        if (!interaction.responded) await interaction.respond([]);
      } else if (interaction.isRepliable()) {
        await sendReply(interaction, failureReply(describeFailure(error)), { ephemeral: true });
      }
    } catch (answerError) {
      if (isGone(answerError)) {
        logger.warn(
          { interaction: interaction.id, code: (answerError as DiscordAPIError).code },
          'interaction could no longer be answered',
        );
      } else {
        logger.error({ err: answerError, interaction: interaction.id }, 'could not send the failure answer');
      }
    }
  }

  return {
    dispatch(interaction) {
      if (!accepting) {
        if (interaction.isRepliable()) {
          void interaction
            .reply({ content: 'The bot is restarting. Try again in a moment.', flags: MessageFlags.Ephemeral })
            .catch((error: unknown) => logger.warn({ err: error }, 'could not answer during shutdown'));
        }
        return;
      }
      const promise = handle(interaction).finally(() => inFlight.delete(promise));
      inFlight.add(promise);
    },
    async drain(timeoutMs) {
      accepting = false;
      await Promise.race([Promise.allSettled([...inFlight]), sleep(timeoutMs)]);
    },
  };
}

function isGone(error: unknown): boolean {
  return error instanceof DiscordAPIError && GONE_CODES.has(error.code);
}

function outcomeOf(error: unknown): Outcome {
  if (error instanceof Refusal) return 'refused';
  if (error instanceof UseapiError) return `upstream:${error.kind}`;
  if (isGone(error)) return 'expired';
  return 'bug';
}
