import { ADMIN_COMMAND, defineCommand, type CommandContext } from '../src/discord/command.js';
import { emailAccountsEmbed, registrationsEmbed, type Listing, type ReplyBody } from '../src/presentation/embeds.js';
import { describeFailure } from '../src/presentation/failure.js';

const data = {
  name: 'pixverse-accounts',
  description: 'List the PixVerse accounts on useapi.net: v1 channel registrations and v2 email accounts',
  ...ADMIN_COMMAND,
} as const;

function listing<T>(result: PromiseSettledResult<T[]>): Listing<T> {
  return result.status === 'fulfilled'
    ? { ok: true, items: result.value }
    : { ok: false, failure: describeFailure(result.reason) };
}

/** Both lists at once; one that fails is shown as failed beside the other. */
async function overview(ctx: CommandContext, guildId: string): Promise<ReplyBody> {
  const [channels, accounts] = await Promise.allSettled([ctx.useapi.channels(), ctx.useapi.accounts()]);
  if (channels.status === 'rejected' && accounts.status === 'rejected') throw channels.reason;
  return {
    content: 'useapi.net keeps two separate lists: v1 channels (`/pixverse-register`) and v2 email accounts (`/credits`).',
    embeds: [registrationsEmbed(listing(channels), guildId), emailAccountsEmbed(listing(accounts))],
  };
}

export default defineCommand({
  data,
  async execute(interaction, _options, ctx) {
    await ctx.respond.reply(interaction, overview(ctx, interaction.guildId), { ephemeral: true });
  },
});
