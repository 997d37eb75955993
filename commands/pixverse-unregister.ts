import { ApplicationCommandOptionType, ChannelType } from 'discord.js';
import { ADMIN_COMMAND, defineCommand, type CommandContext } from '../src/discord/command.js';
import { COLORS, confirmUnregister, noticeEmbed, type ReplyBody } from '../src/presentation/embeds.js';
import { Refusal } from '../src/refusal.js';

const NAME = 'pixverse-unregister';
/** How long the Remove button works. */
const CONFIRM_WINDOW_MS = 60_000;

const data = {
  name: NAME,
  description: 'Remove a channel’s registration with useapi.net (asks for confirmation)',
  ...ADMIN_COMMAND,
  options: [
    {
      type: ApplicationCommandOptionType.Channel,
      name: 'channel',
      description: 'The registered channel or thread (default: this one)',
      channel_types: [
        ChannelType.GuildText,
        ChannelType.GuildAnnouncement,
        ChannelType.PublicThread,
        ChannelType.PrivateThread,
        ChannelType.AnnouncementThread,
      ],
    },
  ],
} as const;

const otherServer = () => new Refusal('other-server', 'That registration belongs to another server; run the command there.');

/** The question before a channel is unregistered: also what the console asks after its select. */
export async function question(ctx: CommandContext, channelId: string, guildId: string, adminId: string): Promise<ReplyBody> {
  const registration = await ctx.useapi.channel(channelId);
  if (!registration) {
    return {
      embeds: [noticeEmbed('Not registered', `<#${channelId}> is not registered with useapi.net; there is nothing to remove.`)],
    };
  }
  if (registration.server !== guildId) throw otherServer();
  const button = (name: 'confirm' | 'cancel') =>
    ctx.sign({ command: NAME, name, args: [channelId], userId: adminId, validForMs: CONFIRM_WINDOW_MS });
  const expiresAt = new Date(Date.now() + CONFIRM_WINDOW_MS);
  return confirmUnregister(registration, { confirm: button('confirm'), cancel: button('cancel') }, expiresAt);
}

/**
 * Removes the registration only if, right now, it still exists and belongs to this server: the
 * button was issued for this server, but the registration may have changed hands since.
 */
async function remove(ctx: CommandContext, channelId: string, guildId: string): Promise<ReplyBody> {
  const registration = await ctx.useapi.channel(channelId);
  if (registration && registration.server !== guildId) throw otherServer();
  const removed = registration !== undefined && (await ctx.useapi.unregisterChannel(channelId));
  return {
    embeds: [
      removed
        ? noticeEmbed('Registration removed', `<#${channelId}> is no longer registered with useapi.net.`, COLORS.ok)
        : noticeEmbed(
            'Was not registered',
            `<#${channelId}> was not registered with useapi.net (already removed?). Nothing changed.`,
          ),
    ],
  };
}

export default defineCommand({
  data,

  async execute(interaction, { channel }, ctx) {
    const channelId = channel ?? interaction.channelId;
    await ctx.respond.reply(interaction, question(ctx, channelId, interaction.guildId, interaction.user.id), { ephemeral: true });
  },

  async button(interaction, action, ctx) {
    const [channelId = ''] = action.args;
    if (action.name === 'cancel') {
      await ctx.respond.update(interaction, { embeds: [noticeEmbed('Cancelled', `<#${channelId}> stays registered.`)] });
      return;
    }
    if (action.name !== 'confirm')
      throw new Refusal('forged-action', 'This button is not valid any more; run `/pixverse-unregister` again.');
    await ctx.respond.update(interaction, remove(ctx, channelId, interaction.guildId));
  },
});
