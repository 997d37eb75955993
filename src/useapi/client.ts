import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { UseapiError, isRetryable, type UseapiErrorKind } from './errors.js';
import {
  errorBodySchema,
  featuresSchema,
  schedulerSchema,
  subscriptionSchema,
  v2AccountSchema,
  v1ChannelSchema,
  v1ChannelsSchema,
  v2AccountsSchema,
  type Features,
  type Scheduler,
  type Subscription,
  type V1Channel,
  type V2Account,
} from './schemas.js';
import { secretScrubber } from '../secrets.js';
import { isSnowflake } from '../snowflake.js';
import { cutTo, singleLine } from '../text.js';

/** The few logger methods the client uses; pino's Logger satisfies it. */
export interface ClientLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** Receives one call per attempt and per failed call; the bot's metrics implement it. */
export interface UseapiObserver {
  upstreamAttempt(endpoint: string, result: string, ms: number): void;
  upstreamFailure(kind: UseapiErrorKind): void;
}

export interface UseapiClientOptions {
  token: string;
  baseUrl: string;
  timeouts: {
    connectMs: number;
    headersMs: number;
    bodyMs: number;
    /** The whole call, retries and their waits included: what a user may be kept waiting. */
    totalMs: number;
  };
  /** How long `features` and `accounts` answers are reused. 0 turns the cache off. */
  cacheTtlMs: number;
  /** Upper bound on requests open to useapi.net at once; more wait in the dispatcher's queue. */
  maxConcurrent?: number;
  /** Reads are retried at most this many times. */
  maxRetries?: number;
  /** First backoff step; each retry doubles it, with jitter. */
  retryBaseMs?: number;
  logger?: ClientLogger;
  observer?: UseapiObserver;
  /**
   * Values useapi.net must never be quoted with (the bot's tokens): taken out of any text it sends
   * back before that text is kept in an error, so no cut can leave part of one behind.
   */
  secrets?: ReadonlyArray<string | undefined>;
  /**
   * Called with every account's credits the client actually fetched (never with a cached answer):
   * the bot keeps them as its credit history. Only reads that name the account's email are reported.
   */
  onFeatures?: (email: string, features: Features) => void;
}

/** How fresh a read must be. */
export interface ReadOptions {
  /** Ask useapi.net now, whatever the cache holds (the answer still refreshes the cache). */
  fresh?: boolean;
  /** Accept a cached answer only when it is younger than this. */
  maxAgeMs?: number;
}

export interface AddAccountInput {
  email: string;
  /** The PixVerse password. Sent once, never stored, logged or returned. */
  password: string;
  maxJobs: number;
}

export interface RegisterChannelInput {
  channel: string;
  server: string;
  /** The Discord user token useapi.net will drive PixVerse with. Sent, never stored or returned. */
  discord: string;
  maxJobs: number;
}

/** Upstream text kept in an error: enough for any message useapi.net documents. */
const MAX_UPSTREAM_TEXT = 300;
type Method = 'GET' | 'POST' | 'DELETE';

const ACCOUNTS_PATH = '/v2/pixverse/accounts';

function featuresPath(email: string | undefined): string {
  return email === undefined ? '/v2/pixverse/features/' : `/v2/pixverse/features/?email=${emailSegment(email)}`;
}

/** An email inside a URL: encoded whole, so no character of it can steer the request. */
function emailSegment(email: string): string {
  try {
    return encodeURIComponent(email);
  } catch {
    // Half a surrogate pair has no URL encoding; such a value names no account useapi.net could hold.
    throw new UseapiError('bad-request', 'the email is not valid text');
  }
}

/** Bodies are small JSON documents; anything far larger is not a useapi.net answer. */
const MAX_BODY_BYTES = 1_000_000;
/** Enough cached `features` answers for every account a subscription can hold, many times over. */
const MAX_CACHE_ENTRIES = 64;
/** setTimeout's (and AbortSignal.timeout's) upper bound; larger delays fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

interface CacheEntry {
  value: unknown;
  /** performance.now() when the answer arrived. */
  storedAt: number;
}

/** What one call sends: a body, and what its answer must never be quoted with. */
interface SendOptions {
  body?: unknown;
  /** Secrets inside `body` (a token, a password), scrubbed from whatever useapi.net answers. */
  bodySecrets?: readonly string[];
  emptyOn404?: boolean;
}

