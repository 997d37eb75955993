import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlertMonitor, PostFailure, type MonitorHistory } from '../src/alerts/monitor.js';
import { alertMemorySchema, type AlertSettings, type Incident } from '../src/alerts/rules.js';
import { AlertStore } from '../src/alerts/store.js';
import { CreditHistory } from '../src/history/history.js';
import { HistoryStore, databaseUrl } from '../src/history/store.js';
import { UseapiEmulator, featuresFixture, type V2AccountSeed } from '../src/emulators/useapi.js';
import { createLogger } from '../src/logger.js';
import { UseapiClient, type UseapiClientOptions } from '../src/useapi/client.js';

// Deliberately not shaped like a real token.
const TOKEN = 'user:1-alertmonitor-apitoken-zq';
const INTERVAL = 60_000;
const DAY_MS = 86_400_000;
// Forecasts off unless a test turns them on: these tests drain accounts in minutes, which a forecast would report.
const SETTINGS: AlertSettings = { creditsBelow: 1_000, expiryDays: 3, failureChecks: 3, forecastDays: 0 };
const FEATURES_PATH = '/v2/pixverse/features';
const ACCOUNTS_PATH = '/v2/pixverse/accounts';

const LOW = 'low@example.com';
const OK = 'ok@example.com';

/** Default fixture: 30 + 12,450 + 500 = 12,980 spendable, plan dates 30 days ahead. */
function healthy(email: string): V2AccountSeed {
  return { email, features: featuresFixture() };
}

function withCredits(email: string, spendable: number, overrides: Record<string, unknown> = {}): V2AccountSeed {
  return { email, features: featuresFixture({ credit_daily: 0, credit_monthly: spendable, credit_package: 0, ...overrides }) };
}

function jsonStatus(status: number, message: string) {
  return {
    kind: 'status' as const,
    status,
    body: JSON.stringify({ error: message, code: status }),
    contentType: 'application/json',
  };
}

interface LogLine {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

interface Harness {
  monitor: AlertMonitor;
  posted: Incident[];
  logs: LogLine[];
  dataDir: string;
  store: HistoryStore;
  history: CreditHistory;
  useapi: UseapiClient;
  /** Checks that ran to the end (the monitor logs one debug line per check). */
  checksDone(): number;
  warnings(text: string): LogLine[];
}

let emu: UseapiEmulator;
let dirs: string[] = [];
let cleanups: Array<() => Promise<void>> = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'alerts-monitor-'));
  dirs.push(dir);
  return dir;
}

function useapiClient(options: Partial<UseapiClientOptions> = {}): UseapiClient {
  const client = new UseapiClient({
    token: TOKEN,
    baseUrl: emu.url,
    timeouts: { connectMs: 500, headersMs: 500, bodyMs: 500, totalMs: 900 },
    cacheTtlMs: 0,
    retryBaseMs: 1,
    maxRetries: 0,
    ...options,
  });
  cleanups.push(() => client.close());
  return client;
}

/**
 * A monitor as the bot runs it: its own useapi client, whose every credits read the history keeps
 * (in a database in `dataDir`), and alerts whose memory lives in that database too.
 */
