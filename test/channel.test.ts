import { DiscordAPIError, MessageFlags, PermissionFlagsBits, PermissionsBitField, type Client } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { PostFailure } from '../src/alerts/monitor.js';
import { openPostChannel, type PostChannel } from '../src/discord/channel.js';

const CHANNEL = '400000000000000001';
const POSTING = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.EmbedLinks;

/** A channel as discord.js hands it over, reduced to what the check reads, and what was sent to it. */
function fakeChannel(fields: Record<string, unknown> = {}) {
  const sent: unknown[] = [];
  const channel = {
    isSendable: () => true,
    isDMBased: () => false,
    permissionsFor: () => new PermissionsBitField(POSTING),
    send: (message: unknown) => {
      sent.push(message);
      return Promise.resolve();
    },
    ...fields,
  };
  return { channel, sent };
}

function clientWith(channel: unknown): Client<true> {
  return {
    user: { id: '100000000000000001' },
    channels: { fetch: () => (channel instanceof Error ? Promise.reject(channel) : Promise.resolve(channel)) },
  } as unknown as Client<true>;
}

const open = (channel: unknown) => openPostChannel(clientWith(channel), CHANNEL, 'ALERT_CHANNEL_ID');

function usable(channel: PostChannel) {
  if ('problem' in channel) throw new Error(`expected a usable channel: ${channel.problem}`);
  return channel;
}

const discordError = (status: number) => new DiscordAPIError({ code: 0, message: 'no' }, 0, status, 'POST', '/channels', {});

describe('openPostChannel', () => {
  it('says why a channel cannot be used, naming the setting', async () => {
    expect(await open(new Error('Unknown Channel'))).toEqual({
      problem: `ALERT_CHANNEL_ID ${CHANNEL}: the bot cannot see that channel (wrong id, or not in that server)`,
    });
    expect(await open(fakeChannel({ isSendable: () => false }).channel)).toEqual({
      problem: `ALERT_CHANNEL_ID ${CHANNEL}: not a channel messages can be posted in`,
    });
    const missing = `ALERT_CHANNEL_ID ${CHANNEL}: the bot needs View Channel, Send Messages and Embed Links there`;
    const noEmbeds = POSTING & ~PermissionFlagsBits.EmbedLinks;
    expect(await open(fakeChannel({ permissionsFor: () => new PermissionsBitField(noEmbeds) }).channel)).toEqual({
      problem: missing,
    });
    // discord.js answers null when it cannot work the permissions out (the bot's member is not cached).
    expect(await open(fakeChannel({ permissionsFor: () => null }).channel)).toEqual({ problem: missing });
  });

  it('posts in a direct-message channel without asking for server permissions', async () => {
    const { channel, sent } = fakeChannel({ isDMBased: () => true, permissionsFor: undefined });
    await usable(await open(channel)).send({ content: 'hello' });
    expect(sent).toEqual([{ content: 'hello', allowedMentions: { parse: [] } }]);
  });

  it('lets a post ping only its role, and a silent one go without a notification', async () => {
    const { channel, sent } = fakeChannel();
    const posts = usable(await open(channel));
    await posts.send({ content: 'low', pingRole: '600000000000000001' });
    await posts.send({ content: 'digest', silent: true });
    expect(sent).toEqual([
      { content: 'low', allowedMentions: { parse: [], roles: ['600000000000000001'] } },
      { content: 'digest', flags: MessageFlags.SuppressNotifications, allowedMentions: { parse: [] } },
    ]);
  });

  it("tells a refusal that will not change (Discord's 4xx) from one worth retrying", async () => {
    const failureOf = async (error: Error) => {
      const posts = usable(await open(fakeChannel({ send: () => Promise.reject(error) }).channel));
      const failure = await posts.send({ content: 'x' }).catch((caught: unknown) => caught);
      expect(failure).toBeInstanceOf(PostFailure);
      expect((failure as PostFailure).cause).toBe(error);
      return (failure as PostFailure).permanent;
    };
    expect(await failureOf(discordError(400))).toBe(true);
    expect(await failureOf(discordError(403))).toBe(true);
    expect(await failureOf(discordError(499))).toBe(true);
    expect(await failureOf(discordError(429))).toBe(false);
    expect(await failureOf(discordError(500))).toBe(false);
    expect(await failureOf(discordError(503))).toBe(false);
    // Only Discord's own answer counts: a socket error is not a refusal, whatever it carries.
    expect(await failureOf(Object.assign(new Error('socket hang up'), { status: 403 }))).toBe(false);
  });
});