/**
 * The only code that talks to useapi.net. Every method either returns a parsed value or throws a
 * `UseapiError`; nothing else escapes. Reads are coalesced, cached briefly and retried; writes are
 * sent once.
 */
export class UseapiClient {
  private readonly dispatcher: Agent;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly cache = new Map<string, CacheEntry>();
  /** Bumped by every successful write, so a read that started before it cannot refill the cache. */
  private generation = 0;
  private lastKnownAccounts: V2Account[] | undefined;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  /** Aborted by `interrupt()`: every call waiting on useapi.net gives up at once. */
  private readonly stopping = new AbortController();
  private readonly secrets: ReadonlyArray<string | undefined>;

  constructor(private readonly options: UseapiClientOptions) {
    this.dispatcher = new Agent({
      connect: { timeout: options.timeouts.connectMs },
      headersTimeout: options.timeouts.headersMs,
      bodyTimeout: options.timeouts.bodyMs,
      connections: options.maxConcurrent ?? 4,
      keepAliveTimeout: 30_000,
    });
    this.maxRetries = options.maxRetries ?? 2;
    this.retryBaseMs = options.retryBaseMs ?? 300;
    this.secrets = [options.token, ...(options.secrets ?? [])];
  }

  /** Plan and credits of one v2 account; `email` may be left out when exactly one account exists. */
  async features(email?: string, read: ReadOptions = {}): Promise<Features> {
    return this.cachedRead(featuresPath(email), read, async (path) => {
      const answer = await this.send('GET', path);
      const features = parse(featuresSchema, answer, 'GET /v2/pixverse/features');
      if (email !== undefined) this.options.onFeatures?.(email, features);
      return features;
    });
  }

  /** The cached plan and credits of one account, without asking useapi.net; undefined unless fresh. */
  peekFeatures(email?: string): Features | undefined {
    try {
      return this.peek<Features>(featuresPath(email));
    } catch {
      return undefined;
    }
  }

  /** Every configured v2 account; "none configured" is an empty list. */
  async accounts(read: ReadOptions = {}): Promise<V2Account[]> {
    const list = await this.cachedRead(ACCOUNTS_PATH, read, async (path) => {
      const answer = await this.send('GET', path, { emptyOn404: true });
      return answer ? parse(v2AccountsSchema, answer, 'GET /v2/pixverse/accounts') : [];
    });
    this.lastKnownAccounts = list;
    return list;
  }

  /** The cached account list, without asking useapi.net; undefined unless fresh. */
  peekAccounts(): V2Account[] | undefined {
    return this.peek<V2Account[]>(ACCOUNTS_PATH);
  }

  /**
   * The account list without waiting: the cached one, or the last one ever read, or nothing.
   * Autocomplete has 3 seconds and no way to defer, so it answers from this and refreshes behind.
   */
  knownAccounts(): V2Account[] | undefined {
    return this.lastKnownAccounts;
  }

  /** Every v1 channel registration, tokens masked; "none configured" is an empty list. */
  channels(read: ReadOptions = {}): Promise<V1Channel[]> {
    return this.cachedRead('/v1/pixverse/account', read, async (path) => {
      const answer = await this.send('GET', path, { emptyOn404: true });
      return answer ? parse(v1ChannelsSchema, answer, 'GET /v1/pixverse/account') : [];
    });
  }

  /** One v1 channel registration, token masked, or undefined when the channel is not registered. Never cached. */
  async channel(id: string): Promise<V1Channel | undefined> {
    const path = `/v1/pixverse/account/${snowflakeSegment(id)}`;
    return this.coalesce(path, async () => {
      const answer = await this.send('GET', path, { emptyOn404: true });
      return answer ? parse(v1ChannelSchema, answer, 'GET /v1/pixverse/account/<channel>') : undefined;
    });
  }

  /** Create or update a v1 channel registration (useapi.net answers 204). */
  async registerChannel(input: RegisterChannelInput): Promise<void> {
    const path = `/v1/pixverse/account/${snowflakeSegment(input.channel)}`;
    await this.send('POST', path, {
      body: { discord: input.discord, server: input.server, channel: input.channel, maxJobs: input.maxJobs },
      bodySecrets: [input.discord],
    });
    this.invalidate();
  }