async function harness(
  dataDir: string,
  options: {
    post?: (incident: Incident) => Promise<void>;
    settings?: AlertSettings;
    logs?: LogLine[];
    useapi?: Partial<UseapiClientOptions>;
    alertStore?: AlertStore;
    /** Default INTERVAL; `null`: checks off. */
    intervalMs?: number | null;
    /** What the monitor sees of the history, given the real one (default: the real one). */
    monitorHistory?: (history: CreditHistory) => MonitorHistory;
    /** A bot without ALERT_CHANNEL_ID: the checks only feed the history. */
    withoutAlerts?: true;
  } = {},
): Promise<Harness> {
  const posted: Incident[] = [];
  const logs = options.logs ?? [];
  const logger = createLogger({
    level: 'debug',
    secrets: [TOKEN],
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
  });
  const store = await HistoryStore.open({ url: databaseUrl(dataDir, undefined), retentionDays: 400 });
  const history = new CreditHistory(store, logger);
  const useapi = useapiClient({ onFeatures: (email, features) => history.record(email, features), ...options.useapi });
  const monitor = new AlertMonitor({
    useapi,
    history: options.monitorHistory?.(history) ?? history,
    alerts: options.withoutAlerts
      ? undefined
      : {
          store: options.alertStore ?? new AlertStore(store),
          settings: options.settings ?? SETTINGS,
          post:
            options.post ??
            ((incident) => {
              posted.push(incident);
              return Promise.resolve();
            }),
        },
    intervalMs: options.intervalMs === null ? undefined : (options.intervalMs ?? INTERVAL),
    logger,
  });
  cleanups.push(async () => {
    await monitor.stop();
    await history.close();
  });
  return {
    monitor,
    posted,
    logs,
    dataDir,
    store,
    history,
    useapi,
    checksDone: () => logs.filter((line) => line.msg === 'credit check done').length,
    warnings: (text) => logs.filter((line) => line.level === 40 && (line.msg ?? '').includes(text)),
  };
}

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 2_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > until) throw new Error(`${what}: not reached in time`);
    await sleep(1);
  }
}

/** start(), and wait for the check it runs at once. */
async function start(h: Harness): Promise<void> {
  const before = h.checksDone();
  await h.monitor.start();
  await waitFor(() => h.checksDone() > before, 'the first check');
}

/** One interval passes on the fake clock; waits (in real time) for the check it fires to finish. */
async function tick(h: Harness, times = 1): Promise<void> {
  for (let i = 0; i < times; i += 1) {
    const before = h.checksDone();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await waitFor(() => h.checksDone() > before, 'the interval check');
  }
}

function kinds(incidents: Incident[]): string[] {
  return incidents.map((incident) => incident.kind);
}

function emailOf(incident: Incident | undefined): string | undefined {
  return incident && 'email' in incident ? incident.email : undefined;
}

beforeEach(async () => {
  // Only the interval and the clock: the HTTP client and the emulator need real timeouts.
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(new Date('2031-03-10T12:00:00Z'));
  emu = await UseapiEmulator.start({ token: TOKEN, accounts: [healthy(OK), healthy(LOW)] });
});

afterEach(async () => {
  // Monitors first (they use the clients), then the clients.
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
  vi.useRealTimers();
  await emu.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  dirs = [];
});

