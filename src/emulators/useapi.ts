import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local stand-in for the useapi.net PixVerse account API (v1 Discord configurations, v2 PixVerse
 * logins), built on node:http only so the client under test talks real HTTP to it.
 *
 * It copies useapi.net's quirks on purpose (plain-text 404s, 204 without a body, the non-standard
 * 596, `discord` tokens returned in clear) and validates requests the way useapi.net does, so a client
 * that passes against it does not depend on leniency production lacks. Facts come from
 * /work/shared/reference/useapi-pixverse.md; wording the docs do not give is marked "inferred".
 */

export interface V2AccountSeed {
  email: string;
  /** Accepted for parity with POST /v2/pixverse/accounts; useapi.net only ever shows it masked. */
  password?: string;
  maxJobs?: number;
  /** Account in error state: features answers 596 with this text. */
  error?: string;
  /** The body GET /v2/pixverse/features returns for this email (default: `featuresFixture()`). */
  features?: Record<string, unknown>;
  /** Credits spent over time from these features on (a team at work); absent: the credits never change. */
  drain?: Drain;
}

/** An account in use: `perHour` credits spent, starting at `since` (ms), daily credits first. */
export interface Drain {
  perHour: number;
  since: number;
}

const HOUR_MS = 3_600_000;

/**
 * What `features` says at `at` after `drain`, the way PixVerse keeps its buckets: spending takes the
 * daily credits first, which reset to their allowance (`credit_daily_gift`) at each daily refresh
 * (at the time of day of `daily_credits_refresh_time`, every 24 h), then the monthly ones, then the package. The
 * sandbox seeds its history with it, and the tests drive real time series through it.
 */
export function drainedFeatures(features: Record<string, unknown>, drain: Drain, at: number): Record<string, unknown> {
  const number = (key: string): number => {
    const value = features[key];
    return typeof value === 'number' ? value : 0;
  };
  const allowance = number('credit_daily_gift');
  const refreshTime = features.daily_credits_refresh_time;
  const firstRefill = typeof refreshTime === 'string' ? Date.parse(refreshTime) : Number.NaN;
  let daily = number('credit_daily');
  let rest = { monthly: number('credit_monthly'), package: number('credit_package') };
  let t = drain.since;
  // The refresh time is a time of day: refills happen every 24 h at it, before it as after it.
  let refill = Number.isNaN(firstRefill)
    ? Number.POSITIVE_INFINITY
    : firstRefill - Math.floor((firstRefill - drain.since) / DAY_MS) * DAY_MS;
  if (refill <= drain.since) refill += DAY_MS;
  const spend = (until: number): void => {
    let owed = (drain.perHour * Math.max(0, until - t)) / HOUR_MS;
    const fromDaily = Math.min(daily, owed);
    daily -= fromDaily;
    owed -= fromDaily;
    const fromMonthly = Math.min(rest.monthly, owed);
    rest = { monthly: rest.monthly - fromMonthly, package: Math.max(0, rest.package - (owed - fromMonthly)) };
    t = until;
  };
  while (refill <= at) {
    spend(refill);
    daily = allowance;
    refill += DAY_MS;
  }
  spend(at);
  return {
    ...features,
    credit_daily: Math.floor(daily),
    credit_monthly: Math.floor(rest.monthly),
    credit_package: Math.floor(rest.package),
    ...(Number.isFinite(refill) ? { daily_credits_refresh_time: pixverseDate(refill) } : {}),
  };
}

export interface V1ChannelRecord {
  discord: string;
  server: string;
  channel: string;
  maxJobs: number;
}

export type UseapiFault =
  | { kind: 'status'; status: number; body?: string; contentType?: string; headers?: Record<string, string> }
  | { kind: 'delay'; ms: number }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'malformed-json' }
  | { kind: 'html'; status?: number }
  | { kind: 'busy'; retryAfterSeconds?: number }
  | { kind: 'account-error' };

