import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlertMonitor, PostFailure } from '../src/alerts/monitor.js';
import { alertMemorySchema, type AlertSettings, type Incident } from '../src/alerts/rules.js';
import { AlertStore, STATE_FILE } from '../src/alerts/store.js';
import { UseapiEmulator, featuresFixture, type V2AccountSeed } from '../src/emulators/useapi.js';
import { createLogger } from '../src/logger.js';
import { UseapiClient } from '../src/useapi/client.js';

// Deliberately not shaped like a real token.
const TOKEN = 'user:1-alertmonitor-apitoken-zq';
const INTERVAL = 60_000;
const DAY_MS = 86_400_000;
const SETTINGS: AlertSettings = { creditsBelow: 1_000, expiryDays: 3, failureChecks: 3 };
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
  /** Checks that ran to the end (the monitor logs one debug line per check). */
  checksDone(): number;
  warnings(text: string): LogLine[];
}

let emu: UseapiEmulator;
let client: UseapiClient;
let dirs: string[] = [];
let monitors: AlertMonitor[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'alerts-monitor-'));
  dirs.push(dir);
  return dir;
}

function harness(
  dataDir: string,
  options: {
    post?: (incident: Incident) => Promise<void>;
    settings?: AlertSettings;
    logs?: LogLine[];
    useapi?: UseapiClient;
  } = {},
): Harness {
  const posted: Incident[] = [];
  const logs = options.logs ?? [];
  const logger = createLogger({
    level: 'debug',
    secrets: [TOKEN],
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
  });
  const monitor = new AlertMonitor({
    useapi: options.useapi ?? client,
    store: new AlertStore(dataDir),
    settings: options.settings ?? SETTINGS,
    intervalMs: INTERVAL,
    post:
      options.post ??
      ((incident) => {
        posted.push(incident);
        return Promise.resolve();
      }),
    logger,
  });
  monitors.push(monitor);
  return {
    monitor,
    posted,
    logs,
    dataDir,
    checksDone: () => logs.filter((line) => line.msg === 'alert check done').length,
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
  client = new UseapiClient({
    token: TOKEN,
    baseUrl: emu.url,
    timeouts: { connectMs: 500, headersMs: 500, bodyMs: 500, totalMs: 900 },
    cacheTtlMs: 0,
    retryBaseMs: 1,
    maxRetries: 0,
  });
});

