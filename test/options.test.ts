import { ApplicationCommandOptionType, type CommandInteractionOption } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { GUILD_COMMAND, defineCommand, type CommandDefinition } from '../src/discord/command.js';
import { readOptions } from '../src/discord/options.js';
import { Refusal } from '../src/refusal.js';

/**
 * readOptions against definitions that use every rule it enforces, including some no shipped
 * command uses today (required, min_length): a future command gets them checked too.
 */
const definition = {
  name: 'probe',
  description: 'A command that exercises every option rule',
  ...GUILD_COMMAND,
  options: [
    {
      type: ApplicationCommandOptionType.String,
      name: 'code',
      description: 'required, 4 to 8 characters',
      required: true,
      min_length: 4,
      max_length: 8,
    },
    {
      type: ApplicationCommandOptionType.Integer,
      name: 'count',
      description: 'a whole number from 1 to 5',
      min_value: 1,
      max_value: 5,
    },
    {
      type: ApplicationCommandOptionType.Number,
      name: 'ratio',
      description: 'any number from 0 to 1',
      min_value: 0,
      max_value: 1,
    },
    { type: ApplicationCommandOptionType.Boolean, name: 'flag', description: 'true or false' },
    { type: ApplicationCommandOptionType.Channel, name: 'where', description: 'a channel' },
  ],
} as const;

// The definition must be one defineCommand accepts; its handler is never run here.
defineCommand({ data: definition, execute: () => Promise.resolve() });

const option = (name: string, type: ApplicationCommandOptionType, value: unknown) =>
  ({ name, type, value }) as CommandInteractionOption;
const code = (value: string) => option('code', ApplicationCommandOptionType.String, value);

