import { WHERE_TO_GET } from '../config.js';
import { Refusal, type RefusalCode } from '../refusal.js';
import { UseapiError } from '../useapi/errors.js';
import { quoted, secondsFromMs } from './format.js';

/** What a person reads when something did not work: what happened, and what to do next. */
export interface FailureText {
  title: string;
  text: string;
}

/** "**What happened.** What to do.": a failure as one line inside a larger message. */
export function failureSentence(failure: FailureText): string {
  return `**${failure.title}.** ${failure.text}`;
}

/** What an admin does about an account in error state: the console reconnects it with its password. */
export const RECONNECT_HINT =
  'A server admin can press **Reconnect** (here, or in `/pixverse-accounts`) and type the account’s PixVerse password: useapi.net signs in again and the account works again.';

/** The title of a refusal, by its code; the refusal's own message says what to do. */
const REFUSAL_TITLES: Partial<Record<RefusalCode, string>> = {
  'missing-permission': 'Permission needed',
  'expired-action': 'Question expired',
  'forged-action': 'Not a button of this bot',
  'not-invoker': 'Not your question',
  cooldown: 'One moment',
  'unknown-account': 'Not one of your accounts',
  'invalid-option': 'Invalid option',
  'invalid-input': 'Invalid input',
};

/** The one place a failure becomes words. `error` is whatever a handler threw. */
export function describeFailure(error: unknown): FailureText {
  if (error instanceof Refusal) return { title: REFUSAL_TITLES[error.code] ?? 'Not possible here', text: error.message };
  if (!(error instanceof UseapiError)) {
    return {
      title: 'Something went wrong in the bot',
      text: 'This is a bug on the bot’s side, not on useapi.net. The bot’s owner can find the details in its log. Try again; if it keeps happening, report it.',
    };
  }
  switch (error.kind) {
    case 'bad-request':
      if (error.status === undefined) {
        // Refused by the client before any request (an id that cannot be part of a URL path).
        return {
          title: 'Not possible here',
          text: `Nothing was sent to useapi.net: ${error.message}. Run the command inside a text channel or thread of this server.`,
        };
      }
      return {
        title: 'useapi.net refused the request',
        text: `useapi.net said: ${quoted(error.upstreamMessage ?? error.message, 300)}. Check the values and try again.`,
      };
    case 'unauthorized':
      return {
        title: 'useapi.net rejected the bot’s API token',
        text: `The bot’s owner should check \`USEAPI_TOKEN\` (${WHERE_TO_GET.USEAPI_TOKEN}), then restart the bot.`,
      };
    case 'subscription':
      return {
        title: 'No active useapi.net subscription',
        text: 'The useapi.net subscription behind this bot is missing or expired. Renew it on useapi.net, then try again.',
      };
    case 'forbidden':
      return {
        title: 'Not yours on useapi.net',
        text: 'useapi.net says this belongs to another useapi.net user. Check which API token the bot uses.',
      };
    case 'not-found':
      return {
        title: 'Not found on useapi.net',
        text: 'useapi.net has no PixVerse account with that email for this API token. Leave `email` empty to see every configured account.',
      };
    case 'busy':
      return {
        title: 'useapi.net is busy',
        text:
          error.retryAfterMs !== undefined
            ? `useapi.net is at capacity right now. Try again in ${secondsFromMs(error.retryAfterMs)} s.`
            : 'useapi.net is at capacity right now. Try again in half a minute.',
      };
    case 'account-error':
      return {
        title: 'The PixVerse account is in an error state',
        text: `useapi.net could not use this PixVerse account (its session was rejected). ${RECONNECT_HINT}`,
      };
    case 'login-rejected':
      return {
        title: 'PixVerse refused the email and password',
        text: `useapi.net said: ${quoted(error.upstreamMessage ?? error.message, 300)}. Check the password this account uses on pixverse.ai (not your useapi.net password), then try again. Accounts that sign in to PixVerse with Google, Apple or Discord cannot be added.`,
      };
    case 'upstream':
      return {
        title: 'useapi.net is having trouble',
        text: `useapi.net or PixVerse answered with an error${error.status ? ` (HTTP ${error.status})` : ''}. This is on their side; try again in a few minutes.`,
      };
    case 'timeout':
      return {
        title: 'useapi.net did not answer in time',
        text: 'useapi.net is slow or unreachable right now. Try again in a minute.',
      };
    case 'network':
      return {
        title: 'Could not reach useapi.net',
        text: 'The bot could not connect to useapi.net. Try again in a minute; if it persists, the bot’s owner should check the host’s network.',
      };
    case 'invalid-response':
      return {
        title: 'useapi.net sent an unreadable answer',
        text: 'useapi.net answered with something the bot could not read. Try again later; if it persists, the bot may need an update.',
      };
    case 'interrupted':
      return error.details.unconfirmedWrite
        ? {
            title: 'The bot is restarting',
            text: 'It stopped before useapi.net confirmed the change, so it may or may not have been made. In a minute, check with `/pixverse-accounts` and try again if needed.',
          }
        : {
            title: 'The bot is restarting',
            text: 'Nothing was changed. Try again in a minute.',
          };
  }
}

