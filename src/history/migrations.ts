import type { Client } from '@libsql/client';

/**
 * The history database's schema, as numbered steps. A step is never edited once released: a change
 * is a new step at the end. Each step runs in one transaction together with the row that records it
 * in `schema_migrations`, so a crash leaves the database at the step before or the step after, never
 * between. A table rather than `PRAGMA user_version`: it reads the same on a file and on a libSQL
 * server, and says which step ran when.
 */
export interface Migration {
  version: number;
  description: string;
  statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'credit readings',
    statements: [
      // Emails and plan names repeat in every reading; an integer id keeps each reading a few bytes.
      'CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE) STRICT',
      'CREATE TABLE plans (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE) STRICT',
      // Times are whole Unix seconds. Credits are REAL so a fractional value survives; SQLite writes
      // whole-valued REALs as small integers on disk, so the usual whole credits cost 1–2 bytes.
      // WITHOUT ROWID: the key (account_id, at) is the table, with no second copy in an index.
      `CREATE TABLE readings (
        account_id INTEGER NOT NULL REFERENCES accounts (id),
        at INTEGER NOT NULL,
        daily REAL NOT NULL,
        monthly REAL NOT NULL,
        package REAL NOT NULL,
        daily_allowance REAL,
        monthly_allowance REAL,
        plan_id INTEGER REFERENCES plans (id),
        daily_refill_at INTEGER,
        monthly_refill_at INTEGER,
        renews_at INTEGER,
        expires_at INTEGER,
        PRIMARY KEY (account_id, at)
      ) STRICT, WITHOUT ROWID`,
    ],
  },
  {
    version: 2,
    description: 'durable state (alert memory, last digest day)',
    statements: ['CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT'],
  },
];

const CREATE_VERSION_TABLE =
  'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT';

export interface MigrationResult {
  from: number;
  to: number;
}

/** Brings the database up to the last of `migrations`; refuses a database newer than that. */
export async function migrate(client: Client, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult> {
  await client.execute(CREATE_VERSION_TABLE);
  const from = await schemaVersion(client);
  const known = migrations.at(-1)?.version ?? 0;
  if (from > known) {
    // Running older code on a newer schema could write rows the newer code misreads: never downgrade.
    throw new Error(
      `its schema is version ${from}, newer than this version of the bot knows (${known}); ` +
        'run the newer bot again, or point DATABASE_URL at another database',
    );
  }
  for (const migration of migrations) {
    if (migration.version > from) await applyStep(client, migration);
  }
  return { from, to: Math.max(from, known) };
}

export async function schemaVersion(client: Client): Promise<number> {
  const result = await client.execute('SELECT coalesce(max(version), 0) AS version FROM schema_migrations');
  const version = result.rows[0]?.['version'];
  if (typeof version !== 'number') throw new Error(`schema_migrations holds a version of type ${typeof version}`);
  return version;
}

async function applyStep(client: Client, migration: Migration): Promise<void> {
  try {
    await client.batch(
      [
        ...migration.statements,
        {
          sql: 'INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)',
          args: [migration.version, migration.description, Math.floor(Date.now() / 1000)],
        },
      ],
      'write',
    );
  } catch (error) {
    // Two processes opening one new database both try the step; the loser's batch fails and rolls
    // back whole, and finding the step applied means there is nothing left to do.
    if ((await schemaVersion(client)) >= migration.version) return;
    throw new Error(`migration ${migration.version} (${migration.description}) failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
