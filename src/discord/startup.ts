import { DiscordAPIError, Routes, type REST, type RESTGetCurrentApplicationResult } from 'discord.js';
import { WHERE_TO_GET } from '../config.js';

/** Start-up stopped on purpose: the message says why and what to do, and is printed as it is. */
export class StartupRefusal extends Error {
  override readonly name = 'StartupRefusal';
}

export const TOKEN_HELP = `Copy a fresh token from the ${WHERE_TO_GET.DISCORD_TOKEN} into .env and start again.`;

/**
 * The bot spends its owner's useapi.net subscription and PixVerse tokens. A public application
 * (Discord's default) can be invited by anyone; without DISCORD_GUILD_ID every such server would be
 * served. That combination does not start.
 */
export async function refusePublicWithoutAllowlist(rest: REST, guildIds: readonly string[]): Promise<void> {
  if (guildIds.length > 0) return;
  const application = (await rest.get(Routes.currentApplication())) as RESTGetCurrentApplicationResult;
  if (!application.bot_public) return;
  throw new StartupRefusal(
    'The Discord application is public and DISCORD_GUILD_ID is not set, so anyone could invite the bot and spend your ' +
      'useapi.net subscription and PixVerse tokens. Either set DISCORD_GUILD_ID to your server id(s) (the bot then serves ' +
      'only those), or turn off "Public Bot" in the Discord Developer Portal (your application → Bot), then start again.',
  );
}

/** What a start-up failure means to the person running the bot; undefined when it is not one we can explain. */
export function explainStartupFailure(error: unknown, discordApiUrl: string): string | undefined {
  if (error instanceof StartupRefusal) return error.message;
  const code = (error as { code?: unknown }).code;
  if (code === 'TokenInvalid' || (error instanceof DiscordAPIError && error.status === 401)) {
    return `Discord rejected DISCORD_TOKEN. ${TOKEN_HELP}`;
  }
  const cause = networkCode(error);
  if (cause) {
    return `Could not reach Discord at ${discordApiUrl} (${cause}). Check the host's network connection and DNS, and DISCORD_API_URL if you set it.`;
  }
  return undefined;
}

const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** undici wraps the socket's error (`fetch failed` → cause → code); look a few levels down. */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
