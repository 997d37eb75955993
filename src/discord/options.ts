import { ApplicationCommandOptionType, type CommandInteractionOption } from 'discord.js';
import { Refusal } from '../refusal.js';
import { isSnowflake } from '../snowflake.js';
import { isMalformedText } from '../text.js';
import type { CommandDefinition, OptionsOf } from './command.js';

type DefinedOption = NonNullable<CommandDefinition['options']>[number];

/**
 * Checks what an interaction carries against the command's own definition, the same JSON Discord
 * was given. Discord enforces this too, but a forged or buggy payload must not reach a handler: every
 * value a handler sees has the type, range and length its definition promises.
 */
export function readOptions<D extends CommandDefinition>(
  definition: D,
  received: readonly CommandInteractionOption[],
): OptionsOf<D> {
  const defined = new Map((definition.options ?? []).map((option) => [option.name, option]));
  const values: Record<string, unknown> = {};
  for (const option of received) {
    const spec = defined.get(option.name);
    if (!spec) throw new Refusal('invalid-option', `This command has no option named “${printable(option.name)}”.`);
    values[option.name] = readValue(spec, option);
  }
  for (const spec of defined.values()) {
    if ('required' in spec && spec.required && values[spec.name] === undefined) {
      throw new Refusal('invalid-option', `The option \`${spec.name}\` is required.`);
    }
    values[spec.name] ??= undefined;
  }
  return values as OptionsOf<D>;
}

function readValue(spec: DefinedOption, option: CommandInteractionOption): unknown {
  const name = `\`${spec.name}\``;
  if (option.type !== spec.type) throw new Refusal('invalid-option', `The option ${name} has the wrong type.`);
  const value = option.value;
  switch (spec.type) {
    case ApplicationCommandOptionType.String: {
      if (typeof value !== 'string') throw new Refusal('invalid-option', `The option ${name} must be text.`);
      if (isMalformedText(value)) {
        throw new Refusal('invalid-option', `The option ${name} contains control characters or broken text.`);
      }
      if (spec.max_length !== undefined && value.length > spec.max_length) {
        throw new Refusal('invalid-option', `The option ${name} is longer than ${spec.max_length} characters.`);
      }
      if (spec.min_length !== undefined && value.length < spec.min_length) {
        throw new Refusal('invalid-option', `The option ${name} is shorter than ${spec.min_length} characters.`);
      }
      return value;
    }
    case ApplicationCommandOptionType.Integer:
    case ApplicationCommandOptionType.Number: {
      const integer = spec.type === ApplicationCommandOptionType.Integer;
      if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
        throw new Refusal('invalid-option', `The option ${name} must be a ${integer ? 'whole ' : ''}number.`);
      }
      const { min_value: min, max_value: max } = spec;
      if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
        throw new Refusal('invalid-option', `The option ${name} must be between ${min ?? '−∞'} and ${max ?? '∞'}.`);
      }
      return value;
    }
    case ApplicationCommandOptionType.Boolean:
      if (typeof value !== 'boolean') throw new Refusal('invalid-option', `The option ${name} must be true or false.`);
      return value;
    case ApplicationCommandOptionType.Channel:
      if (typeof value !== 'string' || !isSnowflake(value)) {
        throw new Refusal('invalid-option', `The option ${name} must be a channel.`);
      }
      return value;
    default:
      // Definitions with other option kinds do not compile (`defineCommand`); a stored one that slips through is refused.
      throw new Refusal('invalid-option', `The option ${name} is not supported.`);
  }
}

/** A name from a payload, shortened and stripped so it cannot bend the reply. */
function printable(text: string): string {
  return text.replace(/[^\w-]/g, '').slice(0, 32);
}