export interface FaultRule {
  /** Any method when absent; compared case-insensitively. */
  method?: string;
  /**
   * Matched against the percent-decoded pathname without the query. A string must equal it, a
   * trailing slash aside (the features endpoint is documented with one and called without).
   */
  path: string | RegExp;
  fault: UseapiFault;
  /** Apply to the next N matching requests, then drop the rule; default: until cleared. */
  times?: number;
}

export interface RecordedRequest {
  method: string;
  /** Raw pathname as received, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() when the request arrived. */
  at: number;
}

export interface UseapiEmulatorOptions {
  token: string;
  /** Added before every answer, default 0. */
  latencyMs?: number;
  /** v1 maxJobs ceiling, default 10. */
  maxConcurrentJobs?: number;
  accounts?: V2AccountSeed[];
  channels?: V1ChannelRecord[];
  /** Default: an ephemeral port. */
  port?: number;
  /** The useapi.net subscription `GET /v2/account` describes (default: active, 3 accounts per API). */
  subscription?: { active: boolean; maxAccountsPerAPI: number };
  /**
   * DELETE /v2/pixverse/accounts/<email> succeeds with a status the docs do not give: 204 (default)
   * or 200 with a small JSON body. A client must take either.
   */
  deleteStatus?: 200 | 204;
  /** The field older scheduler pages named a job's id with: `id` (default), `videoId` or `video_id`. */
  jobIdField?: 'id' | 'videoId' | 'video_id';
}

/** A generation running now, as `GET /v2/pixverse/scheduler/available` lists it. */
export interface RunningJob {
  id: string;
  email: string;
  type: 'video' | 'image' | 'music';
  /** ms since epoch */
  started: number;
}

/** Upper bound of v2 `maxJobs`, from the v2 account page. */
const V2_MAX_JOBS = 8;
const SNOWFLAKE = /^\d{17,20}$/;
const JSON_TYPE = 'application/json';
const V1_NOT_CONFIGURED = 'Configuration not found. To create configuration use pixverse/account/<channel>.';
const V2_NOT_CONFIGURED = 'Configuration not found. To create configuration use pixverse/accounts.';
const DAY_MS = 86_400_000;

/** PixVerse dates come Go-formatted: second precision, `Z` suffix, no milliseconds. */
function pixverseDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A plausible PixVerse "Pro" plan, with the fields of both documented generations of the body. */
export function featuresFixture(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Date.now();
  return {
    user_id: 418_201_337,
    member_id: 77_001,
    product_id: 3,
    plan_name: 'Pro',
    next_plan_name: 'Pro',
    next_plan_type: 3,
    current_plan_type: 3,
    type: 1,
    credit_daily: 30,
    credit_daily_gift: 60,
    initial_credit_gift: 0,
    credit_monthly: 12_450,
    credit_monthly_gift: 15_000,
    credit_package: 500,
    expired_date: pixverseDate(now + 30 * DAY_MS),
    price: '60.00',
    renewal_price: '60.00',
    billing_period: 'month',
    next_billing_period: 'month',
    billing_renewal_date: pixverseDate(now + 30 * DAY_MS),
    payment: 'stripe',
    invoice_url: 'https://invoice.stripe.example/i/emulator-invoice-0001',
    stripe_bill_url: 'https://billing.stripe.example/p/session/emulator-bill-0001',
    gen_simultaneously: 5,
    allow_fast_mode: 1,
    allow_relaxed_mode: 1,
    allow_use_new_feat: 1,
    allow_private_generate: 1,
    remove_watermark: 1,
    allow_purchase_credit: 1,
    sub_order_in_progress: 0,
    allow_effect: 1,
    last_plan_name: 'Standard',
    expired_member: 0,
    credits_more: 0,
    off_peak: 1,
    off_peak_discount: '0.5',
    qualities: ['360p', '540p', '720p', '1080p'],
    remaining_days: 30,
    credits_refresh_time: pixverseDate(now + 30 * DAY_MS),
    daily_credits_refresh_time: pixverseDate(now + DAY_MS),
    is_gift_card: false,
    unlimited_image_models: ['pixverse-image-v1'],
    ...overrides,
  };
}

