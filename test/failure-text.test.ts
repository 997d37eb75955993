import { describe, expect, it } from 'vitest';
import {
  describeAccountFailure,
  describeFailure,
  describeRegistrationFailure,
  failureSentence,
  type FailureText,
} from '../src/presentation/failure.js';
import { Refusal } from '../src/refusal.js';
import { UseapiError } from '../src/useapi/errors.js';

/** A refusal as useapi.net sends it: HTTP 400 with its own `error` text. */
const refused = (upstreamMessage: string) =>
  new UseapiError('bad-request', `useapi.net answered 400: ${upstreamMessage}`, { status: 400, upstreamMessage });

describe('describeFailure', () => {
  it('a refusal keeps its message under the title of its code, or a generic one', () => {
    expect(describeFailure(new Refusal('cooldown', 'Try again in 3 s.'))).toEqual({
      title: 'One moment',
      text: 'Try again in 3 s.',
    });
    expect(describeFailure(new Refusal('other-server', 'That channel is registered from another server.'))).toEqual({
      title: 'Not possible here',
      text: 'That channel is registered from another server.',
    });
  });

  it('anything that is not a useapi.net failure is the bot’s own bug, and says so without its details', () => {
    const failure = describeFailure(new TypeError('Cannot read properties of undefined (reading "x")'));
    expect(failure).toEqual({
      title: 'Something went wrong in the bot',
      text: 'This is a bug on the bot’s side, not on useapi.net. The bot’s owner can find the details in its log. Try again; if it keeps happening, report it.',
    });
  });

  it('a request the client refused before sending says nothing reached useapi.net', () => {
    const error = new UseapiError('bad-request', 'a channel id must be digits');
    expect(describeFailure(error)).toEqual({
      title: 'Not possible here',
      text: 'Nothing was sent to useapi.net: a channel id must be digits. Run the command inside a text channel or thread of this server.',
    });
  });

  it('a 400 quotes useapi.net’s own words, or the error when it gave none', () => {
    expect(describeFailure(refused('Required param prompt is missing'))).toEqual({
      title: 'useapi.net refused the request',
      text: 'useapi.net said: `Required param prompt is missing`. Check the values and try again.',
    });
    expect(describeFailure(new UseapiError('bad-request', 'HTTP 400 without a body', { status: 400 })).text).toBe(
      'useapi.net said: `HTTP 400 without a body`. Check the values and try again.',
    );
  });

  it.each<[UseapiError, FailureText]>([
    [
      new UseapiError('forbidden', 'HTTP 403', { status: 403 }),
      {
        title: 'Not yours on useapi.net',
        text: 'useapi.net says this belongs to another useapi.net user. Check which API token the bot uses.',
      },
    ],
    [
      new UseapiError('not-found', 'HTTP 404', { status: 404 }),
      {
        title: 'Not found on useapi.net',
        text: 'useapi.net has no PixVerse account with that email for this API token. Leave `email` empty to see every configured account.',
      },
    ],
    [
      new UseapiError('upstream', 'HTTP 503', { status: 503 }),
      {
        title: 'useapi.net is having trouble',
        text: 'useapi.net or PixVerse answered with an error (HTTP 503). This is on their side; try again in a few minutes.',
      },
    ],
    [
      new UseapiError('upstream', 'no status'),
      {
        title: 'useapi.net is having trouble',
        text: 'useapi.net or PixVerse answered with an error. This is on their side; try again in a few minutes.',
      },
    ],
  ])('%s → its sentence and next step', (error, text) => {
    expect(describeFailure(error)).toEqual(text);
  });

  it('a rejected login quotes PixVerse’s reason, or the error when there is none', () => {
    expect(describeFailure(new UseapiError('login-rejected', 'HTTP 401', { status: 401 })).text).toBe(
      'useapi.net said: `HTTP 401`. Check the password this account uses on pixverse.ai (not your useapi.net password), then try again. Accounts that sign in to PixVerse with Google, Apple or Discord cannot be added.',
    );
    expect(
      describeFailure(new UseapiError('login-rejected', 'HTTP 401', { status: 401, upstreamMessage: 'wrong password' })).text,
    ).toMatch(/^useapi\.net said: `wrong password`\. /);
  });

  it('a stop mid-write cannot say whether the change was made; a stop before it says nothing changed', () => {
    expect(describeFailure(new UseapiError('interrupted', 'stopping', { unconfirmedWrite: true }))).toEqual({
      title: 'The bot is restarting',
      text: 'It stopped before useapi.net confirmed the change, so it may or may not have been made. In a minute, check with `/pixverse-accounts` and try again if needed.',
    });
    expect(describeFailure(new UseapiError('interrupted', 'stopping'))).toEqual({
      title: 'The bot is restarting',
      text: 'Nothing was changed. Try again in a minute.',
    });
  });

  it('failureSentence puts the title in bold before the next step', () => {
    expect(failureSentence({ title: 'useapi.net is busy', text: 'Try again in 3 s.' })).toBe(
      '**useapi.net is busy.** Try again in 3 s.',
    );
  });
});

