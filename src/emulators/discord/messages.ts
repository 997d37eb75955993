import type {
  APIAttachment,
  APIEmbed,
  APIMessage,
  APIMessageInteractionMetadata,
  APIMessageTopLevelComponent,
  APIUser,
  MessageType,
} from 'discord-api-types/v10';
import type { UploadedFile } from './http.js';
import { isRecord } from './validation.js';
import { snowflake } from './snowflake.js';

const EPHEMERAL = 1 << 6;
const LOADING = 1 << 7;
// Only these flags can be set by the sender; Discord ignores the rest.
const SETTABLE_FLAGS = (1 << 2) | EPHEMERAL | (1 << 12) | (1 << 15);

export const MessageFlag = { Ephemeral: EPHEMERAL, Loading: LOADING } as const;

export interface MessageInit {
  channelId: string;
  author: APIUser;
  type: MessageType;
  /** A validated create-message body. */
  body: Record<string, unknown>;
  files: UploadedFile[];
  /** Flags that the route decides, e.g. the ephemeral bit of a deferred reply. */
  forcedFlags?: number;
  applicationId?: string;
  interactionMetadata?: APIMessageInteractionMetadata;
}

export function createMessage(init: MessageInit): APIMessage {
  const { body } = init;
  const content = typeof body.content === 'string' ? body.content : '';
  const message: APIMessage = {
    id: snowflake(),
    channel_id: init.channelId,
    author: init.author,
    content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: body.tts === true,
    pinned: false,
    type: init.type,
    flags: ((typeof body.flags === 'number' ? body.flags : 0) & SETTABLE_FLAGS) | (init.forcedFlags ?? 0),
    embeds: normaliseEmbeds(body.embeds),
    components: Array.isArray(body.components) ? (body.components as APIMessageTopLevelComponent[]) : [],
    attachments: resolveAttachments(body.attachments, init.files, []),
    ...resolveMentions(content, body.allowed_mentions),
  };
  message.embeds = linkAttachments(message.embeds, message.attachments);
  if (init.applicationId !== undefined) {
    message.application_id = init.applicationId;
    message.webhook_id = init.applicationId;
  }
  if (init.interactionMetadata) message.interaction_metadata = init.interactionMetadata;
  return message;
}

/** Applies a validated edit body the way Discord does: only the fields present change. */
export function editMessage(message: APIMessage, body: Record<string, unknown>, files: UploadedFile[]): APIMessage {
  const wasLoading = ((message.flags ?? 0) & LOADING) !== 0;
  const next: APIMessage = { ...message };
  if ('content' in body) next.content = typeof body.content === 'string' ? body.content : '';
  if ('embeds' in body) next.embeds = normaliseEmbeds(body.embeds);
  if ('components' in body) {
    next.components = Array.isArray(body.components) ? (body.components as APIMessageTopLevelComponent[]) : [];
  }
  if ('attachments' in body || files.length > 0) {
    next.attachments = resolveAttachments(body.attachments, files, message.attachments);
  }
  next.embeds = linkAttachments(next.embeds, next.attachments);
  let flags = (message.flags ?? 0) & ~LOADING;
  if (typeof body.flags === 'number') flags = (flags & EPHEMERAL) | (body.flags & SETTABLE_FLAGS & ~EPHEMERAL);
  next.flags = flags;
  Object.assign(next, resolveMentions(next.content, body.allowed_mentions));
  // Completing a deferred reply is its first real content, not an edit, so Discord keeps it unedited.
  next.edited_timestamp = wasLoading ? null : new Date().toISOString();
  return next;
}

export function isLoading(message: APIMessage): boolean {
  return ((message.flags ?? 0) & LOADING) !== 0;
}

export function hasVisibleContent(message: APIMessage): boolean {
  return message.content.length > 0 || message.embeds.length > 0 || (message.components?.length ?? 0) > 0;
}

function normaliseEmbeds(embeds: unknown): APIEmbed[] {
  if (!Array.isArray(embeds)) return [];
  return (embeds as APIEmbed[]).map((embed) => ({ type: 'rich' as APIEmbed['type'], ...embed }));
}

/** Discord shows an embed image named `attachment://<file>` from that attachment, and hands back its URL. */
function linkAttachments(embeds: APIEmbed[], attachments: APIAttachment[]): APIEmbed[] {
  const linked = (url: string | undefined): string | undefined => {
    const name = url?.startsWith('attachment://') ? url.slice('attachment://'.length) : undefined;
    return attachments.find((attachment) => attachment.filename === name)?.url ?? url;
  };
  return embeds.map((embed) =>
    embed.image ? { ...embed, image: { ...embed.image, url: linked(embed.image.url) ?? embed.image.url } } : embed,
  );
}

function resolveAttachments(requested: unknown, files: UploadedFile[], existing: APIAttachment[]): APIAttachment[] {
  const fromFile = (file: UploadedFile, description?: unknown): APIAttachment => {
    const id = snowflake();
    const url = `https://cdn.discordapp.com/attachments/emulated/${id}/${encodeURIComponent(file.filename)}`;
    const attachment: APIAttachment = { id, filename: file.filename, size: file.size, url, proxy_url: url };
    if (file.contentType !== undefined) attachment.content_type = file.contentType;
    if (typeof description === 'string') attachment.description = description;
    return attachment;
  };
  if (!Array.isArray(requested)) return [...existing, ...files.map((file) => fromFile(file))];
  return requested.flatMap((entry: unknown): APIAttachment[] => {
    if (!isRecord(entry)) return [];
    const id = typeof entry.id === 'string' || typeof entry.id === 'number' ? String(entry.id) : '';
    const kept = existing.find((attachment) => attachment.id === id);
    if (kept) return [kept];
    const file = files.find((candidate) => candidate.field === `files[${id}]`);
    return file ? [fromFile(file, entry.description)] : [];
  });
}

interface Mentions {
  mentions: APIUser[];
  mention_roles: string[];
  mention_everyone: boolean;
}

/** Which mentions would actually ping, given `allowed_mentions` (absent means every kind). */
function resolveMentions(content: string, allowedMentions: unknown): Mentions {
  const allowed = isRecord(allowedMentions) ? allowedMentions : { parse: ['users', 'roles', 'everyone'] };
  const parse = Array.isArray(allowed.parse) ? allowed.parse : [];
  const listed = (key: string): unknown[] => (Array.isArray(allowed[key]) ? (allowed[key] as unknown[]) : []);
  const userIds = [...content.matchAll(/<@!?(\d+)>/g)].map((match) => match[1] ?? '');
  const roleIds = [...content.matchAll(/<@&(\d+)>/g)].map((match) => match[1] ?? '');
  const unique = (ids: string[]): string[] => [...new Set(ids)];
  return {
    mentions: unique(userIds)
      .filter((id) => parse.includes('users') || listed('users').includes(id))
      .map((id) => ({ id, username: `user-${id}`, discriminator: '0', global_name: null, avatar: null })),
    mention_roles: unique(roleIds).filter((id) => parse.includes('roles') || listed('roles').includes(id)),
    mention_everyone: /@(everyone|here)\b/.test(content) && parse.includes('everyone'),
  };
}
