import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import type { APIApplicationCommandInteractionDataOption, APIEmbed, InteractionType } from 'discord-api-types/v10';
import { startBot, type Bot } from '../../src/bot.js';
import { parseConfig, type Config } from '../../src/config.js';
import { commands } from '../../commands/index.js';
import {
  DiscordEmulator,
  autocompleteInteraction,
  buttonInteraction,
  chatInputInteraction,
  modalSubmitInteraction,
  selectInteraction,
  type InteractionHandle,
  type InvokerFixture,
} from '../../src/emulators/discord/index.js';
import { UseapiEmulator, type V1ChannelRecord, type V2AccountSeed } from '../../src/emulators/useapi.js';
import { HistoryStore, databaseUrl, type StoredReading } from '../../src/history/store.js';
import { createLogger } from '../../src/logger.js';

/** Secrets of the test stack: distinctive, so a leak anywhere is easy to find, and not token-shaped. */
export const SECRETS = {
  discordToken: 'e2e-discord-bot-token-0123456789',
  useapiToken: 'user:1-e2e-useapi-token',
  pixverseDiscordToken: 'e2e-pixverse-user-token-abcdefghij-WXYZ',
} as const;

export const GUILD_ID = '300000000000000001';
export const OTHER_GUILD_ID = '300000000000000002';
export const TEXT_CHANNEL = { id: '400000000000000001', type: 0, name: 'pixverse' } as const;
export const OTHER_CHANNEL = { id: '400000000000000002', type: 0, name: 'general' } as const;
export const THREAD = { id: '400000000000000003', type: 11, name: 'renders', parent_id: TEXT_CHANNEL.id } as const;
export const FOREIGN_CHANNEL = { id: '400000000000000009', type: 0, name: 'elsewhere' } as const;
/** A channel where an overwrite takes Embed Links from everyone, the bot included. */
export const NO_EMBEDS_CHANNEL = {
  id: '400000000000000004',
  type: 0,
  name: 'no-embeds',
  deny: String(PermissionFlagsBits.EmbedLinks),
} as const;

export const ADMIN = String(PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages);
export const ADMINISTRATOR = String(PermissionFlagsBits.Administrator);

type CommandOptions = APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommand>[];
type AutocompleteOptions = APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommandAutocomplete>[];

export interface StackOptions {
  accounts?: V2AccountSeed[];
  channels?: V1ChannelRecord[];
  /** useapi.net's ceiling on a v1 registration's maxJobs (default 10). */
  maxConcurrentJobs?: number;
  /** Extra environment on top of the stack's own; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Serve only GUILD_ID (the default), or every guild. */
  allowlist?: boolean;
  /** The application's "Public Bot" setting in the Discord emulator (Discord's default: on). */
  botPublic?: boolean;
  /** Runs before the bot starts, e.g. to add useapi.net faults its start-up check meets. */
  beforeStart?: (useapi: UseapiEmulator) => void;
  /** Readings in the history database before the bot starts, as if earlier checks had kept them. */
  history?: StoredReading[];
  /** DATA_DIR to use (and keep): another stack's, to play a restart. Default: a fresh one, removed on close. */
  dataDir?: string;
}

export interface Stack {
  discord: DiscordEmulator;
  useapi: UseapiEmulator;
  bot: Bot;
  config: Config;
  /** Every line the bot logged, at debug level. */
  logs: string[];
  /** Secrets a test introduced (a token typed into a modal); checked with the stack's own on close. */
  secrets: string[];
  /** Runs `/name` in the test guild's text channel as an ordinary member, unless told otherwise. */
  command(name: string, options?: CommandOptions, invoker?: Partial<InvokerFixture>): InteractionHandle;
  autocomplete(name: string, options: AutocompleteOptions, invoker?: Partial<InvokerFixture>): InteractionHandle;
  submitModal(customId: string, fields: Record<string, string | string[]>, invoker?: Partial<InvokerFixture>): InteractionHandle;
  pressButton(customId: string, messageId?: string, invoker?: Partial<InvokerFixture>): InteractionHandle;
  /** Chooses `values` in the select menu `customId` (of the message `messageId`). */
  choose(customId: string, values: string[], messageId?: string, invoker?: Partial<InvokerFixture>): InteractionHandle;
  /**
   * Stops the bot and the emulators, then fails if any secret reached a log line or any request
   * Discord received (outside the bot's own Authorization header), or if a message could mention
   * anyone but the alert role.
   */
  close(): Promise<void>;
}