describe('AlertMonitor against the useapi.net emulator', () => {
  it('checks every account at start(), then once per interval and not before', async () => {
    const h = await harness(await tempDir());
    await start(h);
    expect(emu.requestsTo('GET', ACCOUNTS_PATH)).toHaveLength(1);
    expect(
      emu
        .requestsTo('GET', FEATURES_PATH)
        .map((request) => request.query.get('email'))
        .sort(),
    ).toEqual([LOW, OK]);
    expect(h.posted).toEqual([]);

    expect(h.monitor.lastCheckAt()).toEqual(new Date('2031-03-10T12:00:00Z'));
    expect(h.monitor.accounts().find(({ email }) => email === OK)?.memory.last?.spendable).toBe(12_980);
    // A fresh database is a fresh start, not an unusable memory.
    expect(h.warnings('alert state was not usable')).toEqual([]);

    await vi.advanceTimersByTimeAsync(INTERVAL - 1);
    await sleep(20);
    expect(emu.requestsTo('GET', ACCOUNTS_PATH)).toHaveLength(1);
    const before = h.checksDone();
    await vi.advanceTimersByTimeAsync(1);
    await waitFor(() => h.checksDone() > before, 'the interval check');
    expect(emu.requestsTo('GET', ACCOUNTS_PATH)).toHaveLength(2);
    expect(h.monitor.lastCheckAt()).toEqual(new Date(Date.parse('2031-03-10T12:00:00Z') + INTERVAL));
  });

  it('posts once when credits cross below the threshold, and again after a refill and a second drop', async () => {
    const h = await harness(await tempDir());
    await start(h);
    expect(h.posted).toEqual([]);

    emu.setAccounts([healthy(OK), withCredits(LOW, 250)]);
    await tick(h);
    expect(h.posted).toEqual([{ kind: 'low-credits', email: LOW, spendable: 250, threshold: 1_000 }]);

    emu.setAccounts([healthy(OK), withCredits(LOW, 120)]);
    await tick(h, 2);
    expect(h.posted).toHaveLength(1);

    emu.setAccounts([healthy(OK), withCredits(LOW, 1_000)]);
    await tick(h);
    expect(h.posted).toHaveLength(1);

    emu.setAccounts([healthy(OK), withCredits(LOW, 999)]);
    await tick(h);
    expect(h.posted).toHaveLength(2);
    expect(h.posted[1]).toEqual({ kind: 'low-credits', email: LOW, spendable: 999, threshold: 1_000 });
  });

  it('check() joins a check under way instead of starting a second one', async () => {
    emu.setAccounts([withCredits(LOW, 5)]);
    emu.latencyMs = 30;
    const h = await harness(await tempDir());
    const [a, b] = await Promise.all([h.monitor.check(), h.monitor.check()]);
    expect(a).toBe(b);
    expect(kinds(a.posted)).toEqual(['low-credits']);
    expect(h.posted).toHaveLength(1);
    expect(emu.requestsTo('GET', ACCOUNTS_PATH)).toHaveLength(1);
  });

  it('announces the error state (596) once and the recovery once', async () => {
    const h = await harness(await tempDir());
    emu.setAccounts([healthy(OK), { ...healthy(LOW), error: 'PixVerse session rejected' }]);
    await start(h);
    expect(h.posted).toEqual([{ kind: 'account-error', email: LOW }]);
    await tick(h, 4);
    expect(h.posted).toHaveLength(1);

    emu.setAccounts([healthy(OK), healthy(LOW)]);
    await tick(h);
    expect(h.posted).toEqual([
      { kind: 'account-error', email: LOW },
      { kind: 'account-recovered', email: LOW },
    ]);
    await tick(h);
    expect(h.posted).toHaveLength(2);
  });

  it('warns once about a plan that expires within 3 days, and again for a new date', async () => {
    const h = await harness(await tempDir());
    const soon = new Date(Date.now() + 2 * DAY_MS);
    emu.setAccounts([healthy(OK), { email: LOW, features: featuresFixture({ expired_date: soon.toISOString() }) }]);
    await start(h);
    expect(h.posted).toEqual([{ kind: 'expiring', email: LOW, expiresAt: soon, renewsAt: undefined }]);
    await tick(h, 3);
    expect(h.posted).toHaveLength(1);

    const renewed = new Date(Date.now() + 2.5 * DAY_MS);
    emu.setAccounts([healthy(OK), { email: LOW, features: featuresFixture({ expired_date: renewed.toISOString() }) }]);
    await tick(h);
    expect(h.posted).toHaveLength(2);
    expect(h.posted[1]).toEqual({ kind: 'expiring', email: LOW, expiresAt: renewed, renewsAt: undefined });
  });

  it('an upstream failure lasting 3 checks is posted once, after the third', async () => {
    const h = await harness(await tempDir());
    await start(h);
    emu.addFault({ method: 'GET', path: FEATURES_PATH, fault: { kind: 'status', status: 500 } });
    await tick(h, 2);
    expect(h.posted).toEqual([]);
    await tick(h);
    expect(kinds(h.posted)).toEqual(['unreadable', 'unreadable']);
    expect(h.posted.map(emailOf).sort()).toEqual([LOW, OK]);
    expect(h.posted[0]).toMatchObject({ checks: 3, error: { kind: 'upstream', status: 500 } });
    await tick(h, 3);
    expect(h.posted).toHaveLength(2);
    emu.clearFaults();
    await tick(h);
    expect(h.posted).toHaveLength(2);
  });

  it('an upstream failure of 2 checks, then a good reading, posts nothing', async () => {
    const h = await harness(await tempDir());
    await start(h);
    for (let round = 0; round < 2; round += 1) {
      emu.addFault({ method: 'GET', path: FEATURES_PATH, fault: { kind: 'status', status: 500 } });
      await tick(h, 2);
      emu.clearFaults();
      await tick(h);
    }
    expect(h.posted).toEqual([]);
    expect(h.monitor.accounts().find(({ email }) => email === LOW)?.memory.failures).toBe(0);
  });

  it('a token-wide 401 on the account list is one post over 3 checks, and its end one more', async () => {
    const h = await harness(await tempDir());
    emu.addFault({ method: 'GET', path: ACCOUNTS_PATH, fault: jsonStatus(401, 'Unauthorized') });
    await start(h);
    await tick(h, 2);
    expect(kinds(h.posted)).toEqual(['token-rejected']);
    expect(h.posted[0]).toMatchObject({ error: { kind: 'unauthorized', status: 401 } });
    expect(emu.requestsTo('GET', ACCOUNTS_PATH)).toHaveLength(3);

    emu.clearFaults();
    await tick(h, 2);
    expect(kinds(h.posted)).toEqual(['token-rejected', 'token-accepted']);
  });

  it('a 402 on every account read (list still answering) is one post, not one per account or per check', async () => {
    const h = await harness(await tempDir());
    emu.addFault({ method: 'GET', path: FEATURES_PATH, fault: jsonStatus(402, 'Subscription required') });
    await start(h);
    await tick(h, 3);
    expect(kinds(h.posted)).toEqual(['token-rejected']);

    emu.clearFaults();
    await tick(h, 2);
    expect(kinds(h.posted)).toEqual(['token-rejected', 'token-accepted']);
  });

  it('a restart with the same DATA_DIR and the same upstream state posts nothing again', async () => {
    const dataDir = await tempDir();
    const soon = new Date(Date.now() + DAY_MS);
    emu.setAccounts([
      withCredits(LOW, 10),
      { email: 'broken@example.com', error: 'PixVerse session rejected' },
      { email: 'soon@example.com', features: featuresFixture({ billing_renewal_date: soon.toISOString() }) },
    ]);
    const first = await harness(dataDir);
    await start(first);
    expect(kinds(first.posted).sort()).toEqual(['account-error', 'expiring', 'low-credits']);
    await first.monitor.stop();

    await vi.advanceTimersByTimeAsync(5 * INTERVAL);
    const second = await harness(dataDir);
    await start(second);
    expect(second.posted).toEqual([]);
    await tick(second);
    expect(second.posted).toEqual([]);
    // The stopped monitor's interval is gone: only the new one checked.
    expect(first.checksDone()).toBe(1);

    // What changed since is still announced.
    emu.setAccounts([
      withCredits(LOW, 10),
      { email: 'broken@example.com', features: featuresFixture() },
      { email: 'soon@example.com', features: featuresFixture({ billing_renewal_date: soon.toISOString() }) },
    ]);
    await tick(second);
    expect(second.posted).toEqual([{ kind: 'account-recovered', email: 'broken@example.com' }]);
  });

  it('keeps the alert memory in the history database, next to the readings', async () => {
    emu.setAccounts([withCredits(LOW, 10), healthy(OK)]);
    const h = await harness(await tempDir());
    await start(h);
    await tick(h, 2);
    const { memory } = await new AlertStore(h.store).load();
    expect(memory.accounts[LOW]).toMatchObject({ low: true, error: false, last: { spendable: 10 } });
    expect(memory.accounts[OK]).toMatchObject({ low: false, last: { spendable: 12_980, plan: 'Pro' } });
    expect(await readdir(h.dataDir)).toContain('history.db');
  });

  it('alert memory of another shape starts afresh with a warning, without crashing', async () => {
    const dataDir = await tempDir();
    const first = await harness(dataDir);
    await first.store.setState('alerts', { version: 7, accounts: [] });
    emu.setAccounts([withCredits(LOW, 10)]);
    const h = await harness(dataDir);
    await start(h);
    expect(h.warnings('alert state was not usable')).toHaveLength(1);
    expect(h.warnings('alert state was not usable')[0]?.detail).toMatch(/is not one this version understands; starting afresh$/);
    expect(kinds(h.posted)).toEqual(['low-credits']);
    expect(alertMemorySchema.safeParse(await h.store.getState('alerts')).success).toBe(true);
  });

  it('memory that cannot be saved is logged once across checks; alerts are still posted, once', async () => {
    const failing = new AlertStore({
      getState: () => Promise.resolve(undefined),
      setState: () => Promise.reject(new Error('disk full')),
      location: 'a database that refuses writes',
    });
    const h = await harness(await tempDir(), { alertStore: failing });
    await start(h);
    emu.setAccounts([healthy(OK), withCredits(LOW, 10)]);
    await tick(h, 3);
    expect(h.posted).toEqual([{ kind: 'low-credits', email: LOW, spendable: 10, threshold: 1_000 }]);
    expect(h.warnings('could not save the alert state')).toHaveLength(1);
    expect(h.warnings('could not save the alert state')[0]).toMatchObject({ err: { message: 'disk full' } });
    expect(h.checksDone()).toBe(4);
  });

  it('a save that works again re-arms the warning: the next failure is logged again', async () => {
    let refuse = true;
    const flaky = new AlertStore({
      getState: () => Promise.resolve(undefined),
      setState: () => (refuse ? Promise.reject(new Error('disk full')) : Promise.resolve()),
      location: 'a database that sometimes refuses writes',
    });
    const h = await harness(await tempDir(), { alertStore: flaky });
    await start(h);
    await tick(h);
    expect(h.warnings('could not save the alert state')).toHaveLength(1);
    refuse = false;
    await tick(h);
    refuse = true;
    await tick(h);
    expect(h.warnings('could not save the alert state')).toHaveLength(2);
  });

  it('a post that throws is logged, and the alert is posted by the next check', async () => {
    const delivered: Incident[] = [];
    let failNext = true;
    const h = await harness(await tempDir(), {
      post: (incident) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('Discord said no'));
        }
        delivered.push(incident);
        return Promise.resolve();
      },
    });
    emu.setAccounts([withCredits(LOW, 10), healthy(OK)]);
    await start(h);
    expect(h.warnings('could not post an alert')).toHaveLength(1);
    expect(h.warnings('could not post an alert')[0]).toMatchObject({
      incident: 'low-credits',
      err: { message: 'Discord said no' },
    });
    expect(delivered).toEqual([]);

    emu.setAccounts([withCredits(LOW, 10), { email: OK, error: 'PixVerse session rejected' }]);
    await tick(h);
    expect(delivered).toEqual([
      { kind: 'low-credits', email: LOW, spendable: 10, threshold: 1000 },
      { kind: 'account-error', email: OK },
    ]);
    await tick(h);
    expect(delivered).toHaveLength(2);
    expect(h.checksDone()).toBe(3);
  });

  it('a failed post does not make the alerts already posted repeat: each is remembered once posted', async () => {
    const delivered: Incident[] = [];
    let refuse = true;
    const h = await harness(await tempDir(), {
      post: (incident) => {
        if (refuse && incident.kind === 'low-credits') return Promise.reject(new Error('Discord said no'));
        delivered.push(incident);
        return Promise.resolve();
      },
    });
    emu.setAccounts([withCredits(LOW, 10), { email: OK, error: 'PixVerse session rejected' }]);
    await start(h);
    expect(kinds(delivered)).toEqual(['account-error']);
    const saved = alertMemorySchema.parse(await h.store.getState('alerts'));
    expect(saved.accounts[OK]?.error).toBe(true);
    expect(saved.accounts[LOW]?.low).toBe(false);
    await tick(h);
    expect(kinds(delivered)).toEqual(['account-error']);
    refuse = false;
    await tick(h);
    expect(kinds(delivered)).toEqual(['account-error', 'low-credits']);
    await tick(h);
    expect(delivered).toHaveLength(2);
  });

  it('an alert Discord refuses for good is logged once and dropped; the others still go out', async () => {
    const delivered: Incident[] = [];
    const h = await harness(await tempDir(), {
      post: (incident) => {
        if (incident.kind === 'low-credits')
          return Promise.reject(new PostFailure(true, { cause: new Error('Invalid Form Body') }));
        delivered.push(incident);
        return Promise.resolve();
      },
    });
    emu.setAccounts([withCredits(LOW, 10), { email: OK, error: 'PixVerse session rejected' }]);
    await start(h);
    await tick(h, 3);
    expect(kinds(delivered)).toEqual(['account-error']);
    const refused = h.logs.filter((line) => line.level === 40 && line.msg?.includes('refused an alert for good'));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ incident: 'low-credits', err: { message: 'Invalid Form Body' } });
  });

  it('check() says how many alerts it posted, could not post, and dropped', async () => {
    let transient = true;
    const h = await harness(await tempDir(), {
      post: (incident) => {
        if (incident.kind === 'account-error') return Promise.reject(new PostFailure(true, { cause: new Error('refused') }));
        if (transient) return Promise.reject(new Error('socket hang up'));
        return Promise.resolve();
      },
    });
    emu.setAccounts([withCredits(LOW, 10), { email: OK, error: 'PixVerse session rejected' }]);
    const first = await h.monitor.check();
    expect({ posted: first.posted.length, retrying: first.retrying, dropped: first.dropped }).toEqual({
      posted: 0,
      retrying: 1,
      dropped: 1,
    });
    transient = false;
    const second = await h.monitor.check();
    expect({ posted: kinds(second.posted), retrying: second.retrying, dropped: second.dropped }).toEqual({
      posted: ['low-credits'],
      retrying: 0,
      dropped: 0,
    });
    // The log line of each check says the same.
    expect(
      h.logs
        .filter((line) => line.msg === 'credit check done')
        .map(({ incidents, retrying, dropped }) => ({ incidents, retrying, dropped })),
    ).toEqual([
      { incidents: ['low-credits', 'account-error'], retrying: 1, dropped: 1 },
      { incidents: ['low-credits'], retrying: 0, dropped: 0 },
    ]);
  });

  it('each check asks useapi.net afresh, whatever the cache holds, and leaves the reading in the cache', async () => {
    const h = await harness(await tempDir(), { useapi: { cacheTtlMs: 3_600_000 } });
    const cached = h.useapi;
    await cached.accounts();
    await cached.features(OK);
    emu.setAccounts([withCredits(OK, 10)]);
    await h.monitor.check();
    expect(kinds(h.posted)).toEqual(['low-credits']);
    expect(emu.requestsTo('GET', ACCOUNTS_PATH)).toHaveLength(2);
    expect(cached.peekFeatures(OK)?.credit_monthly).toBe(10);
    await h.monitor.check();
    expect(emu.requestsTo('GET', ACCOUNTS_PATH)).toHaveLength(3);
  });

  it('every check is kept in the history, and old readings are pruned', async () => {
    const h = await harness(await tempDir());
    await h.store.record({ email: OK, at: new Date(Date.now() - 500 * DAY_MS), daily: 1, monthly: 1, package: 0 });
    await start(h);
    await tick(h, 2);
    const kept = await h.store.readings({ email: OK, since: new Date(0) });
    expect(kept.map((reading) => reading.at.getTime())).toEqual(
      [0, 1, 2].map((i) => Date.parse('2031-03-10T12:00:00Z') + i * INTERVAL),
    );
    expect(kept[0]).toMatchObject({ daily: 30, monthly: 12_450, package: 500, dailyAllowance: 60, plan: 'Pro' });
  });

  it('warns once that an account will run out before its refill, at the current rate', async () => {
    const h = await harness(await tempDir(), { settings: { ...SETTINGS, creditsBelow: 0, forecastDays: 3 } });
    // Six checks over the last day, 2,000 credits a day of use: 1,500 left runs out in under a day,
    // long before the monthly refill 30 days ahead.
    const renewal = new Date(Date.now() + 30 * DAY_MS);
    const dates = {
      billing_renewal_date: renewal.toISOString(),
      credits_refresh_time: renewal.toISOString(),
      expired_date: renewal.toISOString(),
    };
    for (let i = 6; i >= 1; i -= 1) {
      const at = new Date(Date.now() - i * 4 * 3_600_000);
      await h.store.record({
        email: LOW,
        at,
        daily: 0,
        monthly: 1_500 + (i * 2_000) / 6,
        package: 0,
        renewsAt: renewal,
        monthlyRefillAt: renewal,
      });
    }
    emu.setAccounts([withCredits(LOW, 1_500, dates)]);
    await start(h);
    const forecast = h.posted.find((incident) => incident.kind === 'runs-out');
    expect(forecast).toMatchObject({ kind: 'runs-out', email: LOW, before: { what: 'monthly-refill', at: renewal } });
    expect((forecast as { at: Date }).at.getTime()).toBeLessThan(Date.now() + DAY_MS);
    await tick(h, 2);
    expect(h.posted.filter((incident) => incident.kind === 'runs-out')).toHaveLength(1);
  });

  it('never writes the API token to the database or the log', async () => {
    emu.addFault({ method: 'GET', path: ACCOUNTS_PATH, fault: jsonStatus(401, 'Unauthorized'), times: 1 });
    const h = await harness(await tempDir());
    await start(h);
    await tick(h);
    await h.history.close();
    const database = await readFile(join(h.dataDir, 'history.db'));
    expect(database.includes(Buffer.from(TOKEN))).toBe(false);
    expect(JSON.stringify(h.logs)).not.toContain(TOKEN);
  });
});

