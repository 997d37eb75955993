import {
  ChannelType,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildVerificationLevel,
  Locale,
  PermissionFlagsBits,
  type APIChannel,
  type ChannelFlags,
  type GuildMemberFlags,
  type GuildSystemChannelFlags,
  type RoleFlags,
  type UserFlags,
  type APIGuildMember,
  type APIUser,
  type GatewayGuildCreateDispatchData,
  type ThreadChannelType,
} from 'discord-api-types/v10';

// discord-api-types models bit flags as enums without a zero member.
export const NO_FLAGS = 0;

export const DEFAULT_OWNER_ID = '200000000000000000';

export interface EmulatedChannel {
  id: string;
  name: string;
  /** A Discord channel type: 0 text, 2 voice, 4 category, 5 announcement, 11 public thread, 12 private thread… */
  type: number;
  parent_id?: string;
  /** Permission bits (decimal) an overwrite on @everyone denies here, e.g. to take Embed Links from the bot. */
  deny?: string;
}

export interface EmulatedGuild {
  id: string;
  name: string;
  channels: EmulatedChannel[];
  ownerId?: string;
}

const THREAD_TYPES: readonly number[] = [ChannelType.AnnouncementThread, ChannelType.PublicThread, ChannelType.PrivateThread];

export function isThread(channel: EmulatedChannel): boolean {
  return THREAD_TYPES.includes(channel.type);
}

/** What an ordinary member may do; Manage Server and Administrator are deliberately absent. */
export const MEMBER_PERMISSIONS = (
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.AddReactions |
  PermissionFlagsBits.UseApplicationCommands
).toString();

export const BOT_PERMISSIONS = (BigInt(MEMBER_PERMISSIONS) | PermissionFlagsBits.MentionEveryone).toString();

export function botUser(id: string, name: string): APIUser {
  return {
    id,
    username: name,
    discriminator: '0000',
    global_name: null,
    avatar: null,
    bot: true,
    flags: NO_FLAGS as UserFlags,
    public_flags: NO_FLAGS as UserFlags,
  };
}

/** A human user as Discord shows one to others. */
export function plainUser(id: string): APIUser {
  return { id, username: `user-${id}`, discriminator: '0', global_name: `User ${id}`, avatar: null };
}

/** The channel object Discord serves for `GET /channels/{id}` and inside GUILD_CREATE. */
export function channelObject(guild: EmulatedGuild, channel: EmulatedChannel): APIChannel {
  const ownerId = guild.ownerId ?? DEFAULT_OWNER_ID;
  const position = guild.channels.indexOf(channel);
  if (isThread(channel)) {
    return {
      id: channel.id,
      type: channel.type as ThreadChannelType,
      guild_id: guild.id,
      name: channel.name,
      ...(channel.parent_id === undefined ? {} : { parent_id: channel.parent_id }),
      owner_id: ownerId,
      last_message_id: null,
      rate_limit_per_user: 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      flags: NO_FLAGS as ChannelFlags,
      applied_tags: [],
      thread_metadata: {
        archived: false,
        auto_archive_duration: 1440,
        archive_timestamp: new Date(0).toISOString(),
        locked: false,
      },
    };
  }
  // Emulated channels carry any guild channel type; text-like fields are harmless on the others.
  return {
    id: channel.id,
    type: channel.type,
    guild_id: guild.id,
    name: channel.name,
    position: position < 0 ? 0 : position,
    parent_id: channel.parent_id ?? null,
    permission_overwrites: channel.deny === undefined ? [] : [{ id: guild.id, type: 0, allow: '0', deny: channel.deny }],
    nsfw: false,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: NO_FLAGS as ChannelFlags,
  };
}

/** A plain member with no roles: the bot in GUILD_CREATE, the invoker in an interaction. */
export function guildMember(user: APIUser, joinedAt: string): APIGuildMember {
  return {
    user,
    roles: [],
    joined_at: joinedAt,
    deaf: false,
    mute: false,
    flags: NO_FLAGS as GuildMemberFlags,
    nick: null,
    avatar: null,
    premium_since: null,
    pending: false,
    communication_disabled_until: null,
  };
}

export function guildCreatePayload(guild: EmulatedGuild, bot: APIUser): GatewayGuildCreateDispatchData {
  const ownerId = guild.ownerId ?? DEFAULT_OWNER_ID;
  const now = new Date().toISOString();
  const member = guildMember(bot, now);
  return {
    id: guild.id,
    name: guild.name,
    unavailable: false,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: GuildVerificationLevel.None,
    default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
    explicit_content_filter: GuildExplicitContentFilter.Disabled,
    roles: [
      {
        id: guild.id,
        name: '@everyone',
        color: 0,
        colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
        hoist: false,
        position: 0,
        permissions: MEMBER_PERMISSIONS,
        managed: false,
        mentionable: false,
        flags: NO_FLAGS as RoleFlags,
      },
    ],
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: GuildMFALevel.None,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: NO_FLAGS as GuildSystemChannelFlags,
    rules_channel_id: null,
    vanity_url_code: null,
    premium_tier: GuildPremiumTier.None,
    premium_subscription_count: 0,
    preferred_locale: Locale.EnglishUS,
    public_updates_channel_id: null,
    nsfw_level: GuildNSFWLevel.Default,
    premium_progress_bar_enabled: false,
    hub_type: null,
    safety_alerts_channel_id: null,
    incidents_data: null,
    joined_at: now,
    large: false,
    member_count: 2,
    voice_states: [],
    members: [member],
    channels: guild.channels
      .filter((channel) => !isThread(channel))
      .map((channel) => channelObject(guild, channel)) as GatewayGuildCreateDispatchData['channels'],
    threads: guild.channels
      .filter(isThread)
      .map((channel) => channelObject(guild, channel)) as GatewayGuildCreateDispatchData['threads'],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
