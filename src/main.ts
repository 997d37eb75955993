import { config as loadDotenv } from 'dotenv';
import { startBot } from './bot.js';
import { ConfigError, parseConfig, type Config } from './config.js';
import { commands } from './discord/commands.js';
import { createLogger } from './logger.js';

loadDotenv({ quiet: true });

if (!process.env.DISCORD_TOKEN?.trim()) {
  process.stderr.write('No DISCORD_TOKEN is set, so this is the offline sandbox (npm run sandbox); set it in .env to run the real bot.\n');
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

try {
  const bot = await startBot({ config, logger, commands });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing interactions under way');
    void bot.stop().then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (error) {
  const code = (error as { code?: string }).code;
  const message =
    code === 'TokenInvalid'
      ? 'Discord rejected DISCORD_TOKEN. Copy a fresh token from the Discord Developer Portal (your application → Bot → Reset Token) into .env.'
      : `The bot could not start: ${(error as Error).message}`;
  logger.fatal({ code }, message);
  logger.flush();
  process.exit(1);
}