interface Reply {
  status: number;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

function json(status: number, value: unknown): Reply {
  return { status, body: JSON.stringify(value), contentType: JSON_TYPE };
}

function fail(status: number, message: string): Reply {
  return json(status, { error: message, code: status });
}

function plainText(status: number, text: string): Reply {
  return { status, body: text, contentType: 'text/plain; charset=utf-8' };
}

const NO_CONTENT: Reply = { status: 204 };
const NOT_FOUND = fail(404, 'Not found');
// Inferred: useapi.net does not document its answer to an unparseable body, only that it is a 400.
const BAD_JSON = fail(400, 'Unable to parse request body as JSON');

const CLOUDFLARE_TITLES: Record<number, string> = {
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway time-out',
  520: 'Web server is returning an unknown error',
  522: 'Connection timed out',
  524: 'A timeout occurred',
};

function cloudflarePage(status: number): string {
  const title = CLOUDFLARE_TITLES[status] ?? 'Error';
  return [
    '<!DOCTYPE html>',
    '<html lang="en-US"><head><meta charset="UTF-8" />',
    `<title>api.useapi.net | ${status}: ${title}</title></head>`,
    '<body><div id="cf-wrapper"><div id="cf-error-details">',
    `<h1><span class="inline-block">${title}</span> <span class="code-label">Error code ${status}</span></h1>`,
    '<p>The web server reported an error; Cloudflare answered in its place.</p>',
    '<p>Cloudflare Ray ID: <strong>8f00emulator0000</strong></p>',
    '</div></div></body></html>',
  ].join('\n');
}

/** Missing, null, non-string or empty: what a JS `!value` check on a string param rejects. */
function isBlank(value: unknown): boolean {
  return typeof value !== 'string' || value === '';
}

function parseObject(body: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function decodeSegments(rawPath: string): string[] | undefined {
  try {
    return rawPath.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

function decodePath(rawPath: string): string | undefined {
  const segments = decodeSegments(rawPath);
  return segments && `/${segments.join('/')}`;
}

/** The password is not kept: useapi.net never shows it back, so nothing could observe it. */
interface AccountState {
  email: string;
  maxJobs: number;
  error?: string;
  features: Record<string, unknown>;
  drain?: Drain;
  accountId: number;
  expireTime: number;
  maskedToken: string;
}

interface Waiter {
  timer: NodeJS.Timeout;
  resolve: () => void;
}

export class UseapiEmulator {
  readonly url: string;
  readonly requests: RecordedRequest[] = [];
  latencyMs: number;

  private readonly token: string;
  private readonly maxConcurrentJobs: number;
  private accounts = new Map<string, AccountState>();
  private v1 = new Map<string, V1ChannelRecord>();
  private faults: FaultRule[] = [];
  private nextAccountId = 3_001_000;
  private jobs: RunningJob[] = [];
  /** PixVerse's own logins: an email listed here is added only with this password. */
  private readonly pixverseLogins = new Map<string, string>();
  private readonly subscription: { active: boolean; maxAccountsPerAPI: number };
  private readonly deleteStatus: 200 | 204;
  private readonly jobIdField: 'id' | 'videoId' | 'video_id';
  private readonly sockets = new Set<Socket>();
  private readonly waiters = new Set<Waiter>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    options: UseapiEmulatorOptions,
  ) {
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.token = options.token;
    this.latencyMs = options.latencyMs ?? 0;
    this.maxConcurrentJobs = options.maxConcurrentJobs ?? 10;
    this.subscription = options.subscription ?? { active: true, maxAccountsPerAPI: 3 };
    this.deleteStatus = options.deleteStatus ?? 204;
    this.jobIdField = options.jobIdField ?? 'id';
    this.setAccounts(options.accounts ?? []);
    this.setChannels(options.channels ?? []);
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req, res) => this.receive(req, res));
  }

  static async start(options: UseapiEmulatorOptions): Promise<UseapiEmulator> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new UseapiEmulator(server, options);
  }

