import type { ButtonInteraction, ModalSubmitInteraction, StringSelectMenuInteraction } from 'discord.js';
import { accountRef, type Action } from '../src/discord/actions.js';
import { ADMIN_COMMAND, defineCommand, type CommandContext, type InGuild } from '../src/discord/command.js';
import {
  accountSavedReply,
  addAccountModal,
  confirmRemoveAccount,
  consoleReply,
  reconnectModal,
  type Listing,
} from '../src/presentation/console.js';
import { COLORS, failureReply, noticeEmbed, type ReplyBody } from '../src/presentation/embeds.js';
import { describeAccountFailure, describeFailure } from '../src/presentation/failure.js';
import { quoted } from '../src/presentation/format.js';
import { Refusal } from '../src/refusal.js';
import { isMalformedText } from '../src/text.js';
import type { UseapiClient } from '../src/useapi/client.js';
import { UseapiError } from '../src/useapi/errors.js';
import type { V2Account } from '../src/useapi/schemas.js';
import { question as unregisterQuestion } from './pixverse-unregister.js';

const NAME = 'pixverse-accounts';
/** How long a console's controls work; past it, run the command again for a fresh view. */
const CONSOLE_VALID_MS = 15 * 60_000;
/** How long a Remove question can be answered. */
const CONFIRM_VALID_MS = 60_000;
const MAX_JOBS = 8;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const data = {
  name: NAME,
  description: 'The PixVerse accounts on useapi.net: capacity, state; add, reconnect, remove, unregister',
  ...ADMIN_COMMAND,
} as const;

function listing<T>(result: PromiseSettledResult<T[]>): Listing<T> {
  return result.status === 'fulfilled'
    ? { ok: true, items: result.value }
    : { ok: false, failure: describeFailure(result.reason) };
}

/** Everything the console shows, read at once; capacity and slots are extras a failure only leaves out. */
async function overview(
  ctx: CommandContext,
  guildId: string,
  adminId: string,
  channelName: (id: string) => string | undefined,
): Promise<ReplyBody> {
  const { useapi } = ctx;
  const [channels, accounts, scheduler, subscription] = await Promise.allSettled([
    useapi.channels(),
    useapi.accounts({ fresh: true }),
    useapi.scheduler(),
    useapi.subscription({ fresh: true }),
  ]);
  if (channels.status === 'rejected' && accounts.status === 'rejected') throw accounts.reason;
  const control = (name: string) => ctx.sign({ command: NAME, name, args: [], userId: adminId, validForMs: CONSOLE_VALID_MS });
  return consoleReply(
    {
      guildId,
      accounts: listing(accounts),
      channels: listing(channels),
      scheduler: scheduler.status === 'fulfilled' ? scheduler.value : undefined,
      subscription: subscription.status === 'fulfilled' ? subscription.value : undefined,
    },
    {
      add: control('add'),
      reconnect: control('reconnect-pick'),
      remove: control('remove-pick'),
      unregister: control('unregister-pick'),
      accountRef,
      channelName,
    },
  );
}

/**
 * The account a reference stands for, in useapi.net's list as it is now: a button or a select may be
 * minutes old, and its account may be gone since.
 */
async function currentAccount(useapi: UseapiClient, ref: string | undefined): Promise<V2Account | undefined> {
  if (ref === undefined) return undefined;
  return (await useapi.accounts({ fresh: true })).find((account) => accountRef(account.email) === ref);
}

const gone = (): ReplyBody => ({
  embeds: [
    noticeEmbed(
      'Not on useapi.net any more',
      'This account was removed meanwhile. Nothing was changed. Run `/pixverse-accounts` for the current list.',
    ),
  ],
});

/** Adds (or updates) an account, then says what useapi.net stored; refusals explained. */
async function saveAccount(
  ctx: CommandContext,
  input: { email: string; password: string; maxJobs: number },
  how: 'added' | 'reconnected',
): Promise<ReplyBody> {
  let saved: V2Account;
  try {
    saved = await ctx.useapi.addAccount(input);
  } catch (error) {
    if (error instanceof UseapiError && (error.kind === 'bad-request' || error.kind === 'login-rejected')) {
      return failureReply(describeAccountFailure(error));
    }
    throw error;
  }
  // The plan's limit on generations at once, when its credits can be read now (a fresh session).
  const plan = await ctx.useapi.features(saved.email, { fresh: true }).catch(() => undefined);
  return accountSavedReply(saved, how, plan?.gen_simultaneously);
}

function field(interaction: ModalSubmitInteraction, id: string): string {
  const value = interaction.fields.getTextInputValue(id).trim();
  if (isMalformedText(value))
    throw new Refusal('invalid-input', 'The form holds control characters or broken text. Press the button again.');
  return value;
}

/** A signed form or button that is not one this command issues (a name it does not have). */
function unknownAction(): Refusal {
  return new Refusal('forged-action', 'This button or form is not valid any more; run `/pixverse-accounts` again.');
}