const INVALID_EMAIL = /^Required param email .* is not valid email/;

/**
 * useapi.net's refusals of `POST /v2/pixverse/accounts/<email>` (the console's Add and Reconnect),
 * turned into what to do. Anything else falls back to `describeFailure`.
 */
export function describeAccountFailure(error: unknown): FailureText {
  const message = error instanceof UseapiError && error.kind === 'bad-request' ? error.upstreamMessage : undefined;
  if (message === undefined) return describeFailure(error);
  if (INVALID_EMAIL.test(message)) {
    return {
      title: 'Not an email address',
      text: 'useapi.net needs the email the PixVerse account signs in with. Press **Add account** again.',
    };
  }
  const limit = MAX_JOBS_LIMIT.exec(message);
  if (limit) {
    return {
      title: 'Too many jobs for this account',
      text: `useapi.net allows at most ${limit[1]} jobs at once for a PixVerse account. Choose ${limit[1]} or fewer.`,
    };
  }
  if (message.startsWith('Required param password')) {
    return { title: 'No password was given', text: 'Type the account’s PixVerse password in the form.' };
  }
  return describeFailure(error);
}

const SAME_DISCORD = /^Channel (\d{17,20}) configuration has same discord value/;
const MAX_JOBS_LIMIT = /^Required param maxJobs \S+ can't be more that (\d+)/;

/**
 * useapi.net's documented refusals of `POST /v1/pixverse/account/<channel>`, turned into what to do.
 * Anything else falls back to `describeFailure`.
 */
export function describeRegistrationFailure(error: unknown): FailureText {
  const message = error instanceof UseapiError && error.kind === 'bad-request' ? error.upstreamMessage : undefined;
  if (message === undefined) return describeFailure(error);
  const same = SAME_DISCORD.exec(message);
  if (same) {
    return {
      title: 'This Discord token already serves another channel',
      text:
        `useapi.net holds this Discord token for <#${same[1]}> (channel id \`${same[1]}\`), and one token can serve only one channel. ` +
        `To move it here, remove that registration first (\`/pixverse-unregister\` with that channel), then run \`/pixverse-register\` here again. ` +
        'To keep both, register this channel with a different Discord account’s token.',
    };
  }
  const limit = MAX_JOBS_LIMIT.exec(message);
  if (limit) {
    return {
      title: 'Too many jobs for this account',
      text: `useapi.net allows at most ${limit[1]} jobs at once for this account. Run \`/pixverse-register max_jobs:${limit[1]}\` or lower.`,
    };
  }
  if (message.startsWith('Required param discord')) {
    return {
      title: 'No Discord token was given',
      text: 'useapi.net needs the Discord token of the account that drives PixVerse. Type it in the form, or ask the bot’s owner to set `PIXVERSE_DISCORD_TOKEN`.',
    };
  }
  if (message.startsWith('Required param maxJobs')) {
    return { title: 'Invalid number of jobs', text: 'Give `max_jobs` a whole number from 1 to 10.' };
  }
  if (message.startsWith('Required param channel') || message.startsWith('Required param server')) {
    return {
      title: 'useapi.net refused this channel',
      text: `useapi.net said: ${quoted(message, 300)}. Run the command inside a regular text channel or thread of this server.`,
    };
  }
  return describeFailure(error);
}
