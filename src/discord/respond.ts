import {
  MessageFlags,
  REST,
  Routes,
  type ButtonInteraction,
  type Interaction,
  type StringSelectMenuInteraction,
  type ModalMessageModalSubmitInteraction,
  type RepliableInteraction,
} from 'discord.js';
import type { ReplyBody, ReplyFile } from '../presentation/embeds.js';

export interface Visibility {
  /** Only the person who ran the command sees the answer. */
  ephemeral: boolean;
}

/** An answer known now goes out as the interaction callback itself; one still being worked out is a promise. */
export type Answer = ReplyBody | Promise<ReplyBody>;

/** No message the bot sends may ping anyone; alerts, which may ping a role, are not sent from here. */
const NO_MENTIONS = { parse: [] };

/**
 * How often the webhook client forgets the per-token rate-limit handlers of answered interactions.
 * Each deferred answer's edit creates one (a webhook's token is its major parameter) and @discordjs/rest
 * only sweeps them hourly by default; handlers still limited are kept, so nothing in use is lost.
 */
const HANDLER_SWEEP_MS = 5_000;

/**
 * Answers interactions. The first response (reply, defer, update, modal) is an interaction callback
 * through discord.js, which already sends callbacks outside the bot's global rate limit. What follows
 * a deferral (the edit, a follow-up) goes through a REST client of its own: interaction webhooks are
 * not bound to the global 50-per-second limit either, but discord.js would queue them behind it, so a
 * burst of slow answers would wait for each other. Per-route limits (and a global 429, should Discord
 * send one) are still honoured by that client. It never carries the bot token: these routes need none.
 */
export class Responder {
  private readonly webhooks: REST;
  /** Interactions whose deferred reply was already replaced by an answer. */
  private readonly edited = new WeakSet<Interaction>();

  constructor(apiUrl: string) {
    this.webhooks = new REST({
      api: apiUrl,
      globalRequestsPerSecond: Number.POSITIVE_INFINITY,
      handlerSweepInterval: HANDLER_SWEEP_MS,
    });
  }

  /** How many per-route handlers the webhook client holds (for the benchmark's memory checkpoints). */
  get handlerCount(): number {
    return this.webhooks.handlers.size;
  }

  /**
   * Answers a command or form: at once when the answer is known, otherwise deferred at once ("thinking…")
   * and edited when it arrives, so Discord's 3-second deadline holds whatever useapi.net does. A failure
   * of `answer` is rethrown for the router, which knows how to answer it in whatever state this left.
   */
  async reply(interaction: RepliableInteraction, answer: Answer, visibility: Visibility): Promise<void> {
    if (!(answer instanceof Promise)) return this.send(interaction, answer, visibility);
    settleQuietly(answer);
    await interaction.deferReply({ flags: flagsFor(visibility) });
    await this.send(interaction, await answer, visibility);
  }

  /** Like `reply`, for a button or a form shown from a message: the message is replaced by the answer. */
  async update(
    interaction: ButtonInteraction | StringSelectMenuInteraction | ModalMessageModalSubmitInteraction,
    answer: Answer,
  ): Promise<void> {
    if (!(answer instanceof Promise)) {
      await interaction.update({ ...callbackBody(replacement(answer)), files: discordFiles(answer.files) });
      return;
    }
    settleQuietly(answer);
    await interaction.deferUpdate();
    await this.editOriginal(interaction, replacement(await answer));
  }

  /** Sends `body` the way the interaction's state allows: reply, edit the deferred reply, or follow up. */
  async send(interaction: RepliableInteraction, body: ReplyBody, visibility: Visibility): Promise<void> {
    if (this.edited.has(interaction)) {
      await this.webhooks.post(Routes.webhook(interaction.applicationId, interaction.token), {
        auth: false,
        query: new URLSearchParams({ wait: 'true' }),
        body: { ...webhookBody(body), flags: flagsFor(visibility) },
        files: restFiles(body.files),
      });
    } else if (interaction.deferred || interaction.replied) {
      await this.editOriginal(interaction, body);
    } else {
      await interaction.reply({ ...callbackBody(body), flags: flagsFor(visibility), files: discordFiles(body.files) });
    }
  }

  /** Stops the webhook client's sweep timer. */
  close(): void {
    this.webhooks.clearHandlerSweeper();
    this.webhooks.clearHashSweeper();
  }

  private async editOriginal(interaction: RepliableInteraction, body: ReplyBody): Promise<void> {
    await this.webhooks.patch(Routes.webhookMessage(interaction.applicationId, interaction.token, '@original'), {
      auth: false,
      body: webhookBody(body),
      files: restFiles(body.files),
    });
    this.edited.add(interaction);
  }
}

/**
 * The answer may fail while the deferral is on its way; it is awaited (and its failure rethrown) right
 * after. Without a handler attached now, Node would report that failure as unhandled in between.
 */
function settleQuietly(answer: Promise<unknown>): void {
  answer.catch(() => undefined);
}

function flagsFor({ ephemeral }: Visibility): MessageFlags.Ephemeral | undefined {
  return ephemeral ? MessageFlags.Ephemeral : undefined;
}

/** A message that replaces another says everything anew: what it leaves out is cleared, not kept. */
function replacement(body: ReplyBody): ReplyBody {
  return { content: '', embeds: [], components: [], ...body };
}

/** discord.js applies the client's `allowedMentions: { parse: [] }` to callbacks itself. */
function callbackBody({ files: _files, ...message }: ReplyBody) {
  return message;
}

function webhookBody({ files, ...message }: ReplyBody) {
  return {
    ...message,
    allowed_mentions: NO_MENTIONS,
    ...(files && files.length > 0
      ? { attachments: files.map((file, index) => ({ id: String(index), filename: file.name })) }
      : {}),
  };
}

function discordFiles(files: ReplyFile[] | undefined) {
  return (files ?? []).map((file) => ({ attachment: file.data, name: file.name }));
}

function restFiles(files: ReplyFile[] | undefined) {
  return (files ?? []).map((file) => ({ name: file.name, data: file.data }));
}
