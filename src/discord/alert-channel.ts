import { DiscordAPIError, PermissionFlagsBits, type Client } from 'discord.js';
import { PostFailure } from '../alerts/monitor.js';
import type { Incident } from '../alerts/rules.js';
import type { Config } from '../config.js';
import { alertEmbed } from '../presentation/alerts.js';

export type AlertChannel = { post: (incident: Incident) => Promise<void> } | { problem: string };

const NEEDED = [PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages, PermissionFlagsBits.EmbedLinks];

/**
 * The alert channel, checked once: it exists, the bot sees it and may post embeds there. Alerts
 * may ping `ALERT_ROLE_ID` and nothing else; without it they ping no one.
 */
export async function openAlertChannel(client: Client<true>, alerts: Config['alerts']): Promise<AlertChannel> {
  const { channelId, roleId } = alerts;
  if (!channelId) return { problem: 'ALERT_CHANNEL_ID is not set' };
  const channel = await client.channels.fetch(channelId).catch(() => null);
  if (!channel)
    return { problem: `ALERT_CHANNEL_ID ${channelId}: the bot cannot see that channel (wrong id, or not in that server)` };
  if (!channel.isSendable()) return { problem: `ALERT_CHANNEL_ID ${channelId}: not a channel messages can be posted in` };
  if (!channel.isDMBased()) {
    const permissions = channel.permissionsFor(client.user);
    if (!permissions?.has(NEEDED)) {
      return { problem: `ALERT_CHANNEL_ID ${channelId}: the bot needs View Channel, Send Messages and Embed Links there` };
    }
  }
  return {
    async post(incident) {
      try {
        await channel.send({
          ...(roleId ? { content: `<@&${roleId}>` } : {}),
          embeds: [alertEmbed(incident)],
          allowedMentions: roleId ? { parse: [], roles: [roleId] } : { parse: [] },
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
