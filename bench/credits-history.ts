/**
 * `npm run bench:history [-- --runs=40 --renders=100]`
 *
 * `/credits-history days:90` answered end to end at its largest: 3 accounts read every 15 minutes for 90
 * days (25,920 readings in the history database), through the real bot (`startBot`) against the Discord
 * and useapi.net emulators, from the interaction's dispatch to the edit that carries the chart. Also the
 * time to record one reading through the bot's history, the database's size after a year of such
 * readings, and how RSS moves over many answers in a row. Prints figures; asserts nothing.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { commands } from '../commands/index.js';
import { startBot } from '../src/bot.js';
import { parseConfig } from '../src/config.js';
import { DiscordEmulator, chatInputInteraction } from '../src/emulators/discord/index.js';
import { UseapiEmulator, drainedFeatures, featuresFixture } from '../src/emulators/useapi.js';
import { storedReading } from '../src/history/history.js';
import { HistoryStore, databaseUrl, type StoredReading } from '../src/history/store.js';
import { createLogger } from '../src/logger.js';
import { featuresSchema } from '../src/useapi/schemas.js';
import { distribution } from './stats.js';

// The memory figures need full collections between samples.
if (typeof globalThis.gc !== 'function') {
  const run = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
const collect = globalThis.gc as () => void;

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '40' }, renders: { type: 'string', default: '100' } },
});
const RUNS = Number(values.runs);
const RENDERS = Number(values.renders);
const DAY = 86_400_000;
const CHECK = 15 * 60_000;
const TOKEN = 'user:1-bench-history';
const BOT_TOKEN = 'bench-history-bot-token';
const GUILD = '300000000000000001';
const CHANNEL = { id: '400000000000000001', type: 0, name: 'pixverse' } as const;
const EMAILS = ['studio@example.com', 'backup@example.com', 'night@example.com'];

function readingsOver(days: number, now: number): StoredReading[] {
  const since = now - days * DAY;
  return EMAILS.flatMap((email, index) => {
    const features = featuresFixture({
      daily_credits_refresh_time: new Date(since).toISOString(),
      credit_monthly: 15_000 * (index + 1),
    });
    const drain = { perHour: 20 + 10 * index, since };
    const readings: StoredReading[] = [];
    for (let at = since; at < now; at += CHECK) {
      readings.push(storedReading(email, featuresSchema.parse(drainedFeatures(features, drain, at)), new Date(at)));
    }
    return readings;
  });
}

async function seed(dataDir: string, readings: readonly StoredReading[]): Promise<number[]> {
  const store = await HistoryStore.open({ url: databaseUrl(dataDir, undefined), retentionDays: 400 });
  const times: number[] = [];
  for (const [index, reading] of readings.entries()) {
    const started = performance.now();
    await store.record(reading);
    times.push(performance.now() - started);
    // The bot records a few readings per check, with the event loop turning in between; a loop of
    // 100,000 records that never yields would keep every statement's native memory until the end.
    if (index % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
  await store.close();
  collect();
  return times;
}

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function main(): Promise<void> {
  const now = Date.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-history-'));
  const yearDir = await mkdtemp(join(tmpdir(), 'bench-history-year-'));
  try {
    const ninety = readingsOver(90, now);
    const recordTimes = await seed(dataDir, ninety);
    const record = distribution(recordTimes)!;
    await seed(yearDir, readingsOver(365, now));
    const yearSize = (await stat(join(yearDir, 'history.db'))).size;

    const useapi = await UseapiEmulator.start({ token: TOKEN, accounts: EMAILS.map((email) => ({ email })) });
    const discord = await DiscordEmulator.start({
      botToken: BOT_TOKEN,
      guilds: [{ id: GUILD, name: 'Bench', channels: [{ ...CHANNEL }] }],
      botPublic: false,
    });
    const config = parseConfig({
      DISCORD_TOKEN: BOT_TOKEN,
      USEAPI_TOKEN: TOKEN,
      DISCORD_API_URL: discord.apiUrl,
      USEAPI_BASE_URL: useapi.url,
      DISCORD_GUILD_ID: GUILD,
      DATA_DIR: dataDir,
      CHECK_INTERVAL: 'off',
    });
    const bot = await startBot({ config, logger: createLogger({ level: 'silent', secrets: [] }), commands });
    const ask = async (): Promise<number> => {
      const handle = discord.dispatchInteraction(
        chatInputInteraction(
          discord,
          { guildId: GUILD, channel: CHANNEL },
          { name: 'credits-history', options: [{ name: 'days', type: 4, value: 90 }] },
        ),
      );
      await handle.finalMessage(30_000);
      return performance.now() - handle.dispatchedAt;
    };
    for (let i = 0; i < 3; i += 1) await ask();
    const answers: number[] = [];
    for (let i = 0; i < RUNS; i += 1) answers.push(await ask());

    collect();
    const rssBefore = process.memoryUsage().rss;
    for (let i = 0; i < RENDERS; i += 1) await ask();
    collect();
    await new Promise((resolve) => setTimeout(resolve, 500));
    collect();
    const rssAfter = process.memoryUsage().rss;
    await bot.stop(100);
    await Promise.all([discord.close(), useapi.close()]);

    const answer = distribution(answers)!;
    console.log(`history: ${ninety.length} readings (${EMAILS.length} accounts × 90 days every 15 min)`);
    console.log(
      `record one reading: p50 ${ms(record.p50)}, p95 ${ms(record.p95)}, max ${ms(record.max)} (${recordTimes.length} records)`,
    );
    console.log(
      `/credits-history days:90, dispatch → chart edit: p50 ${ms(answer.p50)}, p95 ${ms(answer.p95)}, max ${ms(answer.max)} (${RUNS} answers)`,
    );
    console.log(
      `RSS over ${RENDERS} answers in a row (after full GC): ${mb(rssBefore)} → ${mb(rssAfter)} (${rssAfter >= rssBefore ? '+' : '−'}${mb(Math.abs(rssAfter - rssBefore))})`,
    );
    console.log(`database after a year of 3 accounts every 15 min: ${mb(yearSize)}`);
  } finally {
    await Promise.all([rm(dataDir, { recursive: true, force: true }), rm(yearDir, { recursive: true, force: true })]);
  }
}

await main();
