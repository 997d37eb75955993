import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { UseapiError, isRetryable, type UseapiErrorKind } from './errors.js';
import {
  errorBodySchema,
  featuresSchema,
  v1ChannelSchema,
  v1ChannelsSchema,
  v2AccountSchema,
  v2AccountsSchema,
  type Features,
  type V1Channel,
  type V2Account,
} from './schemas.js';
import { isSnowflake } from '../snowflake.js';

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
}

export interface RegisterChannelInput {
  channel: string;
  server: string;
  /** The Discord user token useapi.net will drive PixVerse with. Sent, never stored or returned. */
  discord: string;
  maxJobs: number;
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
  expiresAt: number;
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
  }

  /** Plan and credits of one v2 account; `email` may be left out when exactly one account exists. */
  features(email?: string): Promise<Features> {
    const query = email === undefined ? '' : `?email=${encodeURIComponent(email)}`;
    return this.cachedRead(`/v2/pixverse/features/${query}`, async (path) => {
      const answer = await this.send('GET', path);
      return parse(featuresSchema, answer, 'GET /v2/pixverse/features');
    });
  }

  /** Every configured v2 account; "none configured" is an empty list. */
  async accounts(): Promise<V2Account[]> {
    const list = await this.cachedRead('/v2/pixverse/accounts', async (path) => {
      const answer = await this.send('GET', path, { emptyOn404: true });
      return answer ? parse(v2AccountsSchema, answer, 'GET /v2/pixverse/accounts') : [];
    });
    this.lastKnownAccounts = list;
    return list;
  }

  /**
   * The account list without waiting: the cached one, or the last one ever read, or nothing.
   * Autocomplete has 3 seconds and no way to defer, so it answers from this and refreshes behind.
   */
  knownAccounts(): V2Account[] | undefined {
    return this.lastKnownAccounts;
  }

  /** One v2 account. */
  async account(email: string): Promise<V2Account> {
    return this.coalesce(`/v2/pixverse/accounts/${encodeURIComponent(email)}`, async (path) => {
      const answer = await this.send('GET', path);
      return parse(v2AccountSchema, answer, 'GET /v2/pixverse/accounts/<email>');
    });
  }

  /** Every v1 channel registration, tokens masked; "none configured" is an empty list. */
  channels(): Promise<V1Channel[]> {
    return this.cachedRead('/v1/pixverse/account', async (path) => {
      const answer = await this.send('GET', path, { emptyOn404: true });
      return answer ? parse(v1ChannelsSchema, answer, 'GET /v1/pixverse/account') : [];
    });
  }

  /** One v1 channel registration, token masked, or undefined when the channel is not registered. */
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
    });
    this.invalidate();
  }

  /** Remove a v1 channel registration; `false` when there was none ("already gone"). */
  async unregisterChannel(id: string): Promise<boolean> {
    const path = `/v1/pixverse/account/${snowflakeSegment(id)}`;
    const answer = await this.send('DELETE', path, { emptyOn404: true });
    this.invalidate();
    return answer !== undefined;
  }

  /** Ends every connection, abandoning requests still open (the router has drained by then). */
  async close(): Promise<void> {
    await this.dispatcher.destroy();
  }

  private invalidate(): void {
    this.generation += 1;
    this.cache.clear();
    this.inFlight.clear();
  }

  /** A read answered from the cache while fresh, otherwise coalesced and stored on success. */
  private async cachedRead<T>(path: string, load: (path: string) => Promise<T>): Promise<T> {
    const hit = this.cache.get(path);
    if (hit && hit.expiresAt > performance.now()) return hit.value as T;
    const generation = this.generation;
    const value = await this.coalesce(path, load);
    if (this.options.cacheTtlMs > 0 && generation === this.generation) {
      if (this.cache.size >= MAX_CACHE_ENTRIES) this.evictOldest();
      this.cache.set(path, { value, expiresAt: performance.now() + this.options.cacheTtlMs });
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
  private async send(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    opts: { body?: unknown; emptyOn404: true },
  ): Promise<Answer | undefined>;
  private async send(method: 'GET' | 'POST' | 'DELETE', path: string, opts?: { body?: unknown }): Promise<Answer>;
  private async send(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    opts: { body?: unknown; emptyOn404?: boolean } = {},
  ): Promise<Answer | undefined> {
    const endpoint = endpointTemplate(method, path);
    const { logger, observer } = this.options;
    const deadline = performance.now() + this.options.timeouts.totalMs;
    for (let attempt = 0; ; attempt += 1) {
      const started = performance.now();
      try {
        const answer = await this.attempt(method, path, opts.body, deadline).catch((caught: unknown) => {
          const error = toUseapiError(caught, endpoint);
          observer?.upstreamAttempt(endpoint, error.kind, performance.now() - started);
          throw error;
        });
        const ms = performance.now() - started;
        observer?.upstreamAttempt(endpoint, String(answer.status), ms);
        logger?.debug({ endpoint, status: answer.status, ms: Math.round(ms), attempt }, 'useapi.net answered');
        if (answer.status >= 200 && answer.status < 300) return answer;
        if (answer.status === 404 && opts.emptyOn404 && isNoneConfigured(answer)) return undefined;
        throw errorFromAnswer(answer, endpoint);
      } catch (caught) {
        const error = toUseapiError(caught, endpoint);
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
        await sleep(wait);
      }
    }
  }

  /** Retry-After when useapi.net sent one, else exponential backoff with "equal jitter". */
  private backoff(attempt: number, error: UseapiError): number {
    if (error.retryAfterMs !== undefined) return error.retryAfterMs;
    const step = this.retryBaseMs * 2 ** attempt;
    return step / 2 + Math.random() * (step / 2);
  }

  private async attempt(method: string, path: string, body: unknown, deadline: number): Promise<Answer> {
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
      signal: AbortSignal.timeout(remaining),
    });
    return { status: response.statusCode, headers: response.headers, text: await readCapped(response.body) };
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

function errorFromAnswer(answer: Answer, endpoint: string): UseapiError {
  const kind = STATUS_KINDS[answer.status] ?? 'upstream';
  const upstreamMessage = upstreamErrorText(answer);
  const retryAfterMs = answer.status === 429 ? parseRetryAfter(answer.headers['retry-after']) : undefined;
  return new UseapiError(kind, `${endpoint} answered ${answer.status}${upstreamMessage ? `: ${upstreamMessage}` : ''}`, {
    status: answer.status,
    endpoint,
    ...(upstreamMessage === undefined ? {} : { upstreamMessage }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** useapi.net's `error` text when the body is its JSON error shape; a short plain-text body otherwise. */
function upstreamErrorText(answer: Answer): string | undefined {
  let text: string | undefined;
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(answer.text));
    text = parsed.success ? parsed.data.error : undefined;
  } catch {
    const contentType = String(answer.headers['content-type'] ?? '');
    // HTML error pages (proxies, Cloudflare) say nothing a user can act on.
    if (!contentType.includes('html') && !/^\s*</.test(answer.text)) text = answer.text;
  }
  // eslint-disable-next-line no-control-regex -- control characters are what is being removed
  const clean = text?.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean ? clean.slice(0, 300) : undefined;
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

/** Whatever was thrown → one `UseapiError`. */
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
