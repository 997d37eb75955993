import { DiscordAPIError, MessageFlags, PermissionFlagsBits, type Client } from 'discord.js';
import { PostFailure } from '../alerts/monitor.js';
import type { ReplyBody } from '../presentation/embeds.js';

/** A message the bot posts on its own (an alert, the digest), not as an answer. */
export interface Post extends Omit<ReplyBody, 'files'> {
  /** The one role this message may ping (ALERT_ROLE_ID); none by default. */
  pingRole?: string;
  /** Delivered without a push or desktop notification (the daily digest). */
  silent?: boolean;
}

export type PostChannel = { send(post: Post): Promise<void> } | { problem: string };

const NEEDED = [PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages, PermissionFlagsBits.EmbedLinks];

/**
 * A channel the bot posts in, checked once: it exists, the bot sees it and may post embeds there.
 * `variable` names the setting in what is said when it cannot be used.
 */
export async function openPostChannel(client: Client<true>, channelId: string, variable: string): Promise<PostChannel> {
  const channel = await client.channels.fetch(channelId).catch(() => null);
  if (!channel) return { problem: `${variable} ${channelId}: the bot cannot see that channel (wrong id, or not in that server)` };
  if (!channel.isSendable()) return { problem: `${variable} ${channelId}: not a channel messages can be posted in` };
  if (!channel.isDMBased()) {
    const permissions = channel.permissionsFor(client.user);
    if (!permissions?.has(NEEDED)) {
      return { problem: `${variable} ${channelId}: the bot needs View Channel, Send Messages and Embed Links there` };
    }
  }
  return {
    async send({ pingRole, silent, ...message }) {
      try {
        await channel.send({
          ...message,
          ...(silent ? { flags: MessageFlags.SuppressNotifications } : {}),
          allowedMentions: pingRole ? { parse: [], roles: [pingRole] } : { parse: [] },
        });
      } catch (error) {
        throw new PostFailure(isRefusedForGood(error), { cause: error });
      }
    },
  };
}

/**
 * Discord's 4xx answers (an invalid body, a permission taken away, a deleted channel) would be the
 * same on every retry; 429 and 5xx pass (discord.js has already waited and retried those).
 */
function isRefusedForGood(error: unknown): boolean {
  return error instanceof DiscordAPIError && error.status >= 400 && error.status < 500 && error.status !== 429;
}
