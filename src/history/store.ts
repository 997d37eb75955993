import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { createClient, type Client, type InStatement, type Row } from '@libsql/client';
import { migrate } from './migrations.js';

/**
 * Every reading of an account's credits, and the bot's small durable state, in one SQLite-compatible
 * database: a file in `DATA_DIR` by default, or a libSQL server (`DATABASE_URL`), through the same
 * client. Times are kept to the second.
 */

export interface StoredReading {
  email: string;
  at: Date;
  daily: number;
  monthly: number;
  package: number;
  dailyAllowance?: number;
  monthlyAllowance?: number;
  plan?: string;
  dailyRefillAt?: Date;
  monthlyRefillAt?: Date;
  renewsAt?: Date;
  expiresAt?: Date;
}

export interface HistoryLogger {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

export interface HistoryStoreOptions {
  url: string;
  authToken?: string;
  retentionDays: number;
  logger?: HistoryLogger;
}

export const DATABASE_FILE = 'history.db';
export const ALERTS_STATE_KEY = 'alerts';
export const LEGACY_ALERTS_FILE = 'alerts.json';

/**
 * How long a write waits for another process's write to the same file before failing. The local
 * driver waits synchronously, holding the event loop, so this stays far below Discord's 3-second
 * deadline; a write takes well under a millisecond, so a second process rarely makes anyone wait.
 */
const BUSY_TIMEOUT_MS = 1_000;
const DAY_SECONDS = 86_400;

/**
 * A SQL expression that writes a REAL into JSON without loss: json_array() alone keeps 15 significant
 * digits, `%!.17g` keeps every bit. Whole values, nearly all credits, skip the costly printf.
 */
const exactReal = (column: string): string =>
  `CASE WHEN ${column} IS NULL THEN NULL WHEN ${column} = CAST(${column} AS INTEGER) THEN CAST(${column} AS INTEGER)
    ELSE json(printf('%!.17g', ${column})) END`;

/**
 * The readings come back as one JSON array built by SQLite: the client turns each value of each row into
 * an object property, which costs ten times more than JSON.parse for the 26,000 rows of a 90-day chart.
 * The positions are those of `toReading`. Not ordered here: a libSQL server's parser refuses ORDER BY
 * inside an aggregate, and the order of a subquery is not promised to survive one.
 */
const READINGS_AS_JSON = `json_group_array(json_array(a.email, r.at, ${exactReal('r.daily')}, ${exactReal('r.monthly')},
  ${exactReal('r.package')}, ${exactReal('r.daily_allowance')}, ${exactReal('r.monthly_allowance')}, p.name,
  r.daily_refill_at, r.monthly_refill_at, r.renews_at, r.expires_at)) AS readings`;

const UPSERT_READING = `INSERT INTO readings (account_id, at, daily, monthly, package, daily_allowance, monthly_allowance,
    plan_id, daily_refill_at, monthly_refill_at, renews_at, expires_at)
  VALUES ((SELECT id FROM accounts WHERE email = ?), ?, ?, ?, ?, ?, ?,
    (SELECT id FROM plans WHERE name = ?), ?, ?, ?, ?)
  ON CONFLICT (account_id, at) DO UPDATE SET
    daily = excluded.daily, monthly = excluded.monthly, package = excluded.package,
    daily_allowance = excluded.daily_allowance, monthly_allowance = excluded.monthly_allowance,
    plan_id = excluded.plan_id, daily_refill_at = excluded.daily_refill_at,
    monthly_refill_at = excluded.monthly_refill_at, renews_at = excluded.renews_at, expires_at = excluded.expires_at`;

export class HistoryStore {
  private constructor(
    private readonly client: Client,
    private readonly retentionDays: number,
    /** Where the database is, fit to show: a path, or a server URL without its credentials. */
    readonly location: string,
    private readonly isFile: boolean,
    private readonly logger: HistoryLogger | undefined,
  ) {}

  /** Opens (creating it if need be) and migrates the database; fails with the place and the cause. */
  static async open(options: HistoryStoreOptions): Promise<HistoryStore> {
    if (!Number.isFinite(options.retentionDays) || options.retentionDays <= 0) {
      throw new RangeError(`retentionDays must be a positive number of days, got ${options.retentionDays}`);
    }
    const location = describeLocation(options.url);
    const file = filePath(options.url);
    let client: Client | undefined;
    try {
      if (file !== undefined) await mkdir(dirname(resolve(file)), { recursive: true });
      client = createClient({
        url: options.url,
        authToken: options.authToken,
        // One connection: the pragmas below hold per connection, and no transaction ever stays open
        // across an await (every change is one batch), so calls queue instead of contending.
        ...(file === undefined ? {} : { timeout: BUSY_TIMEOUT_MS, concurrency: 1 }),
      });
      if (file !== undefined) await tuneFile(client, location, options.logger);
      const { from, to } = await migrate(client);
      if (from !== to) options.logger?.info({ database: location, from, to }, 'history database schema upgraded');
      return new HistoryStore(client, options.retentionDays, location, file !== undefined, options.logger);
    } catch (error) {
      client?.close();
      throw new Error(`could not open the history database at ${location}: ${redact(causeChain(error), secretsOf(options))}`);
    }
  }

