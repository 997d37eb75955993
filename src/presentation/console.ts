import {
  ButtonStyle,
  ComponentType,
  TextInputStyle,
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIModalInteractionResponseCallbackData,
  type APISelectMenuOption,
} from 'discord.js';
import type { Scheduler, Subscription, V1Channel, V2Account } from '../useapi/schemas.js';
import { COLORS, boundedList, confirmQuestion, noticeEmbed, type ReplyBody } from './embeds.js';
import { failureSentence, type FailureText } from './failure.js';
import { cutTo, singleLine } from '../text.js';
import { formatNumber, inlineCode, plural, quoted, relativeTime } from './format.js';

/*
 * `/pixverse-accounts`, the admin's console: what useapi.net holds (v2 accounts with their capacity
 * and state, v1 channel registrations, the subscription's account slots) and the controls to add,
 * reconnect and remove accounts and to unregister channels. Everything here fits Discord's limits
 * however long the lists: embeds are cut with "…and N more", and each control is one row (a select
 * holds 25 options), so a message never has more than 5 rows.
 */

export type Listing<T> = { ok: true; items: T[] } | { ok: false; failure: FailureText };

/** What the console shows, read from useapi.net. */
export interface ConsoleState {
  guildId: string;
  accounts: Listing<V2Account>;
  channels: Listing<V1Channel>;
  scheduler: Scheduler | undefined;
  subscription: Subscription | undefined;
}

/** Signed custom ids of the console's controls; a control is absent when it would have nothing to act on. */
export interface ConsoleControls {
  add: string;
  reconnect: string | undefined;
  remove: string | undefined;
  unregister: string | undefined;
  /** The value a select sends for an account (a short reference, never the email itself). */
  accountRef: (email: string) => string;
  /** A channel's name in this server, when the bot knows it (a select shows text, not mentions). */
  channelName: (id: string) => string | undefined;
}

/** Discord's limits: options in a select, characters in an option's label or description. */
const MAX_OPTIONS = 25;
const MAX_OPTION_TEXT = 100;

function option(label: string, value: string, description?: string): APISelectMenuOption {
  return {
    label: cutTo(singleLine(label), MAX_OPTION_TEXT) || '—',
    value,
    ...(description ? { description: cutTo(singleLine(description), MAX_OPTION_TEXT) } : {}),
  };
}

function row(component: APIComponentInMessageActionRow): APIActionRowComponent<APIComponentInMessageActionRow> {
  return { type: ComponentType.ActionRow, components: [component] };
}

/** A select menu in a row of its own; none when it would have nothing to choose (or no id to act with). */
function select(customId: string | undefined, placeholder: string, options: APISelectMenuOption[]) {
  if (customId === undefined || options.length === 0) return [];
  return [row({ type: ComponentType.StringSelect, custom_id: customId, placeholder, options: options.slice(0, MAX_OPTIONS) })];
}

/** "2 of 3 account slots used (1 in error)": accounts in error state use a slot too. */
function slotsLine(subscription: Subscription | undefined): string | undefined {
  const used = subscription?.pixverse?.total;
  if (subscription?.slots === undefined || used === undefined) return undefined;
  const inError = subscription.pixverse?.error ?? 0;
  return `${formatNumber(used)} of ${formatNumber(subscription.slots)} PixVerse account slots used${inError > 0 ? ` (${formatNumber(inError)} in error state)` : ''}`;
}

/** "running 1 of 3 jobs": what useapi.net runs now through this account (jobs started through the API). */
function capacityPart(account: V2Account, scheduler: Scheduler | undefined): string | undefined {
  const entry = scheduler?.capacity.find((candidate) => candidate.email === account.email);
  const capacity = entry?.maxJobs ?? account.maxJobs;
  if (!entry || capacity === undefined)
    return account.maxJobs === undefined ? undefined : `max jobs ${formatNumber(account.maxJobs)}`;
  return `running ${formatNumber(entry.executing)} of ${formatNumber(capacity)} jobs`;
}

