import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationCommandOptionType, ComponentType, PermissionFlagsBits } from 'discord.js';
import type {
  APIApplicationCommandInteractionDataOption,
  APIMessage,
  APIModalInteractionResponseCallbackData,
  InteractionType,
} from 'discord-api-types/v10';
import { startBot, type Bot } from '../bot.js';
import { parseConfig } from '../config.js';
import type { Command } from '../discord/command.js';
import {
  DiscordEmulator,
  buttonInteraction,
  chatInputInteraction,
  modalSubmitInteraction,
  selectInteraction,
  type InteractionHandle,
} from '../emulators/discord/index.js';
import { UseapiEmulator, drainedFeatures, featuresFixture, type V2AccountSeed } from '../emulators/useapi.js';
import { storedReading } from '../history/history.js';
import { HistoryStore, databaseUrl } from '../history/store.js';
import { featuresSchema } from '../useapi/schemas.js';
import type { Logger } from '../logger.js';
import { renderForm, renderMessage, type RenderNames } from './render.js';

/** Made-up credentials the sandbox's emulators accept; nothing here reaches the internet. */
const SANDBOX = {
  discordToken: 'sandbox-discord-bot-token',
  useapiToken: 'user:0-sandbox',
  pixverseToken: 'sandbox-pixverse-user-token-0000-DEMO',
  guild: { id: '111111111111111111', name: 'Sandbox Studio' },
  userId: '222222222222222222',
} as const;

const CHANNELS = [
  { id: '333333333333333301', name: 'pixverse', type: 0 },
  { id: '333333333333333302', name: 'renders', type: 0 },
  { id: '333333333333333303', name: 'general', type: 0 },
] as const;

type Option = APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommand>;

export interface Sandbox {
  /** Runs one line as a person would type it in Discord (`/credits email:a@b.c`, `press Remove`); returns what Discord would show. */
  run(line: string): Promise<string>;
  close(): Promise<void>;
}