  /** One reading; recording the same (email, second) again replaces it. */
  async record(reading: StoredReading): Promise<void> {
    const statements: InStatement[] = [
      { sql: 'INSERT INTO accounts (email) VALUES (?) ON CONFLICT DO NOTHING', args: [accountEmail(reading.email)] },
    ];
    if (reading.plan !== undefined) {
      statements.push({ sql: 'INSERT INTO plans (name) VALUES (?) ON CONFLICT DO NOTHING', args: [reading.plan] });
    }
    statements.push({ sql: UPSERT_READING, args: readingArgs(reading) });
    await this.client.batch(statements, 'write');
  }

  /** Readings from `since` to `until` (both inclusive, to the second), by time, then email. */
  async readings(query: { email?: string; since: Date; until?: Date }): Promise<StoredReading[]> {
    const conditions = ['r.at >= ?'];
    const args: (string | number)[] = [toSeconds(query.since, 'since')];
    if (query.until !== undefined) {
      conditions.push('r.at <= ?');
      args.push(toSeconds(query.until, 'until'));
    }
    if (query.email !== undefined) {
      conditions.push('a.email = ?');
      args.push(query.email);
    }
    // CROSS JOIN fixes the join order: for each account (a handful), a range of the readings' key,
    // instead of whatever the planner picks for a table it has no statistics about.
    const result = await this.client.execute({
      sql: `SELECT ${READINGS_AS_JSON} FROM accounts a CROSS JOIN readings r ON r.account_id = a.id
        LEFT JOIN plans p ON p.id = r.plan_id WHERE ${conditions.join(' AND ')}`,
      args,
    });
    return jsonRows(requiredText(firstRow(result.rows), 'readings'))
      .map(toReading)
      .sort(byTimeThenEmail);
  }

  /** How many readings (checks) of the account exist, since `since` if given. */
  async checkCount(query: { email: string; since?: Date }): Promise<number> {
    const since = query.since === undefined ? undefined : toSeconds(query.since, 'since');
    const result = await this.client.execute({
      sql: `SELECT count(*) AS n FROM readings WHERE account_id = (SELECT id FROM accounts WHERE email = ?)
        ${since === undefined ? '' : 'AND at >= ?'}`,
      args: since === undefined ? [query.email] : [query.email, since],
    });
    return requiredNumber(firstRow(result.rows), 'n');
  }

  /** Accounts that have readings, by email. */
  async emails(): Promise<string[]> {
    const result = await this.client.execute(
      'SELECT email FROM accounts a WHERE EXISTS (SELECT 1 FROM readings r WHERE r.account_id = a.id) ORDER BY email',
    );
    return result.rows.map((row) => requiredText(row, 'email'));
  }

  /** Deletes the readings older than the retention; returns how many went. */
  async prune(now: Date): Promise<number> {
    const cutoff = toSeconds(now, 'now') - Math.round(this.retentionDays * DAY_SECONDS);
    // `account_id IN (…)` lets the delete walk each account's key range instead of the whole table.
    const result = await this.client.execute({
      sql: 'DELETE FROM readings WHERE account_id IN (SELECT id FROM accounts) AND at < ?',
      args: [cutoff],
    });
    return result.rowsAffected;
  }

  /** A small JSON document saved with `setState`; undefined when there is none (or it is unreadable). */
  async getState(key: string): Promise<unknown> {
    const result = await this.client.execute({ sql: 'SELECT value FROM state WHERE key = ?', args: [key] });
    const row = result.rows[0];
    if (row === undefined) return undefined;
    const text = requiredText(row, 'value');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Only a hand edit gets here; starting that document afresh beats refusing to start.
      this.logger?.warn({ database: this.location, key }, 'a saved state is not JSON; ignoring it');
      return undefined;
    }
  }

