import { z } from 'zod';
import { SNOWFLAKE, isSnowflake } from './snowflake.js';

/**
 * The whole environment contract of PRODUCT.md in one schema. Parsed once at start-up; everything
 * after that trusts the resulting `Config`.
 */

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/** Empty strings count as "unset", the way `.env` files are usually written (`FOO=`). */
const unsetIfEmpty = (value: unknown): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const snowflake = (what: string) => z.string().trim().regex(SNOWFLAKE, `must be the id of ${what} (17 to 20 digits)`);

const integerIn = (min: number, max: number, fallback: number) =>
  z.preprocess(
    unsetIfEmpty,
    z.coerce
      .number({ error: `must be a whole number from ${min} to ${max}` })
      .int(`must be a whole number from ${min} to ${max}`)
      .min(min, `must be a whole number from ${min} to ${max}`)
      .max(max, `must be a whole number from ${min} to ${max}`)
      .default(fallback),
  );

const DURATION = /^(\d+)\s*(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** `15m`, `1h`, `30s`, `500ms` → milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

/** "500ms", "1s", "15m", "1h": the way a limit is written in a message. */
function describeDuration(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return ms === 0 ? '0s' : `${ms}ms`;
}

/** An hour: longer than any timeout or cache anyone wants here. */
const MAX_DURATION_MS = 3_600_000;
/** A day between background checks at most: far below Node's timer limit (about 24.8 days). */
const MAX_CHECK_INTERVAL_MS = 86_400_000;

/** Milliseconds of a duration between `min` and `max`, or an issue whose message states the range accepted. */
function checkedDuration(text: string, min: number, max: number, ctx: z.RefinementCtx): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < min || ms > max) {
    ctx.addIssue({
      code: 'custom',
      message: `must be a duration such as 30s, 15m or 1h, from ${describeDuration(min)} to ${describeDuration(max)}`,
    });
    return z.NEVER;
  }
  return ms;
}

const duration = (fallback: string, min: number) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .default(fallback)
      .transform((text, ctx) => checkedDuration(text, min, MAX_DURATION_MS, ctx)),
  );

/** The background check's interval: a duration of at least a second, or `off`. Unset stays unset (see parseConfig). */
const checkInterval = z.preprocess(
  unsetIfEmpty,
  z
    .string()
    .transform((text, ctx) =>
      /^\s*off\s*$/i.test(text) ? ('off' as const) : checkedDuration(text, 1_000, MAX_CHECK_INTERVAL_MS, ctx),
    )
    .optional(),
);

