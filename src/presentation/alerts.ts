import type { APIEmbed } from 'discord.js';
import type { CheckResult } from '../alerts/monitor.js';
import type { AccountMemory, Incident } from '../alerts/rules.js';
import { COLORS } from './embeds.js';
import { forecastLine } from './history.js';
import { RECONNECT_HINT, describeFailure, failureSentence } from './failure.js';
import { formatNumber, longDate, plural, quoted, relativeTime } from './format.js';

/** One alert message: names the account, says what happened and what to do. */
export function alertEmbed(incident: Incident): APIEmbed {
  switch (incident.kind) {
    case 'low-credits':
      return {
        title: 'PixVerse credits running low',
        description: `${quoted(incident.email)} has **${formatNumber(incident.spendable)}** credits left to spend, below the alert threshold of ${formatNumber(incident.threshold)}. Top up on PixVerse or move work to another account.`,
        color: incident.spendable <= 0 ? COLORS.empty : COLORS.low,
      };
    case 'account-error':
      return {
        title: 'PixVerse account in error state',
        description: `useapi.net can no longer use ${quoted(incident.email)} (its session was rejected). ${RECONNECT_HINT}`,
        color: COLORS.empty,
      };
    case 'account-recovered':
      return {
        title: 'PixVerse account working again',
        description: `${quoted(incident.email)} answers normally again.`,
        color: COLORS.ok,
      };
    case 'expiring': {
      // A plan that renews on the day it expires simply renews: one message says so.
      const date = incident.renewsAt ?? incident.expiresAt;
      const renews = incident.renewsAt !== undefined;
      return {
        title: renews ? 'PixVerse plan about to renew' : 'PixVerse plan about to expire',
        description: `The plan of ${quoted(incident.email)} ${renews ? 'renews' : 'expires'} ${date ? `${relativeTime(date)} (${longDate(date)})` : 'soon'}.`,
        color: COLORS.low,
      };
    }
    case 'unreadable': {
      const failure = describeFailure(incident.error);
      const what = incident.email ? `the credits of ${quoted(incident.email)}` : 'the account list';
      return {
        title: 'Credits could not be checked',
        description: `The last ${formatNumber(incident.checks)} checks could not read ${what}: ${failureSentence(failure)}`,
        color: COLORS.failure,
      };
    }
    case 'runs-out': {
      const forecast = {
        kind: 'runs-out' as const,
        at: incident.at.getTime(),
        ratePerDay: incident.ratePerDay,
        next: incident.before && { what: incident.before.what, at: incident.before.at.getTime() },
      };
      return {
        title: 'PixVerse credits will run out before they refill',
        description: `${quoted(incident.email)}: ${forecastLine(forecast)} Top up, or move work to another account.`,
        color: COLORS.low,
      };
    }
    case 'token-rejected': {
      const failure = describeFailure(incident.error);
      return { title: failure.title, description: `${failure.text} Until then no account can be checked.`, color: COLORS.empty };
    }
    case 'token-accepted':
      return {
        title: 'useapi.net accepts the API token again',
        description: 'Credit checks are running again.',
        color: COLORS.ok,
      };
  }
}

export interface AlertStatus {
  channelId: string | undefined;
  roleId: string | undefined;
  problem: string | undefined;
  creditsBelow: number;
  expiryDays: number;
  intervalMs: number;
  lastCheckAt: Date | undefined;
  accounts: ReadonlyArray<{ email: string; memory: Readonly<AccountMemory> }>;
  /** What a check the admin just ran did, when they ran one. */
  check: CheckResult | undefined;
}

/** "2 alerts posted, 1 could not be posted (tried again at the next check)" or "nothing new to report". */
function checkSummary({ posted, retrying, dropped }: CheckResult): string {
  const parts = [
    posted.length > 0 ? `${plural(posted.length, 'alert')} posted` : '',
    retrying > 0 ? `${formatNumber(retrying)} could not be posted (the next check tries again)` : '',
    dropped > 0 ? `${formatNumber(dropped)} refused by Discord and dropped (see the log)` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'nothing new to report';
}

function every(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}

function accountLine({ email, memory }: AlertStatus['accounts'][number]): string {
  const parts = [quoted(email)];
  if (memory.last?.spendable !== undefined) parts.push(`${formatNumber(memory.last.spendable)} credits`);
  if (memory.last?.plan) parts.push(`plan ${quoted(memory.last.plan, 60)}`);
  if (memory.error) parts.push('⚠️ error state');
  else if (memory.low) parts.push('⚠️ low (alerted)');
  if (memory.last?.problem) parts.push(`last check: ${memory.last.problem}`);
  return parts.join(' · ');
}

/** `/credits-alerts`: the settings and what the monitor last saw of each account. */
export function alertStatusEmbed(status: AlertStatus): APIEmbed {
  const lines = [
    status.channelId
      ? `Alerts go to <#${status.channelId}>${status.roleId ? ` and ping <@&${status.roleId}>` : ''}.`
      : 'Alerts are **off**: set `ALERT_CHANNEL_ID` and restart the bot to turn them on.',
    `Threshold: below **${formatNumber(status.creditsBelow)}** spendable credits · expiry warning **${formatNumber(status.expiryDays)}** days ahead · checked every **${every(status.intervalMs)}**.`,
  ];
  if (status.channelId && status.problem) lines.push(`⚠️ Not running: ${status.problem}.`);
  if (status.lastCheckAt) lines.push(`Last check ${relativeTime(status.lastCheckAt)}.`);
  if (status.check) lines.push(`Check run now: ${checkSummary(status.check)}.`);
  lines.push('', status.accounts.length > 0 ? status.accounts.map(accountLine).join('\n') : 'No account checked yet.');
  return {
    title: 'Credit alerts',
    description: lines.join('\n').slice(0, 4_000),
    color: status.problem && status.channelId ? COLORS.failure : COLORS.info,
  };
}