  addFault(rule: FaultRule): void {
    this.faults.push({ ...rule });
  }

  clearFaults(): void {
    this.faults = [];
  }

  setAccounts(seeds: V2AccountSeed[]): void {
    this.accounts = new Map();
    for (const seed of seeds) {
      this.putAccount({
        email: seed.email,
        maxJobs: seed.maxJobs ?? 1,
        error: seed.error,
        features: seed.features ?? featuresFixture(),
        ...(seed.drain ? { drain: seed.drain } : {}),
      });
    }
  }

  /** The generations running now (what the scheduler reports). */
  setJobs(jobs: RunningJob[]): void {
    this.jobs = jobs.map((job) => ({ ...job }));
  }

  /** PixVerse accepts this email only with this password (a wrong one is its login failure, a 401). */
  setPixverseLogin(email: string, password: string): void {
    this.pixverseLogins.set(email, password);
  }

  /** The v2 accounts as useapi.net holds them now: email, maxJobs, error state. */
  accountStates(): Array<{ email: string; maxJobs: number; error: string | undefined }> {
    return [...this.accounts.values()].map(({ email, maxJobs, error }) => ({ email, maxJobs, error }));
  }

  setChannels(records: V1ChannelRecord[]): void {
    this.v1 = new Map(records.map((record) => [record.channel, { ...record }]));
  }

  channels(): V1ChannelRecord[] {
    return [...this.v1.values()].map((record) => ({ ...record }));
  }