  /**
   * Adds a v2 account, or updates it (useapi.net's POST is create-or-update, and re-adding is how an
   * account in error state is repaired). The password is sent in this one request and kept nowhere;
   * useapi.net answers with the stored record, secrets masked.
   */
  async addAccount(input: AddAccountInput): Promise<V2Account> {
    const path = `/v2/pixverse/accounts/${emailSegment(input.email)}`;
    const answer = await this.send('POST', path, {
      body: { email: input.email, password: input.password, maxJobs: input.maxJobs },
      bodySecrets: [input.password],
    });
    this.invalidate();
    return { ...parse(v2AccountSchema, answer, 'POST /v2/pixverse/accounts/<email>'), email: input.email };
  }

  /** Removes a v2 account; `false` when there was none ("already gone"). Success is 200 or 204: the docs give neither. */
  async removeAccount(email: string): Promise<boolean> {
    const answer = await this.send('DELETE', `/v2/pixverse/accounts/${emailSegment(email)}`, { emptyOn404: true });
    this.invalidate();
    return answer !== undefined;
  }

  /** The jobs running now and each account's free capacity. Never cached: it changes by the second. */
  scheduler(): Promise<Scheduler> {
    return this.coalesce('/v2/pixverse/scheduler/available', async (path) =>
      parse(schedulerSchema, await this.send('GET', path), 'GET /v2/pixverse/scheduler/available'),
    );
  }

  /** The useapi.net subscription: active or not, and its PixVerse account slots. */
  subscription(read: ReadOptions = {}): Promise<Subscription> {
    return this.cachedRead('/v2/account', read, async (path) =>
      parse(subscriptionSchema, await this.send('GET', path), 'GET /v2/account'),
    );
  }

  /** Remove a v1 channel registration; `false` when there was none ("already gone"). */
  async unregisterChannel(id: string): Promise<boolean> {
    const path = `/v1/pixverse/account/${snowflakeSegment(id)}`;
    const answer = await this.send('DELETE', path, { emptyOn404: true });
    this.invalidate();
    return answer !== undefined;
  }

  /**
   * Gives up every call still waiting on useapi.net, now and from now on: each fails as
   * `interrupted`. For a shutdown that must not wait for a slow upstream.
   */
  interrupt(): void {
    this.stopping.abort();
  }

  /** Ends every connection, abandoning requests still open (the router has drained by then). */
  async close(): Promise<void> {
    this.interrupt();
    await this.dispatcher.destroy();
  }

  private invalidate(): void {
    this.generation += 1;
    this.cache.clear();
    this.inFlight.clear();
  }

  private peek<T>(path: string): T | undefined {
    const hit = this.cache.get(path);
    return hit && performance.now() - hit.storedAt < this.options.cacheTtlMs ? (hit.value as T) : undefined;
  }

  /** A read answered from the cache while fresh enough, otherwise coalesced and stored on success. */
  private async cachedRead<T>(path: string, read: ReadOptions, load: (path: string) => Promise<T>): Promise<T> {
    const hit = this.cache.get(path);
    const maxAge = Math.min(this.options.cacheTtlMs, read.maxAgeMs ?? Number.POSITIVE_INFINITY);
    if (!read.fresh && hit && performance.now() - hit.storedAt < maxAge) return hit.value as T;
    const generation = this.generation;
    const value = await this.coalesce(path, load);
    if (this.options.cacheTtlMs > 0 && generation === this.generation) {
      this.cache.delete(path);
      if (this.cache.size >= MAX_CACHE_ENTRIES) this.evictOldest();
      this.cache.set(path, { value, storedAt: performance.now() });
    }
    return value;
  }

  private evictOldest(): void {
    const oldest = this.cache.keys().next();
    if (!oldest.done) this.cache.delete(oldest.value);
  }

  /** Identical reads in flight share one request. */
  private coalesce<T>(key: string, load: (path: string) => Promise<T>): Promise<T> {
    const pending = this.inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const promise = load(key).finally(() => {
      if (this.inFlight.get(key) === promise) this.inFlight.delete(key);
    });
    this.inFlight.set(key, promise);
    return promise;
  }