function accountsEmbed(state: ConsoleState): APIEmbed {
  const title = 'PixVerse accounts (v2, email logins)';
  const { accounts } = state;
  if (!accounts.ok) return noticeEmbed(title, failureSentence(accounts.failure), COLORS.failure);
  const slots = slotsLine(state.subscription);
  const head = [slots, state.subscription?.active === false ? '⚠️ The useapi.net subscription is not active.' : undefined].filter(
    (line): line is string => line !== undefined,
  );
  if (accounts.items.length === 0) {
    return noticeEmbed(
      title,
      [...head, 'None yet. **Add account** below adds one; `/credits` then shows its credits.'].join('\n'),
    );
  }
  const lines = accounts.items.map((account) => {
    // An account in error state runs nothing and its session is gone: its error is all there is to say.
    if (account.error) {
      return `• ⚠️ ${quoted(account.email)}\n  ↳ in error state: ${quoted(account.error, 80)} — **Reconnect** it below`;
    }
    const parts = [quoted(account.email), capacityPart(account, state.scheduler)];
    if (account.sessionExpiresAt) parts.push(`session expires ${relativeTime(account.sessionExpiresAt)}`);
    return `• ${parts.filter(Boolean).join(' · ')}`;
  });
  const inError = accounts.items.filter((account) => account.error).length;
  return {
    title: `${title} (${formatNumber(accounts.items.length)})`,
    description: [...head, boundedList(lines, 2_600)].join('\n'),
    color: inError > 0 ? COLORS.failure : COLORS.info,
    ...(inError > 0 ? { footer: { text: `${plural(inError, 'account')} in error state` } } : {}),
  };
}

/** A channel mention when it is in this server, otherwise ids a person can look up. */
function channelLabel(channel: V1Channel, guildId: string): string {
  if (channel.server === guildId) return `<#${channel.channel}>`;
  return `${inlineCode(channel.channel)} (${channel.server === undefined ? 'server unknown' : `server ${inlineCode(channel.server)}`})`;
}

function registrationsEmbed({ channels, guildId }: ConsoleState): APIEmbed {
  const title = 'Channel registrations (v1)';
  if (!channels.ok) return noticeEmbed(title, failureSentence(channels.failure), COLORS.failure);
  if (channels.items.length === 0) return noticeEmbed(title, 'None. `/pixverse-register` in a channel registers it.');
  const lines = channels.items.map(
    (channel) =>
      `${channelLabel(channel, guildId)} · max jobs ${formatNumber(channel.maxJobs)} · token ${inlineCode(channel.discordMasked ?? 'none')}`,
  );
  return noticeEmbed(`${title} (${formatNumber(channels.items.length)})`, boundedList(lines, 2_400));
}

/** The console: both lists, the slots, and a row per control. */
export function consoleReply(state: ConsoleState, controls: ConsoleControls): ReplyBody {
  const accounts = state.accounts.ok ? state.accounts.items : [];
  const inError = accounts.filter((account) => account.error);
  const ours = state.channels.ok ? state.channels.items.filter((channel) => channel.server === state.guildId) : [];
  const describe = (account: V2Account) =>
    account.error ? `in error state: ${account.error}` : `max jobs ${account.maxJobs ?? '?'}`;
  const components = [
    row({ type: ComponentType.Button, style: ButtonStyle.Primary, label: 'Add account', custom_id: controls.add }),
    ...select(
      controls.reconnect,
      'Reconnect an account in error state…',
      inError.map((account) => option(account.email, controls.accountRef(account.email), describe(account))),
    ),
    ...select(
      controls.remove,
      'Remove a PixVerse account…',
      accounts.map((account) => option(account.email, controls.accountRef(account.email), describe(account))),
    ),
    ...select(
      controls.unregister,
      'Unregister a channel of this server…',
      ours.map((channel) =>
        option(`#${controls.channelName(channel.channel) ?? channel.channel}`, channel.channel, `max jobs ${channel.maxJobs}`),
      ),
    ),
  ];
  const more =
    ours.length > MAX_OPTIONS
      ? [`Only the first ${MAX_OPTIONS} channels can be chosen here: \`/pixverse-unregister channel:\` removes any.`]
      : [];
  return {
    content: [
      'useapi.net keeps two separate lists: v2 email accounts (`/credits`) and v1 channels (`/pixverse-register`).',
      ...more,
    ].join('\n'),
    embeds: [accountsEmbed(state), registrationsEmbed(state)],
    components,
  };
}

const MAX_JOBS = 8;

/** The password input of both forms: never prefilled (a modal cannot mask it; SECURITY.md says so). */
function passwordField(description: string) {
  return {
    type: ComponentType.Label,
    label: 'PixVerse password',
    description: cutTo(description, 100),
    component: {
      type: ComponentType.TextInput,
      custom_id: 'password',
      style: TextInputStyle.Short,
      required: true,
      min_length: 1,
      max_length: 200,
    },
  } as const;
}

