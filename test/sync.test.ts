import { ApplicationCommandOptionType, DiscordAPIError, RESTJSONErrorCodes, Routes, type REST } from 'discord.js';
import { describe, expect, it } from 'vitest';
import type { CommandDefinition } from '../src/discord/command.js';
import { describeSync, normalizeCommand, syncCommands, type SyncChange } from '../src/discord/sync.js';

const APP = '100000000000000001';
const GUILD = '300000000000000001';
const NOT_JOINED = '300000000000000002';

const credits: CommandDefinition = {
  name: 'credits',
  description: 'Show credits',
  options: [{ type: ApplicationCommandOptionType.String, name: 'account', description: 'Which account' }],
};
const history: CommandDefinition = { name: 'credits-history', description: 'Show the history' };

/** What Discord stores for a definition: its own fields added, defaults spelled out. */
function stored(definition: CommandDefinition) {
  return {
    id: '500000000000000001',
    application_id: APP,
    version: '500000000000000002',
    type: 1,
    nsfw: false,
    dm_permission: true,
    default_member_permissions: null,
    contexts: null,
    integration_types: [],
    ...definition,
  };
}

function missingAccess(route: string): DiscordAPIError {
  const code = RESTJSONErrorCodes.MissingAccess;
  return new DiscordAPIError({ code, message: 'Missing Access' }, code, 403, 'GET', route, {});
}

/** Discord's command routes: `registered` per route; a route mapped to an error rejects with it. */
function fakeRest(registered: Record<string, unknown[] | Error>) {
  const puts: { route: string; body: unknown }[] = [];
  const rest = {
    get: (route: string) => {
      const answer = registered[route] ?? [];
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
    put: (route: string, options: { body: unknown }) => {
      puts.push({ route, body: options.body });
      return Promise.resolve(options.body);
    },
  } as unknown as REST;
  return { rest, puts };
}

const globalRoute = Routes.applicationCommands(APP);
const guildRoute = (guild: string) => Routes.applicationGuildCommands(APP, guild);

describe('normalizeCommand', () => {
  it("drops Discord's own fields and its defaults (null, false, empty lists), and keeps everything else", () => {
    expect(
      normalizeCommand({
        id: '1',
        name: 'x',
        description: '',
        nsfw: false,
        contexts: null,
        options: [],
        choices: [{ name: 'a', value: 0 }],
        handler: 1,
        required: true,
        gone: undefined,
      }),
    ).toStrictEqual({ choices: [{ name: 'a', value: 0 }], description: '', name: 'x', required: true });
  });

  it('keeps lists as lists, in their order, and leaves values that are not objects as they are', () => {
    expect(normalizeCommand([{ b: 2, a: null }, 'text', 3])).toStrictEqual([{ b: 2 }, 'text', 3]);
    expect(normalizeCommand(null)).toBeNull();
    expect(normalizeCommand('text')).toBe('text');
  });
});

describe('syncCommands', () => {
  it('writes nothing when what Discord stores is what the definitions say', async () => {
    const { rest, puts } = fakeRest({ [globalRoute]: [stored(credits), stored(history)] });
    expect(await syncCommands(rest, APP, [credits, history], [])).toEqual([
      { scope: 'global', added: [], removed: [], changed: [], written: false },
    ]);
    expect(puts).toEqual([]);
  });

  it('names what was added, changed and removed, and writes the definitions in one PUT', async () => {
    const renamedOption: CommandDefinition = {
      ...credits,
      options: [{ type: ApplicationCommandOptionType.String, name: 'email', description: 'Which account' }],
    };
    const { rest, puts } = fakeRest({
      [guildRoute(GUILD)]: [stored(renamedOption), stored({ name: 'old', description: 'Gone' })],
    });
    expect(await syncCommands(rest, APP, [credits, history], [GUILD])).toEqual([
      { scope: GUILD, added: ['credits-history'], removed: ['old'], changed: ['credits'], written: true },
    ]);
    expect(puts).toEqual([{ route: guildRoute(GUILD), body: [credits, history] }]);
  });

  it('sees an option that was dropped, not only one that was renamed', async () => {
    const { rest } = fakeRest({ [globalRoute]: [stored({ name: 'credits', description: 'Show credits' })] });
    const [change] = await syncCommands(rest, APP, [credits], []);
    expect(change?.changed).toEqual(['credits']);
  });

  it('skips a server the bot was not invited to and still syncs the others', async () => {
    const { rest, puts } = fakeRest({ [guildRoute(NOT_JOINED)]: missingAccess(guildRoute(NOT_JOINED)) });
    expect(await syncCommands(rest, APP, [history], [NOT_JOINED, GUILD])).toEqual([
      { scope: NOT_JOINED, added: [], removed: [], changed: [], written: false, notInServer: true },
      { scope: GUILD, added: ['credits-history'], removed: [], changed: [], written: true },
    ]);
    expect(puts.map((put) => put.route)).toEqual([guildRoute(GUILD)]);
  });

  it('fails on Missing Access for the global commands, and on any other error for a server', async () => {
    await expect(syncCommands(fakeRest({ [globalRoute]: missingAccess(globalRoute) }).rest, APP, [history], [])).rejects.toThrow(
      'Missing Access',
    );
    const serverError = new DiscordAPIError({ code: 0, message: 'Internal' }, 0, 500, 'GET', guildRoute(GUILD), {});
    await expect(syncCommands(fakeRest({ [guildRoute(GUILD)]: serverError }).rest, APP, [history], [GUILD])).rejects.toBe(
      serverError,
    );
    // Only Discord's own answer means "not in this server"; the same code from elsewhere is not trusted.
    const lookalike = Object.assign(new Error('lookalike'), { code: RESTJSONErrorCodes.MissingAccess });
    await expect(syncCommands(fakeRest({ [guildRoute(GUILD)]: lookalike }).rest, APP, [history], [GUILD])).rejects.toBe(
      lookalike,
    );
  });
});

describe('describeSync', () => {
  const change = (fields: Partial<SyncChange>): SyncChange => ({
    scope: GUILD,
    added: [],
    removed: [],
    changed: [],
    written: true,
    ...fields,
  });

  it('says what happened in each scope, in one line', () => {
    expect(describeSync(change({ scope: 'global', written: false }))).toBe('global: unchanged');
    expect(describeSync(change({ written: false, notInServer: true }))).toBe(
      `${GUILD}: not synced, the bot is not in this server`,
    );
    expect(describeSync(change({ added: ['credits', 'credits-history'] }))).toBe(`${GUILD}: added credits, credits-history`);
    expect(describeSync(change({ changed: ['credits'] }))).toBe(`${GUILD}: changed credits`);
    expect(describeSync(change({ removed: ['old', 'older'] }))).toBe(`${GUILD}: removed old, older`);
    expect(describeSync(change({ added: ['a'], changed: ['b', 'c'], removed: ['d'] }))).toBe(
      `${GUILD}: added a; changed b, c; removed d`,
    );
  });
});
