import { readdir, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commands } from '../../commands/index.js';
import { startBot } from '../../src/bot.js';
import { drainedFeatures, featuresFixture, type V2AccountSeed } from '../../src/emulators/useapi.js';
import { storedReading } from '../../src/history/history.js';
import type { StoredReading } from '../../src/history/store.js';
import { createLogger } from '../../src/logger.js';
import { featuresSchema } from '../../src/useapi/schemas.js';
import { ADMIN, OTHER_CHANNEL, isEphemeral, outcomeOf, startStack, visibleText, type Stack } from './stack.js';

let stack: Stack | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const EMAIL = 'team@example.com';

/**
 * An account in use for the last `hours`, as useapi.net serves it now (`account`) and as background
 * checks every `everyMs` would have kept it (`readings`): the same time series on both sides.
 */
function inUse(email: string, features: Record<string, unknown>, perHour: number, hours: number, everyMs = HOUR) {
  const drain = { perHour, since: Date.now() - hours * HOUR };
  const readings: StoredReading[] = [];
  for (let at = drain.since; at < Date.now() - 60_000; at += everyMs) {
    readings.push(storedReading(email, featuresSchema.parse(drainedFeatures(features, drain, at)), new Date(at)));
  }
  return { account: { email, features, drain } satisfies V2AccountSeed, readings };
}

function history(email: string, features: Record<string, unknown>, perHour: number, hours: number): StoredReading[] {
  return inUse(email, features, perHour, hours).readings;
}

/** A plan refilling in 30 days, daily credits refilled at midnight UTC. */
function plan(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const renewal = new Date(Date.now() + 30 * DAY).toISOString();
  return featuresFixture({
    daily_credits_refresh_time: new Date(Date.now() - (Date.now() % DAY)).toISOString(),
    credits_refresh_time: renewal,
    billing_renewal_date: renewal,
    expired_date: renewal,
    ...overrides,
  });
}

/** Files the bot attached to the answer of `interaction`, as Discord received them. */
function attachments(s: Stack, token: string) {
  return s.discord.requests.filter((request) => request.path.includes(token)).flatMap((request) => request.files);
}

describe('/credits with a history', () => {
  it('says the history is being collected before six checks', async () => {
    const young = inUse(EMAIL, plan(), 50, 3);
    stack = await startStack({ history: young.readings.slice(-3), accounts: [young.account] });
    const text = visibleText(await stack.command('credits').finalMessage());
    expect(text).toMatch(/Collecting usage history \(\d of 6 checks\); the forecast starts after 6\./);
    expect(text).not.toContain('Forecast');
  });

  it('shows the last 24 hours of use and when the credits run out, before the monthly refill', async () => {
    // 500 credits an hour against 12,980: gone in about a day, long before the refill in 30 days.
    const busy = inUse(EMAIL, plan(), 500, 24);
    stack = await startStack({ history: busy.readings, accounts: [busy.account] });
    const text = visibleText(await stack.command('credits').finalMessage());
    expect(text).toMatch(/Usage\n\*\*1[12],\d{3}\*\* used in the last 2[34] h/);
    expect(text).toMatch(
      /Forecast\nAt ~1[12],\d{3} a day, runs out <t:\d+:R> \(<t:\d+:D>\), before the monthly credits refill \(<t:\d+:D>\)\./,
    );
  });

  it('an account that spends less than its daily allowance lasts until the refill', async () => {
    const quiet = inUse(EMAIL, plan({ credit_daily: 60, credit_daily_gift: 600 }), 10, 30);
    stack = await startStack({ history: quiet.readings, accounts: [quiet.account] });
    const text = visibleText(await stack.command('credits').finalMessage());
    expect(text).toMatch(
      /At ~2[34]\d a day, lasts until the monthly credits refill <t:\d+:R> \(<t:\d+:D>\), with ~[\d,]+ left\./,
    );
  });

  it('keeps every fresh reading it makes (one per account and second: the latest wins)', async () => {
    stack = await startStack({ env: { USEAPI_CACHE_TTL: '0s', CHECK_INTERVAL: 'off' } });
    await stack.command('credits').finalMessage();
    await stack.bot.history.settled();
    const first = await stack.bot.history.readings({ email: EMAIL, since: new Date(Date.now() - HOUR) });
    expect(first).toEqual([
      expect.objectContaining({ email: EMAIL, daily: 30, monthly: 12_450, package: 500, dailyAllowance: 60, plan: 'Pro' }),
    ]);
    stack.useapi.setAccounts([{ email: EMAIL, features: featuresFixture({ credit_monthly: 12_000 }) }]);
    await stack.command('credits').finalMessage();
    await stack.bot.history.settled();
    const readings = await stack.bot.history.readings({ email: EMAIL, since: new Date(Date.now() - HOUR) });
    expect(readings.at(-1)).toMatchObject({ monthly: 12_000 });
    expect(readings.length).toBeLessThanOrEqual(2);
  });
});