  async setState(key: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) throw new TypeError(`state "${key}" cannot be saved: the value has no JSON form`);
    await this.client.execute({
      sql: `INSERT INTO state (key, value, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      args: [key, text, Math.floor(Date.now() / 1000)],
    });
  }

  async close(): Promise<void> {
    if (this.client.closed) return;
    try {
      // libSQL frees a connection only when it is garbage-collected, so SQLite's own checkpoint at
      // close comes late or never. Folding the WAL in now leaves one self-contained file at rest,
      // which is what a backup of DATA_DIR copies.
      if (this.isFile) await this.client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
    } finally {
      this.client.close();
    }
  }
}

/** DATABASE_URL unset → `file:` URL of `<dataDir>/history.db`; otherwise the URL as given. */
export function databaseUrl(dataDir: string, configured: string | undefined): string {
  if (configured !== undefined && configured.trim() !== '') return configured;
  return pathToFileURL(resolve(dataDir, DATABASE_FILE)).href;
}

/**
 * One-time import of the older `DATA_DIR/alerts.json` into the state under key 'alerts': only when
 * the state has no 'alerts' yet; the file is then renamed to alerts.json.imported (kept, not deleted).
 */
export async function importLegacyAlerts(store: HistoryStore, dataDir: string): Promise<'imported' | 'none' | 'already'> {
  if ((await store.getState(ALERTS_STATE_KEY)) !== undefined) return 'already';
  const path = join(dataDir, LEGACY_ALERTS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw new Error(`could not read ${path}: ${(error as Error).message}`);
  }
  let memory: unknown;
  try {
    memory = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not JSON; it was not imported and is left as it is`);
  }
  await store.setState(ALERTS_STATE_KEY, memory);
  // Renamed only once the state holds it: a crash in between finds 'alerts' and leaves the file be.
  await rename(path, `${path}.imported`);
  return 'imported';
}

/**
 * WAL: a commit is an append to the log, so a crash mid-write leaves the last committed state, and a
 * chart being read never holds up a check being written. synchronous=NORMAL: in WAL mode a commit then
 * skips its fsync; a killed process still loses nothing it committed (the log is in the OS's hands),
 * and a power cut can lose only the last commits, never corrupt the file. A reading every few minutes
 * is not worth an fsync each; FULL would add one to every record().
 */
async function tuneFile(client: Client, location: string, logger: HistoryLogger | undefined): Promise<void> {
  const result = await client.execute('PRAGMA journal_mode = WAL');
  const mode = result.rows[0]?.['journal_mode'];
  if (mode !== 'wal') {
    logger?.warn(
      { database: location, journalMode: mode },
      'the history database cannot use WAL here; it still works, less safely',
    );
  }
  await client.execute('PRAGMA synchronous = NORMAL');
}

function readingArgs(reading: StoredReading): (string | number | null)[] {
  return [
    accountEmail(reading.email),
    toSeconds(reading.at, 'at'),
    credits(reading.daily, 'daily'),
    credits(reading.monthly, 'monthly'),
    credits(reading.package, 'package'),
    optionalCredits(reading.dailyAllowance, 'dailyAllowance'),
    optionalCredits(reading.monthlyAllowance, 'monthlyAllowance'),
    reading.plan ?? null,
    optionalSeconds(reading.dailyRefillAt, 'dailyRefillAt'),
    optionalSeconds(reading.monthlyRefillAt, 'monthlyRefillAt'),
    optionalSeconds(reading.renewsAt, 'renewsAt'),
    optionalSeconds(reading.expiresAt, 'expiresAt'),
  ];
}

function accountEmail(email: string): string {
  if (email === '') throw new RangeError('a reading needs an email');
  return email;
}

function credits(value: number, field: string): number {
  if (!Number.isFinite(value)) throw new RangeError(`${field} must be a finite number, got ${value}`);
  return value;
}

function optionalCredits(value: number | undefined, field: string): number | null {
  return value === undefined ? null : credits(value, field);
}

function toSeconds(date: Date, field: string): number {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`${field} is not a valid date`);
  return Math.floor(ms / 1000);
}

function optionalSeconds(date: Date | undefined, field: string): number | null {
  return date === undefined ? null : toSeconds(date, field);
}

// Rows are untyped: each value is checked here, where it leaves the database.

type Cells = readonly unknown[];

function jsonRows(text: string): Cells[] {
  const rows: unknown = JSON.parse(text);
  if (Array.isArray(rows) && rows.every((row): row is Cells => Array.isArray(row))) return rows;
  throw new Error('the history database returned readings that are not a list of rows');
}

