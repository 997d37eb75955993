import { ApplicationCommandOptionType } from 'discord.js';
import { GUILD_COMMAND, defineCommand, type CommandContext } from '../src/discord/command.js';
import { usageReading } from '../src/history/history.js';
import type { StoredReading } from '../src/history/store.js';
import { forecast, usageBetween } from '../src/history/usage.js';
import type { ChartPoint, CreditChartInput } from '../src/presentation/chart.js';
import { CHART_FILE, historyReply, noHistoryReply, refillLabel, type AccountHistory } from '../src/presentation/history.js';
import { quoted } from '../src/presentation/format.js';
import type { ReplyBody } from '../src/presentation/embeds.js';
import { Refusal } from '../src/refusal.js';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 7;
/** Discord's limit on a choice's name and value. */
const MAX_CHOICE = 100;

const data = {
  name: 'credits-history',
  description: 'Chart the PixVerse credits over the last days: use per day, forecast, refills',
  ...GUILD_COMMAND,
  options: [
    {
      type: ApplicationCommandOptionType.String,
      name: 'email',
      description: 'Which PixVerse account (default: every account with a history)',
      autocomplete: true,
      max_length: 254,
    },
    {
      type: ApplicationCommandOptionType.Integer,
      name: 'days',
      description: 'How many days back (1 to 90, default 7)',
      min_value: 1,
      max_value: 90,
    },
    {
      type: ApplicationCommandOptionType.Boolean,
      name: 'share',
      description: 'Post the answer in the channel for everyone (default: only you see it)',
    },
  ],
} as const;

const spendable = (reading: StoredReading): number => reading.daily + reading.monthly + reading.package;

/** Readings grouped by account, each list oldest first (the store returns them in time order). */
function byAccount(readings: readonly StoredReading[]): Map<string, StoredReading[]> {
  const accounts = new Map<string, StoredReading[]>();
  for (const reading of readings) {
    const list = accounts.get(reading.email);
    if (list) list.push(reading);
    else accounts.set(reading.email, [reading]);
  }
  return accounts;
}

/**
 * The accounts' sum over time: at each reading of any account, the latest value of every account, from
 * the moment each has one. The checks read every account within seconds of each other, so the total
 * steps once per check.
 */
function totalOf(accounts: ReadonlyMap<string, readonly StoredReading[]>, readings: readonly StoredReading[]): ChartPoint[] {
  const latest = new Map<string, number>();
  const total: ChartPoint[] = [];
  for (const reading of readings) {
    latest.set(reading.email, spendable(reading));
    if (latest.size < accounts.size) continue;
    const credits = [...latest.values()].reduce((sum, value) => sum + value, 0);
    const at = reading.at.getTime();
    if (total.at(-1)?.at === at) total[total.length - 1] = { at, credits };
    else total.push({ at, credits });
  }
  return total;
}

/** The account `email` names among those with a history or configured, in their own spelling. */
async function resolveEmail(ctx: CommandContext, email: string): Promise<string> {
  const known = [...(await ctx.history.emails()), ...(ctx.useapi.knownAccounts() ?? []).map((account) => account.email)];
  const found = known.find((candidate) => candidate.toLowerCase() === email.toLowerCase());
  if (!found) {
    throw new Refusal(
      'unknown-account',
      `${quoted(email)} is not one of the PixVerse accounts, and has no credit history. Leave \`email\` empty to see every account.`,
    );
  }
  return found;
}

/**
 * What the chart draws: each account's spendable credits over time, their total when there are several,
 * and the refills the histories saw. `readings` in time order, as the store returns them.
 */
export function chartInput(
  readings: readonly StoredReading[],
  histories: readonly AccountHistory[],
  frame: Pick<CreditChartInput, 'from' | 'to' | 'timeZone'>,
): CreditChartInput {
  const accounts = byAccount(readings);
  return {
    ...frame,
    series: [...accounts].map(([account, list]) => ({
      label: account,
      points: list.map((reading) => ({ at: reading.at.getTime(), credits: spendable(reading) })),
    })),
    ...(accounts.size > 1 ? { total: totalOf(accounts, readings) } : {}),
    refills: histories.flatMap((history) =>
      history.usage.refills.map((refill) => ({ at: refill.at, label: refillLabel(refill) })),
    ),
  };
}

async function historyAnswer(ctx: CommandContext, email: string | undefined, days: number): Promise<ReplyBody> {
  const now = Date.now();
  const from = now - days * DAY_MS;
  const wanted = email === undefined ? undefined : await resolveEmail(ctx, email);
  const readings = await ctx.history.readings({ ...(wanted === undefined ? {} : { email: wanted }), since: new Date(from) });
  const accounts = byAccount(readings);
  if (accounts.size === 0) return noHistoryReply({ email: wanted, days, nextCheckAt: ctx.history.nextCheckAt() });

  const histories: AccountHistory[] = [...accounts].map(([account, list]) => {
    const usage = list.map(usageReading);
    return {
      email: account,
      usage: usageBetween(usage, from, now),
      forecast: ctx.history.summary(account)?.forecast ?? forecast(usage, now),
    };
  });
  // The renderer (Skia and Chart.js, some 60 MB of memory) loads with the first chart, not at start-up:
  // a bot whose team never asks for one does not carry it. Loading it takes about 0.1 s, once.
  const { renderCreditChart } = await import('../src/presentation/chart.js');
  const png = await renderCreditChart(chartInput(readings, histories, { from, to: now, timeZone: ctx.settings.timeZone }));
  return { ...historyReply({ days, accounts: histories }), files: [{ name: CHART_FILE, data: png }] };
}

export default defineCommand({
  data,

  async execute(interaction, { email, days, share }, ctx) {
    await ctx.respond.reply(interaction, historyAnswer(ctx, email, days ?? DEFAULT_DAYS), { ephemeral: share !== true });
  },

  async autocomplete(_interaction, focused, ctx) {
    const typed = focused.value.toLowerCase();
    const emails = new Set([
      ...(await ctx.history.emails()),
      ...(ctx.useapi.knownAccounts() ?? []).map((account) => account.email),
    ]);
    return [...emails]
      .filter((candidate) => candidate.length <= MAX_CHOICE && candidate.toLowerCase().includes(typed))
      .sort()
      .slice(0, 25)
      .map((candidate) => ({ name: candidate, value: candidate }));
  },
});