describe('describeAccountFailure', () => {
  it('names the refusals of Add and Reconnect', () => {
    expect(describeAccountFailure(refused('Required param email (bob) is not valid email'))).toEqual({
      title: 'Not an email address',
      text: 'useapi.net needs the email the PixVerse account signs in with. Press **Add account** again.',
    });
    expect(describeAccountFailure(refused("Required param maxJobs 9 can't be more that 8"))).toEqual({
      title: 'Too many jobs for this account',
      text: 'useapi.net allows at most 8 jobs at once for a PixVerse account. Choose 8 or fewer.',
    });
    expect(describeAccountFailure(refused('Required param password is missing'))).toEqual({
      title: 'No password was given',
      text: 'Type the account’s PixVerse password in the form.',
    });
  });

  it('matches each refusal at the start of useapi.net’s text, not anywhere in it', () => {
    // Words that only end or contain a known refusal are another refusal: quoted as they are.
    for (const message of ['Wrong: Required param password', 'Value Required param email x is not valid email']) {
      expect(describeAccountFailure(refused(message))).toEqual(describeFailure(refused(message)));
    }
  });

  it('any other 400, and any other failure, reads as describeFailure says', () => {
    expect(describeAccountFailure(refused('Something else'))).toEqual({
      title: 'useapi.net refused the request',
      text: 'useapi.net said: `Something else`. Check the values and try again.',
    });
    // A 400 without useapi.net's text is matched against nothing: it cannot be one of the refusals above.
    const bare = new UseapiError('bad-request', 'Required param password', { status: 400 });
    expect(describeAccountFailure(bare)).toEqual(describeFailure(bare));
    // Only a 400 is a refusal of the form: the same words in a 596 are the account's own error.
    const accountError = new UseapiError('account-error', 'HTTP 596', {
      status: 596,
      upstreamMessage: 'Required param password',
    });
    expect(describeAccountFailure(accountError).title).toBe('The PixVerse account is in an error state');
    expect(describeAccountFailure(new Error('Required param password')).title).toBe('Something went wrong in the bot');
  });
});

describe('describeRegistrationFailure', () => {
  it('a token already serving another channel names that channel and both ways out', () => {
    expect(
      describeRegistrationFailure(
        refused('Channel 123456789012345678 configuration has same discord value as 987654321098765432'),
      ),
    ).toEqual({
      title: 'This Discord token already serves another channel',
      text:
        'useapi.net holds this Discord token for <#123456789012345678> (channel id `123456789012345678`), and one token can serve only one channel. ' +
        'To move it here, remove that registration first (`/pixverse-unregister` with that channel), then run `/pixverse-register` here again. ' +
        'To keep both, register this channel with a different Discord account’s token.',
    });
  });

  it.each<[string, FailureText]>([
    [
      "Required param maxJobs 12 can't be more that 10",
      {
        title: 'Too many jobs for this account',
        text: 'useapi.net allows at most 10 jobs at once for this account. Run `/pixverse-register max_jobs:10` or lower.',
      },
    ],
    [
      'Required param discord is missing',
      {
        title: 'No Discord token was given',
        text: 'useapi.net needs the Discord token of the account that drives PixVerse. Type it in the form, or ask the bot’s owner to set `PIXVERSE_DISCORD_TOKEN`.',
      },
    ],
    [
      'Required param maxJobs must be a number',
      { title: 'Invalid number of jobs', text: 'Give `max_jobs` a whole number from 1 to 10.' },
    ],
    [
      'Required param channel is missing',
      {
        title: 'useapi.net refused this channel',
        text: 'useapi.net said: `Required param channel is missing`. Run the command inside a regular text channel or thread of this server.',
      },
    ],
    [
      'Required param server is not valid',
      {
        title: 'useapi.net refused this channel',
        text: 'useapi.net said: `Required param server is not valid`. Run the command inside a regular text channel or thread of this server.',
      },
    ],
  ])('%s → its own sentence', (message, text) => {
    expect(describeRegistrationFailure(refused(message))).toEqual(text);
  });

  it('matches each refusal at the start of useapi.net’s text, not anywhere in it', () => {
    for (const message of [
      'Bad: Required param discord',
      'Bad: Required param maxJobs',
      'Bad: Required param channel',
      'Bad: Required param server',
    ]) {
      expect(describeRegistrationFailure(refused(message))).toEqual({
        title: 'useapi.net refused the request',
        text: `useapi.net said: \`${message}\`. Check the values and try again.`,
      });
    }
  });

  it('any other failure reads as describeFailure says', () => {
    const bare = new UseapiError('bad-request', 'Required param discord', { status: 400 });
    expect(describeRegistrationFailure(bare)).toEqual(describeFailure(bare));
    const busy = new UseapiError('busy', 'HTTP 429', {
      status: 429,
      retryAfterMs: 2_500,
      upstreamMessage: 'Required param discord',
    });
    expect(describeRegistrationFailure(busy)).toEqual({
      title: 'useapi.net is busy',
      text: 'useapi.net is at capacity right now. Try again in 3 s.',
    });
    expect(describeRegistrationFailure(new Error('Required param discord')).title).toBe('Something went wrong in the bot');
  });
});
