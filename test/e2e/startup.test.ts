import { GatewayIntentBits } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startBot } from '../../src/bot.js';
import { commands } from '../../commands/index.js';
import { createLogger } from '../../src/logger.js';
import { StartupRefusal } from '../../src/discord/startup.js';
import { FOREIGN_CHANNEL, GUILD_ID, OTHER_GUILD_ID, startStack, visibleText, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const commandPuts = (s: Stack) => s.discord.requests.filter((r) => r.method === 'PUT' && r.path.includes('/commands'));

describe('start-up', () => {
  it('identifies with the Guilds intent only', async () => {
    stack = await startStack();
    const identify = stack.discord.identifies[0] as { intents: number };
    expect(identify.intents).toBe(GatewayIntentBits.Guilds);
  });

  it('syncs the commands to the allowlisted guild, not globally, and logs one ready line with the invite link', async () => {
    stack = await startStack();
    expect(
      stack.discord
        .commands(GUILD_ID)
        .map((c) => c.name)
        .sort(),
    ).toEqual(commands.map((c) => c.data.name).sort());
    expect(stack.discord.commands()).toEqual([]);
    expect(commandPuts(stack)).toHaveLength(1);
    expect(stack.discord.validationErrors).toEqual([]);

    const register = stack.discord.registeredCommand('pixverse-register', GUILD_ID);
    expect(register?.default_member_permissions).toBe('32');
    expect(register?.contexts).toEqual([0]);

    const ready = stack.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'ready');
    expect(ready).toHaveLength(1);
    expect(ready[0]?.guilds).toContainEqual({ id: GUILD_ID, name: 'Studio' });
    expect(ready[0]?.invite).toContain('scope=bot+applications.commands');
  });

  it('does not write the commands again when nothing changed', async () => {
    stack = await startStack();
    const logs: string[] = [];
    const logger = createLogger({ level: 'info', secrets: [], destination: { write: (line: string) => void logs.push(line) } });
    await stack.bot.stop(100);
    const again = await startBot({ config: stack.config, logger, commands });
    stack.bot = again;
    expect(again.sync).toEqual([{ scope: GUILD_ID, added: [], removed: [], changed: [], written: false }]);
    expect(commandPuts(stack)).toHaveLength(1);
  });

  it('rewrites the commands when one registered differs, and says what changed', async () => {
    stack = await startStack();
    stack.discord.setCommands(
      [
        ...commands.map((c) => c.data).filter((d) => d.name !== 'credits'),
        { name: 'credits', description: 'an older description', type: 1 },
        { name: 'retired', description: 'a command the bot no longer has', type: 1 },
      ],
      GUILD_ID,
    );
    await stack.bot.stop(100);
    const logger = createLogger({ level: 'silent', secrets: [] });
    stack.bot = await startBot({ config: stack.config, logger, commands });
    expect(stack.bot.sync).toEqual([{ scope: GUILD_ID, added: [], removed: ['retired'], changed: ['credits'], written: true }]);
    expect(
      stack.discord
        .commands(GUILD_ID)
        .map((c) => c.name)
        .sort(),
    ).toEqual(commands.map((c) => c.data.name).sort());
  });

  it('registers global commands when no guild is configured, and serves any guild', async () => {
    stack = await startStack({ allowlist: false, botPublic: false });
    expect(
      stack.discord
        .commands()
        .map((c) => c.name)
        .sort(),
    ).toEqual(commands.map((c) => c.data.name).sort());
  });

  it('refuses to start a public application that would serve every server, saying both ways out', async () => {
    const error = (await startStack({ allowlist: false, botPublic: true }).catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(StartupRefusal);
    expect(error.message).toContain('DISCORD_GUILD_ID');
    expect(error.message).toContain('Public Bot');
  });

  it('a public application with DISCORD_GUILD_ID starts, and serves only those servers', async () => {
    stack = await startStack({ botPublic: true });
    const foreign = await stack.command('credits', [], { guildId: OTHER_GUILD_ID, channel: FOREIGN_CHANNEL }).finalMessage();
    expect(visibleText(foreign)).toContain('not set up to serve this server');
    expect(stack.useapi.requests).toEqual([]);
  });

  it('a server of DISCORD_GUILD_ID the bot is not in yet: named with the invite link, the others still served', async () => {
    const absent = '300000000000000777';
    stack = await startStack({ env: { DISCORD_GUILD_ID: `${GUILD_ID},${absent}` } });
    expect(stack.bot.sync.find((change) => change.scope === absent)).toMatchObject({ notInServer: true, written: false });
    const warning = stack.logs
      .map((line) => JSON.parse(line) as { level: number; msg: string; guilds?: string[]; invite?: string })
      .find((line) => line.level === 40 && line.msg.includes('not in server'));
    expect(warning?.msg).toContain(absent);
    expect(warning?.invite).toContain('client_id=');
    expect(visibleText(await stack.command('credits').finalMessage())).toContain('credits left to spend');
  });

  it('checks USEAPI_TOKEN once at start-up and logs that it was accepted', async () => {
    stack = await startStack();
    const lines = stack.logs.map((line) => JSON.parse(line) as { level: number; msg: string; accounts?: number });
    expect(lines.find((line) => line.msg === 'useapi.net accepted the API token')?.accounts).toBe(1);
  });

  it('warns clearly, without stopping, when useapi.net rejects USEAPI_TOKEN at start-up', async () => {
    stack = await startStack({
      beforeStart: (useapi) =>
        useapi.addFault({
          path: '/v2/pixverse/accounts',
          fault: { kind: 'status', status: 401, body: '{"error":"Unauthorized","code":401}' },
          times: 1,
        }),
    });
    const warning = stack.logs
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .find((line) => line.msg.includes('rejected the bot’s API token'));
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toContain('check `USEAPI_TOKEN` (useapi.net → your account → API token');
    expect(visibleText(await stack.command('credits').finalMessage())).toContain('credits left to spend');
  });

  it('rejects start-up with TokenInvalid when Discord refuses the token', async () => {
    stack = await startStack();
    await stack.bot.stop(100);
    stack.discord.rejectToken();
    const logger = createLogger({ level: 'silent', secrets: [] });
    await expect(startBot({ config: stack.config, logger, commands })).rejects.toMatchObject({ code: 'TokenInvalid' });
    stack.bot = { ...stack.bot, stop: () => Promise.resolve() };
  });
});