const defaultInvoker: InvokerFixture = { guildId: GUILD_ID, channel: TEXT_CHANNEL };

/**
 * The real bot (`startBot`, the same path `npm start` takes) logged into the Discord emulator and
 * talking to the useapi.net emulator, with its log lines collected.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const useapi = await UseapiEmulator.start({
    token: SECRETS.useapiToken,
    accounts: options.accounts ?? [{ email: 'team@example.com' }],
    channels: options.channels ?? [],
    ...(options.maxConcurrentJobs === undefined ? {} : { maxConcurrentJobs: options.maxConcurrentJobs }),
  });
  const discord = await DiscordEmulator.start({
    botToken: SECRETS.discordToken,
    guilds: [
      { id: GUILD_ID, name: 'Studio', channels: [TEXT_CHANNEL, OTHER_CHANNEL, THREAD, NO_EMBEDS_CHANNEL] },
      { id: OTHER_GUILD_ID, name: 'Elsewhere', channels: [FOREIGN_CHANNEL] },
    ],
    ...(options.botPublic === undefined ? {} : { botPublic: options.botPublic }),
  });
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'bot-stack-')));
  const ownsDataDir = options.dataDir === undefined;
  if (options.history) await seedHistory(dataDir, options.history);
  const env: Record<string, string | undefined> = {
    DISCORD_TOKEN: SECRETS.discordToken,
    USEAPI_TOKEN: SECRETS.useapiToken,
    DISCORD_API_URL: discord.apiUrl,
    USEAPI_BASE_URL: useapi.url,
    DISCORD_GUILD_ID: options.allowlist === false ? undefined : GUILD_ID,
    PIXVERSE_DISCORD_TOKEN: SECRETS.pixverseDiscordToken,
    USEAPI_TOTAL_TIMEOUT: '2s',
    USEAPI_HEADERS_TIMEOUT: '2s',
    DATA_DIR: dataDir,
    // No background check unless a test asks for one: it would fill the cache the test means to miss.
    CHECK_INTERVAL: 'off',
    ...options.env,
  };
  const config = parseConfig(env);
  const logs: string[] = [];
  const logger = createLogger({
    level: 'debug',
    secrets: [config.discord.token, config.useapi.token, config.pixverse.discordToken],
    destination: { write: (line: string) => void logs.push(line) },
  });
  options.beforeStart?.(useapi);
  let bot: Bot;
  try {
    bot = await startBot({ config, logger, commands });
  } catch (error) {
    await Promise.all([discord.close(), useapi.close(), ownsDataDir ? rm(dataDir, { recursive: true, force: true }) : undefined]);
    throw error;
  }
  await startupCheckDone(logs);
  // Tests count the requests their own interactions cause.
  useapi.requests.splice(0);
  const invoker = (overrides: Partial<InvokerFixture> = {}): InvokerFixture => ({ ...defaultInvoker, ...overrides });

  const secrets: string[] = [];
  return {
    discord,
    useapi,
    bot,
    config,
    logs,
    secrets,
    command: (name, commandOptions, who) =>
      discord.dispatchInteraction(
        chatInputInteraction(discord, invoker(who), { name, ...(commandOptions ? { options: commandOptions } : {}) }),
      ),
    autocomplete: (name, commandOptions, who) =>
      discord.dispatchInteraction(autocompleteInteraction(discord, invoker(who), { name, options: commandOptions })),
    submitModal: (customId, fields, who) =>
      discord.dispatchInteraction(modalSubmitInteraction(discord, invoker(who), { custom_id: customId, fields })),
    choose: (customId, values, messageId, who) =>
      discord.dispatchInteraction(
        selectInteraction(discord, invoker(who), { custom_id: customId, values, ...(messageId ? { messageId } : {}) }),
      ),
    pressButton: (customId, messageId, who) =>
      discord.dispatchInteraction(
        buttonInteraction(discord, invoker(who), { custom_id: customId, ...(messageId ? { messageId } : {}) }),
      ),
    async close() {
      await bot.stop(1_000);
      const clearV1Tokens = [...(options.channels ?? []), ...useapi.channels()].map((record) => record.discord);
      await Promise.all([discord.close(), useapi.close()]);
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
      assertNothingLeaked([...Object.values(SECRETS), ...clearV1Tokens, ...secrets], logs, discord, config.alerts.roleId);
    },
  };
}

async function seedHistory(dataDir: string, readings: readonly StoredReading[]): Promise<void> {
  const store = await HistoryStore.open({ url: databaseUrl(dataDir, undefined), retentionDays: 400 });
  try {
    for (const reading of readings) await store.record(reading);
  } finally {
    await store.close();
  }
}

/** The bot checks USEAPI_TOKEN once after ready, in the background; wait for its log line. */
async function startupCheckDone(logs: string[]): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!logs.some((line) => line.includes('USEAPI_TOKEN') || line.includes('useapi.net accepted the API token'))) {
    if (Date.now() > deadline) throw new Error('the start-up check of USEAPI_TOKEN never finished');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function assertNothingLeaked(secrets: string[], logs: string[], discord: DiscordEmulator, alertRoleId: string | undefined): void {
  // The only mention the bot may ever allow: the alert role, on alerts.
  const allowed = new Set(['{"parse":[]}', ...(alertRoleId ? [JSON.stringify({ parse: [], roles: [alertRoleId] })] : [])]);
  const sent = discord.requests.map((request) => {
    const { authorization: _botAuth, ...headers } = request.headers;
    return JSON.stringify({ path: request.path, query: request.query.toString(), headers, body: request.body });
  });
  for (const secret of secrets) {
    const inLogs = logs.find((line) => line.includes(secret));
    if (inLogs) throw new Error(`a secret reached the log: ${inLogs.slice(0, 300)}`);
    const inRequest = sent.find((request) => request.includes(secret));
    if (inRequest) throw new Error(`a secret reached Discord: ${inRequest.slice(0, 300)}`);
  }
  for (const request of discord.requests) {
    const body = request.body as
      | {
          data?: { allowed_mentions?: unknown; content?: unknown; embeds?: unknown };
          allowed_mentions?: unknown;
          content?: unknown;
          embeds?: unknown;
        }
      | undefined;
    const message = body?.data ?? body;
    if (message && (message.content !== undefined || message.embeds !== undefined)) {
      const mentions = JSON.stringify(message.allowed_mentions);
      if (!allowed.has(mentions))
        throw new Error(`a message could mention (allowed_mentions ${mentions}) on ${request.method} ${request.path}`);
    }
  }
}

/** Everything a message shows a person, as one string, for `toContain` checks. */
export function visibleText(message: unknown): string {
  const m = message as { content?: string; embeds?: APIEmbed[] };
  const parts = [m.content ?? ''];
  for (const embed of m.embeds ?? []) {
    parts.push(embed.title ?? '', embed.description ?? '');
    for (const field of embed.fields ?? []) parts.push(field.name, field.value);
    parts.push(embed.footer?.text ?? '');
  }
  return parts.join('\n');
}

/** How the bot logged the end of interaction `interactionId`: `ok`, `refused:<code>`, `upstream:<kind>`, `bug`… */
export function outcomeOf(s: Stack, interactionId: string): string | undefined {
  const line = s.logs
    .map((text) => JSON.parse(text) as { msg: string; interaction?: string; outcome?: string })
    .find((entry) => entry.msg === 'interaction handled' && entry.interaction === interactionId);
  return line?.outcome;
}

/** A button or select of a message, as Discord received it. */
export interface Control {
  type: number;
  custom_id?: string;
  label?: string;
  placeholder?: string;
  options?: Array<{ label: string; value: string; description?: string }>;
}

/** Every button and select on a message, row after row. */
export function controls(message: unknown): Control[] {
  const rows = (message as { components?: Array<{ components?: Control[] }> }).components ?? [];
  return rows.flatMap((row) => row.components ?? []);
}

/** The flags of a callback or message body: 64 = ephemeral. */
export function isEphemeral(body: unknown): boolean {
  const flags = (body as { data?: { flags?: number }; flags?: number }).data?.flags ?? (body as { flags?: number }).flags ?? 0;
  return (flags & 64) === 64;
}