describe('/credits-history', () => {
  it('answers with a chart inside the reply, and the use, forecast and refills beside it', async () => {
    const studio = inUse(EMAIL, plan(), 40, 72, 15 * 60_000);
    stack = await startStack({ history: studio.readings, accounts: [studio.account] });
    const handle = stack.command('credits-history', [{ name: 'days', type: 4, value: 3 }]);
    expect((await handle.firstResponse()).callbackType).toBe(5);
    const message = await handle.finalMessage(10_000);
    const text = visibleText(message);
    expect(isEphemeral(message)).toBe(true);
    expect(text).toContain('PixVerse credits · last 3 days');
    expect(text).toContain(`\`${EMAIL}\``);
    expect(text).toMatch(/Use: ~9\d\d a day on average \(over 3 days\)/);
    expect(text).toMatch(/Refills and purchases: [23] daily refills \(\+1[28]0\)/);
    expect(text).toMatch(/runs out <t:\d+:R>/);
    const [file] = attachments(stack, handle.token);
    expect(file?.filename).toBe('credits-history.png');
    expect(file?.data.subarray(0, 8)).toEqual(PNG);
    expect(file!.data.readUInt32BE(16)).toBe(1100);
    expect(message.attachments.map((attachment) => attachment.filename)).toEqual(['credits-history.png']);
    expect(message.embeds[0]?.image?.url).toBe(message.attachments[0]?.url);
    expect(stack.discord.validationErrors).toEqual([]);
  });

  it('draws every account and their total, or only the one asked for, and can be shared', async () => {
    const a = inUse('a@example.com', plan(), 30, 48);
    const b = inUse('b@example.com', plan({ credit_monthly: 3_000 }), 5, 48);
    stack = await startStack({ accounts: [a.account, b.account], history: [...a.readings, ...b.readings] });
    const both = visibleText(await stack.command('credits-history').finalMessage(10_000));
    expect(both).toContain('`a@example.com`');
    expect(both).toContain('`b@example.com`');
    const one = stack.command('credits-history', [
      { name: 'email', type: 3, value: 'B@example.com' },
      { name: 'share', type: 5, value: true },
    ]);
    const message = await one.finalMessage(10_000);
    expect(isEphemeral(message)).toBe(false);
    expect(visibleText(message)).toContain('`b@example.com`');
    expect(visibleText(message)).not.toContain('a@example.com');
  });

  it('forecasts from readings older than the summaries look back (a week), when the days asked reach them', async () => {
    const old = history(EMAIL, plan(), 20, 48).map((reading) => ({ ...reading, at: new Date(reading.at.getTime() - 10 * DAY) }));
    stack = await startStack({ history: old });
    const text = visibleText(await stack.command('credits-history', [{ name: 'days', type: 4, value: 30 }]).finalMessage(10_000));
    expect(text).toMatch(/Use: ~4\d\d a day on average \(over 2 days\)/);
    // None of those readings is recent enough to forecast from.
    expect(text).toContain('Collecting usage history (0 of 6 checks); the forecast starts after 6.');
  });

  it('with no history yet says so, and when the first readings come', async () => {
    stack = await startStack({ env: { CHECK_INTERVAL: 'off' }, accounts: [{ email: EMAIL }] });
    const off = visibleText(await stack.command('credits-history').finalMessage());
    expect(off).toContain('No credit history yet');
    expect(off).toContain('Background checks are off (`CHECK_INTERVAL=off`)');
    // A configured account without readings yet, in any spelling.
    const configured = visibleText(
      await stack.command('credits-history', [{ name: 'email', type: 3, value: 'TEAM@example.com' }]).finalMessage(),
    );
    expect(configured).toContain('No reading of `team@example.com` in the last 7 days.');
    await stack.close();
    stack = await startStack({ env: { CHECK_INTERVAL: '1h' }, accounts: [{ email: EMAIL }] });
    await stack.bot.history.settled();
    const nobody = stack.command('credits-history', [{ name: 'email', type: 3, value: 'nobody@example.com' }]);
    expect(visibleText(await nobody.finalMessage())).toContain('is not one of the PixVerse accounts, and has no credit history');
    await vi.waitFor(() => expect(outcomeOf(stack!, nobody.id)).toBe('refused:unknown-account'));
  });

  it('autocompletes accounts, those with a history included: sorted, at most 25, matching what is typed', async () => {
    // Out of order, more than Discord shows, and two that only differ past Discord's 100-character limit.
    const team = Array.from({ length: 24 }, (_, i) => `team-${String(i).padStart(2, '0')}@example.com`);
    const long = `${'x'.repeat(88)}@example.com`;
    const accounts = [...team].reverse().map((email) => ({ email }));
    stack = await startStack({
      history: history('gone@example.com', plan(), 10, 6),
      accounts: [...accounts, { email: EMAIL }, { email: long }, { email: `x${long}` }],
    });
    const choices = async (typed: string) => {
      const handle = stack!.autocomplete('credits-history', [{ name: 'email', type: 3, value: typed, focused: true }]);
      const body = (await handle.firstResponse()).body as { data: { choices: Array<{ name: string; value: string }> } };
      return body.data.choices.map((choice) => choice.value);
    };
    expect(await choices('')).toEqual(['gone@example.com', ...team]);
    expect(await choices('Gone')).toEqual(['gone@example.com']);
    expect(await choices('xX')).toEqual([long]);
  });
});

