import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationCommandOptionType } from 'discord.js';
import { GUILD_COMMAND, defineCommand, type CommandContext, type HistoryView } from '../src/discord/command.js';
import { failedAccountEmbed, noticeEmbed, type ReplyBody } from '../src/presentation/embeds.js';
import { describeFailure } from '../src/presentation/failure.js';
import { formatNumber, plural, quoted, secondsFromMs } from '../src/presentation/format.js';
import { creditsCard } from '../src/presentation/history.js';
import { accountRef } from '../src/discord/actions.js';
import { reconnectRows } from '../src/presentation/console.js';
import { Refusal } from '../src/refusal.js';
import { UseapiError } from '../src/useapi/errors.js';
import type { UseapiClient } from '../src/useapi/client.js';
import { spendableCredits, type Features, type V2Account } from '../src/useapi/schemas.js';

/** With nothing known yet, how long autocomplete waits for the list (its deadline is 3 s). */
const AUTOCOMPLETE_WAIT_MS = 1_500;
/** A message holds at most 10 embeds; a subscription holds at most 3 PixVerse accounts. */
const MAX_ACCOUNT_EMBEDS = 10;
/**
 * An email missing from an account list this young is not one of the accounts: the list is not read
 * again for it. A flood of made-up emails costs at most one list read per this period.
 */
const ACCOUNT_LIST_CURRENT_MS = 5_000;
/** Discord's limit on a choice's name and value. */
const MAX_CHOICE = 100;

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

/** One account's reading: its credits, or why they could not be read. */
type Reading = { email: string; features: Features } | { email: string; error: unknown };

const NO_ACCOUNT: ReplyBody = {
  embeds: [
    noticeEmbed(
      'No PixVerse account on useapi.net',
      'useapi.net has no PixVerse (v2) account configured for this API token. Add one on useapi.net (`POST /v2/pixverse/accounts`), then run `/credits` again.',
    ),
  ],
};

function findAccount(accounts: readonly V2Account[] | undefined, email: string): V2Account | undefined {
  const wanted = email.toLowerCase();
  return accounts?.find((account) => account.email.toLowerCase() === wanted);
}

/** One account's card: credits now, the last day's use and the forecast. */
function card(history: HistoryView, email: string, features: Features) {
  return creditsCard(email, features, history.summary(email));
}

/** How long the Reconnect button of a 596 card works: a shared answer may be read days later. */
const RECONNECT_VALID_MS = 7 * 86_400_000;

/**
 * Reconnect buttons for the accounts in error state (596) among `readings`. They belong to the
 * admin console (its permission applies to whoever presses), and act on the account as it is then.
 */
function reconnectButtons(ctx: CommandContext, readings: readonly Reading[]): ReplyBody['components'] {
  const broken = readings.filter((reading) => 'error' in reading && isAccountError(reading.error));
  if (broken.length === 0) return undefined;
  return reconnectRows(
    broken.map(({ email }) => ({
      email,
      customId: ctx.sign({
        command: 'pixverse-accounts',
        name: 'reconnect',
        args: [accountRef(email)],
        validForMs: RECONNECT_VALID_MS,
      }),
    })),
    { named: readings.length > 1 },
  );
}

function isAccountError(error: unknown): boolean {
  return error instanceof UseapiError && error.kind === 'account-error';
}

/** One account read; an account in error state is shown as such, with its Reconnect button. */
async function singleReply(ctx: CommandContext, email: string, read: ReadAhead): Promise<ReplyBody> {
  try {
    return { embeds: [card(ctx.history, email, await read(email))] };
  } catch (error) {
    if (!isAccountError(error)) throw error;
    return { embeds: [failedAccountEmbed(email, describeFailure(error))], components: reconnectButtons(ctx, [{ email, error }]) };
  }
}

/** Several accounts: one embed each (a failed one shown as failed), and the total of those read. */
function accountsReply(ctx: CommandContext, accounts: readonly V2Account[], readings: readonly Reading[]): ReplyBody {
  const { history } = ctx;
  let total = 0;
  let failed = 0;
  const embeds = readings.map((reading) => {
    if ('features' in reading) {
      total += spendableCredits(reading.features);
      return card(history, reading.email, reading.features);
    }
    failed += 1;
    return failedAccountEmbed(reading.email, describeFailure(reading.error));
  });
  const lines = [`**${formatNumber(total)}** credits left to spend across ${plural(readings.length - failed, 'account')}.`];
  if (failed > 0) lines.push(`${plural(failed, 'account')} could not be read; see below.`);
  if (accounts.length > readings.length) {
    lines.push(`Showing ${readings.length} of ${accounts.length} accounts; pick one with the \`email\` option.`);
  }
  const components = reconnectButtons(ctx, readings);
  return { content: lines.join('\n'), embeds, ...(components ? { components } : {}) };
}

/**
 * The answer when everything it needs is in the client's cache: sent at once, as the interaction's
 * reply, with no deferral and no request. Undefined when anything would have to be asked.
 */
