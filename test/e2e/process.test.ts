import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chatInputInteraction } from '../../src/emulators/discord/index.js';
import {
  MAIN_JS,
  REPO_ROOT,
  botEnv,
  exitWithin,
  spawnBot,
  startEmulators,
  type BotProcess,
  type Emulators,
} from './process-harness.js';
import { GUILD_ID, SECRETS, TEXT_CHANNEL, visibleText } from './stack.js';

/**
 * The bot as its owner runs it: `npm start` (signals must reach node through npm and `sh -c`) and
 * `node dist/main.js`, with its configuration in the environment and JSON logs on stdout.
 */

let emulators: Emulators | undefined;
let bot: BotProcess | undefined;
let scratch: string | undefined;

beforeAll(async () => {
  // Build once so each `npm start` below only re-checks (incremental build, nothing to emit).
  try {
    await promisify(execFile)('npm', ['run', '-s', 'build'], { cwd: REPO_ROOT, timeout: 60_000 });
  } catch (error) {
    // tsc reports on stdout; without it the failure says only "Command failed".
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run build failed, so npm start cannot work either:\n${stdout}${stderr}`.slice(0, 4_000));
  }
  // A directory without .env: dotenv loads ./.env from the working directory.
  scratch = await mkdtemp(join(tmpdir(), 'bot-process-'));
}, 90_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

afterEach(async () => {
  const output = bot ? bot.stdout() + bot.stderr() : '';
  bot?.cleanup();
  bot = undefined;
  await emulators?.close();
  emulators = undefined;
  for (const secret of Object.values(SECRETS)) expect(output).not.toContain(secret);
});

const isMsg = (msg: string) => (line: Record<string, unknown>) => line.msg === msg;

function credits(e: Emulators) {
  return e.discord.dispatchInteraction(
    chatInputInteraction(e.discord, { guildId: GUILD_ID, channel: TEXT_CHANNEL }, { name: 'credits' }),
  );
}

async function startWithNpm(): Promise<BotProcess> {
  emulators = await startEmulators();
  bot = spawnBot('npm', ['start'], { cwd: REPO_ROOT, env: botEnv(emulators) });
  await bot.waitForLog(isMsg('ready'), 20_000, '"ready"');
  return bot;
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('npm start', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('serves /credits, then on %s stops cleanly with exit code 0', async (signal) => {
    const running = await startWithNpm();
    const e = emulators!;

    const handle = credits(e);
    const first = await handle.firstResponse();
    expect(first.at - handle.dispatchedAt).toBeLessThan(3_000);
    expect(visibleText(await handle.finalMessage())).toContain('credits left to spend');

    const sentAt = performance.now();
    running.child.kill(signal);
    const exit = await exitWithin(running, 8_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - sentAt).toBeLessThan(5_000);

    const lines = running.logLines();
    expect(lines.find(isMsg('stopping: finishing interactions under way'))).toMatchObject({ signal });
    expect(lines.filter(isMsg('stopped'))).toHaveLength(1);
    expect(lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
    // npm's own warnings about the host's npmrc aside, nothing reached stderr.
    expect(
      running
        .stderr()
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('npm warn')),
    ).toEqual([]);
  });

  it('lets an interaction under way finish before exiting on SIGTERM, and turns new ones away meanwhile', async () => {
    const running = await startWithNpm();
    const e = emulators!;
    e.useapi.latencyMs = 1_500;

    const handle = credits(e);
    await until(() => e.useapi.requestsTo('GET', '/v2/pixverse/features').length > 0, 5_000, 'the useapi.net call');
    running.child.kill('SIGTERM');
    await running.waitForLog(isMsg('stopping: finishing interactions under way'), 5_000, '"stopping"');

    // Arrives while the bot drains: answered at once, not handled.
    const late = credits(e);
    const lateReply = await late.firstResponse();
    expect(lateReply.callbackType).toBe(4);
    expect(JSON.stringify(lateReply.body)).toContain('restarting');

    const message = await handle.finalMessage(5_000);
    expect(visibleText(message)).toContain('credits left to spend');
    const exit = await exitWithin(running, 8_000);
    expect(exit.code).toBe(0);
    const answeredAt = handle.responses.at(-1)!.at;
    expect(answeredAt).toBeLessThan(exit.at);
    expect(e.useapi.requestsTo('GET', '/v2/pixverse/features')).toHaveLength(1);
    expect(running.logLines().filter(isMsg('stopped'))).toHaveLength(1);
  });
});

describe('stopping while useapi.net hangs', () => {
  it('answers a deferred interaction still waiting on useapi.net ("restarting, nothing changed") and exits 0 within 5 s', async () => {
    const running = await startWithNpm();
    const e = emulators!;
    e.useapi.addFault({ method: 'GET', path: '/v2/pixverse/features', fault: { kind: 'hang' } });
    const handle = credits(e);
    expect((await handle.firstResponse()).callbackType).toBe(5);
    await until(() => e.useapi.requestsTo('GET', '/v2/pixverse/features').length > 0, 5_000, 'the useapi.net call');

    const sentAt = performance.now();
    running.child.kill('SIGTERM');
    const message = await handle.finalMessage(6_000);
    expect(visibleText(message)).toContain('The bot is restarting');
    expect(visibleText(message)).toContain('Nothing was changed');
    const exit = await exitWithin(running, 8_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - sentAt).toBeLessThan(5_000);
    expect(handle.responses.at(-1)!.at).toBeLessThan(exit.at);
  });

  it('a background check hanging on useapi.net does not hold the stop past 5 s, even with a 30 s useapi.net budget', async () => {
    emulators = await startEmulators();
    const e = emulators;
    e.useapi.addFault({ method: 'GET', path: '/v2/pixverse/features', fault: { kind: 'hang' } });
    bot = spawnBot(process.execPath, [MAIN_JS], {
      cwd: scratch!,
      env: botEnv(e, {
        ALERT_CHANNEL_ID: TEXT_CHANNEL.id,
        CHECK_INTERVAL: '1h',
        USEAPI_TOTAL_TIMEOUT: '30s',
        USEAPI_HEADERS_TIMEOUT: '30s',
      }),
    });
    await bot.waitForLog(isMsg('ready'), 10_000, '"ready"');
    await until(() => e.useapi.requestsTo('GET', '/v2/pixverse/features').length > 0, 5_000, 'the background check');
    const sentAt = performance.now();
    bot.child.kill('SIGTERM');
    const exit = await exitWithin(bot, 8_000);
    expect(exit.code).toBe(0);
    expect(exit.at - sentAt).toBeLessThan(5_000);
    expect(bot.logLines().filter((line) => Number(line.level) >= 50)).toEqual([]);
  });
});

describe('node dist/main.js', () => {
  it('exits 1 with one clear fatal line when Discord rejects DISCORD_TOKEN', async () => {
    emulators = await startEmulators();
    emulators.discord.rejectToken();
    bot = spawnBot(process.execPath, [MAIN_JS], { cwd: scratch!, env: botEnv(emulators) });
    const exit = await exitWithin(bot, 10_000);
    expect(exit.code).toBe(1);

    const lines = bot.logLines();
    const fatal = lines.filter((line) => line.level === 60);
    expect(fatal).toHaveLength(1);
    expect(String(fatal[0]!.msg)).toContain('DISCORD_TOKEN');
    expect(String(fatal[0]!.msg)).toMatch(/Developer Portal/);
    expect(lines.filter((line) => Number(line.level) >= 50)).toHaveLength(1);
    expect(lines.find(isMsg('ready'))).toBeUndefined();
    expect(emulators.useapi.requests).toEqual([]);
  });

  it('exits 1 with one clear fatal line when Discord stops accepting DISCORD_TOKEN while running', async () => {
    emulators = await startEmulators();
    bot = spawnBot(process.execPath, [MAIN_JS], { cwd: scratch!, env: botEnv(emulators) });
    await bot.waitForLog(isMsg('ready'), 10_000, '"ready"');
    // The owner reset the token in the Developer Portal: the next resume is refused with 4004.
    emulators.discord.rejectToken();
    emulators.discord.closeGateway(4000);
    const exit = await exitWithin(bot, 6_000);
    expect(exit.code).toBe(1);
    const fatal = bot.logLines().filter((line) => line.level === 60);
    expect(fatal).toHaveLength(1);
    expect(String(fatal[0]!.msg)).toContain('DISCORD_TOKEN');
  });

  it('refuses to start a public application without DISCORD_GUILD_ID: exit 1, one fatal line naming both ways out', async () => {
    emulators = await startEmulators({ botPublic: true });
    const env = botEnv(emulators);
    delete env.DISCORD_GUILD_ID;
    bot = spawnBot(process.execPath, [MAIN_JS], { cwd: scratch!, env });
    const exit = await exitWithin(bot, 10_000);
    expect(exit.code).toBe(1);
    const fatal = bot.logLines().filter((line) => line.level === 60);
    expect(fatal).toHaveLength(1);
    expect(String(fatal[0]!.msg)).toContain('DISCORD_GUILD_ID');
    expect(String(fatal[0]!.msg)).toContain('Public Bot');
    expect(emulators.discord.identifies).toEqual([]);
    expect(emulators.useapi.requests).toEqual([]);
  });

  it('a half-configured server is a configuration error, never the sandbox', async () => {
    const halves: Array<Record<string, string>> = [
      { USEAPI_TOKEN: SECRETS.useapiToken },
      { PIXVERSE_DISCORD_TOKEN: SECRETS.pixverseDiscordToken },
    ];
    for (const env of halves) {
      bot = spawnBot(process.execPath, [MAIN_JS], { cwd: scratch!, env: botEnv(undefined, env) });
      const exit = await exitWithin(bot, 10_000);
      expect(exit.code).toBe(1);
      expect(bot.stderr()).toContain('DISCORD_TOKEN is required');
      expect(bot.stdout()).not.toContain('Sandbox');
    }
  });

  it('an empty .env is configuration too: an error, not the sandbox', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bot-empty-env-'));
    try {
      await writeFile(join(dir, '.env'), '# nothing yet\n');
      bot = spawnBot(process.execPath, [MAIN_JS], { cwd: dir, env: botEnv(undefined) });
      const exit = await exitWithin(bot, 10_000);
      expect(exit.code).toBe(1);
      expect(bot.stderr()).toContain('Configuration is incomplete or invalid (2 problems)');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 with one message listing every missing or invalid variable, before touching the network', async () => {
    emulators = await startEmulators();
    // DISCORD_TOKEN is set (without it main.ts runs the offline sandbox); the rest is missing or wrong.
    const env = botEnv(undefined, {
      DISCORD_TOKEN: SECRETS.discordToken,
      DISCORD_GUILD_ID: 'not-an-id',
      LOG_LEVEL: 'loud',
      DISCORD_API_URL: emulators.discord.apiUrl,
    });
    bot = spawnBot(process.execPath, [MAIN_JS], { cwd: scratch!, env });
    const exit = await exitWithin(bot, 10_000);
    expect(exit.code).toBe(1);

    const stderr = bot.stderr();
    expect(stderr).toContain('Configuration is incomplete or invalid (3 problems)');
    expect(stderr).toMatch(/USEAPI_TOKEN is required \(get it from: useapi\.net/);
    expect(stderr).toMatch(/DISCORD_GUILD_ID must be/);
    expect(stderr).toMatch(/LOG_LEVEL must be one of/);
    expect(stderr).not.toContain('not-an-id');
    expect(stderr).not.toContain('loud');
    expect(stderr).not.toMatch(/\bat .+\.js:\d+/);
    expect(bot.stdout()).toBe('');
    expect(emulators.discord.requests).toEqual([]);
  });
});

describe('npm run deploy-commands (the compiled script)', () => {
  it('writes the commands once, prints what changed, and prints "unchanged" the second time', async () => {
    emulators = await startEmulators();
    const script = join(REPO_ROOT, 'dist', 'scripts', 'deploy-commands.js');
    const run = () => promisify(execFile)(process.execPath, [script], { cwd: scratch, env: botEnv(emulators), timeout: 20_000 });

    const first = await run();
    expect(first.stdout.trim()).toBe(
      `${GUILD_ID}: added credits, credits-history, pixverse-register, pixverse-accounts, pixverse-unregister, credits-alerts`,
    );
    expect(emulators.discord.commands(GUILD_ID)).toHaveLength(6);
    const second = await run();
    expect(second.stdout.trim()).toBe(`${GUILD_ID}: unchanged`);
    const puts = emulators.discord.requests.filter((request) => request.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(`${first.stdout}${first.stderr}${second.stdout}${second.stderr}`).not.toContain(SECRETS.discordToken);
  });

  it('exits 1 with the Developer Portal hint when Discord refuses the token', async () => {
    emulators = await startEmulators();
    emulators.discord.rejectToken();
    const script = join(REPO_ROOT, 'dist', 'scripts', 'deploy-commands.js');
    const failed = await promisify(execFile)(process.execPath, [script], {
      cwd: scratch,
      env: botEnv(emulators),
      timeout: 20_000,
    }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('Discord rejected DISCORD_TOKEN');
  });
});
