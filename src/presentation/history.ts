import type { APIEmbed, APIEmbedField } from 'discord.js';
import type { Digest } from '../history/digest.js';
import type { AccountSummary } from '../history/history.js';
import type { Forecast, PlanEvent, Refill, Usage } from '../history/usage.js';
import type { Features } from '../useapi/schemas.js';
import { COLORS, boundedList, creditsEmbed, noticeEmbed, type ReplyBody } from './embeds.js';
import { formatNumber, longDate, plural, quoted, relativeTime } from './format.js';

/*
 * How the credit history reads: use over the last day, the forecast and the refills seen, in the
 * words `/credits`, `/credits-history`, the digest and the forecast alert share.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const EVENT_NAMES: Record<PlanEvent['what'], string> = {
  'monthly-refill': 'the monthly credits refill',
  renewal: 'the plan renews',
  expiry: 'the plan expires',
};

/** "~1,234 a day": rates are estimates, and say so. */
function perDay(rate: number): string {
  return `~${formatNumber(Math.round(rate))} a day`;
}

/**
 * "1,234 used in the last 23.5 h": over the time the readings actually span (checks every half hour
 * span 23.5 of the last 24), so that it agrees with the forecast's pace, which is this use per day.
 */
export function usedLine(used: AccountSummary['used']): string {
  const hours = Math.max(0.1, Math.round((used.coveredMs / HOUR_MS) * 10) / 10);
  return `**${formatNumber(Math.round(used.credits))}** used in the last ${formatNumber(hours)} h`;
}

/** The forecast as a sentence: a date, and whether it comes before or after the refill that would save the account. */
export function forecastLine(forecast: Forecast): string {
  switch (forecast.kind) {
    case 'collecting':
      return `Collecting usage history (${forecast.checks} of ${forecast.needed} checks); the forecast starts after ${forecast.needed}.`;
    case 'idle':
      return 'No credits used lately: nothing runs out at this pace.';
    case 'runs-out': {
      const when = `runs out ${relativeTime(new Date(forecast.at))} (${longDate(new Date(forecast.at))})`;
      const before = forecast.next
        ? `, before ${EVENT_NAMES[forecast.next.what]} (${longDate(new Date(forecast.next.at))})`
        : ', and no refill is known';
      return `At ${perDay(forecast.ratePerDay)}, ${when}${before}.`;
    }
    case 'lasts': {
      const { until } = forecast;
      const left = `~${formatNumber(Math.round(forecast.leftAtRefill))} left`;
      return until.what === 'horizon'
        ? `At ${perDay(forecast.ratePerDay)}, lasts beyond ${longDate(new Date(until.at))}.`
        : `At ${perDay(forecast.ratePerDay)}, lasts until ${EVENT_NAMES[until.what]} ${relativeTime(new Date(until.at))} (${longDate(new Date(until.at))}), with ${left}.`;
    }
  }
}

/** `/credits`' card of one account: its credits now, then its last day of use and forecast. */
export function creditsCard(email: string, features: Features, summary: AccountSummary | undefined): APIEmbed {
  const card = creditsEmbed(email, features);
  // A card that says the credits run out before they refill is not a green one, however many are left.
  const warn = summary?.forecast.kind === 'runs-out' && card.color === COLORS.ok;
  return { ...card, ...(warn ? { color: COLORS.low } : {}), fields: [...(card.fields ?? []), ...historyFields(summary)] };
}

/** The fields `/credits` adds to an account's card: the last day's use and the forecast, or that history is being collected. */
export function historyFields(summary: AccountSummary | undefined): APIEmbedField[] {
  if (!summary) {
    return [{ name: 'Usage', value: 'Collecting usage history: the first readings are being kept now.', inline: false }];
  }
  if (summary.forecast.kind === 'collecting') {
    return [{ name: 'Usage', value: forecastLine(summary.forecast), inline: false }];
  }
  return [
    { name: 'Usage', value: usedLine(summary.used), inline: false },
    { name: 'Forecast', value: forecastLine(summary.forecast), inline: false },
  ];
}

const BUCKET_NAMES: Record<Refill['bucket'], string> = { daily: 'daily refill', monthly: 'monthly refill', package: 'package' };