function cachedAnswer(ctx: CommandContext, email: string | undefined): ReplyBody | undefined {
  const { useapi, history } = ctx;
  if (email !== undefined) {
    const account = findAccount(useapi.knownAccounts(), email);
    const features = account && useapi.peekFeatures(account.email);
    return account && features ? { embeds: [card(history, account.email, features)] } : undefined;
  }
  const accounts = useapi.peekAccounts();
  if (!accounts) return undefined;
  if (accounts.length === 0) return NO_ACCOUNT;
  const readings: Array<{ email: string; features: Features }> = [];
  for (const account of accounts.slice(0, MAX_ACCOUNT_EMBEDS)) {
    const features = useapi.peekFeatures(account.email);
    if (!features) return undefined;
    readings.push({ email: account.email, features });
  }
  return accounts.length === 1
    ? { embeds: [card(history, accounts[0]!.email, readings[0]!.features)] }
    : accountsReply(ctx, accounts, readings);
}

/**
 * The account `email` names, read from the account list (refreshed once if it may be stale), so
 * an email that is not one of the accounts is answered here and never sent to useapi.net.
 */
async function resolveAccount(useapi: UseapiClient, email: string): Promise<V2Account> {
  const account =
    findAccount(await useapi.accounts(), email) ??
    findAccount(await useapi.accounts({ maxAgeMs: ACCOUNT_LIST_CURRENT_MS }), email);
  if (!account) {
    throw new Refusal(
      'unknown-account',
      `${quoted(email)} is not one of the PixVerse accounts on useapi.net. Leave \`email\` empty to see every account, or pick one from the list.`,
    );
  }
  return account;
}

/** Reads an account's credits, or hands over the read already started for it. */
type ReadAhead = (email: string) => Promise<Features>;

/**
 * Starts reading the credits of `accounts` (from the last list the bot held) while the list itself is
 * read again: with both cold, an answer then waits for one round trip to useapi.net instead of two.
 * Only accounts useapi.net listed before are read ahead, so a made-up email still never leaves the bot;
 * a read whose account has gone from the new list is dropped unused.
 */
function readAhead(useapi: UseapiClient, accounts: readonly V2Account[]): ReadAhead {
  const started = new Map<string, Promise<Features>>();
  for (const { email } of accounts) {
    const read = useapi.features(email);
    // Its failure is met where it is used; a dropped read must not become an unhandled rejection.
    read.catch(() => undefined);
    started.set(email, read);
  }
  return (email) => started.get(email) ?? useapi.features(email);
}

async function oneAccount(ctx: CommandContext, email: string): Promise<ReplyBody> {
  const known = findAccount(ctx.useapi.knownAccounts(), email);
  const read = readAhead(ctx.useapi, known ? [known] : []);
  return singleReply(ctx, (await resolveAccount(ctx.useapi, email)).email, read);
}

/** Every account at once; one that fails is shown as failed while the others still show their credits. */
async function everyAccount(ctx: CommandContext): Promise<ReplyBody> {
  const { useapi } = ctx;
  const read = readAhead(useapi, (useapi.knownAccounts() ?? []).slice(0, MAX_ACCOUNT_EMBEDS));
  const accounts = await useapi.accounts();
  if (accounts.length === 0) return NO_ACCOUNT;
  if (accounts.length === 1) return singleReply(ctx, accounts[0]!.email, read);
  // The client bounds how many requests are open at once; the rest wait in its queue.
  const readings = await Promise.all(
    accounts.slice(0, MAX_ACCOUNT_EMBEDS).map((account): Promise<Reading> =>
      read(account.email).then(
        (features) => ({ email: account.email, features }),
        (error: unknown) => ({ email: account.email, error }),
      ),
    ),
  );
  // Every account failing the same passing way (useapi.net down) is one failure, not a card each.
  const failures = readings.flatMap((reading) => ('error' in reading ? [reading.error] : []));
  if (failures.length === readings.length && !failures.some(isAccountError)) throw failures[0];
  return accountsReply(ctx, accounts, readings);
}

/**
 * The answer that needs useapi.net. CREDITS_COOLDOWN limits only these, and only once one succeeded:
 * a retry after a failure, or an answer from the cache, never waits.
 */
function freshAnswer(ctx: CommandContext, userId: string, email: string | undefined): Promise<ReplyBody> {
  const wait = ctx.creditsCooldown.remaining(userId);
  if (wait > 0) throw new Refusal('cooldown', `You asked a moment ago. Try again in ${secondsFromMs(wait)} s.`);
  const work = email === undefined ? everyAccount(ctx) : oneAccount(ctx, email);
  return work.then((body) => {
    ctx.creditsCooldown.start(userId);
    return body;
  });
}

export default defineCommand({
  data,

  async execute(interaction, { email, share }, ctx) {
    const answer = cachedAnswer(ctx, email) ?? freshAnswer(ctx, interaction.user.id, email);
    await ctx.respond.reply(interaction, answer, { ephemeral: share !== true });
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
    return (
      (accounts ?? [])
        // A longer email cannot be a choice's value; it can still be typed in full.
        .filter((account) => account.email.length <= MAX_CHOICE && account.email.toLowerCase().includes(typed))
        .slice(0, 25)
        .map((account) => ({ name: account.email, value: account.email }))
    );
  },
});
