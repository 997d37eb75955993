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

/** Longer than any timer Node can hold (about 24.8 days) would fire at once; an hour is plenty here. */
const MAX_DURATION_MS = 3_600_000;

const duration = (fallback: string, min: number) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .default(fallback)
      .transform((text, ctx) => {
        const ms = parseDuration(text);
        if (ms === undefined || ms < min || ms > MAX_DURATION_MS) {
          ctx.addIssue({ code: 'custom', message: `must be a duration such as 500ms, 30s or 5m (from ${min}ms to 1h)` });
          return z.NEVER;
        }
        return ms;
      }),
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
  CREDITS_COOLDOWN: duration('5s', 0),
  ALERT_CHANNEL_ID: z.preprocess(unsetIfEmpty, snowflake('a channel').optional()),
  ALERT_CREDITS_BELOW: integerIn(0, 1_000_000_000, 100),
  ALERT_CHECK_INTERVAL: duration('15m', 10_000),
  ALERT_EXPIRY_DAYS: integerIn(0, 365, 3),
  ALERT_ROLE_ID: z.preprocess(unsetIfEmpty, snowflake('a role').optional()),
  DATA_DIR: z.preprocess(unsetIfEmpty, z.string().default('./data')),
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
  alerts: {
    /** Unset: no monitor runs. */
    channelId: string | undefined;
    creditsBelow: number;
    checkIntervalMs: number;
    expiryDays: number;
    roleId: string | undefined;
  };
  dataDir: string;
  /** `/healthz` and `/metrics`; no port: no server. */
  health: { port: number | undefined; host: string };
  logLevel: (typeof LOG_LEVELS)[number];
}

/** Where a person finds the value of each variable; shown next to what is wrong with it. */
const WHERE_TO_GET: Partial<Record<keyof Env, string>> = {
  DISCORD_TOKEN: 'Discord Developer Portal → your application → Bot → Reset Token',
  USEAPI_TOKEN: 'useapi.net → your account → API token (looks like user:…)',
  DISCORD_GUILD_ID: 'Discord → User Settings → Advanced → Developer Mode, then right-click the server → Copy Server ID',
  PIXVERSE_DISCORD_TOKEN: 'the Discord user token of the account useapi.net drives PixVerse with (see README)',
  ALERT_CHANNEL_ID: 'Developer Mode on, right-click the channel → Copy Channel ID',
  ALERT_ROLE_ID: 'Developer Mode on, Server Settings → Roles → right-click the role → Copy Role ID',
};

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
    const where = WHERE_TO_GET[key];
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
    alerts: {
      channelId: e.ALERT_CHANNEL_ID,
      creditsBelow: e.ALERT_CREDITS_BELOW,
      checkIntervalMs: e.ALERT_CHECK_INTERVAL,
      expiryDays: e.ALERT_EXPIRY_DAYS,
      roleId: e.ALERT_ROLE_ID,
    },
    dataDir: e.DATA_DIR,
    health: { port: e.HEALTH_PORT, host: e.HEALTH_HOST },
    logLevel: e.LOG_LEVEL,
  };
}
