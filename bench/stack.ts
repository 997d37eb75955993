import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import {
  DiscordEmulator,
  autocompleteInteraction,
  chatInputInteraction,
  type EmulatedGuild,
  type InteractionHandle,
  type InvokerFixture,
} from '../src/emulators/discord/index.js';
import { UseapiEmulator } from '../src/emulators/useapi.js';

/** Placeholder secrets, deliberately not shaped like real tokens. */
export const BENCH_SECRETS = {
  discordToken: 'bench-discord-bot-token',
  useapiToken: 'user:1-bench',
} as const;

/** One account per purpose, so every measured burst starts with the bot's caches cold for its accounts. */
export const ACCOUNTS = {
  warmup: 'warmup@bench.example',
  solo: 'solo@bench.example',
  mixed: ['alpha@bench.example', 'beta@bench.example', 'gamma@bench.example'],
} as const;

/** A guild no subject serves: an interaction from it is a start-up probe the bot refuses at once. */
const FOREIGN_GUILD_ID = '399999999999999999';
const FOREIGN_CHANNEL = { id: '499999999999999999', type: 0, name: 'elsewhere' } as const;
const FIRST_USER_ID = 600_000_000_000_000_000n;

let usersSeen = 0n;

/** A Discord user id nobody used before in this run: every interaction comes from a distinct user. */
function freshUserId(): string {
  usersSeen += 1n;
  return (FIRST_USER_ID + usersSeen).toString();
}

export interface BenchStackOptions {
  /** The useapi.net emulator's fixed answer latency. */
  latencyMs: number;
  guildCount: number;
}

/** Both emulators, the guilds the subjects serve, and helpers that dispatch one interaction each. */
export class BenchStack {
  readonly guilds: EmulatedGuild[];

  private constructor(
    readonly discord: DiscordEmulator,
    readonly useapi: UseapiEmulator,
  ) {
    this.guilds = [...discord.guilds];
  }

  static async start({ latencyMs, guildCount }: BenchStackOptions): Promise<BenchStack> {
    const guilds: EmulatedGuild[] = Array.from({ length: guildCount }, (_, index) => {
      const suffix = String(index + 1).padStart(3, '0');
      return {
        id: `310000000000000${suffix}`,
        name: `Bench ${suffix}`,
        channels: [{ id: `410000000000000${suffix}`, type: 0, name: 'pixverse' }],
      };
    });
    const useapi = await UseapiEmulator.start({
      token: BENCH_SECRETS.useapiToken,
      latencyMs,
      accounts: [ACCOUNTS.warmup, ACCOUNTS.solo, ...ACCOUNTS.mixed].map((email) => ({ email })),
    });
    try {
      const discord = await DiscordEmulator.start({ botToken: BENCH_SECRETS.discordToken, guilds });
      return new BenchStack(discord, useapi);
    } catch (error) {
      await useapi.close();
      throw error;
    }
  }

  /** The environment both subjects read (the bot through its config, the baseline directly). */
  subjectEnv(): Record<string, string> {
    return {
      DISCORD_TOKEN: BENCH_SECRETS.discordToken,
      USEAPI_TOKEN: BENCH_SECRETS.useapiToken,
      DISCORD_API_URL: this.discord.apiUrl,
      USEAPI_BASE_URL: this.useapi.url,
      DISCORD_GUILD_ID: this.guilds.map((guild) => guild.id).join(','),
    };
  }

  /** `/credits [email]` from a new user in guild `guildIndex` (modulo the guild count). */
  credits(guildIndex: number, email?: string): InteractionHandle {
    const options =
      email === undefined ? undefined : [{ type: ApplicationCommandOptionType.String as const, name: 'email', value: email }];
    return this.discord.dispatchInteraction(
      chatInputInteraction(this.discord, this.invoker(guildIndex), { name: 'credits', ...(options ? { options } : {}) }),
    );
  }

  /** Autocomplete of `/credits email:<typed>` from a new user. */
  autocomplete(guildIndex: number, typed: string): InteractionHandle {
    return this.discord.dispatchInteraction(
      autocompleteInteraction(this.discord, this.invoker(guildIndex), {
        name: 'credits',
        options: [{ type: ApplicationCommandOptionType.String, name: 'email', value: typed, focused: true }],
      }),
    );
  }

  /**
   * `/credits email:<warm-up account>` from a guild outside DISCORD_GUILD_ID: the bot refuses it
   * without calling useapi.net; the baseline, which serves every guild, answers it after one call.
   */
  probe(): InteractionHandle {
    const invoker = { guildId: FOREIGN_GUILD_ID, channel: FOREIGN_CHANNEL, userId: freshUserId() };
    const options = [{ type: ApplicationCommandOptionType.String as const, name: 'email', value: ACCOUNTS.warmup }];
    return this.discord.dispatchInteraction(chatInputInteraction(this.discord, invoker, { name: 'credits', options }));
  }

  /** Closes both emulators; gives up waiting after `timeoutMs` (their sockets are destroyed either way). */
  async close(timeoutMs = 5_000): Promise<void> {
    await Promise.race([Promise.allSettled([this.discord.close(), this.useapi.close()]), sleep(timeoutMs)]);
  }

  private invoker(guildIndex: number): InvokerFixture {
    const guild = this.guilds[guildIndex % this.guilds.length];
    const channel = guild?.channels[0];
    if (!guild || !channel) throw new Error('the bench stack has no guild');
    return { guildId: guild.id, channel, userId: freshUserId() };
  }
}