/** The Add account form: email, password (never prefilled), max jobs 1–8 as a select. */
export function addAccountModal(customId: string): APIModalInteractionResponseCallbackData {
  return {
    custom_id: customId,
    title: 'Add a PixVerse account',
    components: [
      {
        type: ComponentType.Label,
        label: 'Email',
        description: 'The email the account signs in to pixverse.ai with (not Google, Apple or Discord sign-in)',
        component: {
          type: ComponentType.TextInput,
          custom_id: 'email',
          style: TextInputStyle.Short,
          required: true,
          max_length: 254,
          placeholder: 'name@example.com',
        },
      },
      passwordField('Sent once to useapi.net and kept nowhere. Signing in logs the PixVerse website out.'),
      {
        type: ComponentType.Label,
        label: 'Max jobs',
        description: 'How many generations useapi.net runs at once through it (at most what its plan allows)',
        component: {
          type: ComponentType.StringSelect,
          custom_id: 'max_jobs',
          options: Array.from({ length: MAX_JOBS }, (_, index) => ({
            label: String(index + 1),
            value: String(index + 1),
            default: index === 0,
          })),
          min_values: 1,
          max_values: 1,
        },
      },
    ],
  };
}

/** The Reconnect form: only the password; the email and max jobs are kept. */
export function reconnectModal(customId: string, email: string): APIModalInteractionResponseCallbackData {
  return {
    custom_id: customId,
    title: 'Reconnect a PixVerse account',
    components: [passwordField(`Of ${singleLine(email)}. Sent once, kept nowhere; logs the PixVerse website out.`)],
  };
}

/**
 * Reconnect buttons for accounts in error state (the 596 cards of `/credits`, the 596 alert). A lone
 * button under a lone card says "Reconnect"; under several cards each names its account, so that it is
 * clear which card it repairs. Five to a row, as Discord allows.
 */
export function reconnectRows(
  buttons: ReadonlyArray<{ email: string; customId: string }>,
  { named = buttons.length > 1 }: { named?: boolean } = {},
): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const rows: APIActionRowComponent<APIComponentInMessageActionRow>[] = [];
  for (let start = 0; start < Math.min(buttons.length, 25); start += 5) {
    rows.push({
      type: ComponentType.ActionRow,
      components: buttons.slice(start, start + 5).map(({ email, customId }) => ({
        type: ComponentType.Button,
        style: ButtonStyle.Primary,
        label: named ? cutTo(`Reconnect ${singleLine(email)}`, 80) : 'Reconnect',
        custom_id: customId,
      })),
    });
  }
  return rows;
}

/** After Add or Reconnect: what useapi.net stored, masked, and when the session expires. */
export function accountSavedReply(account: V2Account, how: 'added' | 'reconnected', planLimit: number | undefined): ReplyBody {
  const lines = [
    how === 'added'
      ? `${quoted(account.email)} is on useapi.net: \`/credits\` shows its credits.`
      : `${quoted(account.email)} is signed in again and works.`,
    `Max jobs **${formatNumber(account.maxJobs ?? 1)}** · password \`••••\` (sent once, not kept)${account.sessionExpiresAt ? ` · session expires ${relativeTime(account.sessionExpiresAt)}` : ''}`,
    'PixVerse allows one session at a time: the PixVerse website was logged out of this account.',
  ];
  if (planLimit !== undefined && account.maxJobs !== undefined && account.maxJobs > planLimit) {
    lines.push(
      `⚠️ Its plan runs ${formatNumber(planLimit)} generations at once: choose ${formatNumber(planLimit)} or fewer with **Add account** again.`,
    );
  }
  return { embeds: [noticeEmbed(how === 'added' ? 'Account added' : 'Account reconnected', lines.join('\n'), COLORS.ok)] };
}

/** The question before a v2 account is removed. */
export function confirmRemoveAccount(
  account: V2Account,
  buttonIds: { confirm: string; cancel: string },
  expiresAt: Date,
): ReplyBody {
  return confirmQuestion(
    'Remove this PixVerse account?',
    `${quoted(account.email)} will no longer be on useapi.net: nothing runs through it and \`/credits\` stops showing it (its history stays). Adding it back needs its password.`,
    buttonIds,
    expiresAt,
  );
}