/** Splits `/credits email:"a b" share:true` into the name and `key:value` pairs. */
export function parseCommandLine(line: string): { name: string; pairs: Array<[string, string]> } | { problem: string } {
  const tokens = [...line.trim().matchAll(/(\S+?:"[^"]*"|\S+)/g)].map((match) => match[0]);
  const [head, ...rest] = tokens;
  if (!head?.startsWith('/') || head.length < 2) return { problem: 'Type a slash command, for example `/credits`.' };
  const pairs: Array<[string, string]> = [];
  for (const token of rest) {
    const colon = token.indexOf(':');
    if (colon < 1) return { problem: `“${token}” is not an option; write options as name:value.` };
    pairs.push([token.slice(0, colon), token.slice(colon + 1).replace(/^"(.*)"$/, '$1')]);
  }
  return { name: head.slice(1), pairs };
}

/** Turns typed text into the option value Discord would send, by the option's type in the definition. */
function toOption(command: Command, key: string, text: string): Option | string {
  const spec = command.data.options?.find((option) => option.name === key);
  if (!spec) return `/${command.data.name} has no option “${key}”.`;
  switch (spec.type) {
    case ApplicationCommandOptionType.String:
      return { name: key, type: spec.type, value: text };
    case ApplicationCommandOptionType.Integer:
      return /^-?\d+$/.test(text) ? { name: key, type: spec.type, value: Number(text) } : `${key} must be a whole number.`;
    case ApplicationCommandOptionType.Boolean:
      return text === 'true' || text === 'false'
        ? { name: key, type: spec.type, value: text === 'true' }
        : `${key} must be true or false.`;
    case ApplicationCommandOptionType.Channel: {
      const channel = CHANNELS.find((c) => `#${c.name}` === text || c.name === text || c.id === text);
      return channel
        ? { name: key, type: spec.type, value: channel.id }
        : `${key}: no channel ${text} here; try #${CHANNELS[1].name}.`;
    }
    default:
      return `${key}: this option type is not supported in the sandbox.`;
  }
}

/** Days of readings the sandbox starts with, as if the bot had been checking every 15 minutes. */
const HISTORY_DAYS = 3;
const DAY_MS = 86_400_000;
const CHECK_MS = 15 * 60_000;

/** The readings background checks would have kept over the last days, so history and forecasts show at once. */
async function seedHistory(dataDir: string, accounts: readonly V2AccountSeed[], since: number): Promise<void> {
  const store = await HistoryStore.open({ url: databaseUrl(dataDir, undefined), retentionDays: 400 });
  try {
    for (const account of accounts) {
      if (!account.drain || !account.features) continue;
      for (let at = since; at < Date.now(); at += CHECK_MS) {
        const features = featuresSchema.parse(drainedFeatures(account.features, account.drain, at));
        await store.record(storedReading(account.email, features, new Date(at)));
      }
    }
  } finally {
    await store.close();
  }
}

/** Files the bot attached to its answer (a chart), written next to the sandbox's data so a person can open them. */
async function saveAttachments(discord: DiscordEmulator, handle: InteractionHandle, dir: string): Promise<string[]> {
  const files = discord.requests.filter((request) => request.path.includes(handle.token)).flatMap((request) => request.files);
  const paths: string[] = [];
  for (const file of files) {
    const path = join(dir, file.filename);
    await writeFile(path, file.data);
    paths.push(path);
  }
  return paths;
}

/**
 * The real bot, in this process, against the same Discord and useapi.net emulators the tests use,
 * seeded with example accounts. The invoking user is a server admin, so every command works.
 */
export async function startSandbox(commands: readonly Command[], logger: Logger): Promise<Sandbox> {
  const since = Date.now() - HISTORY_DAYS * DAY_MS;
  const accounts: V2AccountSeed[] = [
    // A busy studio: about 1,100 credits a day, so it runs out before its monthly refill.
    {
      email: 'studio@example.com',
      maxJobs: 3,
      // Its daily credits refill at midnight UTC (the emulator moves the time on each day).
      features: featuresFixture({ daily_credits_refresh_time: new Date(since - (since % DAY_MS)).toISOString() }),
      drain: { perHour: 45, since },
    },
    {
      email: 'backup+video@example.com',
      features: featuresFixture({
        plan_name: 'Standard',
        credit_daily: 0,
        credit_daily_gift: 0,
        credit_monthly: 160,
        credit_monthly_gift: 3000,
        credit_package: 0,
      }),
      drain: { perHour: 1, since },
    },
    { email: 'old@example.com', error: 'session rejected' },
  ];
  const useapi = await UseapiEmulator.start({
    token: SANDBOX.useapiToken,
    latencyMs: 120,
    accounts,
    channels: [
      { channel: CHANNELS[1].id, server: SANDBOX.guild.id, discord: 'sandbox-earlier-user-token-0000-RNDR', maxJobs: 2 },
    ],
  });
  const discord = await DiscordEmulator.start({
    botToken: SANDBOX.discordToken,
    botName: 'PixVerse Bot',
    guilds: [{ ...SANDBOX.guild, channels: CHANNELS.map((channel) => ({ ...channel })) }],
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'pixverse-sandbox-'));
  await seedHistory(dataDir, accounts, since);
  const config = parseConfig({
    DISCORD_TOKEN: SANDBOX.discordToken,
    USEAPI_TOKEN: SANDBOX.useapiToken,
    DISCORD_API_URL: discord.apiUrl,
    USEAPI_BASE_URL: useapi.url,
    DISCORD_GUILD_ID: SANDBOX.guild.id,
    PIXVERSE_DISCORD_TOKEN: SANDBOX.pixverseToken,
    CREDITS_COOLDOWN: '0s',
    DATA_DIR: dataDir,
  });
  const bot: Bot = await startBot({ config, logger, commands });
  const names: RenderNames = { channels: new Map(CHANNELS.map((c) => [c.id, c.name])), roles: new Map() };
  const invoker = {
    guildId: SANDBOX.guild.id,
    channel: CHANNELS[0],
    userId: SANDBOX.userId,
    permissions: String(PermissionFlagsBits.ManageGuild),
  };
  let last: APIMessage | undefined;
  /** The form the last answer opened, waiting for `fill`. */
  let form: APIModalInteractionResponseCallbackData | undefined;

  async function show(handle: InteractionHandle): Promise<string> {
    const first = await handle.firstResponse(15_000);
    if (first.callbackType === 9) {
      form = (first.body as { data: APIModalInteractionResponseCallbackData }).data;
      return renderForm(form);
    }
    last = await handle.finalMessage(15_000);
    const saved = await saveAttachments(discord, handle, dataDir);
    return [renderMessage(last, names), ...saved.map((path) => `(the picture is saved in ${path})`)].join('\n');
  }

  /** `choose Remove old@example.com`: the option of the select whose placeholder starts with the first word. */
  function choose(what: string, label: string): Promise<string> | string {
    const select = (last?.components ?? [])
      .flatMap((row) => (row.type === ComponentType.ActionRow ? row.components : []))
      .find((c) => c.type === ComponentType.StringSelect && (c.placeholder ?? '').toLowerCase().startsWith(what.toLowerCase()));
    if (!last || select?.type !== ComponentType.StringSelect) return `No “${what}…” menu on the last reply.`;
    const option = select.options.find((candidate) => candidate.label.toLowerCase() === label.toLowerCase());
    if (!option) return `“${label}” is not in that menu: ${select.options.map((candidate) => candidate.label).join(', ')}.`;
    return show(
      discord.dispatchInteraction(
        selectInteraction(discord, invoker, { custom_id: select.custom_id, values: [option.value], messageId: last.id }),
      ),
    );
  }

  /** `fill email:a@b.c password:"…" max_jobs:2`: sends the open form; a select's field takes one of its values. */
  function fill(pairs: Array<[string, string]>): Promise<string> | string {
    if (!form) return 'No form is open: press a button that opens one first.';
    const selects = new Set(
      form.components.flatMap((c) =>
        c.type === ComponentType.Label && c.component.type === ComponentType.StringSelect ? [c.component.custom_id] : [],
      ),
    );
    const fields = Object.fromEntries(pairs.map(([key, value]) => [key, selects.has(key) ? [value] : value]));
    const customId = form.custom_id;
    form = undefined;
    return show(discord.dispatchInteraction(modalSubmitInteraction(discord, invoker, { custom_id: customId, fields })));
  }

  function press(label: string): Promise<string> | string {
    const customId = (last?.components ?? [])
      .flatMap((row) => (row.type === ComponentType.ActionRow ? row.components : []))
      .flatMap((c) =>
        c.type === ComponentType.Button && 'custom_id' in c && c.label?.toLowerCase() === label.toLowerCase()
          ? [c.custom_id]
          : [],
      )[0];
    if (!last || !customId) return `No button “${label}” on the last reply.`;
    return show(discord.dispatchInteraction(buttonInteraction(discord, invoker, { custom_id: customId, messageId: last.id })));
  }

  return {
    async run(line) {
      const pressed = /^press\s+(.+)$/i.exec(line.trim());
      if (pressed) return press(pressed[1]!);
      const chosen = /^choose\s+(\S+)\s+(.+)$/i.exec(line.trim());
      if (chosen) return choose(chosen[1]!, chosen[2]!);
      if (/^fill\s/i.test(line.trim())) {
        const parsed = parseCommandLine(`/fill ${line.trim().slice(4)}`);
        return 'problem' in parsed ? parsed.problem : fill(parsed.pairs);
      }
      const parsed = parseCommandLine(line);
      if ('problem' in parsed) return parsed.problem;
      const command = commands.find((c) => c.data.name === parsed.name);
      if (!command) return `No command /${parsed.name}. Commands: ${commands.map((c) => `/${c.data.name}`).join(', ')}.`;
      const options: Option[] = [];
      for (const [key, text] of parsed.pairs) {
        const option = toOption(command, key, text);
        if (typeof option === 'string') return option;
        options.push(option);
      }
      return show(discord.dispatchInteraction(chatInputInteraction(discord, invoker, { name: command.data.name, options })));
    },
    async close() {
      await bot.stop(1_000);
      await Promise.all([discord.close(), useapi.close()]);
    },
  };
}
