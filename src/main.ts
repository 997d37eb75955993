import { config as loadDotenv } from 'dotenv';
import { TOKEN_HELP, startBot, type Bot } from './bot.js';
import { ConfigError, parseConfig, type Config } from './config.js';
import { commands } from './discord/commands.js';
import { createLogger } from './logger.js';

loadDotenv({ quiet: true });

if (!process.env.DISCORD_TOKEN?.trim()) {
  process.stderr.write(
    'No DISCORD_TOKEN is set, so this is the offline sandbox (npm run sandbox); set it in .env to run the real bot.\n',
  );
  // Loaded only here: a configured bot never loads the emulators.
  const { runSandbox } = await import('./sandbox/run.js');
  await runSandbox();
  process.exit(0);
}

let config: Config;
try {
  config = parseConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const logger = createLogger({
  level: config.logLevel,
  secrets: [config.discord.token, config.useapi.token, config.pixverse.discordToken],
  pretty: Boolean(process.stdout.isTTY),
});

process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

let bot: Bot | undefined;
let stopping = false;

/** Stop once, whatever asked: a signal (exit 0) or a gateway Discord closed for good (exit 1). */
function shutdown(exitCode: 0 | 1, drainMs?: number): void {
  if (stopping) return;
  stopping = true;
  const exit = () => {
    logger.flush();
    process.exit(exitCode);
  };
  if (!bot) return exit();
  bot.stop(drainMs).then(
    () => {
      logger.info('stopped');
      exit();
    },
    (error: unknown) => {
      logger.error({ err: error }, 'error while stopping');
      logger.flush();
      process.exit(1);
    },
  );
}

// Installed before start-up, so a signal during it still ends the process cleanly.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    logger.info({ signal }, 'stopping: finishing interactions under way');
    shutdown(0);
  });
}

try {
  bot = await startBot({
    config,
    logger,
    commands,
    onGatewayClosed: () => shutdown(1, 0),
  });
} catch (error) {
  const code = (error as { code?: string }).code;
  const message =
    code === 'TokenInvalid'
      ? `Discord rejected DISCORD_TOKEN. ${TOKEN_HELP}`
      : `The bot could not start: ${(error as Error).message}`;
  logger.fatal({ code }, message);
  logger.flush();
  process.exit(1);
}
