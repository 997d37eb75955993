import { existsSync } from 'node:fs';
import { config as loadDotenv } from 'dotenv';
import { startBot, type Bot } from './bot.js';
import { ConfigError, parseConfig, type Config } from './config.js';
import type { Command } from './discord/command.js';
import { explainStartupFailure } from './discord/startup.js';
import { createLogger, type Logger } from './logger.js';

/** A stop that has not finished by then is cut short: a supervisor's grace period must never run out. */
const STOP_WATCHDOG_MS = 8_000;

/**
 * The bot as a process: the sandbox when nothing is configured (or asked for), otherwise the
 * configuration, the bot, and a stop on SIGTERM/SIGINT that exits 0. Never returns for a bot.
 */
export async function runProcess(commands: readonly Command[], { sandbox = false }: { sandbox?: boolean } = {}): Promise<void> {
  // Read before .env is loaded: the question is whether anything at all was configured.
  const configured =
    existsSync('.env') || ['DISCORD_TOKEN', 'USEAPI_TOKEN', 'PIXVERSE_DISCORD_TOKEN'].some((name) => process.env[name]?.trim());
  loadDotenv({ quiet: true });
  if (sandbox || !configured) return runOfflineSandbox(commands, sandbox);
  const config = configOrExit();
  const logger = createLogger({
    level: config.logLevel,
    secrets: [config.discord.token, config.useapi.token, config.pixverse.discordToken, config.history.databaseAuthToken],
    pretty: Boolean(process.stdout.isTTY),
  });
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  const lifecycle = new Lifecycle(logger);
  try {
    lifecycle.bot = await startBot({ config, logger, commands, onGatewayClosed: () => lifecycle.stop(1, 0) });
  } catch (error) {
    const explained = explainStartupFailure(error, config.discord.apiUrl);
    if (explained) logger.fatal(explained);
    else logger.fatal({ err: error }, `The bot could not start: ${(error as Error).message}`);
    logger.flush();
    process.exit(1);
  }
}

/**
 * Only a checkout with nothing configured at all is the sandbox: no .env file and no token in the
 * environment. Any configuration, even half of one, is a real bot, and a missing secret is an error
 * (exit 1), so a server whose secret went missing never "succeeds" with a demo.
 */
async function runOfflineSandbox(commands: readonly Command[], asked: boolean): Promise<void> {
  if (!asked) {
    process.stderr.write(
      'Nothing is configured (no .env, no token in the environment), so this is the offline sandbox (npm run sandbox). Copy .env.example to .env and fill in DISCORD_TOKEN and USEAPI_TOKEN to run the real bot.\n',
    );
  }
  // Loaded only here: a configured bot never loads the emulators.
  const { runSandbox } = await import('./sandbox/run.js');
  await runSandbox({ commands });
  process.exit(0);
}

function configOrExit(): Config {
  try {
    return parseConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/** Stops once, whatever asked: a signal (exit 0) or a gateway Discord closed for good (exit 1). */
class Lifecycle {
  bot: Bot | undefined;
  private stopping = false;

  constructor(private readonly logger: Logger) {
    // Installed before start-up, so a signal during it still ends the process cleanly.
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        logger.info({ signal }, 'stopping: finishing interactions under way');
        this.stop(0);
      });
    }
  }

  stop(exitCode: 0 | 1, drainMs?: number): void {
    if (this.stopping) return;
    this.stopping = true;
    const exit = (code: number) => {
      this.logger.flush();
      process.exit(code);
    };
    if (!this.bot) return exit(exitCode);
    setTimeout(() => {
      this.logger.warn('stopping took too long; exiting anyway');
      exit(exitCode);
    }, STOP_WATCHDOG_MS).unref();
    this.bot.stop(drainMs).then(
      () => {
        this.logger.info('stopped');
        exit(exitCode);
      },
      (error: unknown) => {
        this.logger.error({ err: error }, 'error while stopping');
        exit(1);
      },
    );
  }
}