describe('AlertMonitor: starting, stopping and checks that cannot finish', () => {
  const STRICT: AlertSettings = { ...SETTINGS, failureChecks: 1 };

  it('start() twice is one first check and one interval', async () => {
    const h = await harness(await tempDir());
    await start(h);
    await h.monitor.start();
    await sleep(30);
    expect(h.checksDone()).toBe(1);
    await tick(h);
    await sleep(30);
    expect(h.checksDone()).toBe(2);
    expect(emu.requestsTo('GET', ACCOUNTS_PATH)).toHaveLength(2);
  });

  it('with checks off, start() still loads the saved memory, for /credits-alerts, and checks nothing', async () => {
    const dataDir = await tempDir();
    emu.setAccounts([withCredits(LOW, 10)]);
    const first = await harness(dataDir);
    await first.monitor.check();
    await first.monitor.stop();

    const h = await harness(dataDir, { intervalMs: null });
    await h.monitor.start();
    expect(h.monitor.accounts().map(({ email, memory }) => [email, memory.low])).toEqual([[LOW, true]]);
    await sleep(30);
    expect(h.checksDone()).toBe(0);
    expect(emu.requestsTo('GET', ACCOUNTS_PATH)).toHaveLength(1);
  });

  it('healthy accounts, check after check, post nothing and count no failure of the list', async () => {
    const h = await harness(await tempDir(), { settings: STRICT });
    emu.setAccounts([healthy(OK)]);
    for (let i = 0; i < 3; i += 1) expect((await h.monitor.check()).posted).toEqual([]);
    expect(alertMemorySchema.parse(await h.store.getState('alerts'))).toMatchObject({ listFailures: 0, tokenRejected: false });
  });

  it('a check abandoned while the account list is read changes nothing and posts nothing', async () => {
    const h = await harness(await tempDir(), { settings: STRICT });
    emu.addFault({ method: 'GET', path: ACCOUNTS_PATH, fault: { kind: 'hang' } });
    const check = h.monitor.check();
    await waitFor(() => emu.requestsTo('GET', ACCOUNTS_PATH).length === 1, 'the list read');
    h.useapi.interrupt();
    expect(await check).toEqual({ posted: [], retrying: 0, dropped: 0 });
    expect(h.posted).toEqual([]);
    expect(h.monitor.lastCheckAt()).toBeUndefined();
    expect(await h.store.getState('alerts')).toBeUndefined();
  });

  it('a check abandoned while one account is read changes nothing and posts nothing', async () => {
    const h = await harness(await tempDir(), { settings: STRICT });
    emu.setAccounts([withCredits(LOW, 10), healthy(OK)]);
    // One of the two reads hangs; the other answers.
    emu.addFault({ method: 'GET', path: FEATURES_PATH, fault: { kind: 'hang' }, times: 1 });
    const check = h.monitor.check();
    await waitFor(() => emu.requestsTo('GET', FEATURES_PATH).length === 2, 'both reads');
    await sleep(30);
    h.useapi.interrupt();
    expect(await check).toEqual({ posted: [], retrying: 0, dropped: 0 });
    expect(h.posted).toEqual([]);
    expect(h.monitor.lastCheckAt()).toBeUndefined();
    expect(h.monitor.accounts()).toEqual([]);
  });

  it('a history that cannot prune is logged, and the check goes on', async () => {
    emu.setAccounts([withCredits(LOW, 10)]);
    const h = await harness(await tempDir(), {
      monitorHistory: (history) => ({
        settled: () => history.settled(),
        summary: (email) => history.summary(email),
        prune: () => Promise.reject(new Error('database is locked')),
      }),
    });
    const result = await h.monitor.check();
    expect(kinds(result.posted)).toEqual(['low-credits']);
    expect(h.warnings('could not prune the credit history')).toHaveLength(1);
    expect(h.warnings('could not prune the credit history')[0]).toMatchObject({ err: { message: 'database is locked' } });
  });

  it('an account the history knows nothing about still gets its alerts (no forecast, no crash)', async () => {
    emu.setAccounts([withCredits(LOW, 10)]);
    const h = await harness(await tempDir(), {
      settings: { ...SETTINGS, forecastDays: 3 },
      monitorHistory: (history) => ({ settled: () => history.settled(), summary: () => undefined, prune: () => history.prune() }),
    });
    expect(kinds((await h.monitor.check()).posted)).toEqual(['low-credits']);
  });

  it('without alerts a check only feeds the history: nothing to post, nothing remembered', async () => {
    emu.setAccounts([withCredits(LOW, 10)]);
    const h = await harness(await tempDir(), { withoutAlerts: true, intervalMs: null });
    expect(await h.monitor.check()).toEqual({ posted: [], retrying: 0, dropped: 0 });
    expect(h.checksDone()).toBe(1);
    expect(h.monitor.lastCheckAt()).toEqual(new Date('2031-03-10T12:00:00Z'));
    expect(h.monitor.accounts()).toEqual([]);
    expect(await h.store.readings({ email: LOW, since: new Date(0) })).toHaveLength(1);
    expect(await h.store.getState('alerts')).toBeUndefined();
  });

  it('PostFailure says whether the refusal is for good, and keeps the cause', () => {
    const cause = new Error('Missing Access');
    const forGood = new PostFailure(true, { cause });
    expect([forGood.name, forGood.message, forGood.cause]).toEqual(['PostFailure', 'the alert was refused for good', cause]);
    expect(new PostFailure(false, { cause }).message).toBe('the alert could not be posted now');
  });
});
