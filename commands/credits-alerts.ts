import { ApplicationCommandOptionType } from 'discord.js';
import { ADMIN_COMMAND, defineCommand, type CommandContext } from '../src/discord/command.js';
import type { ReplyBody } from '../src/presentation/embeds.js';
import { alertStatusEmbed } from '../src/presentation/alerts.js';

const data = {
  name: 'credits-alerts',
  description: 'Show the credit alert settings and what the last check saw; optionally check now',
  ...ADMIN_COMMAND,
  options: [
    {
      type: ApplicationCommandOptionType.Boolean,
      name: 'check_now',
      description: 'Check every account now (and post any alert due) before answering',
    },
  ],
} as const;

async function status(ctx: CommandContext, checkNow: boolean): Promise<ReplyBody> {
  const { alerts } = ctx;
  const check = checkNow ? await alerts.checkNow() : undefined;
  return {
    embeds: [
      alertStatusEmbed({
        ...alerts.settings,
        problem: alerts.problem(),
        lastCheckAt: alerts.lastCheckAt(),
        accounts: alerts.accounts(),
        check,
      }),
    ],
  };
}

export default defineCommand({
  data,
  async execute(interaction, { check_now }, ctx) {
    await ctx.respond.reply(interaction, status(ctx, check_now === true), { ephemeral: true });
  },
});