const url = (fallback: string) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .default(fallback)
      .transform((value) => value.replace(/\/+$/, '')),
  );

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const envSchema = z.object({
  DISCORD_TOKEN: z.preprocess(unsetIfEmpty, z.string({ error: 'is required' }).trim().min(1)),
  USEAPI_TOKEN: z.preprocess(unsetIfEmpty, z.string({ error: 'is required' }).trim().min(1)),
  DISCORD_GUILD_ID: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .optional()
      .transform((value, ctx) => {
        if (value === undefined) return [];
        const ids = value
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id !== '');
        // Positions, not values: a token pasted into the wrong variable must not be printed.
        const bad = ids.flatMap((id, index) => (isSnowflake(id) ? [] : [index + 1]));
        if (bad.length > 0) {
          ctx.addIssue({
            code: 'custom',
            message: `must be one Discord server id or a comma-separated list of them (17 to 20 digits each); entry ${bad.join(', ')} is not an id`,
          });
          return z.NEVER;
        }
        return [...new Set(ids)];
      }),
  ),
  PIXVERSE_DISCORD_TOKEN: optionalString,
  PIXVERSE_MAX_JOBS: integerIn(1, 10, 1),
  USEAPI_BASE_URL: url('https://api.useapi.net'),
  DISCORD_API_URL: url('https://discord.com/api'),
  LOG_LEVEL: z.preprocess(
    (value) => (typeof value === 'string' ? unsetIfEmpty(value.toLowerCase()) : value),
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  USEAPI_CONNECT_TIMEOUT: duration('3s', 100),
  USEAPI_HEADERS_TIMEOUT: duration('8s', 100),
  USEAPI_BODY_TIMEOUT: duration('5s', 100),
  USEAPI_TOTAL_TIMEOUT: duration('10s', 500),
  USEAPI_CACHE_TTL: duration('30s', 0),
  USEAPI_MAX_CONCURRENCY: integerIn(1, 32, 4),
  CREDITS_COOLDOWN: duration('0s', 0),
  ALERT_CHANNEL_ID: z.preprocess(unsetIfEmpty, snowflake('a channel').optional()),
  ALERT_CREDITS_BELOW: integerIn(0, 1_000_000_000, 100),
  CHECK_INTERVAL: checkInterval,
  /** The older name of CHECK_INTERVAL, still read. */
  ALERT_CHECK_INTERVAL: checkInterval,
  ALERT_EXPIRY_DAYS: integerIn(0, 365, 3),
  ALERT_ROLE_ID: z.preprocess(unsetIfEmpty, snowflake('a role').optional()),
  ALERT_FORECAST_DAYS: integerIn(0, 365, 3),
  DIGEST_TIME: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .regex(/^([01]?\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM, 24 h (for example 09:00)')
      .optional(),
  ),
  DIGEST_CHANNEL_ID: z.preprocess(unsetIfEmpty, snowflake('a channel').optional()),
  TZ: z.preprocess(
    unsetIfEmpty,
    z.string().trim().refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris or UTC').default('UTC'),
  ),
  HISTORY_DAYS: integerIn(1, 3_650, 400),
  DATA_DIR: z.preprocess(unsetIfEmpty, z.string().default('./data')),
  DATABASE_URL: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .regex(/^(file|libsql|https?|wss?):/, 'must be a database URL: file:…, libsql://…, http(s)://… or ws(s)://…')
      .optional(),
  ),
  DATABASE_AUTH_TOKEN: optionalString,
  HEALTH_PORT: z.preprocess(
    unsetIfEmpty,
    z.coerce
      .number({ error: 'must be a port number from 1 to 65535' })
      .int('must be a port number from 1 to 65535')
      .min(0, 'must be a port number from 1 to 65535')
      .max(65_535, 'must be a port number from 1 to 65535')
      .optional(),
  ),
  HEALTH_HOST: z.preprocess(unsetIfEmpty, z.string().default('127.0.0.1')),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  discord: { token: string; apiUrl: string; guildIds: string[] };
  useapi: {
    token: string;
    baseUrl: string;
    timeouts: { connectMs: number; headersMs: number; bodyMs: number; totalMs: number };
    cacheTtlMs: number;
    maxConcurrent: number;
  };
  /** Per-user wait between two `/credits`. */
  creditsCooldownMs: number;
  pixverse: { discordToken: string | undefined; defaultMaxJobs: number };
  /** How often every account is read in the background; undefined: never (`CHECK_INTERVAL=off`). */
  checkIntervalMs: number | undefined;
  alerts: {
    /** Unset: no alert is posted. */
    channelId: string | undefined;
    creditsBelow: number;
    expiryDays: number;
    /** Warn when an account runs out within this many days, before its refill; 0: never. */
    forecastDays: number;
    roleId: string | undefined;
  };
  /** The daily digest; undefined: none. */
  digest: { time: string; channelId: string } | undefined;
  /** The IANA zone of the digest's time and of dates drawn on charts. */
  timeZone: string;
  history: {
    /** Readings older than this are deleted. */
    retentionDays: number;
    /** Where the history and the bot's state live: a file in DATA_DIR unless DATABASE_URL says otherwise. */
    databaseUrl: string | undefined;
    databaseAuthToken: string | undefined;
  };
  dataDir: string;
  /** `/healthz` and `/metrics`; no port: no server. */
  health: { port: number | undefined; host: string };
  logLevel: (typeof LOG_LEVELS)[number];
  /** Settings that work but deserve a word in the log at start-up (an old name, a test-only value). */
  warnings: string[];
}

