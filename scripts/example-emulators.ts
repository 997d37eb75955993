import { DiscordEmulator } from '../src/emulators/discord/index.js';
import { UseapiEmulator, featuresFixture } from '../src/emulators/useapi.js';
import type { RenderNames } from '../src/sandbox/render.js';

/**
 * The in-repo Discord and useapi.net emulators seeded with example accounts, for a bot started by hand
 * (`npm run emulators`) or in a container (`npm run container:check`). Made-up tokens; nothing here
 * reaches the internet.
 */

export const EXAMPLE = {
  discordToken: 'example-discord-bot-token',
  useapiToken: 'user:0-example',
  guild: { id: '111111111111111111', name: 'Example Studio' },
  channels: {
    pixverse: { id: '333333333333333301', name: 'pixverse', type: 0 },
    alerts: { id: '333333333333333302', name: 'alerts', type: 0 },
  },
  /** Plenty of credits. */
  healthyAccount: 'studio@example.com',
  /** 85 credits left to spend: below the default ALERT_CREDITS_BELOW of 100, so it draws an alert. */
  lowAccount: 'backup+video@example.com',
  /** In error state: its credits read as useapi.net's 596. */
  errorAccount: 'old@example.com',
} as const;

/** Channel names for showing the bot's messages as Discord would (`renderMessage`). */
export const EXAMPLE_NAMES: RenderNames = {
  channels: new Map(Object.values(EXAMPLE.channels).map((channel) => [channel.id, channel.name])),
  roles: new Map(),
};

export interface ExampleEmulators {
  discord: DiscordEmulator;
  useapi: UseapiEmulator;
  /** What a bot needs to talk to these emulators instead of Discord and useapi.net. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Port 0 (the default) picks a free port. */
export async function startExampleEmulators(ports: { discord?: number; useapi?: number } = {}): Promise<ExampleEmulators> {
  const useapi = await UseapiEmulator.start({
    token: EXAMPLE.useapiToken,
    port: ports.useapi,
    accounts: [
      { email: EXAMPLE.healthyAccount, maxJobs: 3 },
      {
        email: EXAMPLE.lowAccount,
        features: featuresFixture({ plan_name: 'Standard', credit_daily: 0, credit_monthly: 85, credit_package: 0 }),
      },
      { email: EXAMPLE.errorAccount, error: 'session rejected' },
    ],
  });
  const discord = await DiscordEmulator.start({
    botToken: EXAMPLE.discordToken,
    botName: 'PixVerse Bot',
    port: ports.discord,
    guilds: [{ ...EXAMPLE.guild, channels: Object.values(EXAMPLE.channels).map((channel) => ({ ...channel })) }],
  }).catch(async (error: unknown) => {
    await useapi.close();
    throw error;
  });
  return {
    discord,
    useapi,
    env: {
      DISCORD_TOKEN: EXAMPLE.discordToken,
      USEAPI_TOKEN: EXAMPLE.useapiToken,
      DISCORD_API_URL: discord.apiUrl,
      USEAPI_BASE_URL: useapi.url,
      DISCORD_GUILD_ID: EXAMPLE.guild.id,
      ALERT_CHANNEL_ID: EXAMPLE.channels.alerts.id,
    },
    close: async () => {
      await Promise.all([discord.close(), useapi.close()]);
    },
  };
}
