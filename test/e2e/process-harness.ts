import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiscordEmulator } from '../../src/emulators/discord/index.js';
import { UseapiEmulator } from '../../src/emulators/useapi.js';
import { FOREIGN_CHANNEL, GUILD_ID, OTHER_CHANNEL, OTHER_GUILD_ID, SECRETS, TEXT_CHANNEL, THREAD } from './stack.js';

/** The bot as a real process (`npm start` or `node dist/main.js`), against emulators in the test process. */

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MAIN_JS = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface Emulators {
  discord: DiscordEmulator;
  useapi: UseapiEmulator;
  close(): Promise<void>;
}

export async function startEmulators(options: { botPublic?: boolean } = {}): Promise<Emulators> {
  const useapi = await UseapiEmulator.start({ token: SECRETS.useapiToken, accounts: [{ email: 'team@example.com' }] });
  const discord = await DiscordEmulator.start({
    botPublic: options.botPublic ?? false,
    botToken: SECRETS.discordToken,
    guilds: [
      { id: GUILD_ID, name: 'Studio', channels: [TEXT_CHANNEL, OTHER_CHANNEL, THREAD] },
      { id: OTHER_GUILD_ID, name: 'Elsewhere', channels: [FOREIGN_CHANNEL] },
    ],
  });
  return {
    discord,
    useapi,
    close: async () => {
      await Promise.all([discord.close(), useapi.close()]);
    },
  };
}

/**
 * Only what a shell needs plus the bot's own configuration: nothing from the test runner's
 * environment (no NODE_OPTIONS, no VITEST, no stray tokens) reaches the bot.
 */
export function botEnv(emulators: Emulators | undefined, extra: Record<string, string> = {}): Record<string, string> {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };
  if (!emulators) return { ...base, ...extra };
  return {
    ...base,
    // Never the checkout's ./data: each test process keeps its signing key and state apart.
    DATA_DIR: join(tmpdir(), `bot-process-data-${process.pid}`),
    DISCORD_TOKEN: SECRETS.discordToken,
    USEAPI_TOKEN: SECRETS.useapiToken,
    DISCORD_API_URL: emulators.discord.apiUrl,
    USEAPI_BASE_URL: emulators.useapi.url,
    DISCORD_GUILD_ID: GUILD_ID,
    LOG_LEVEL: 'info',
    ...extra,
  };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() in the test process when the process exited. */
  at: number;
}

export interface BotProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Complete stdout lines that parse as JSON objects (pino's log lines). */
  logLines: () => Array<Record<string, unknown>>;
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<Record<string, unknown>>;
  exited: Promise<Exit>;
  /** Kills the whole process group if anything of it is still running. */
  cleanup(): void;
}

/**
 * Spawns `command args` in its own process group (so cleanup can reach npm's children too), with
 * exactly `env`. Signals sent by the tests go to `child.pid` only, as a service manager would.
 */
export function spawnBot(command: string, args: string[], options: { cwd: string; env: Record<string, string> }): BotProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const listener of [...listeners]) listener();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  let running = true;
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      running = false;
      // Let the pipes drain: 'close' fires once both are done.
      child.on('close', () => resolve({ code, signal, at: performance.now() }));
    });
    child.on('error', () => {
      running = false;
      resolve({ code: null, signal: null, at: performance.now() });
    });
  });
  const logLines = (): Array<Record<string, unknown>> =>
    out
      .split('\n')
      .slice(0, -1)
      .flatMap((line): Array<Record<string, unknown>> => {
        try {
          const parsed = JSON.parse(line) as Record<string, unknown> | null;
          return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? [parsed] : [];
        } catch {
          return [];
        }
      });

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logLines,
    exited,
    waitForLog(predicate, timeoutMs, what) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = logLines().find(predicate);
          if (!found) return false;
          listeners.delete(listener);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const listener = (): void => void check();
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(
            new Error(`no log line ${what} within ${timeoutMs} ms\nstdout:\n${out.slice(-3_000)}\nstderr:\n${err.slice(-3_000)}`),
          );
        }, timeoutMs);
        listeners.add(listener);
        if (check()) return;
        void exited.then(() => {
          if (check()) return;
          listeners.delete(listener);
          clearTimeout(timer);
          reject(
            new Error(`the process exited before logging ${what}\nstdout:\n${out.slice(-3_000)}\nstderr:\n${err.slice(-3_000)}`),
          );
        });
      });
    },
    cleanup() {
      if (!running || child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    },
  };
}

/** Resolves with the exit, or rejects when the process is still running after `timeoutMs`. */
export async function exitWithin(bot: BotProcess, timeoutMs: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `still running ${timeoutMs} ms later\nstdout:\n${bot.stdout().slice(-3_000)}\nstderr:\n${bot.stderr().slice(-3_000)}`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([bot.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