async function onAddForm(interaction: ModalSubmitInteraction<InGuild>, ctx: CommandContext): Promise<void> {
  const email = field(interaction, 'email');
  const password = interaction.fields.getTextInputValue('password');
  const maxJobs = Number(interaction.fields.getStringSelectValues('max_jobs')[0] ?? '1');
  if (!EMAIL.test(email) || email.length > 254) {
    throw new Refusal('invalid-input', `${quoted(email)} is not an email address. Press **Add account** again.`);
  }
  if (!Number.isInteger(maxJobs) || maxJobs < 1 || maxJobs > MAX_JOBS) {
    throw new Refusal('invalid-input', `Max jobs must be a whole number from 1 to ${MAX_JOBS}. Press **Add account** again.`);
  }
  if (password.length === 0) throw new Refusal('invalid-input', 'The password is empty. Press **Add account** again.');
  await ctx.respond.reply(interaction, saveAccount(ctx, { email, password, maxJobs }, 'added'), { ephemeral: true });
}

async function onReconnectForm(interaction: ModalSubmitInteraction<InGuild>, action: Action, ctx: CommandContext): Promise<void> {
  const password = interaction.fields.getTextInputValue('password');
  if (password.length === 0) throw new Refusal('invalid-input', 'The password is empty. Press **Reconnect** again.');
  const work = currentAccount(ctx.useapi, action.args[0]).then((account) =>
    account ? saveAccount(ctx, { email: account.email, password, maxJobs: account.maxJobs ?? 1 }, 'reconnected') : gone(),
  );
  await ctx.respond.reply(interaction, work, { ephemeral: true });
}

/** Opens the password form for the account `ref` names, if it is still there. */
async function showReconnect(
  interaction: ButtonInteraction<InGuild> | StringSelectMenuInteraction<InGuild>,
  ref: string | undefined,
  ctx: CommandContext,
): Promise<void> {
  // The form must be the first response; the account is looked up from what is known now, and again on submit.
  const account = (ctx.useapi.knownAccounts() ?? []).find((candidate) => accountRef(candidate.email) === ref);
  if (!account || ref === undefined)
    throw new Refusal(
      'unknown-account',
      'This account is not on useapi.net any more. Run `/pixverse-accounts` for the current list.',
    );
  const form = ctx.sign({
    command: NAME,
    name: 'reconnect-form',
    args: [ref],
    userId: interaction.user.id,
    validForMs: CONSOLE_VALID_MS,
  });
  await interaction.showModal(reconnectModal(form, account.email));
}

async function removeQuestion(ctx: CommandContext, ref: string | undefined, adminId: string): Promise<ReplyBody> {
  const account = await currentAccount(ctx.useapi, ref);
  if (!account || ref === undefined) return gone();
  const button = (name: 'remove' | 'cancel') =>
    ctx.sign({ command: NAME, name, args: [ref], userId: adminId, validForMs: CONFIRM_VALID_MS });
  return confirmRemoveAccount(
    account,
    { confirm: button('remove'), cancel: button('cancel') },
    new Date(Date.now() + CONFIRM_VALID_MS),
  );
}

async function removeAccount(ctx: CommandContext, ref: string | undefined): Promise<ReplyBody> {
  const account = await currentAccount(ctx.useapi, ref);
  const removed = account !== undefined && (await ctx.useapi.removeAccount(account.email));
  if (!account || !removed) return gone();
  return {
    embeds: [
      noticeEmbed('Account removed', `${quoted(account.email)} is no longer on useapi.net. Its credit history stays.`, COLORS.ok),
    ],
  };
}

export default defineCommand({
  data,

  async execute(interaction, _options, ctx) {
    const channelName = (id: string) => interaction.guild?.channels.cache.get(id)?.name;
    await ctx.respond.reply(interaction, overview(ctx, interaction.guildId, interaction.user.id, channelName), {
      ephemeral: true,
    });
  },

  async button(interaction, action, ctx) {
    switch (action.name) {
      case 'add':
        await interaction.showModal(
          addAccountModal(
            ctx.sign({ command: NAME, name: 'add-form', args: [], userId: interaction.user.id, validForMs: CONSOLE_VALID_MS }),
          ),
        );
        return;
      case 'reconnect':
        return showReconnect(interaction, action.args[0], ctx);
      case 'remove':
        return ctx.respond.update(interaction, removeAccount(ctx, action.args[0]));
      case 'cancel':
        return ctx.respond.update(interaction, { embeds: [noticeEmbed('Cancelled', 'Nothing was changed.')] });
      default:
        throw unknownAction();
    }
  },

  async select(interaction, action, ctx) {
    // The chosen value is not signed: it is only a reference, looked up again in the current state.
    const [value] = interaction.values;
    switch (action.name) {
      case 'reconnect-pick':
        return showReconnect(interaction, value, ctx);
      case 'remove-pick':
        return ctx.respond.update(interaction, removeQuestion(ctx, value, interaction.user.id));
      case 'unregister-pick':
        return ctx.respond.update(interaction, unregisterQuestion(ctx, value ?? '', interaction.guildId, interaction.user.id));
      default:
        throw unknownAction();
    }
  },

  async modalSubmit(interaction, action, ctx) {
    if (action.name === 'add-form') return onAddForm(interaction, ctx);
    if (action.name === 'reconnect-form') return onReconnectForm(interaction, action, ctx);
    throw unknownAction();
  },
});
