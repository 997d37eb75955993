import { ApplicationCommandOptionType, ComponentType, TextInputStyle } from 'discord.js';
import { ADMIN_COMMAND, defineCommand, type CommandContext } from '../src/discord/command.js';
import { failureReply, registeredEmbed, type ReplyBody } from '../src/presentation/embeds.js';
import { describeRegistrationFailure } from '../src/presentation/failure.js';
import { Refusal } from '../src/refusal.js';
import { maskSecret } from '../src/secrets.js';
import { UseapiError } from '../src/useapi/errors.js';

const NAME = 'pixverse-register';
const TOKEN_FIELD = 'token';
/** Long enough to find and paste a token; the form is bound to the admin and the channel it was shown in. */
const FORM_VALID_MS = 15 * 60_000;

const data = {
  name: NAME,
  description: 'Register this channel with useapi.net so PixVerse jobs (v1 API) run here',
  ...ADMIN_COMMAND,
  options: [
    {
      type: ApplicationCommandOptionType.Integer,
      name: 'max_jobs',
      description: 'How many PixVerse jobs useapi.net may run at once through this channel (default 1)',
      min_value: 1,
      max_value: 10,
    },
  ],
} as const;

interface Registration {
  server: string;
  channel: string;
  discord: string;
  maxJobs: number;
}

async function register(ctx: CommandContext, registration: Registration): Promise<ReplyBody> {
  // Read first, only to tell "registered" from "updated, maxJobs 2 → 4"; a failed read does not
  // stop the registration, whose own answer is the one that counts.
  const previous = await ctx.useapi.channel(registration.channel).catch(() => undefined);
  try {
    await ctx.useapi.registerChannel(registration);
  } catch (error) {
    if (error instanceof UseapiError && error.kind === 'bad-request') {
      return failureReply(describeRegistrationFailure(error));
    }
    throw error;
  }
  return {
    embeds: [
      registeredEmbed({
        channelId: registration.channel,
        maxJobs: registration.maxJobs,
        previousMaxJobs: previous?.maxJobs,
        maskedToken: maskSecret(registration.discord),
      }),
    ],
  };
}

export default defineCommand({
  data,

  async execute(interaction, { max_jobs }, ctx) {
    const maxJobs = max_jobs ?? ctx.settings.defaultMaxJobs;
    const token = ctx.settings.pixverseDiscordToken;
    if (token === undefined) {
      // No token configured: ask for it. The modal must be the first response, so nothing upstream
      // happens before it; the field is never prefilled. The form carries max_jobs (it asks only for the token).
      await interaction.showModal({
        custom_id: ctx.sign({
          command: NAME,
          name: 'token',
          args: [String(maxJobs), interaction.channelId],
          userId: interaction.user.id,
          validForMs: FORM_VALID_MS,
        }),
        title: 'Register this channel with useapi.net',
        components: [
          {
            type: ComponentType.ActionRow,
            components: [
              {
                type: ComponentType.TextInput,
                custom_id: TOKEN_FIELD,
                label: 'Discord token useapi.net drives PixVerse with',
                style: TextInputStyle.Short,
                required: true,
                min_length: 20,
                max_length: 200,
                placeholder: 'The user token of the Discord account that runs PixVerse',
              },
            ],
          },
        ],
      });
      return;
    }
    const work = register(ctx, { server: interaction.guildId, channel: interaction.channelId, discord: token, maxJobs });
    await ctx.respond.reply(interaction, work, { ephemeral: true });
  },

  async modalSubmit(interaction, action, ctx) {
    const [jobs, channel = ''] = action.args;
    const maxJobs = Number(jobs);
    if (action.name !== 'token' || !(Number.isInteger(maxJobs) && maxJobs >= 1 && maxJobs <= 10)) {
      throw new Refusal('forged-action', 'This form is not valid any more; run `/pixverse-register` again.');
    }
    if (interaction.channelId !== channel) {
      throw new Refusal(
        'invalid-input',
        'This form belongs to another channel. Run `/pixverse-register` in the channel to register.',
      );
    }
    const token = interaction.fields.getTextInputValue(TOKEN_FIELD).trim();
    if (!/^[\x21-\x7e]{20,200}$/.test(token)) {
      throw new Refusal(
        'invalid-input',
        'That does not look like a Discord token (20 to 200 characters, no spaces). Run `/pixverse-register` again.',
      );
    }
    const work = register(ctx, { server: interaction.guildId, channel, discord: token, maxJobs });
    await ctx.respond.reply(interaction, work, { ephemeral: true });
  },
});