  /**
   * One call, retried when it is a read and the failure is passing (429, 502–504, network), within
   * one total time budget. Written here rather than with undici's RetryAgent because that one has no
   * jitter and cannot tell that a Retry-After would overrun the user's wait.
   */
  private async send(method: Method, path: string, opts: SendOptions & { emptyOn404: true }): Promise<Answer | undefined>;
  private async send(method: Method, path: string, opts?: SendOptions): Promise<Answer>;
  private async send(method: Method, path: string, opts: SendOptions = {}): Promise<Answer | undefined> {
    const endpoint = endpointTemplate(method, path);
    const { logger, observer } = this.options;
    const scrub = secretScrubber([...this.secrets, ...(opts.bodySecrets ?? [])]);
    const failure = (caught: unknown) => this.toUseapiError(caught, method, endpoint);
    const deadline = performance.now() + this.options.timeouts.totalMs;
    for (let attempt = 0; ; attempt += 1) {
      const started = performance.now();
      try {
        const answer = await this.attempt(method, path, opts.body, deadline).catch((caught: unknown) => {
          const error = failure(caught);
          observer?.upstreamAttempt(endpoint, error.kind, performance.now() - started);
          throw error;
        });
        const ms = performance.now() - started;
        observer?.upstreamAttempt(endpoint, String(answer.status), ms);
        logger?.debug({ endpoint, status: answer.status, ms: Math.round(ms), attempt }, 'useapi.net answered');
        if (answer.status >= 200 && answer.status < 300) return answer;
        if (answer.status === 404 && opts.emptyOn404 && isNoneConfigured(answer)) return undefined;
        throw errorFromAnswer(answer, endpoint, scrub);
      } catch (caught) {
        const error = failure(caught);
        const wait =
          method === 'GET' && attempt < this.maxRetries && isRetryable(error) ? this.backoff(attempt, error) : undefined;
        if (wait === undefined || performance.now() + wait >= deadline) {
          observer?.upstreamFailure(error.kind);
          throw error;
        }
        this.options.logger?.debug(
          { endpoint, kind: error.kind, status: error.status, waitMs: wait },
          'retrying useapi.net read',
        );
        await sleep(wait, undefined, { signal: this.stopping.signal }).catch((aborted: unknown) => {
          throw failure(aborted);
        });
      }
    }
  }

  /** Retry-After when useapi.net sent one, else exponential backoff with "equal jitter". */
  private backoff(attempt: number, error: UseapiError): number {
    if (error.retryAfterMs !== undefined) return error.retryAfterMs;
    const step = this.retryBaseMs * 2 ** attempt;
    return step / 2 + Math.random() * (step / 2);
  }