/** Where a person finds the value of each variable; shown next to what is wrong with it. */
export const WHERE_TO_GET = {
  DISCORD_TOKEN: 'Discord Developer Portal → your application → Bot → Reset Token',
  USEAPI_TOKEN: 'useapi.net → your account → API token (looks like user:…)',
  DISCORD_GUILD_ID: 'Discord → User Settings → Advanced → Developer Mode, then right-click the server → Copy Server ID',
  PIXVERSE_DISCORD_TOKEN: 'the Discord user token of the account useapi.net drives PixVerse with (see README)',
  ALERT_CHANNEL_ID: 'Developer Mode on, right-click the channel → Copy Channel ID',
  ALERT_ROLE_ID: 'Developer Mode on, Server Settings → Roles → right-click the role → Copy Role ID',
  DIGEST_CHANNEL_ID: 'Developer Mode on, right-click the channel → Copy Channel ID',
} as const satisfies Partial<Record<keyof Env, string>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(
      `Configuration is incomplete or invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}); ` +
        `set these in the environment or in .env (see .env.example):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

/**
 * Validate the environment against `schema`. Messages name the variable and what is wrong with it,
 * never its value: zod's own messages can quote input, so every message here is written by us.
 */
function validate<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = new Map<string, string>();
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? 'environment') as keyof Env;
    if (problems.has(key)) continue;
    const where = (WHERE_TO_GET as Partial<Record<keyof Env, string>>)[key];
    problems.set(key, `${key} ${issue.message}${where ? ` (get it from: ${where})` : ''}`);
  }
  throw new ConfigError([...problems.values()]);
}

/** Only what talking to Discord needs, for `npm run deploy-commands`. */
export function parseDiscordConfig(env: Record<string, string | undefined>): Config['discord'] {
  const e = validate(envSchema.pick({ DISCORD_TOKEN: true, DISCORD_GUILD_ID: true, DISCORD_API_URL: true }), env);
  return { token: e.DISCORD_TOKEN, apiUrl: e.DISCORD_API_URL, guildIds: e.DISCORD_GUILD_ID };
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const e = validate(envSchema, env);
  const interval = checkIntervalOf(e);
  return {
    discord: { token: e.DISCORD_TOKEN, apiUrl: e.DISCORD_API_URL, guildIds: e.DISCORD_GUILD_ID },
    useapi: {
      token: e.USEAPI_TOKEN,
      baseUrl: e.USEAPI_BASE_URL,
      timeouts: {
        connectMs: e.USEAPI_CONNECT_TIMEOUT,
        headersMs: e.USEAPI_HEADERS_TIMEOUT,
        bodyMs: e.USEAPI_BODY_TIMEOUT,
        totalMs: e.USEAPI_TOTAL_TIMEOUT,
      },
      cacheTtlMs: e.USEAPI_CACHE_TTL,
      maxConcurrent: e.USEAPI_MAX_CONCURRENCY,
    },
    creditsCooldownMs: e.CREDITS_COOLDOWN,
    pixverse: { discordToken: e.PIXVERSE_DISCORD_TOKEN, defaultMaxJobs: e.PIXVERSE_MAX_JOBS },
    checkIntervalMs: interval.ms,
    alerts: {
      channelId: e.ALERT_CHANNEL_ID,
      creditsBelow: e.ALERT_CREDITS_BELOW,
      expiryDays: e.ALERT_EXPIRY_DAYS,
      forecastDays: e.ALERT_FORECAST_DAYS,
      roleId: e.ALERT_ROLE_ID,
    },
    digest: digestOf(e),
    timeZone: e.TZ,
    history: { retentionDays: e.HISTORY_DAYS, databaseUrl: e.DATABASE_URL, databaseAuthToken: e.DATABASE_AUTH_TOKEN },
    dataDir: e.DATA_DIR,
    health: { port: e.HEALTH_PORT, host: e.HEALTH_HOST },
    logLevel: e.LOG_LEVEL,
    warnings: interval.warnings,
  };
}

/** A digest needs a time, and a channel of its own or the alert channel. */
function digestOf(e: Env): Config['digest'] {
  if (e.DIGEST_TIME === undefined) return undefined;
  const channelId = e.DIGEST_CHANNEL_ID ?? e.ALERT_CHANNEL_ID;
  if (channelId === undefined) {
    throw new ConfigError([
      `DIGEST_TIME is set but there is no channel for the digest: set DIGEST_CHANNEL_ID or ALERT_CHANNEL_ID (get it from: ${WHERE_TO_GET.DIGEST_CHANNEL_ID})`,
    ]);
  }
  return { time: e.DIGEST_TIME, channelId };
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Below this a check interval is for tests: every check reads every account from useapi.net. */
const TEST_ONLY_INTERVAL_MS = 10_000;
const DEFAULT_INTERVAL_MS = 15 * 60_000;

/** CHECK_INTERVAL, else its older name ALERT_CHECK_INTERVAL, else 15 minutes; with a word on what is odd. */
function checkIntervalOf(e: Env): { ms: number | undefined; warnings: string[] } {
  const warnings: string[] = [];
  if (e.ALERT_CHECK_INTERVAL !== undefined) {
    warnings.push(
      e.CHECK_INTERVAL === undefined
        ? 'ALERT_CHECK_INTERVAL is the old name of CHECK_INTERVAL (it now also paces the credit history): rename it'
        : 'ALERT_CHECK_INTERVAL is ignored: CHECK_INTERVAL is set; remove the old name',
    );
  }
  const chosen = e.CHECK_INTERVAL ?? e.ALERT_CHECK_INTERVAL ?? DEFAULT_INTERVAL_MS;
  const ms = chosen === 'off' ? undefined : chosen;
  if (ms !== undefined && ms < TEST_ONLY_INTERVAL_MS) {
    warnings.push(
      `CHECK_INTERVAL below ${describeDuration(TEST_ONLY_INTERVAL_MS)} is meant for tests: every check reads every account from useapi.net`,
    );
  }
  return { ms, warnings };
}