function refusal(received: CommandInteractionOption[], against: CommandDefinition = definition): Refusal {
  try {
    readOptions(against, received);
  } catch (error) {
    if (error instanceof Refusal) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('readOptions', () => {
  it('returns every defined option, absent ones as undefined, with their types', () => {
    expect(readOptions(definition, [code('abcd'), option('ratio', ApplicationCommandOptionType.Number, 0.5)])).toEqual({
      code: 'abcd',
      count: undefined,
      ratio: 0.5,
      flag: undefined,
      where: undefined,
    });
  });

  it('a required option that is missing is refused, naming it', () => {
    const refused = refusal([option('count', ApplicationCommandOptionType.Integer, 2)]);
    expect(refused.code).toBe('invalid-option');
    expect(refused.message).toBe('The option `code` is required.');
  });

  it('min_length and max_length are both enforced, and the bounds themselves pass', () => {
    expect(refusal([code('abc')]).message).toBe('The option `code` is shorter than 4 characters.');
    expect(refusal([code('abcdefghi')]).message).toBe('The option `code` is longer than 8 characters.');
    expect(readOptions(definition, [code('abcd')]).code).toBe('abcd');
    expect(readOptions(definition, [code('abcdefgh')]).code).toBe('abcdefgh');
  });

  it('integers and numbers keep to their range and kind', () => {
    const count = (value: unknown) => [code('abcd'), option('count', ApplicationCommandOptionType.Integer, value)];
    expect(refusal(count(0)).message).toBe('The option `count` must be between 1 and 5.');
    expect(refusal(count(6)).message).toBe('The option `count` must be between 1 and 5.');
    expect(refusal(count(2.5)).message).toBe('The option `count` must be a whole number.');
    expect(readOptions(definition, count(5)).count).toBe(5);
    const ratio = (value: unknown) => [code('abcd'), option('ratio', ApplicationCommandOptionType.Number, value)];
    expect(readOptions(definition, ratio(0.25)).ratio).toBe(0.25);
    expect(refusal(ratio(Number.NaN)).message).toBe('The option `ratio` must be a number.');
    expect(refusal(ratio(1.01)).message).toBe('The option `ratio` must be between 0 and 1.');
  });

  it('booleans and channels are what they say', () => {
    const flag = option('flag', ApplicationCommandOptionType.Boolean, 'true');
    expect(refusal([code('abcd'), flag]).message).toBe('The option `flag` must be true or false.');
    const where = (value: string) => [code('abcd'), option('where', ApplicationCommandOptionType.Channel, value)];
    expect(readOptions(definition, where('400000000000000001')).where).toBe('400000000000000001');
    expect(refusal(where('../x')).message).toBe('The option `where` must be a channel.');
  });

  it('the lower bounds themselves pass too', () => {
    const received = [
      code('abcd'),
      option('count', ApplicationCommandOptionType.Integer, 1),
      option('ratio', ApplicationCommandOptionType.Number, 0),
    ];
    expect(readOptions(definition, received)).toMatchObject({ count: 1, ratio: 0 });
  });

  it('a channel id sent as a number is refused, though its 19 digits look like one', () => {
    const refused = refusal([code('abcd'), option('where', ApplicationCommandOptionType.Channel, 2 ** 60)]);
    expect(refused.code).toBe('invalid-option');
    expect(refused.message).toBe('The option `where` must be a channel.');
  });

  it('an unknown option is named, shortened to 32 harmless characters', () => {
    const name = `${'a'.repeat(30)}<@everyone>${'b'.repeat(10)}`;
    expect(refusal([option(name, ApplicationCommandOptionType.String, 'x')]).message).toBe(
      `This command has no option named “${'a'.repeat(30)}ev”.`,
    );
  });

  it('every refusal carries the invalid-option code', () => {
    for (const received of [[], [code('a')], [code('abcd'), option('nope', ApplicationCommandOptionType.String, 'x')]]) {
      expect(refusal(received).code).toBe('invalid-option');
    }
  });
});

describe('readOptions, with one-sided ranges and explicit defaults', () => {
  const oneSided = {
    name: 'bounds',
    description: 'Options bounded on one side, and one that says it is optional',
    ...GUILD_COMMAND,
    options: [
      { type: ApplicationCommandOptionType.Integer, name: 'at-least', description: '1 or more', min_value: 1 },
      { type: ApplicationCommandOptionType.Number, name: 'at-most', description: '10 or less', max_value: 10 },
      { type: ApplicationCommandOptionType.Boolean, name: 'optional', description: 'may be left out', required: false },
    ],
  } as const;

  it('says the open side of a range is unbounded', () => {
    const atLeast = option('at-least', ApplicationCommandOptionType.Integer, 0);
    expect(refusal([atLeast], oneSided).message).toBe('The option `at-least` must be between 1 and ∞.');
    const atMost = option('at-most', ApplicationCommandOptionType.Number, 11);
    expect(refusal([atMost], oneSided).message).toBe('The option `at-most` must be between −∞ and 10.');
  });

  it('an option marked required: false may be left out', () => {
    expect(readOptions(oneSided, [])).toEqual({ 'at-least': undefined, 'at-most': undefined, optional: undefined });
  });

  it('an option kind it does not check is refused, should a stored definition carry one', () => {
    const stored = {
      name: 'legacy',
      description: 'A definition from before the option kinds were limited',
      options: [{ type: ApplicationCommandOptionType.User, name: 'who', description: 'someone' }],
    } as unknown as CommandDefinition;
    const refused = refusal([option('who', ApplicationCommandOptionType.User, '200000000000000001')], stored);
    expect(refused.code).toBe('invalid-option');
    expect(refused.message).toBe('The option `who` is not supported.');
  });
});

describe('command definitions', () => {
  it('defineCommand hands back the command it was given, which each command module exports', () => {
    const command = { data: definition, execute: () => Promise.resolve() };
    expect(defineCommand(command)).toBe(command);
  });

  it('an option kind the router does not check does not compile', () => {
    const userOption = { type: ApplicationCommandOptionType.User, name: 'who', description: 'someone' } as const;
    const data = { name: 'unsupported', description: 'has a user option', ...GUILD_COMMAND, options: [userOption] } as const;
    // @ts-expect-error: a user option is not a kind the router checks, so defineCommand refuses the definition.
    defineCommand({ data, execute: () => Promise.resolve() });
  });
});