afterEach(async () => {
  for (const monitor of monitors) await monitor.stop();
  monitors = [];
  vi.useRealTimers();
  await client.close();
  await emu.close();
  for (const dir of dirs) {
    await chmod(dir, 0o700).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
  dirs = [];
});

describe('AlertMonitor against the useapi.net emulator', () => {
  it('checks every account at start(), then once per interval and not before', async () => {
    const h = harness(await tempDir());
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
    const h = harness(await tempDir());
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
    const h = harness(await tempDir());
    const [a, b] = await Promise.all([h.monitor.check(), h.monitor.check()]);
    expect(a).toBe(b);
    expect(kinds(a.posted)).toEqual(['low-credits']);
    expect(h.posted).toHaveLength(1);
    expect(emu.requestsTo('GET', ACCOUNTS_PATH)).toHaveLength(1);
  });

  it('announces the error state (596) once and the recovery once', async () => {
    const h = harness(await tempDir());
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
    const h = harness(await tempDir());
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
    const h = harness(await tempDir());
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
    const h = harness(await tempDir());
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
    const h = harness(await tempDir());
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
    const h = harness(await tempDir());
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
    const first = harness(dataDir);
    await start(first);
    expect(kinds(first.posted).sort()).toEqual(['account-error', 'expiring', 'low-credits']);
    await first.monitor.stop();

    await vi.advanceTimersByTimeAsync(5 * INTERVAL);
    const second = harness(dataDir);
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

  it('writes the state file atomically: valid JSON after a check, no temporary file left', async () => {
    emu.setAccounts([withCredits(LOW, 10), healthy(OK)]);
    const h = harness(await tempDir());
    await start(h);
    await tick(h, 2);
    expect(await readdir(h.dataDir)).toEqual([STATE_FILE]);
    const saved = alertMemorySchema.parse(JSON.parse(await readFile(join(h.dataDir, STATE_FILE), 'utf8')));
    expect(saved.accounts[LOW]).toMatchObject({ low: true, error: false, last: { spendable: 10 } });
    expect(saved.accounts[OK]).toMatchObject({ low: false, last: { spendable: 12_980, plan: 'Pro' } });
  });

  it('creates a DATA_DIR that does not exist yet', async () => {
    const dataDir = join(await tempDir(), 'nested', 'data');
    const h = harness(dataDir);
    await start(h);
    expect(await readdir(dataDir)).toEqual([STATE_FILE]);
    expect(h.warnings('')).toEqual([]);
  });

  for (const [name, content] of [
    ['not JSON', '{"version":1,"accounts":{"low@exa'],
    ['JSON of another shape', JSON.stringify({ version: 7, accounts: [] })],
  ] as const) {
    it(`a corrupted state file (${name}) starts afresh with a warning, without crashing`, async () => {
      const dataDir = await tempDir();
      await writeFile(join(dataDir, STATE_FILE), content);
      emu.setAccounts([withCredits(LOW, 10)]);
      const h = harness(dataDir);
      await start(h);
      expect(h.warnings('alert state was not usable')).toHaveLength(1);
      expect(kinds(h.posted)).toEqual(['low-credits']);
      expect(alertMemorySchema.safeParse(JSON.parse(await readFile(join(dataDir, STATE_FILE), 'utf8'))).success).toBe(true);
    });
  }

  it('an unwritable DATA_DIR is logged once across checks; alerts are still posted', async () => {
    const parent = await tempDir();
    await writeFile(join(parent, 'a-file'), 'not a directory');
    const h = harness(join(parent, 'a-file', 'data'));
    await start(h);
    emu.setAccounts([healthy(OK), withCredits(LOW, 10)]);
    await tick(h, 3);
    expect(h.posted).toEqual([{ kind: 'low-credits', email: LOW, spendable: 10, threshold: 1_000 }]);
    expect(h.warnings('could not save the alert state')).toHaveLength(1);
    expect(h.checksDone()).toBe(4);
  });

  it('a state file that cannot be replaced is logged once and leaves no temporary file behind', async () => {
    const dataDir = await tempDir();
    // A directory where the state file should be: reading fails, and so does the rename onto it.
    await mkdir(join(dataDir, STATE_FILE, 'occupied'), { recursive: true });
    emu.setAccounts([withCredits(LOW, 10)]);
    const h = harness(dataDir);
    await start(h);
    await tick(h, 2);
    expect(kinds(h.posted)).toEqual(['low-credits']);
    expect(h.warnings('alert state was not usable')).toHaveLength(1);
    expect(h.warnings('could not save the alert state')).toHaveLength(1);
    expect(await readdir(dataDir)).toEqual([STATE_FILE]);
  });

  it.skipIf(process.getuid?.() === 0)('a read-only DATA_DIR is logged once and leaves no temporary file behind', async () => {
    const dataDir = await tempDir();
    await chmod(dataDir, 0o500);
    const h = harness(dataDir);
    await start(h);
    await tick(h, 2);
    expect(h.warnings('could not save the alert state')).toHaveLength(1);
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('a post that throws is logged, and the alert is posted by the next check', async () => {
    const delivered: Incident[] = [];
    let failNext = true;
    const h = harness(await tempDir(), {
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
    const h = harness(await tempDir(), {
      post: (incident) => {
        if (refuse && incident.kind === 'low-credits') return Promise.reject(new Error('Discord said no'));
        delivered.push(incident);
        return Promise.resolve();
      },
    });
    emu.setAccounts([withCredits(LOW, 10), { email: OK, error: 'PixVerse session rejected' }]);
    await start(h);
    expect(kinds(delivered)).toEqual(['account-error']);
    const saved = alertMemorySchema.parse(JSON.parse(await readFile(join(h.dataDir, STATE_FILE), 'utf8')));
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
    const h = harness(await tempDir(), {
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
    const h = harness(await tempDir(), {
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
  });

  it('each check asks useapi.net afresh, whatever the cache holds, and leaves the reading in the cache', async () => {
    const cached = new UseapiClient({
      token: TOKEN,
      baseUrl: emu.url,
      timeouts: { connectMs: 500, headersMs: 500, bodyMs: 500, totalMs: 900 },
      cacheTtlMs: 3_600_000,
    });
    try {
      await cached.accounts();
      await cached.features(OK);
      const h = harness(await tempDir(), { useapi: cached });
      emu.setAccounts([withCredits(OK, 10)]);
      await h.monitor.check();
      expect(kinds(h.posted)).toEqual(['low-credits']);
      expect(emu.requestsTo('GET', ACCOUNTS_PATH)).toHaveLength(2);
      expect(cached.peekFeatures(OK)?.credit_monthly).toBe(10);
      await h.monitor.check();
      expect(emu.requestsTo('GET', ACCOUNTS_PATH)).toHaveLength(3);
    } finally {
      await cached.close();
    }
  });

  it('never writes the API token to the state file or the log', async () => {
    emu.addFault({ method: 'GET', path: ACCOUNTS_PATH, fault: jsonStatus(401, 'Unauthorized'), times: 1 });
    const h = harness(await tempDir());
    await start(h);
    await tick(h);
    const state = await readFile(join(h.dataDir, STATE_FILE), 'utf8');
    expect(state).not.toContain(TOKEN);
    expect(JSON.stringify(h.logs)).not.toContain(TOKEN);
  });
});
