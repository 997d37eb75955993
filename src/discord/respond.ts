import { MessageFlags, type MessageComponentInteraction, type RepliableInteraction } from 'discord.js';
import type { ReplyBody } from '../presentation/embeds.js';

export interface Visibility {
  /** Only the person who ran the command sees the answer. */
  ephemeral: boolean;
}

/**
 * How long a handler's answer may take before the interaction is deferred. An answer ready by then
 * (cached, or coalesced onto a request about to land) goes out as the interaction callback itself:
 * one request instead of two, and callbacks skip discord.js's global 50-per-second limiter that
 * holds webhook edits. Anything slower is deferred at once, so the acknowledgement stays in the
 * tens of milliseconds (measured in docs/benchmarks.md).
 */
export const FAST_ANSWER_MS = 25;

const flagsFor = ({ ephemeral }: Visibility) => (ephemeral ? MessageFlags.Ephemeral : undefined);

/** Sends `body` the way the interaction's state allows: reply, edit the deferred reply, or follow up. */
export async function sendReply(interaction: RepliableInteraction, body: ReplyBody, visibility: Visibility): Promise<void> {
  if (interaction.deferred && !interaction.replied) {
    await interaction.editReply(body);
  } else if (interaction.replied) {
    await interaction.followUp({ ...body, flags: flagsFor(visibility) });
  } else {
    await interaction.reply({ ...body, flags: flagsFor(visibility) });
  }
}

/** Resolves true once `work` settles, false when `ms` passes first. A plain timer: this runs per interaction. */
function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms, false);
    const settled = () => {
      clearTimeout(timer);
      resolve(true);
    };
    work.then(settled, settled);
  });
}

/**
 * Answers with the result of `work`: directly when it is ready within `fastMs`, otherwise after a
 * deferral, so Discord's 3-second deadline holds whatever useapi.net does. A failure of `work` is
 * rethrown for the router to answer (it knows whether the interaction was deferred).
 */
export async function respondWith(
  interaction: RepliableInteraction,
  work: Promise<ReplyBody>,
  visibility: Visibility,
  fastMs = FAST_ANSWER_MS,
): Promise<void> {
  if (!(await settlesWithin(work, fastMs))) await interaction.deferReply({ flags: flagsFor(visibility) });
  await sendReply(interaction, await work, visibility);
}

/**
 * Like `respondWith`, for a button: the message the button sits on is replaced by the result
 * (update), after a deferred update when the work is slow.
 */
export async function updateWith(
  interaction: MessageComponentInteraction,
  work: Promise<ReplyBody>,
  fastMs = FAST_ANSWER_MS,
): Promise<void> {
  if (!(await settlesWithin(work, fastMs))) await interaction.deferUpdate();
  const body = { components: [], ...(await work) };
  await (interaction.deferred ? interaction.editReply(body) : interaction.update(body));
}
