import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationCommandOptionType } from 'discord.js';
import { GUILD_COMMAND, defineCommand, type CommandContext } from '../src/discord/command.js';
import { respondWith } from '../src/discord/respond.js';
import { creditsEmbed, failedAccountEmbed, noticeEmbed, type ReplyBody } from '../src/presentation/embeds.js';
import { describeFailure } from '../src/presentation/failure.js';
import { formatNumber, plural } from '../src/presentation/format.js';
import { spendableCredits } from '../src/useapi/schemas.js';

/** With nothing known yet, how long autocomplete waits for the list (its deadline is 3 s). */
const AUTOCOMPLETE_WAIT_MS = 1_500;
/** A message holds at most 10 embeds; a subscription holds at most 3 PixVerse accounts. */
const MAX_ACCOUNT_EMBEDS = 10;

const data = {
  name: 'credits',
  description: 'Show the PixVerse credits left on the useapi.net account(s)',
  ...GUILD_COMMAND,
  options: [
    {
      type: ApplicationCommandOptionType.String,
      name: 'email',
      description: 'Which PixVerse account (default: every configured account)',
      autocomplete: true,
      max_length: 254,
    },
    {
      type: ApplicationCommandOptionType.Boolean,
      name: 'share',
      description: 'Post the answer in the channel for everyone (default: only you see it)',
    },
  ],
} as const;

async function oneAccount(ctx: CommandContext, email: string | undefined): Promise<ReplyBody> {
  return { embeds: [creditsEmbed(email, await ctx.useapi.features(email))] };
}

/** Every account at once; one that fails is shown as failed while the others still show their credits. */
async function everyAccount(ctx: CommandContext): Promise<ReplyBody> {
  const accounts = await ctx.useapi.accounts();
  if (accounts.length === 0) {
    return {
      embeds: [
        noticeEmbed(
          'No PixVerse account on useapi.net',
          'useapi.net has no PixVerse (v2) account configured for this API token. Add one on useapi.net (`POST /v2/pixverse/accounts`), then run `/credits` again.',
        ),
      ],
    };
  }
  if (accounts.length === 1) return oneAccount(ctx, accounts[0]!.email);

  const shown = accounts.slice(0, MAX_ACCOUNT_EMBEDS);
  // The client bounds how many requests are open at once; the rest wait in its queue.
  const results = await Promise.allSettled(shown.map((account) => ctx.useapi.features(account.email)));
  let total = 0;
  let failed = 0;
  const embeds = results.map((result, index) => {
    const email = shown[index]!.email;
    if (result.status === 'fulfilled') {
      total += spendableCredits(result.value);
      return creditsEmbed(email, result.value);
    }
    failed += 1;
    return failedAccountEmbed(email, describeFailure(result.reason));
  });
  if (failed === results.length) throw (results[0] as PromiseRejectedResult).reason;
  const lines = [`**${formatNumber(total)}** credits left to spend across ${plural(shown.length - failed, 'account')}.`];
  if (failed > 0) lines.push(`${plural(failed, 'account')} could not be read; see below.`);
  if (accounts.length > shown.length) {
    lines.push(`Showing ${shown.length} of ${accounts.length} accounts; pick one with the \`email\` option.`);
  }
  return { content: lines.join('\n'), embeds };
}

export default defineCommand({
  data,
  cooldownMs: (config) => config.creditsCooldownMs,

  async execute(interaction, { email, share }, ctx) {
    const work = email === undefined ? everyAccount(ctx) : oneAccount(ctx, email);
    await respondWith(interaction, work, { ephemeral: share !== true });
  },

  async autocomplete(_interaction, focused, ctx) {
    // Autocomplete cannot be deferred: answer from what is known now and refresh the list behind.
    const known = ctx.useapi.knownAccounts();
    const refresh = ctx.useapi.accounts().catch((error: unknown) => {
      ctx.logger.debug({ err: error }, 'account list refresh for autocomplete failed');
      return undefined;
    });
    const accounts = known ?? (await Promise.race([refresh, sleep(AUTOCOMPLETE_WAIT_MS, undefined)]));
    const typed = focused.value.toLowerCase();
    return (accounts ?? [])
      .filter((account) => account.email.toLowerCase().includes(typed))
      .slice(0, 25)
      .map((account) => ({ name: account.email.slice(0, 100), value: account.email.slice(0, 100) }));
  },
});
