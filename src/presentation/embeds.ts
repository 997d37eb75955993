import {
  ButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIEmbedField,
} from 'discord.js';
import { spendableCredits, type Features, type V1Channel } from '../useapi/schemas.js';
import { failureSentence, type FailureText } from './failure.js';
import { formatNumber, inlineCode, progressBar, quoted, relativeTime } from './format.js';

/** A file sent with a message and shown inside it (an embed's `attachment://name` image). */
export interface ReplyFile {
  name: string;
  data: Buffer;
}

/** The message shape every handler hands to the responder. */
export interface ReplyBody {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
  files?: ReplyFile[];
}

export const COLORS = {
  ok: 0x2ecc71,
  low: 0xf1c40f,
  empty: 0xe74c3c,
  info: 0x5865f2,
  failure: 0xe67e22,
} as const;

/** Below this share of the monthly allowance the embed turns amber. */
const LOW_SHARE = 0.1;

function bucketLine(left: number | undefined, allowance: number | undefined): string {
  if (left === undefined) return '—';
  const amount =
    allowance !== undefined && allowance > 0
      ? `**${formatNumber(left)}** / ${formatNumber(allowance)}`
      : `**${formatNumber(left)}**`;
  const bar = progressBar(left, allowance);
  return bar ? `${amount}\n${bar}` : amount;
}

function accountLabel(email: string | undefined): string {
  return email ? quoted(email) : 'the configured account';
}

/** One account's plan and credits, read at a glance. Billing links are never part of it. */
export function creditsEmbed(email: string | undefined, features: Features): APIEmbed {
  const spendable = spendableCredits(features);
  const allowance = features.credit_monthly_gift;
  const color = spendable <= 0 ? COLORS.empty : allowance && spendable < allowance * LOW_SHARE ? COLORS.low : COLORS.ok;

  const fields: APIEmbedField[] = [
    { name: 'Daily', value: bucketLine(features.credit_daily, features.credit_daily_gift), inline: true },
    { name: 'Monthly', value: bucketLine(features.credit_monthly, features.credit_monthly_gift), inline: true },
    { name: 'Package', value: bucketLine(features.credit_package, undefined), inline: true },
  ];
  if (features.billing_renewal_date) {
    fields.push({ name: 'Renews', value: relativeTime(features.billing_renewal_date), inline: true });
  }
  if (features.expired_date) {
    fields.push({ name: 'Expires', value: relativeTime(features.expired_date), inline: true });
  }
  if (features.gen_simultaneously !== undefined) {
    fields.push({ name: 'Concurrent generations', value: formatNumber(features.gen_simultaneously), inline: true });
  }

  return {
    title: 'PixVerse credits',
    description: [
      `Account ${accountLabel(email)} · plan ${features.plan_name === undefined ? 'unknown' : quoted(features.plan_name, 60)}`,
      `**${formatNumber(spendable)}** credits left to spend (daily + monthly + package)`,
    ].join('\n'),
    color,
    fields,
    footer: { text: 'PixVerse via useapi.net' },
  };
}

/** An account whose credits could not be read, shown beside the ones that could. */
export function failedAccountEmbed(email: string, failure: FailureText): APIEmbed {
  return {
    title: 'PixVerse credits',
    description: `Account ${accountLabel(email)}\n${failureSentence(failure)}`,
    color: COLORS.failure,
  };
}

/** A short notice: a refusal, a failure, a confirmation. */
export function noticeEmbed(title: string, text: string, color: number = COLORS.info): APIEmbed {
  return { title, description: text, color };
}

export function failureReply(failure: FailureText): ReplyBody {
  return { embeds: [noticeEmbed(failure.title, failure.text, COLORS.failure)] };
}

export interface RegistrationSummary {
  channelId: string;
  maxJobs: number;
  /** maxJobs of the registration this one replaced, when the channel was registered before. */
  previousMaxJobs: number | undefined;
  maskedToken: string;
}

/** The answer to a successful `/pixverse-register`. */
export function registeredEmbed({ channelId, maxJobs, previousMaxJobs, maskedToken }: RegistrationSummary): APIEmbed {
  const updated = previousMaxJobs !== undefined;
  const jobs =
    updated && previousMaxJobs !== maxJobs
      ? `${formatNumber(previousMaxJobs)} → **${formatNumber(maxJobs)}**`
      : `**${formatNumber(maxJobs)}**`;
  return {
    title: updated ? 'Registration updated' : 'Channel registered',
    description: updated
      ? `<#${channelId}> was already registered with useapi.net; its settings are updated.`
      : `<#${channelId}> is now registered with useapi.net: PixVerse jobs sent through the v1 API run here.`,
    color: COLORS.ok,
    fields: [
      { name: 'Channel', value: `<#${channelId}>`, inline: true },
      { name: 'Max jobs', value: jobs, inline: true },
      { name: 'Discord token', value: inlineCode(maskedToken), inline: true },
    ],
    footer: { text: 'v1 channel registration · /credits reads the v2 email accounts, a separate list' },
  };
}

/**
 * Discord allows 4,096 characters in a description and 6,000 across a message's embeds; two list
 * embeds of this size stay well inside both, whatever the lists hold.
 */
const LIST_BUDGET = 2_800;

/** Lines joined until the budget, then "…and N more": long lists are cut, never refused by Discord. */
export function boundedList(lines: string[], budget = LIST_BUDGET): string {
  const kept: string[] = [];
  let used = 0;
  for (const [index, line] of lines.entries()) {
    const rest = lines.length - index;
    const tail = rest > 1 ? `\n…and ${formatNumber(rest)} more` : '';
    if (used + line.length + 1 + tail.length > budget) {
      kept.push(`…and ${formatNumber(rest)} more`);
      break;
    }
    kept.push(line);
    used += line.length + 1;
  }
  return kept.join('\n');
}

/**
 * A question asked before something is removed: what goes, when the question expires, and the two
 * buttons (the danger one first). The buttons' ids are signed by the caller.
 */
export function confirmQuestion(
  title: string,
  text: string,
  buttonIds: { confirm: string; cancel: string },
  expiresAt: Date,
): ReplyBody {
  return {
    embeds: [noticeEmbed(title, `${text}\nThis question expires ${relativeTime(expiresAt)}.`, COLORS.low)],
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          { type: ComponentType.Button, style: ButtonStyle.Danger, label: 'Remove', custom_id: buttonIds.confirm },
          { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Cancel', custom_id: buttonIds.cancel },
        ],
      },
    ],
  };
}

/** The question `/pixverse-unregister` asks before it removes anything. */
export function confirmUnregister(
  channel: V1Channel,
  buttonIds: { confirm: string; cancel: string },
  expiresAt: Date,
): ReplyBody {
  return confirmQuestion(
    'Remove this registration?',
    `<#${channel.channel}> (max jobs ${formatNumber(channel.maxJobs)}, token ${inlineCode(channel.discordMasked ?? 'none')}) will no longer be registered with useapi.net; PixVerse v1 jobs stop running there.`,
    buttonIds,
    expiresAt,
  );
}
