import { ApplicationCommandOptionType, ChannelType } from 'discord.js';
import { ADMIN_COMMAND, defineCommand, type CommandContext } from '../src/discord/command.js';
import { Refusal } from '../src/refusal.js';
import { respondWith, updateWith } from '../src/discord/respond.js';
import { confirmUnregister, noticeEmbed, COLORS, type ReplyBody } from '../src/presentation/embeds.js';

const NAME = 'pixverse-unregister';
/** How long the Remove button works. */
const CONFIRM_WINDOW_MS = 60_000;
/**
 * `pixverse-unregister:<confirm|cancel>:<channel>:<admin>:<expiry, unix s>`: the button says what it
 * removes, who may press it and until when, so no state is kept between the question and the answer.
 */
const BUTTON_ID = new RegExp(`^${NAME}:(confirm|cancel):(\\d{17,20}):(\\d{17,20}):(\\d{1,12})$`);

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

async function question(ctx: CommandContext, channelId: string, guildId: string, adminId: string): Promise<ReplyBody> {
  const registration = await ctx.useapi.channel(channelId);
  if (!registration) {
    return {
      embeds: [noticeEmbed('Not registered', `<#${channelId}> is not registered with useapi.net; there is nothing to remove.`)],
    };
  }
  if (registration.server !== guildId) {
    throw new Refusal('That registration belongs to another server; run the command there.');
  }
  const expiresAt = new Date(Date.now() + CONFIRM_WINDOW_MS);
  const suffix = `${channelId}:${adminId}:${Math.floor(expiresAt.getTime() / 1000)}`;
  return confirmUnregister(registration, { confirm: `${NAME}:confirm:${suffix}`, cancel: `${NAME}:cancel:${suffix}` }, expiresAt);
}

async function remove(ctx: CommandContext, channelId: string): Promise<ReplyBody> {
  const removed = await ctx.useapi.unregisterChannel(channelId);
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
    await respondWith(interaction, question(ctx, channelId, interaction.guildId!, interaction.user.id), { ephemeral: true });
  },

  async button(interaction, ctx) {
    const match = BUTTON_ID.exec(interaction.customId);
    if (!match) throw new Refusal('This button is not valid any more; run `/pixverse-unregister` again.');
    const [, action, channelId = '', adminId, expiry] = match;
    if (interaction.user.id !== adminId)
      throw new Refusal('Only the admin who ran `/pixverse-unregister` can answer this question.');
    if (action === 'cancel') {
      await interaction.update({ embeds: [noticeEmbed('Cancelled', `<#${channelId}> stays registered.`)], components: [] });
      return;
    }
    if (Date.now() > Number(expiry) * 1000) {
      await interaction.update({
        embeds: [
          noticeEmbed('Question expired', 'Nothing was removed. Run `/pixverse-unregister` again to remove the registration.'),
        ],
        components: [],
      });
      return;
    }
    await updateWith(interaction, remove(ctx, channelId));
  },
});
