import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ConfigError, envSchema, parseConfig, parseDiscordConfig, parseDuration } from '../src/config.js';

// Distinctive values that are not shaped like real tokens, so a leak is easy to spot.
const DISCORD_SECRET = 'discordbotsecretvalueQ7x9Zk2mW4pL8nR3tV6yB1cD5';
const USEAPI_SECRET = 'useapisecretvalue-Hq3Jw8Ke5Lr2Mt9';
const PIXVERSE_SECRET = 'pixverseusersecret-Ns4Pv7Qx1Ry6';
const SECRETS = [DISCORD_SECRET, USEAPI_SECRET, PIXVERSE_SECRET];

const GUILD_A = '123456789012345678';
const GUILD_B = '98765432109876543';

const MINIMAL = { DISCORD_TOKEN: DISCORD_SECRET, USEAPI_TOKEN: USEAPI_SECRET };

/** The ConfigError `parseConfig` threw, after checking that it quotes none of the secrets. */
function configError(
  env: Record<string, string | undefined>,
  parse: (env: Record<string, string | undefined>) => unknown = parseConfig,
): ConfigError {
  let outcome: unknown;
  try {
    outcome = parse(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    for (const secret of SECRETS) {
      expect(configError.message).not.toContain(secret);
      expect(configError.problems.join('\n')).not.toContain(secret);
    }
    return configError;
  }
  throw new Error(`expected a ConfigError, got ${JSON.stringify(outcome)}`);
}

describe('parseConfig: valid environments', () => {
  it('the two tokens are enough; everything else has its default', () => {
    expect(parseConfig({ ...MINIMAL, PIXVERSE_DISCORD_TOKEN: PIXVERSE_SECRET })).toEqual({
      discord: { token: DISCORD_SECRET, apiUrl: 'https://discord.com/api', guildIds: [] },
      useapi: {
        token: USEAPI_SECRET,
        baseUrl: 'https://api.useapi.net',
        timeouts: { connectMs: 3_000, headersMs: 8_000, bodyMs: 5_000, totalMs: 10_000 },
        cacheTtlMs: 30_000,
        maxConcurrent: 4,
      },
      creditsCooldownMs: 0,
      pixverse: { discordToken: PIXVERSE_SECRET, defaultMaxJobs: 1 },
      checkIntervalMs: 900_000,
      alerts: { channelId: undefined, creditsBelow: 100, expiryDays: 3, forecastDays: 3, roleId: undefined },
      digest: undefined,
      timeZone: 'UTC',
      history: { retentionDays: 400, databaseUrl: undefined, databaseAuthToken: undefined },
      dataDir: './data',
      health: { port: undefined, host: '127.0.0.1' },
      logLevel: 'info',
      warnings: [],
    });
  });

  it('empty values (FOO= in .env) count as unset, and tokens are trimmed', () => {
    const config = parseConfig({
      DISCORD_TOKEN: ` ${DISCORD_SECRET}\n`,
      USEAPI_TOKEN: USEAPI_SECRET,
      DISCORD_GUILD_ID: '',
      PIXVERSE_DISCORD_TOKEN: '   ',
      PIXVERSE_MAX_JOBS: '',
      USEAPI_BASE_URL: '',
      DISCORD_API_URL: ' ',
      LOG_LEVEL: '',
      USEAPI_TOTAL_TIMEOUT: '',
    });
    expect(config.discord.token).toBe(DISCORD_SECRET);
    expect(config.discord.guildIds).toEqual([]);
    expect(config.pixverse).toEqual({ discordToken: undefined, defaultMaxJobs: 1 });
    expect(config.useapi.baseUrl).toBe('https://api.useapi.net');
    expect(config.discord.apiUrl).toBe('https://discord.com/api');
    expect(config.logLevel).toBe('info');
    expect(config.useapi.timeouts.totalMs).toBe(10_000);
  });

  it('reads every optional value', () => {
    const config = parseConfig({
      ...MINIMAL,
      PIXVERSE_MAX_JOBS: '10',
      USEAPI_BASE_URL: 'http://127.0.0.1:8080/',
      DISCORD_API_URL: 'https://discord.example/api//',
      LOG_LEVEL: 'DEBUG',
      USEAPI_CONNECT_TIMEOUT: '500ms',
      USEAPI_HEADERS_TIMEOUT: '2s',
      USEAPI_BODY_TIMEOUT: '1m',
      USEAPI_TOTAL_TIMEOUT: '1h',
      USEAPI_CACHE_TTL: '0s',
    });
    expect(config.pixverse.defaultMaxJobs).toBe(10);
    expect(config.useapi.baseUrl).toBe('http://127.0.0.1:8080');
    expect(config.discord.apiUrl).toBe('https://discord.example/api');
    expect(config.logLevel).toBe('debug');
    expect(config.useapi.timeouts).toEqual({ connectMs: 500, headersMs: 2_000, bodyMs: 60_000, totalMs: 3_600_000 });
    expect(config.useapi.cacheTtlMs).toBe(0);
  });

  it('DISCORD_GUILD_ID: one id', () => {
    expect(parseConfig({ ...MINIMAL, DISCORD_GUILD_ID: GUILD_A }).discord.guildIds).toEqual([GUILD_A]);
  });

  it('DISCORD_GUILD_ID: a list with spaces, duplicates and a trailing comma', () => {
    const config = parseConfig({ ...MINIMAL, DISCORD_GUILD_ID: ` ${GUILD_A} ,${GUILD_B},  ${GUILD_A},` });
    expect(config.discord.guildIds).toEqual([GUILD_A, GUILD_B]);
  });

  it.each(['1', '5', '10'])('PIXVERSE_MAX_JOBS=%s is accepted', (value) => {
    expect(parseConfig({ ...MINIMAL, PIXVERSE_MAX_JOBS: value }).pixverse.defaultMaxJobs).toBe(Number(value));
  });
});

describe('parseConfig: invalid environments', () => {
  it('both tokens missing → one ConfigError naming both and where to get them', () => {
    const error = configError({});
    expect(error.name).toBe('ConfigError');
    expect(error.problems).toHaveLength(2);
    expect(error.message).toContain('2 problems');
    expect(error.problems[0]).toMatch(/^DISCORD_TOKEN is required .*Discord Developer Portal/);
    expect(error.problems[1]).toMatch(/^USEAPI_TOKEN is required .*useapi\.net/);
    expect(error.message).toContain('.env');
  });

  it('empty tokens are missing tokens', () => {
    const error = configError({ DISCORD_TOKEN: '', USEAPI_TOKEN: '   ' });
    expect(error.problems.map((problem) => problem.split(' ')[0])).toEqual(['DISCORD_TOKEN', 'USEAPI_TOKEN']);
  });

  it('one missing token is one problem', () => {
    const error = configError({ DISCORD_TOKEN: DISCORD_SECRET, PIXVERSE_DISCORD_TOKEN: PIXVERSE_SECRET });
    expect(error.problems).toHaveLength(1);
    expect(error.message).toContain('1 problem)');
    expect(error.problems[0]).toMatch(/^USEAPI_TOKEN/);
  });

  it.each([
    ['DISCORD_GUILD_ID', 'my-server'],
    ['DISCORD_GUILD_ID', '1234'],
    ['DISCORD_GUILD_ID', `${GUILD_A},abc`],
    ['DISCORD_GUILD_ID', '123456789012345678901'],
    ['PIXVERSE_MAX_JOBS', '0'],
    ['PIXVERSE_MAX_JOBS', '11'],
    ['PIXVERSE_MAX_JOBS', 'abc'],
    ['PIXVERSE_MAX_JOBS', '1.5'],
    ['PIXVERSE_MAX_JOBS', '-3'],
    ['USEAPI_BASE_URL', 'not a url'],
    ['USEAPI_BASE_URL', 'ftp://api.useapi.net'],
    ['DISCORD_API_URL', 'discord.com/api'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_LEVEL', 'warning'],
    ['USEAPI_TOTAL_TIMEOUT', '5'],
    ['USEAPI_TOTAL_TIMEOUT', '10 minutes'],
    ['USEAPI_TOTAL_TIMEOUT', '-1s'],
    ['USEAPI_TOTAL_TIMEOUT', '100ms'],
    ['USEAPI_CONNECT_TIMEOUT', '1.5s'],
    ['USEAPI_CACHE_TTL', '0'],
  ])('%s=%j → a ConfigError naming it', (name, value) => {
    const error = configError({ ...MINIMAL, PIXVERSE_DISCORD_TOKEN: PIXVERSE_SECRET, [name]: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.startsWith(`${name} `)).toBe(true);
  });

  it('a bad guild id is pointed at by its position in the list, so the user finds it', () => {
    const error = configError({ ...MINIMAL, DISCORD_GUILD_ID: `${GUILD_A}, my-server` });
    expect(error.message).toContain('entry 2 is not an id');
  });

  it('says what is expected, not just that something is wrong', () => {
    const error = configError({
      ...MINIMAL,
      DISCORD_GUILD_ID: 'abc',
      PIXVERSE_MAX_JOBS: '0',
      USEAPI_BASE_URL: 'nope',
      LOG_LEVEL: 'loud',
      USEAPI_TOTAL_TIMEOUT: 'soon',
    });
    expect(error.problems).toHaveLength(5);
    const text = error.message;
    expect(text).toContain('17 to 20 digits');
    expect(text).toContain('Copy Server ID');
    expect(text).toContain('from 1 to 10');
    expect(text).toContain('http(s) URL');
    expect(text).toContain('fatal, error, warn, info, debug, trace, silent');
    expect(text).toContain('USEAPI_TOTAL_TIMEOUT must be a duration such as 30s, 15m or 1h, from 500ms to 1h');
  });

  it('every problem at once, in one error: missing tokens and invalid values together', () => {
    const error = configError({ PIXVERSE_MAX_JOBS: '99', LOG_LEVEL: 'x', USEAPI_BODY_TIMEOUT: 'x' });
    expect(error.problems.map((problem) => problem.split(' ')[0]).sort()).toEqual(
      ['DISCORD_TOKEN', 'LOG_LEVEL', 'PIXVERSE_MAX_JOBS', 'USEAPI_BODY_TIMEOUT', 'USEAPI_TOKEN'].sort(),
    );
  });

  it.each(['PIXVERSE_MAX_JOBS', 'USEAPI_BASE_URL', 'DISCORD_API_URL', 'LOG_LEVEL', 'USEAPI_TOTAL_TIMEOUT', 'USEAPI_CACHE_TTL'])(
    'a secret pasted into %s is not quoted back',
    (name) => {
      for (const secret of SECRETS) {
        const error = configError({ ...MINIMAL, PIXVERSE_DISCORD_TOKEN: PIXVERSE_SECRET, [name]: secret });
        expect(error.problems).toHaveLength(1);
        // Not even a recognisable piece of it.
        expect(error.message).not.toContain(secret.slice(0, 12));
      }
    },
  );

  it('a secret pasted into DISCORD_GUILD_ID is named by its position, not quoted', () => {
    for (const secret of SECRETS) {
      const error = configError({
        ...MINIMAL,
        PIXVERSE_DISCORD_TOKEN: PIXVERSE_SECRET,
        DISCORD_GUILD_ID: `${GUILD_A},${secret}`,
      });
      expect(error.problems).toHaveLength(1);
      expect(error.message).toContain('entry 2 is not an id');
      expect(error.message).not.toContain(secret.slice(0, 8));
    }
  });

  it('refuses a duration longer than an hour, which no timer would hold', () => {
    expect(configError({ ...MINIMAL, USEAPI_CONNECT_TIMEOUT: '1000h' }).message).toContain(
      'USEAPI_CONNECT_TIMEOUT must be a duration',
    );
  });
});

describe('CHECK_INTERVAL', () => {
  const interval = (env: Record<string, string>) => parseConfig({ ...MINIMAL, ...env });

  it('accepts a second and more, and off', () => {
    expect(interval({ CHECK_INTERVAL: '2s' }).checkIntervalMs).toBe(2_000);
    expect(interval({ CHECK_INTERVAL: '1s' }).checkIntervalMs).toBe(1_000);
    expect(interval({ CHECK_INTERVAL: '6h' }).checkIntervalMs).toBe(21_600_000);
    expect(interval({ CHECK_INTERVAL: 'off' }).checkIntervalMs).toBeUndefined();
    expect(interval({ CHECK_INTERVAL: ' OFF ' }).checkIntervalMs).toBeUndefined();
  });

  it('below 10s is accepted with a warning that it is meant for tests', () => {
    expect(interval({ CHECK_INTERVAL: '2s' }).warnings).toEqual([expect.stringContaining('meant for tests')]);
    expect(interval({ CHECK_INTERVAL: '10s' }).warnings).toEqual([]);
  });

  it('refuses less than a second, saying the range it accepts', () => {
    for (const value of ['500ms', '0s', 'soon', '2 weeks']) {
      expect(configError({ ...MINIMAL, CHECK_INTERVAL: value }).message).toContain(
        'CHECK_INTERVAL must be a duration such as 30s, 15m or 1h, from 1s to 24h',
      );
    }
  });

  it('still reads the old name ALERT_CHECK_INTERVAL, with a warning to rename it', () => {
    const config = interval({ ALERT_CHECK_INTERVAL: '5m' });
    expect(config.checkIntervalMs).toBe(300_000);
    expect(config.warnings).toEqual([expect.stringContaining('rename it')]);
  });

  it('prefers CHECK_INTERVAL when both are set, and says the old one is ignored', () => {
    const config = interval({ CHECK_INTERVAL: '1m', ALERT_CHECK_INTERVAL: '5m' });
    expect(config.checkIntervalMs).toBe(60_000);
    expect(config.warnings).toEqual([expect.stringContaining('ALERT_CHECK_INTERVAL is ignored')]);
  });
});

describe('parseDiscordConfig', () => {
  it('needs only the Discord variables', () => {
    expect(parseDiscordConfig({ DISCORD_TOKEN: DISCORD_SECRET, DISCORD_GUILD_ID: GUILD_A })).toEqual({
      token: DISCORD_SECRET,
      apiUrl: 'https://discord.com/api',
      guildIds: [GUILD_A],
    });
  });

  it('fails the same way without quoting secrets', () => {
    const error = configError({ USEAPI_TOKEN: USEAPI_SECRET, DISCORD_GUILD_ID: 'x' }, parseDiscordConfig);
    expect(error.problems.map((problem) => problem.split(' ')[0])).toEqual(['DISCORD_TOKEN', 'DISCORD_GUILD_ID']);
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['0s', 0],
    [' 2 s ', 2_000],
    ['10m', 600_000],
  ])('%j → %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '15', 'm', '1.5h', '-1s', '1d', '15 minutes', 's15', '1h30m', 'NaN s'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('the documented contract', () => {
  const variables = Object.keys(envSchema.shape).sort();

  it('.env.example lists every variable the bot reads, and nothing else', async () => {
    const text = await readFile(new URL('../.env.example', import.meta.url), 'utf8');
    const listed = [...text.matchAll(/^([A-Z_]+)=/gm)].map((match) => match[1]).sort();
    // The older name is read for compatibility, not advertised.
    expect(listed).toEqual(variables.filter((name) => name !== 'ALERT_CHECK_INTERVAL'));
  });

  it("the README configuration table has a row for every variable (the older name is told in its successor's row)", async () => {
    const text = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const rows = [...text.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]).sort();
    expect(rows).toEqual(variables.filter((name) => name !== 'ALERT_CHECK_INTERVAL'));
    expect(text).toContain('The older name `ALERT_CHECK_INTERVAL` is still read');
  });
});

describe('history and digest settings', () => {
  const config = (env: Record<string, string>) => parseConfig({ ...MINIMAL, ...env });

  it('reads the digest time, its channel (or the alert channel), the zone and the retention', () => {
    const digest = config({ DIGEST_TIME: '9:05', DIGEST_CHANNEL_ID: GUILD_A, TZ: 'Europe/Paris', HISTORY_DAYS: '30' });
    expect(digest.digest).toEqual({ time: '9:05', channelId: GUILD_A });
    expect(digest.timeZone).toBe('Europe/Paris');
    expect(digest.history.retentionDays).toBe(30);
    expect(config({ DIGEST_TIME: '23:59', ALERT_CHANNEL_ID: GUILD_B }).digest).toEqual({ time: '23:59', channelId: GUILD_B });
    expect(config({}).digest).toBeUndefined();
  });

  it('a digest time without any channel is a configuration error that says which variable to set', () => {
    expect(configError({ ...MINIMAL, DIGEST_TIME: '09:00' }).message).toContain('set DIGEST_CHANNEL_ID or ALERT_CHANNEL_ID');
  });

  it('refuses a time that is not HH:MM, a zone that does not exist, and a database URL of no known kind', () => {
    expect(configError({ ...MINIMAL, DIGEST_TIME: '9am', ALERT_CHANNEL_ID: GUILD_A }).message).toContain(
      'DIGEST_TIME must be a time of day as HH:MM',
    );
    expect(configError({ ...MINIMAL, DIGEST_TIME: '24:00', ALERT_CHANNEL_ID: GUILD_A }).message).toContain('DIGEST_TIME must be');
    expect(configError({ ...MINIMAL, TZ: 'Mars/Olympus' }).message).toContain('TZ must be an IANA time zone');
    expect(configError({ ...MINIMAL, DATABASE_URL: 'postgres://db/x' }).message).toContain('DATABASE_URL must be a database URL');
  });

  it('takes a database URL and its token; the token is a secret that is never quoted back', () => {
    const db = config({ DATABASE_URL: 'libsql://db.example.turso.io', DATABASE_AUTH_TOKEN: 'db-secret-token-0000' });
    expect(db.history).toEqual({
      retentionDays: 400,
      databaseUrl: 'libsql://db.example.turso.io',
      databaseAuthToken: 'db-secret-token-0000',
    });
    expect(configError({ ...MINIMAL, DATABASE_URL: 'db-secret-token-0000' }).message).not.toContain('db-secret-token-0000');
  });
});
