import { REST, Routes, type RESTGetCurrentApplicationResult } from 'discord.js';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, parseDiscordConfig } from '../src/config.js';
import { commands } from '../commands/index.js';
import { describeSync, syncCommands } from '../src/discord/sync.js';
import { explainStartupFailure } from '../src/discord/startup.js';

/**
 * `npm run deploy-commands`: the same sync the bot runs at start-up, on demand, without logging in
 * to the gateway. Prints what changed.
 */
loadDotenv({ quiet: true });

try {
  const discord = parseDiscordConfig(process.env);
  const rest = new REST({ api: discord.apiUrl }).setToken(discord.token);
  const application = (await rest.get(Routes.currentApplication())) as RESTGetCurrentApplicationResult;
  const changes = await syncCommands(
    rest,
    application.id,
    commands.map((command) => command.data),
    discord.guildIds,
  );
  for (const change of changes) console.log(describeSync(change));
} catch (error) {
  console.error(
    error instanceof ConfigError
      ? error.message
      : (explainStartupFailure(error, process.env.DISCORD_API_URL ?? 'https://discord.com/api') ??
          `Could not sync the commands: ${(error as Error).message}`),
  );
  process.exitCode = 1;
}
