/**
 * The baseline: /credits written the way the discord.js guide teaches a first bot, for `npm run bench`
 * to compare the real bot against. Deliberately naive, and standalone (nothing from src/):
 *
 * - default caches (`new Client({ intents: [Guilds] })`), so every user and member seen stays cached;
 * - one useapi.net call per interaction, autocomplete included (no cache, no coalescing);
 * - the guide's advice for work that may be slow: `deferReply`, then the upstream call, then `editReply`
 *   (BASELINE_STYLE=reply instead awaits the call before its first and only response);
 * - commands deployed with a bulk PUT per guild at start-up (the guide's deploy script, inlined).
 *
 * Environment: DISCORD_TOKEN, USEAPI_TOKEN, DISCORD_API_URL, USEAPI_BASE_URL, DISCORD_GUILD_ID (comma
 * separated), BASELINE_STYLE (defer | reply, default defer).
 */
import {
  Client,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Routes,
  SlashCommandBuilder,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { fetch } from 'undici';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`${name} is required\n`);
    process.exit(1);
  }
  return value;
}

const token = required('DISCORD_TOKEN');
const useapiToken = required('USEAPI_TOKEN');
const useapiBaseUrl = required('USEAPI_BASE_URL');
const guildIds = (process.env.DISCORD_GUILD_ID ?? '').split(',').filter((id) => id !== '');
const style = process.env.BASELINE_STYLE === 'reply' ? 'reply' : 'defer';

interface SlashCommand {
  data: { readonly name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction): Promise<void>;
}

interface Features {
  plan_name?: string;
  credit_daily?: number;
  credit_monthly?: number;
  credit_package?: number;
}

const credits: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('credits')
    .setDescription('Show the PixVerse credits left on the useapi.net account(s)')
    .addStringOption((option) => option.setName('email').setDescription('Which PixVerse account').setAutocomplete(true))
    .addBooleanOption((option) => option.setName('share').setDescription('Post the answer in the channel for everyone')),

  async execute(interaction) {
    const email = interaction.options.getString('email');
    const share = interaction.options.getBoolean('share') ?? false;
    const flags = share ? undefined : MessageFlags.Ephemeral;
    if (style === 'defer') await interaction.deferReply({ flags });

    const query = email ? `?email=${encodeURIComponent(email)}` : '';
    const response = await fetch(`${useapiBaseUrl}/v2/pixverse/features/${query}`, {
      headers: { Authorization: `Bearer ${useapiToken}` },
    });
    if (!response.ok) throw new Error(`useapi.net answered ${response.status}`);
    const features = (await response.json()) as Features;

    const embed = new EmbedBuilder()
      .setTitle(`PixVerse credits${email ? ` for ${email}` : ''}`)
      .addFields(
        { name: 'Plan', value: String(features.plan_name ?? 'unknown'), inline: true },
        { name: 'Daily', value: String(features.credit_daily ?? 0), inline: true },
        { name: 'Monthly', value: String(features.credit_monthly ?? 0), inline: true },
        { name: 'Package', value: String(features.credit_package ?? 0), inline: true },
      );
    if (style === 'defer') await interaction.editReply({ embeds: [embed] });
    else await interaction.reply({ embeds: [embed], flags });
  },

  async autocomplete(interaction) {
    const focused = interaction.options.getFocused();
    const response = await fetch(`${useapiBaseUrl}/v2/pixverse/accounts`, {
      headers: { Authorization: `Bearer ${useapiToken}` },
    });
    const accounts = response.ok ? ((await response.json()) as Record<string, unknown>) : {};
    const choices = Object.keys(accounts)
      .filter((email) => email.includes(focused))
      .slice(0, 25);
    await interaction.respond(choices.map((email) => ({ name: email, value: email })));
  },
};

const commands = new Map<string, SlashCommand>([[credits.data.name, credits]]);

const client = new Client({
  intents: [GatewayIntentBits.Guilds],
  rest: { api: process.env.DISCORD_API_URL ?? 'https://discord.com/api' },
});

async function onReady(readyClient: Client<true>): Promise<void> {
  const body = [...commands.values()].map((command) => command.data.toJSON());
  for (const guildId of guildIds) {
    await readyClient.rest.put(Routes.applicationGuildCommands(readyClient.application.id, guildId), { body });
  }
  process.stdout.write(`Ready! Logged in as ${readyClient.user.tag}\n`);
}

async function onInteraction(interaction: Interaction): Promise<void> {
  if (interaction.isAutocomplete()) {
    const command = commands.get(interaction.commandName);
    try {
      await command?.autocomplete?.(interaction);
    } catch (error) {
      process.stderr.write(`${String(error)}\n`);
    }
    return;
  }
  if (!interaction.isChatInputCommand()) return;
  const command = commands.get(interaction.commandName);
  if (!command) return;
  try {
    await command.execute(interaction);
  } catch (error) {
    process.stderr.write(`${String(error)}\n`);
    const answer = { content: 'There was an error while executing this command!', flags: MessageFlags.Ephemeral } as const;
    if (interaction.replied || interaction.deferred) await interaction.followUp(answer);
    else await interaction.reply(answer);
  }
}

// The guide registers async listeners directly; `void` only spells out that nothing awaits them.
client.once(Events.ClientReady, (readyClient) => void onReady(readyClient));
client.on(Events.InteractionCreate, (interaction) => void onInteraction(interaction));

// Not in the guide: without it a failed error reply would end the process and the benchmark with it.
process.on('unhandledRejection', (reason) => process.stderr.write(`unhandled rejection: ${String(reason)}\n`));

await client.login(token);
