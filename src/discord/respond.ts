import { setTimeout as sleep } from 'node:timers/promises';
import { MessageFlags, type RepliableInteraction } from 'discord.js';
import type { ReplyBody } from '../presentation/embeds.js';

export interface Visibility {
  /** Only the person who ran the command sees the answer. */
  ephemeral: boolean;
}

/**
 * How long a handler's answer may take before the interaction is deferred. Under it, the answer goes
 * out as the interaction callback itself: one request instead of two, and callbacks are not held by
 * discord.js's global 50-per-second limiter the way webhook edits are.
 */
export const FAST_ANSWER_MS = 250;

/** Sends `body` the way the interaction's state allows: reply, edit the deferred reply, or follow up. */
export async function sendReply(interaction: RepliableInteraction, body: ReplyBody, { ephemeral }: Visibility): Promise<void> {
  if (interaction.deferred && !interaction.replied) {
    await interaction.editReply(body);
  } else if (interaction.replied) {
    await interaction.followUp({ ...body, flags: ephemeral ? MessageFlags.Ephemeral : undefined });
  } else {
    await interaction.reply({ ...body, flags: ephemeral ? MessageFlags.Ephemeral : undefined });
  }
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
  const settled = work.then(
    () => true,
    () => true,
  );
  const ready = await Promise.race([settled, sleep(fastMs, false)]);
  if (!ready) await interaction.deferReply({ flags: visibility.ephemeral ? MessageFlags.Ephemeral : undefined });
  await sendReply(interaction, await work, visibility);
}
