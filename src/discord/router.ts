import { setTimeout as sleep } from 'node:timers/promises';
import { DiscordAPIError, MessageFlags, RESTJSONErrorCodes, type Interaction, type PermissionsString } from 'discord.js';
import type { Logger } from '../logger.js';
import { failureReply } from '../presentation/embeds.js';
import { describeFailure } from '../presentation/failure.js';
import { Refusal, type RefusalCode } from '../refusal.js';
import { isSnowflake } from '../snowflake.js';
import { UseapiError } from '../useapi/errors.js';
import { claimedCommand, type Action, type ActionSigner } from './actions.js';
import type { Command, CommandContext, InGuild } from './command.js';
import { readOptions } from './options.js';

export interface RouterOptions {
  commands: readonly Command[];
  context: CommandContext;
  /** Verifies the custom ids of buttons and forms. */
  actions: Pick<ActionSigner, 'verify'>;
  /** When not empty, the only guilds served. */
  guildIds: readonly string[];
  logger: Logger;
  /** Called once per interaction as it ends (metrics). */
  onInteraction?: (command: string, outcome: Outcome, ms: number) => void;
}

/** How an interaction ended, for the one log line each interaction gets and the metrics. */
export type Outcome = 'ok' | `refused:${RefusalCode}` | `upstream:${UseapiError['kind']}` | 'expired' | 'bug';

export interface Router {
  dispatch(interaction: Interaction): void;
  /** Stops taking interactions (from the first call on) and waits, at most `timeoutMs`, for those under way. */
  drain(timeoutMs: number): Promise<void>;
}

/** Interactions that can no longer be answered: logged as warnings, never retried. */
const GONE_CODES = new Set<number | string>([
  RESTJSONErrorCodes.UnknownInteraction,
  RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged,
]);

/** Permission names as Server Settings shows them, for the few the commands ask for. */
const PERMISSION_NAMES: Partial<Record<PermissionsString, string>> = { ManageGuild: 'Manage Server' };

/**
 * The single entry point and error boundary for every interaction: it finds the command, checks the
 * server, the member's permissions, the options or the signed custom id against what the bot issued,
 * runs the handler, and makes sure the user gets an answer whatever the handler did.
 */
export function createRouter({ commands, context, actions, guildIds, logger, onInteraction }: RouterOptions): Router {
  const byName = new Map(commands.map((command) => [command.data.name, command]));
  const served = new Set(guildIds);
  const inFlight = new Set<Promise<void>>();
  let accepting = true;

  function commandFor(interaction: Interaction): Command | undefined {
    if (interaction.isChatInputCommand() || interaction.isAutocomplete()) return byName.get(interaction.commandName);
    if (interaction.isModalSubmit() || interaction.isButton() || interaction.isStringSelectMenu()) {
      return byName.get(claimedCommand(interaction.customId));
    }
    return undefined;
  }

  /** The gate every command passes, in the order a person would explain it. */
  function checkAccess(interaction: Interaction, command: Command): asserts interaction is Interaction<InGuild> {
    if (!interaction.inGuild())
      throw new Refusal('direct-message', 'This bot works only inside a server, not in direct messages.');
    // Ids from the payload become parts of useapi.net requests; a forged one stops here.
    if (!isSnowflake(interaction.guildId) || (interaction.channelId !== null && !isSnowflake(interaction.channelId))) {
      throw new Refusal('malformed-interaction', 'This interaction does not come from a server channel the bot can serve.');
    }
    if (served.size > 0 && !served.has(interaction.guildId)) {
      throw new Refusal('guild-not-served', 'This bot is not set up to serve this server.');
    }
    const required = command.data.default_member_permissions;
    if (!required) return;
    const granted = interaction.memberPermissions;
    if (!granted) {
      throw new Refusal(
        'malformed-interaction',
        'Discord did not say what you may do here, so the bot cannot check it. Try again.',
      );
    }
    const missing = granted.missing(BigInt(required));
    if (missing.length > 0) {
      const names = missing.map((name) => `**${PERMISSION_NAMES[name] ?? name}**`).join(' and ');
      throw new Refusal('missing-permission', `You need the ${names} permission to use this command.`);
    }
  }

  /** The action behind a button or form: signed by this bot, for this command, for this member. */
  function verifiedAction(customId: string, command: Command, userId: string): Action {
    const action = actions.verify(customId);
    if (action.command !== command.data.name) {
      throw new Refusal('forged-action', 'This button or form was not made by this bot. Run the command again.');
    }
    if (action.userId !== undefined && action.userId !== userId) {
      throw new Refusal('not-invoker', `Only the admin who ran \`/${command.data.name}\` can answer this question.`);
    }
    return action;
  }

  async function run(interaction: Interaction, command: Command): Promise<void> {
    checkAccess(interaction, command);
    if (interaction.isChatInputCommand()) {
      await command.execute(interaction, readOptions(command.data, interaction.options.data), context);
    } else if (interaction.isAutocomplete()) {
      const focused = interaction.options.getFocused(true);
      const choices = command.autocomplete
        ? await command.autocomplete(interaction, { name: focused.name, value: String(focused.value) }, context)
        : [];
      await interaction.respond(choices.slice(0, 25));
    } else if (interaction.isModalSubmit() && command.modalSubmit) {
      await command.modalSubmit(interaction, verifiedAction(interaction.customId, command, interaction.user.id), context);
    } else if (interaction.isButton() && command.button) {
      await command.button(interaction, verifiedAction(interaction.customId, command, interaction.user.id), context);
    } else if (interaction.isStringSelectMenu() && command.select) {
      await command.select(interaction, verifiedAction(interaction.customId, command, interaction.user.id), context);
    } else {
      throw new Refusal('unknown-command', 'This action is not available any more.');
    }
  }

  async function handle(interaction: Interaction): Promise<void> {
    const started = performance.now();
    const command = commandFor(interaction);
    let outcome: Outcome = 'ok';
    try {
      if (!command) {
        throw new Refusal(
          'unknown-command',
          'This command is not known to this bot. It may have been removed; try again in a minute.',
        );
      }
      await run(interaction, command);
    } catch (error) {
      outcome = outcomeOf(error);
      if (outcome === 'bug') logger.error({ err: error, interaction: interaction.id }, 'interaction handler failed');
      if (outcome === 'expired') {
        logger.warn(
          { interaction: interaction.id, code: (error as DiscordAPIError).code },
          'interaction could no longer be answered',
        );
      } else {
        await answerFailure(interaction, error);
      }
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
        await context.respond.send(interaction, failureReply(describeFailure(error)), { ephemeral: true });
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
      await Promise.race([Promise.allSettled([...inFlight]), sleep(timeoutMs, undefined, { ref: false })]);
    },
  };
}

function isGone(error: unknown): boolean {
  return error instanceof DiscordAPIError && GONE_CODES.has(error.code);
}

function outcomeOf(error: unknown): Outcome {
  if (error instanceof Refusal) return `refused:${error.code}`;
  if (error instanceof UseapiError) return `upstream:${error.kind}`;
  if (isGone(error)) return 'expired';
  return 'bug';
}