  /** Matches the prefix against the raw path and against its decoded form, so emails can be written plainly. */
  requestsTo(method: string, pathPrefix: string): RecordedRequest[] {
    const wanted = method.toUpperCase();
    return this.requests.filter((request) => {
      if (request.method.toUpperCase() !== wanted) return false;
      return request.path.startsWith(pathPrefix) || (decodePath(request.path)?.startsWith(pathPrefix) ?? false);
    });
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve, reject) => {
      for (const waiter of this.waiters) {
        clearTimeout(waiter.timer);
        waiter.resolve();
      }
      this.waiters.clear();
      this.server.close((error) => (error ? reject(error) : resolve()));
      // Hanging and keep-alive sockets would otherwise hold server.close() open forever.
      for (const socket of this.sockets) socket.destroy();
    });
    return this.closing;
  }

  private putAccount(input: Omit<AccountState, 'accountId' | 'expireTime' | 'maskedToken'>, token?: string): AccountState {
    const accountId = this.nextAccountId++;
    const tokenText = token ?? `eyJemulator${accountId}`;
    const state: AccountState = {
      ...input,
      accountId,
      expireTime: Math.floor(Date.now() / 1000) + 30 * 86_400,
      maskedToken: `${tokenText.slice(0, 3)}…secured…${tokenText.slice(-3)}`,
    };
    this.accounts.set(state.email, state);
    return state;
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.handle(req, res, at, Buffer.concat(chunks).toString('utf8')).catch(() => {
        // A handler failure is the emulator's bug; drop the socket so the test sees it instead of hanging.
        res.destroy();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse, at: number, body: string): Promise<void> {
    const rawUrl = req.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const rawPath = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
    const query = new URLSearchParams(queryStart === -1 ? '' : rawUrl.slice(queryStart + 1));
    const method = (req.method ?? 'GET').toUpperCase();
    this.requests.push({ method, path: rawPath, query, headers: req.headers, body, at });

    const fault = this.takeFault(method, decodePath(rawPath) ?? rawPath);
    if (fault) {
      switch (fault.kind) {
        case 'hang':
          return;
        case 'reset':
          req.socket.destroy();
          return;
        case 'delay':
          await this.wait(fault.ms);
          break;
        default:
          await this.send(res, this.faultReply(fault, query));
          return;
      }
    }
    await this.send(res, this.route(method, decodeSegments(rawPath), query, body, req.headers));
  }

  private takeFault(method: string, path: string): UseapiFault | undefined {
    const index = this.faults.findIndex((rule) => {
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) return false;
      if (typeof rule.path !== 'string') return rule.path.test(path);
      const strip = (text: string) => (text.length > 1 ? text.replace(/\/$/, '') : text);
      return strip(rule.path) === strip(path);
    });
    const rule = this.faults[index];
    if (!rule) return undefined;
    if (rule.times !== undefined) {
      rule.times -= 1;
      if (rule.times <= 0) this.faults.splice(index, 1);
    }
    return rule.fault;
  }

  private faultReply(fault: Exclude<UseapiFault, { kind: 'hang' | 'reset' | 'delay' }>, query: URLSearchParams): Reply {
    switch (fault.kind) {
      case 'status':
        return { status: fault.status, body: fault.body, contentType: fault.contentType, headers: fault.headers };
      case 'malformed-json':
        return { status: 200, body: '{"plan_name":"Pro","credit_daily":30,"credit_mon', contentType: JSON_TYPE };
      case 'html': {
        const status = fault.status ?? 502;
        return { status, body: cloudflarePage(status), contentType: 'text/html; charset=UTF-8' };
      }
      case 'busy': {
        // Inferred wording: useapi.net documents the 429 status, not its text.
        const reply = fail(429, 'All configured accounts are busy, please retry later');
        if (fault.retryAfterSeconds !== undefined) reply.headers = { 'Retry-After': String(fault.retryAfterSeconds) };
        return reply;
      }
      case 'account-error': {
        const email = query.get('email') || 'account';
        return fail(596, `PixVerse ${email} session rejected, delete the account and add it again`);
      }
    }
  }

  private wait(ms: number): Promise<void> {
    if (ms <= 0 || this.closing) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          resolve();
        }, ms),
        resolve,
      };
      this.waiters.add(waiter);
    });
  }

  private async send(res: ServerResponse, reply: Reply): Promise<void> {
    await this.wait(this.latencyMs);
    if (this.closing || res.destroyed) return;
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.contentType !== undefined) headers['Content-Type'] = reply.contentType;
    res.writeHead(reply.status, headers);
    res.end(reply.body);
  }

  private route(
    method: string,
    segments: string[] | undefined,
    query: URLSearchParams,
    body: string,
    headers: IncomingHttpHeaders,
  ): Reply {
    if (headers.authorization !== `Bearer ${this.token}`) return fail(401, 'Unauthorized');
    // Inferred: a broken percent escape cannot name any resource.
    if (!segments) return fail(400, 'Malformed URL');

    const [version, service, resource, key, ...rest] = segments;
    if (version === 'v2' && service === 'account' && resource === undefined) {
      return method === 'GET' ? this.accountSummary() : NOT_FOUND;
    }
    if (service !== 'pixverse') return NOT_FOUND;
    if (version === 'v2' && resource === 'scheduler' && key === 'available' && rest.length === 0) {
      return method === 'GET' ? this.schedulerAvailable() : NOT_FOUND;
    }
    if (version === 'v2' && resource === 'features') {
      const bare = key === undefined || (key === '' && rest.length === 0);
      return bare && method === 'GET' ? this.features(query) : NOT_FOUND;
    }
    if (rest.length > 0 || key === '') return NOT_FOUND;
    if (version === 'v2' && resource === 'accounts') {
      if (key === undefined) return method === 'GET' ? this.listAccounts() : NOT_FOUND;
      if (method === 'GET') return this.getAccount(key);
      if (method === 'POST') return this.postAccount(key, body);
      if (method === 'DELETE') return this.deleteAccount(key);
      return NOT_FOUND;
    }
    if (version === 'v1' && resource === 'account') {
      if (key === undefined) return method === 'GET' ? this.listChannels() : NOT_FOUND;
      if (method === 'GET') return this.getChannel(key);
      if (method === 'POST') return this.postChannel(key, body);
      if (method === 'DELETE') return this.deleteChannel(key);
    }
    return NOT_FOUND;
  }

  private features(query: URLSearchParams): Reply {
    if (this.accounts.size === 0) return plainText(404, V2_NOT_CONFIGURED);
    // URLSearchParams turns a raw `+` into a space, as production does: an unencoded `a+b@x` is not found.
    const email = query.get('email') ?? '';
    let account: AccountState | undefined;
    if (email === '') {
      if (this.accounts.size > 1) {
        // Inferred wording: the docs say email is required with several accounts, not the message.
        return fail(400, 'Parameter email is required when multiple accounts configured');
      }
      account = this.accounts.values().next().value;
    } else {
      account = this.accounts.get(email);
    }
    if (!account) return accountNotFound(email);
    if (account.error !== undefined) return fail(596, account.error);
    return json(200, account.drain ? drainedFeatures(account.features, account.drain, Date.now()) : account.features);
  }

  private accountRecord(account: AccountState): Record<string, unknown> {
    return {
      email: account.email,
      maxJobs: account.maxJobs,
      password: '…secured…',
      jwt: {
        AccountId: account.accountId,
        ExpireTime: account.expireTime,
        ExpireTimeUTC: pixverseDate(account.expireTime * 1000),
        Username: account.email.split('@')[0] ?? account.email,
        token: account.maskedToken,
      },
      ...(account.error === undefined ? {} : { error: account.error }),
    };
  }

  private listAccounts(): Reply {
    if (this.accounts.size === 0) return plainText(404, V2_NOT_CONFIGURED);
    const all: Record<string, unknown> = {};
    for (const account of this.accounts.values()) all[account.email] = this.accountRecord(account);
    return json(200, all);
  }

  private getAccount(email: string): Reply {
    const account = this.accounts.get(email);
    if (!account) return plainText(404, V2_NOT_CONFIGURED);
    return account.error !== undefined ? fail(596, account.error) : json(200, this.accountRecord(account));
  }

  /** Inferred messages, modelled on the documented v1 ones; the order follows the body's fields. */
  private postAccount(pathEmail: string, body: string): Reply {
    const params = parseObject(body);
    if (!params) return BAD_JSON;
    const { email, password, maxJobs, token } = params;
    if (isBlank(email)) return fail(400, 'Required param email is missing or empty');
    const emailText = email as string;
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(emailText)) {
      return fail(400, `Required param email (${emailText}) is not valid email`);
    }
    if (emailText !== pathEmail) {
      return fail(400, `Required param email (${emailText}) not matching to /pixverse/accounts/${pathEmail}`);
    }
    if (isBlank(password)) return fail(400, 'Required param password is missing or empty');
    if (!isPositiveInteger(maxJobs)) return fail(400, 'Required param maxJobs is missing or empty');
    if (maxJobs > V2_MAX_JOBS) return fail(400, `Required param maxJobs ${maxJobs} can't be more that ${V2_MAX_JOBS}`);
    if (token !== undefined && isBlank(token)) return fail(400, 'Optional param token must be a non-empty string');
    // Inferred wording: useapi.net relays PixVerse's refusal of the login as a 401 of its own.
    const login = this.pixverseLogins.get(emailText);
    if (login !== undefined && login !== password) {
      return fail(401, `PixVerse login failed for ${emailText}: invalid email or password`);
    }

    // Re-adding is useapi.net's documented cure for the error state, so it clears `error`; the
    // PixVerse account behind it (its credits, how they are being spent) stays what it was.
    const previous = this.accounts.get(emailText);
    const account = this.putAccount(
      {
        email: emailText,
        maxJobs,
        features: previous?.features ?? featuresFixture(),
        ...(previous?.drain ? { drain: previous.drain } : {}),
      },
      token as string | undefined,
    );
    return json(201, this.accountRecord(account));
  }

  private deleteAccount(email: string): Reply {
    if (!this.accounts.delete(email)) return plainText(404, V2_NOT_CONFIGURED);
    this.jobs = this.jobs.filter((job) => job.email !== email);
    return this.deleteStatus === 204 ? NO_CONTENT : json(200, { message: `Account ${email} deleted` });
  }

  /** `GET /v2/account`: the subscription, and its accounts per API (those in error state count too). */
  private accountSummary(): Reply {
    const accounts = [...this.accounts.values()];
    const inError = accounts.filter((account) => account.error !== undefined).length;
    return json(200, {
      subscriptionIsActive: this.subscription.active,
      subscriptions: this.subscription.active ? [{ plan: 'Pro', status: 'active' }] : [],
      maxAccountsPerAPI: this.subscription.maxAccountsPerAPI,
      accounts: { pixverse: { total: accounts.length, active: accounts.length - inError, error: inError } },
      sub: 'emulated-subscriber',
    });
  }

  /** `GET /v2/pixverse/scheduler/available`: what runs now, and each account's free capacity. */
  private schedulerAvailable(): Reply {
    const now = Date.now();
    const elapsed = (ms: number) => {
      const seconds = Math.max(0, Math.floor(ms / 1000));
      return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
    };
    return json(200, {
      executing: this.jobs.map((job) => ({
        [this.jobIdField]: job.id,
        type: job.type,
        started: new Date(job.started).toISOString(),
        elapsed: elapsed(now - job.started),
      })),
      available: [...this.accounts.values()].map((account) => {
        const executing = this.jobs.filter((job) => job.email === account.email).length;
        return { email: account.email, maxJobs: account.maxJobs, executing, available: Math.max(0, account.maxJobs - executing) };
      }),
    });
  }

  private listChannels(): Reply {
    if (this.v1.size === 0) return plainText(404, V1_NOT_CONFIGURED);
    const all: Record<string, V1ChannelRecord> = {};
    for (const record of this.v1.values()) all[record.channel] = v1Record(record);
    return json(200, all);
  }

  private getChannel(channel: string): Reply {
    const record = this.v1.get(channel);
    return record ? json(200, v1Record(record)) : plainText(404, V1_NOT_CONFIGURED);
  }

  /** Checks run in useapi.net's documented order, each message verbatim (typos included). */
  private postChannel(pathChannel: string, body: string): Reply {
    const params = parseObject(body);
    if (!params) return BAD_JSON;
    const { discord, server, channel, maxJobs } = params;
    if (isBlank(discord)) return fail(400, 'Required param discord is missing or empty');
    if (isBlank(server)) return fail(400, 'Required param server is missing or empty');
    if (isBlank(channel)) return fail(400, 'Required param channel is missing or empty');
    const channelText = channel as string;
    if (!SNOWFLAKE.test(channelText)) {
      return fail(400, `Required param channel (${channelText}) is not valid Discord channel id`);
    }
    if (channelText !== pathChannel) {
      return fail(400, `Required param channel (${channelText}) not matching to /pixverse/account/${pathChannel}`);
    }
    if (!isPositiveInteger(maxJobs)) return fail(400, 'Required param maxJobs is missing or empty');
    if (maxJobs > this.maxConcurrentJobs) {
      return fail(400, `Required param maxJobs ${maxJobs} can't be more that ${this.maxConcurrentJobs}`);
    }
    for (const other of this.v1.values()) {
      if (other.channel !== channelText && other.discord === discord) {
        return fail(400, `Channel ${other.channel} configuration has same discord value`);
      }
    }
    this.v1.set(channelText, {
      discord: discord as string,
      server: server as string,
      channel: channelText,
      maxJobs,
    });
    return NO_CONTENT;
  }

  private deleteChannel(channel: string): Reply {
    return this.v1.delete(channel) ? NO_CONTENT : plainText(404, V1_NOT_CONFIGURED);
  }
}

/** Zero, negatives, fractions and numeric strings are all rejected as "missing or empty". */
function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

// Inferred wording: the docs show a JSON 404 for an unknown v2 account but not its message.
function accountNotFound(email: string): Reply {
  return fail(404, `Account ${email} not found`);
}

/** Field order as useapi.net prints it; `discord` in clear is the real (and dangerous) behaviour. */
function v1Record(record: V1ChannelRecord): V1ChannelRecord {
  return { server: record.server, channel: record.channel, discord: record.discord, maxJobs: record.maxJobs };
}
