/**
 * Every way a useapi.net call can fail, as one error type with a `kind`. The client throws nothing
 * else, so callers switch on `kind` instead of inspecting statuses, bodies or socket errors.
 */
export type UseapiErrorKind =
  | 'bad-request' // 400: useapi.net's own message says what is wrong
  | 'unauthorized' // 401 {"error":"Unauthorized"}: the API token is wrong or revoked
  | 'login-rejected' // 401 with a message of its own: PixVerse refused an account's email and password
  | 'subscription' // 402: no active useapi.net subscription
  | 'forbidden' // 403: another user's resource
  | 'not-found' // 404 on a single resource
  | 'busy' // 429: useapi.net is at capacity; retryAfterMs when it said so
  | 'account-error' // 596: the linked PixVerse account's session was rejected
  | 'upstream' // 5xx or any other unexpected status
  | 'timeout' // no answer within the time budget
  | 'network' // connection refused, reset, DNS…
  | 'invalid-response' // an answer whose body is not what the reference describes
  | 'interrupted'; // abandoned because the bot is stopping

export class UseapiError extends Error {
  override readonly name = 'UseapiError';

  constructor(
    readonly kind: UseapiErrorKind,
    message: string,
    readonly details: {
      status?: number;
      /** useapi.net's `error` text, kept for messages that are worth showing (400, 596). */
      upstreamMessage?: string;
      retryAfterMs?: number;
      /** Which endpoint failed, as `GET /v2/pixverse/features` (no query: it can hold an email). */
      endpoint?: string;
      /** An interrupted write: useapi.net may or may not have applied it. */
      unconfirmedWrite?: boolean;
    } = {},
  ) {
    super(message);
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get upstreamMessage(): string | undefined {
    return this.details.upstreamMessage;
  }

  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }
}

/** Statuses (and socket failures) where the same read can succeed a moment later. */
export function isRetryable(error: UseapiError): boolean {
  if (error.kind === 'network' || error.kind === 'busy') return true;
  return error.kind === 'upstream' && (error.status === 502 || error.status === 503 || error.status === 504);
}
