import type { Collection } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { createDiscordClient, inviteUrl } from '../src/discord/client.js';

const BOT = '100000000000000001';
const USER = '200000000000000001';

/** A user or member as the caches see it: its id, and the client it belongs to. */
const entity = (id: string) => ({ id, client: { user: { id: BOT } } });

describe('createDiscordClient', () => {
  const client = createDiscordClient('http://127.0.0.1:9/api');

  /** The cache discord.js would make for `manager`, with the bot's settings. */
  const cacheOf = (manager: string) =>
    client.options.makeCache!({ name: manager } as never, undefined as never, { name: manager } as never) as Collection<
      string,
      unknown
    >;

  it('keeps no user or member in its caches but the bot itself, however many interactions pass', () => {
    for (const manager of ['UserManager', 'GuildMemberManager']) {
      const cache = cacheOf(manager);
      cache.set(USER, entity(USER));
      cache.set(BOT, entity(BOT));
      expect([...cache.keys()]).toEqual([BOT]);
    }
    client.users.cache.set(USER, entity(USER) as never);
    expect(client.users.cache.size).toBe(0);
  });

  it('keeps no messages', () => {
    const messages = cacheOf('MessageManager');
    messages.set('700000000000000001', { id: '700000000000000001' });
    expect(messages.size).toBe(0);
  });

  it('asks only for the Guilds intent and lets no message ping anyone by default', () => {
    expect(client.options.intents.toArray()).toEqual(['Guilds']);
    expect(client.options.allowedMentions).toEqual({ parse: [] });
  });
});

describe('inviteUrl', () => {
  it('asks for the bot and its commands, and no permissions', () => {
    expect(inviteUrl(BOT)).toBe(
      `https://discord.com/oauth2/authorize?client_id=${BOT}&scope=bot+applications.commands&permissions=0`,
    );
  });
});
