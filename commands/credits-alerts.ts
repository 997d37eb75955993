import { ApplicationCommandOptionType } from 'discord.js';
import { ADMIN_COMMAND, defineCommand, type CommandContext } from '../src/discord/command.js';
import { respondWith } from '../src/discord/respond.js';
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
  const { monitor, problem } = ctx.alerts;
  const posted = checkNow && monitor ? (await monitor.check()).length : undefined;
  const snapshot = monitor?.snapshot();
  const { alerts } = ctx.config;
  return {
    embeds: [
      alertStatusEmbed({
        channelId: alerts.channelId,
        roleId: alerts.roleId,
        problem,
        settings: { creditsBelow: alerts.creditsBelow, expiryDays: alerts.expiryDays, intervalMs: alerts.checkIntervalMs },
        lastCheckAt: snapshot?.lastCheckAt,
        accounts: Object.entries(snapshot?.memory?.accounts ?? {}).map(([email, memory]) => ({ email, memory })),
        posted,
      }),
    ],
  };
}

export default defineCommand({
  data,
  async execute(interaction, { check_now }, ctx) {
    await respondWith(interaction, status(ctx, check_now === true), { ephemeral: true });
  },
});