describe('the history database', () => {
  it('survives a restart: what one run kept, the next one charts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'history-restart-'));
    dirs.push(dataDir);
    const env = { USEAPI_CACHE_TTL: '0s', CHECK_INTERVAL: 'off' };
    stack = await startStack({ dataDir, env, history: history(EMAIL, plan(), 10, 5) });
    await stack.command('credits').finalMessage();
    await stack.close();
    stack = await startStack({ dataDir, env });
    const readings = await stack.bot.history.readings({ since: new Date(Date.now() - 6 * HOUR) });
    // Five seeded, and the one the first run's /credits kept.
    expect(readings).toHaveLength(6);
    expect(readings.at(-1)).toMatchObject({ monthly: 12_450 });
    expect(await readdir(dataDir)).toContain('history.db');
  });

  it('moves the alert memory of an older version (alerts.json) into the database once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'history-legacy-'));
    dirs.push(dataDir);
    const memory = {
      version: 1,
      tokenRejected: false,
      listFailures: 0,
      listFailureReported: false,
      accounts: { 'low@example.com': { low: true, error: false, warned: [], failures: 0, failureReported: false } },
    };
    await writeFile(join(dataDir, 'alerts.json'), JSON.stringify(memory));
    const low = {
      email: 'low@example.com',
      features: featuresFixture({ credit_daily: 0, credit_monthly: 20, credit_package: 0 }),
    };
    stack = await startStack({ dataDir, accounts: [low], env: { ALERT_CHANNEL_ID: OTHER_CHANNEL.id, CHECK_INTERVAL: '1h' } });
    const status = visibleText(
      await stack.command('credits-alerts', [{ name: 'check_now', type: 5, value: true }], { permissions: ADMIN }).finalMessage(),
    );
    // Announced by the older version: not announced again.
    expect(status).toContain('Check run now: nothing new to report');
    expect(stack.discord.channelMessages(OTHER_CHANNEL.id)).toEqual([]);
    expect(await readdir(dataDir)).toEqual(expect.arrayContaining(['alerts.json.imported', 'history.db']));
  });

  it('an unusable database stops start-up with the place and the cause', async () => {
    stack = await startStack();
    await stack.bot.stop(100);
    const logger = createLogger({ level: 'silent', secrets: [] });
    const broken = { ...stack.config, history: { ...stack.config.history, databaseUrl: 'libsql://127.0.0.1:1' } };
    await expect(startBot({ config: broken, logger, commands })).rejects.toThrow(
      /could not open the history database at libsql:\/\/127\.0\.0\.1:1/,
    );
    stack.bot = { ...stack.bot, stop: () => Promise.resolve() };
  });
});

describe('the daily digest', () => {
  /** A zone where it is now about noon, so 00:00 has passed and 23:59 has not. */
  function noonZone(): string {
    const offset = 12 - new Date().getUTCHours();
    return offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
  }

  it('goes out silently once its time has come, once a day, also across a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'history-digest-'));
    dirs.push(dataDir);
    const env = { DIGEST_TIME: '00:00', TZ: noonZone(), DIGEST_CHANNEL_ID: OTHER_CHANNEL.id, CHECK_INTERVAL: 'off' };
    stack = await startStack({ dataDir, env, history: history(EMAIL, plan(), 20, 12) });
    const posts = () =>
      stack!.discord.requests.filter(
        (request) => request.method === 'POST' && request.path === `/channels/${OTHER_CHANNEL.id}/messages`,
      );
    expect(posts()).toHaveLength(1);
    const body = posts()[0]!.body as { flags?: number; allowed_mentions?: unknown };
    expect(body.flags).toBe(4096);
    expect(body.allowed_mentions).toEqual({ parse: [] });
    const [message] = stack.discord.channelMessages(OTHER_CHANNEL.id);
    expect(visibleText(message)).toMatch(/PixVerse credits · [A-Z][a-z]+day, [A-Z][a-z]+ \d{1,2}\n/);
    expect(visibleText(message)).toContain(`\`${EMAIL}\``);
    expect(visibleText(message)).toMatch(/Collecting usage history|used in the last/);
    await stack.close();

    stack = await startStack({ dataDir, env });
    expect(posts()).toHaveLength(0);
  });

  it('does not go out before its time', async () => {
    stack = await startStack({ env: { DIGEST_TIME: '23:59', TZ: noonZone(), DIGEST_CHANNEL_ID: OTHER_CHANNEL.id } });
    expect(stack.discord.channelMessages(OTHER_CHANNEL.id)).toEqual([]);
  });
});
