/**
 * Why the bot says no. A closed set: the code is the metrics label and what tests assert, the
 * sentence is for the person reading it.
 */
export type RefusalCode =
  | 'direct-message' // used outside a server
  | 'guild-not-served' // a server outside DISCORD_GUILD_ID
  | 'malformed-interaction' // a payload Discord would not send: missing member, ill-formed ids or strings
  | 'missing-permission' // the member lacks what the command needs
  | 'invalid-option' // an option that breaks the command's definition
  | 'unknown-command' // a command or component the bot does not have
  | 'forged-action' // a button or form whose custom id the bot did not issue
  | 'expired-action' // a button or form pressed after its time
  | 'not-invoker' // a button pressed by someone other than the admin who asked
  | 'cooldown' // CREDITS_COOLDOWN: asked again too soon
  | 'unknown-account' // an email that is not one of the configured accounts
  | 'other-server' // a registration that belongs to another server
  | 'invalid-input'; // a form field that cannot be what it asks for

/**
 * An expected "no": wrong place, missing permission, bad input, cooldown. The router answers it with
 * its message and counts it by code; it is never logged as an error.
 */
export class Refusal extends Error {
  override readonly name = 'Refusal';

  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
  }
}