  private async attempt(method: Method, path: string, body: unknown, deadline: number): Promise<Answer> {
    // AbortSignal.timeout takes a whole number of ms and a timer's range; a fraction throws ERR_OUT_OF_RANGE.
    const remaining = Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(deadline - performance.now())));
    const response = await request(`${this.options.baseUrl}${path}`, {
      method,
      dispatcher: this.dispatcher,
      headers: {
        authorization: `Bearer ${this.options.token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.any([AbortSignal.timeout(remaining), this.stopping.signal]),
    });
    return { status: response.statusCode, headers: response.headers, text: await readCapped(response.body) };
  }

  /** Whatever was thrown → one `UseapiError`; after `interrupt()` every failure is `interrupted`. */
  private toUseapiError(caught: unknown, method: Method, endpoint: string): UseapiError {
    if (this.stopping.signal.aborted) {
      return new UseapiError('interrupted', `${endpoint} was abandoned: the bot is stopping`, {
        endpoint,
        unconfirmedWrite: method !== 'GET',
      });
    }
    return toUseapiError(caught, endpoint);
  }
}

async function readCapped(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      throw new UseapiError('invalid-response', `useapi.net answered with more than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `GET /v1/pixverse/account/:channel`: the path without ids, emails or query, for logs and metric
 * labels (bounded, and nothing personal).
 */
export function endpointTemplate(method: string, path: string): string {
  const bare = path
    .split('?')[0]!
    .replace(/^\/v1\/pixverse\/account\/[^/]+/, '/v1/pixverse/account/:channel')
    .replace(/^\/v2\/pixverse\/accounts\/[^/]+/, '/v2/pixverse/accounts/:email')
    .replace(/\/$/, '');
  return `${method} ${bare}`;
}

/** Ids are checked before they become part of a URL path, so no input can steer the request. */
function snowflakeSegment(id: string): string {
  if (!isSnowflake(id)) {
    // No status and no upstreamMessage: useapi.net never saw it, so nothing may quote it as its answer.
    throw new UseapiError('bad-request', 'the channel id is not a Discord channel id (17 to 20 digits)');
  }
  return id;
}

/** The plain-text (or JSON) 404 useapi.net gives for "nothing configured yet". */
function isNoneConfigured(answer: Answer): boolean {
  return /configuration not found/i.test(answer.text) || answer.text.trim() === '';
}

function parse<S extends z.ZodType>(schema: S, answer: Answer, endpoint: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch {
    throw new UseapiError('invalid-response', `${endpoint} answered ${answer.status} with a body that is not JSON`, {
      status: answer.status,
      endpoint,
    });
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const where = result.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
      .join('; ');
    throw new UseapiError('invalid-response', `${endpoint} answered an unexpected body (${where})`, {
      status: answer.status,
      endpoint,
    });
  }
  return result.data;
}

const STATUS_KINDS: Record<number, UseapiErrorKind> = {
  400: 'bad-request',
  401: 'unauthorized',
  402: 'subscription',
  403: 'forbidden',
  404: 'not-found',
  429: 'busy',
  596: 'account-error',
};

/** useapi.net's 401 when the API token is wrong has exactly this body; any other 401 is PixVerse refusing a login. */
const TOKEN_REJECTED = 'Unauthorized';

function errorFromAnswer(answer: Answer, endpoint: string, scrub: (text: string) => string): UseapiError {
  const upstreamMessage = upstreamErrorText(answer, scrub);
  const kind =
    answer.status === 401 && upstreamMessage !== undefined && upstreamMessage !== TOKEN_REJECTED
      ? 'login-rejected'
      : (STATUS_KINDS[answer.status] ?? 'upstream');
  const retryAfterMs = answer.status === 429 ? parseRetryAfter(answer.headers['retry-after']) : undefined;
  return new UseapiError(kind, `${endpoint} answered ${answer.status}${upstreamMessage ? `: ${upstreamMessage}` : ''}`, {
    status: answer.status,
    endpoint,
    ...(upstreamMessage === undefined ? {} : { upstreamMessage }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/**
 * useapi.net's `error` text when the body is its JSON error shape; a short plain-text body otherwise.
 * Secrets go before anything is cut: a cut first could leave part of one that no scrubber recognises.
 */
function upstreamErrorText(answer: Answer, scrub: (text: string) => string): string | undefined {
  let text: string | undefined;
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(answer.text));
    text = parsed.success ? parsed.data.error : undefined;
  } catch {
    const contentType = String(answer.headers['content-type'] ?? '');
    // HTML error pages (proxies, Cloudflare) say nothing a user can act on.
    if (!contentType.includes('html') && !/^\s*</.test(answer.text)) text = answer.text;
  }
  const clean = text === undefined ? '' : singleLine(scrub(text));
  return clean ? cutTo(clean, MAX_UPSTREAM_TEXT) : undefined;
}

/** Retry-After as seconds or as an HTTP date; absent or unreadable → undefined. */
export function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Whatever was thrown by one attempt → one `UseapiError`. */
function toUseapiError(caught: unknown, endpoint: string): UseapiError {
  if (caught instanceof UseapiError) {
    return caught.details.endpoint ? caught : new UseapiError(caught.kind, caught.message, { ...caught.details, endpoint });
  }
  const error = caught as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = error.code ?? error.cause?.code;
  if (error.name === 'TimeoutError' || error.name === 'AbortError' || (code && TIMEOUT_CODES.has(code))) {
    return new UseapiError('timeout', `${endpoint} did not answer in time`, { endpoint });
  }
  return new UseapiError('network', `${endpoint} could not be reached (${code ?? error.name ?? 'error'})`, { endpoint });
}