/** "monthly refill +15,000": a refill's label on the chart and in the text. */
export function refillLabel(refill: Pick<Refill, 'bucket' | 'amount'>): string {
  return `${BUCKET_NAMES[refill.bucket]} +${formatNumber(Math.round(refill.amount))}`;
}

/** "3 daily refills (+180), 1 package (+10,000)": what came in over the period. */
export function refillsSummary(refills: readonly Refill[]): string {
  if (refills.length === 0) return 'none';
  const byBucket = new Map<Refill['bucket'], { count: number; amount: number }>();
  for (const refill of refills) {
    const seen = byBucket.get(refill.bucket) ?? { count: 0, amount: 0 };
    byBucket.set(refill.bucket, { count: seen.count + 1, amount: seen.amount + refill.amount });
  }
  return [...byBucket]
    .map(([bucket, { count, amount }]) => `${plural(count, BUCKET_NAMES[bucket])} (+${formatNumber(Math.round(amount))})`)
    .join(', ');
}

/** "Monday, November 30": the digest's local day, as people write it (noon UTC of that date keeps the day). */
const DIGEST_DAY = new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' });

/** The daily digest: one line per account, sent silently. */
export function digestEmbed(digest: Digest): APIEmbed {
  const lines = digest.accounts.map(({ email, summary }) => {
    if (!summary) return `${quoted(email)} · no reading yet`;
    const { latest } = summary;
    const now = formatNumber(latest.daily + latest.monthly + latest.package);
    const parts = [`${quoted(email)} · **${now}** credits`];
    if (summary.forecast.kind !== 'collecting') parts.push(usedLine(summary.used));
    return `${parts.join(' · ')}\n${forecastLine(summary.forecast)}`;
  });
  return {
    title: `PixVerse credits · ${DIGEST_DAY.format(new Date(`${digest.day}T12:00:00Z`))}`,
    description: lines.length > 0 ? boundedList(lines.map((line) => `${line}\n`)) : 'No PixVerse account to report on.',
    color: COLORS.info,
    footer: { text: 'Daily digest · forecasts are estimates at the recent pace' },
  };
}

/** The chart's file name, which the embed shows as its image. */
export const CHART_FILE = 'credits-history.png';

/** One account over the chosen days. */
export interface AccountHistory {
  email: string;
  usage: Usage;
  forecast: Forecast;
}

/** "~1,234 a day on average (over 6.5 days)": the whole period's use, spread over the time it was measured. */
function averageLine(usage: Usage): string {
  const days = usage.coveredMs / DAY_MS;
  if (days <= 0) return 'not enough readings yet to measure use';
  const span = days >= 1 ? plural(Math.round(days * 10) / 10, 'day') : `${Math.max(1, Math.round(usage.coveredMs / HOUR_MS))} h`;
  return `${perDay(usage.used / days)} on average (over ${span})`;
}

/** `/credits-history`: the chart, and beside it per account the average use, the forecast and the refills seen. */
export function historyReply({ days, accounts }: { days: number; accounts: readonly AccountHistory[] }): ReplyBody {
  const lines = accounts.map(
    ({ email, usage, forecast }) =>
      `${quoted(email)}\nUse: ${averageLine(usage)}\n${forecastLine(forecast)}\nRefills and purchases: ${refillsSummary(usage.refills)}\n`,
  );
  return {
    embeds: [
      {
        title: `PixVerse credits · last ${plural(days, 'day')}`,
        description: boundedList(lines),
        image: { url: `attachment://${CHART_FILE}` },
        color: COLORS.info,
        footer: { text: 'Spendable credits (daily + monthly + package). Forecasts are estimates at the recent pace.' },
      },
    ],
  };
}

/** No reading in the period: say so, and when the first ones will come. */
export function noHistoryReply({
  email,
  days,
  nextCheckAt,
}: {
  email: string | undefined;
  days: number;
  nextCheckAt: Date | undefined;
}): ReplyBody {
  const who = email === undefined ? 'any account' : quoted(email);
  const next = nextCheckAt
    ? `The next background check keeps the first readings ${relativeTime(nextCheckAt)}.`
    : 'Background checks are off (`CHECK_INTERVAL=off`): only the readings of `/credits` are kept.';
  return { embeds: [noticeEmbed('No credit history yet', `No reading of ${who} in the last ${plural(days, 'day')}. ${next}`)] };
}