function toReading(cells: Cells): StoredReading {
  const reading: StoredReading = {
    email: cellText(cells, 0, 'email'),
    at: fromSeconds(cellNumber(cells, 1, 'at')),
    daily: cellNumber(cells, 2, 'daily'),
    monthly: cellNumber(cells, 3, 'monthly'),
    package: cellNumber(cells, 4, 'package'),
  };
  setIfPresent(reading, 'dailyAllowance', optionalCell(cells, 5, 'daily_allowance', cellNumber));
  setIfPresent(reading, 'monthlyAllowance', optionalCell(cells, 6, 'monthly_allowance', cellNumber));
  setIfPresent(reading, 'plan', optionalCell(cells, 7, 'plan', cellText));
  setIfPresent(reading, 'dailyRefillAt', optionalCell(cells, 8, 'daily_refill_at', cellDate));
  setIfPresent(reading, 'monthlyRefillAt', optionalCell(cells, 9, 'monthly_refill_at', cellDate));
  setIfPresent(reading, 'renewsAt', optionalCell(cells, 10, 'renews_at', cellDate));
  setIfPresent(reading, 'expiresAt', optionalCell(cells, 11, 'expires_at', cellDate));
  return reading;
}

function cellNumber(cells: Cells, index: number, column: string): number {
  const value = cells[index];
  if (typeof value === 'number') return value;
  throw unexpected(column, value, 'a number');
}

function cellText(cells: Cells, index: number, column: string): string {
  const value = cells[index];
  if (typeof value === 'string') return value;
  throw unexpected(column, value, 'text');
}

function cellDate(cells: Cells, index: number, column: string): Date {
  return fromSeconds(cellNumber(cells, index, column));
}

function optionalCell<T>(
  cells: Cells,
  index: number,
  column: string,
  read: (cells: Cells, index: number, column: string) => T,
): T | undefined {
  return cells[index] === null ? undefined : read(cells, index, column);
}

function byTimeThenEmail(a: StoredReading, b: StoredReading): number {
  return a.at.getTime() - b.at.getTime() || (a.email < b.email ? -1 : a.email > b.email ? 1 : 0);
}

/** Absent stays absent: no key rather than a key holding undefined. */
function setIfPresent<K extends keyof StoredReading>(reading: StoredReading, key: K, value: StoredReading[K] | undefined): void {
  if (value !== undefined) reading[key] = value;
}

function firstRow(rows: readonly Row[]): Row {
  const row = rows[0];
  if (row === undefined) throw new Error('the history database returned no row where one was due');
  return row;
}

function requiredNumber(row: Row, column: string): number {
  const value = row[column];
  if (typeof value === 'number') return value;
  throw unexpected(column, value, 'a number');
}

function requiredText(row: Row, column: string): string {
  const value = row[column];
  if (typeof value === 'string') return value;
  throw unexpected(column, value, 'text');
}

function fromSeconds(seconds: number): Date {
  return new Date(seconds * 1000);
}

function unexpected(column: string, value: unknown, expected: string): Error {
  return new Error(`the history database holds ${value === null ? 'NULL' : typeof value} in ${column}, expected ${expected}`);
}

/** The file behind a `file:` URL, read as libSQL reads it (`file:rel`, `file:/abs`, `file:///abs`). */
function filePath(url: string): string | undefined {
  if (!/^file:/i.test(url)) return undefined;
  const path = url.slice('file:'.length).split('?')[0] ?? '';
  return safeDecode(path.replace(/^\/\/(localhost)?(?=\/)/i, ''));
}

/** Where the database is, fit for a message or a log: never the URL's query or credentials. */
function describeLocation(url: string): string {
  const file = filePath(url);
  if (file !== undefined) return file;
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'DATABASE_URL (not a valid URL)';
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** An error's message and those of its causes: "fetch failed" alone does not say the server refused. */
function causeChain(error: unknown): string {
  const messages: string[] = [];
  let current = error;
  for (let depth = 0; current !== undefined && depth < 4; depth += 1) {
    const message = current instanceof Error ? current.message : inspect(current);
    // libSQL wraps SQLite's error in one that repeats its message.
    if (!messages.some((earlier) => earlier.includes(message))) messages.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages.join(': ');
}

/**
 * The auth token, however it was given: the option, `?authToken=` in the URL, or a URL password.
 * Read with patterns rather than `new URL`, so a URL too broken to parse is still scrubbed.
 */
function secretsOf(options: HistoryStoreOptions): string[] {
  const inQuery = /[?&]authToken=([^&#]*)/.exec(options.url)?.[1];
  const inUserinfo = /^[a-z][a-z0-9+.-]*:\/\/[^/@:]*:([^/@]*)@/i.exec(options.url)?.[1];
  const secrets = [options.authToken, inQuery, inUserinfo].filter((secret): secret is string => Boolean(secret));
  return [...secrets, ...secrets.map(safeDecode)];
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((scrubbed, secret) => scrubbed.split(secret).join('***'), text);
}
