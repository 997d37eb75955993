import { DiscordAPIError, RESTJSONErrorCodes, Routes, type REST } from 'discord.js';
import type { CommandDefinition } from './command.js';

/** Fields Discord adds to a stored command that a definition never carries. */
const SERVER_FIELDS = new Set(['id', 'application_id', 'version', 'guild_id', 'dm_permission', 'handler']);

/**
 * JSON reduced to what it means: Discord's additions and defaults (`null`, `false`, empty lists)
 * removed, so a stored command equals the definition it came from.
 */
export function normalizeCommand(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeCommand);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const field = (value as Record<string, unknown>)[key];
    if (SERVER_FIELDS.has(key) || field === undefined || field === null || field === false) continue;
    if (Array.isArray(field) && field.length === 0) continue;
    out[key] = normalizeCommand(field);
  }
  return out;
}

export interface SyncChange {
  /** "global" or the guild id. */
  scope: string;
  added: string[];
  removed: string[];
  changed: string[];
  /** Whether a bulk PUT was sent. */
  written: boolean;
  /** A server of DISCORD_GUILD_ID the bot is not in (Discord answers Missing Access): nothing was synced there. */
  notInServer?: boolean;
}

function diff(scope: string, current: readonly unknown[], wanted: readonly CommandDefinition[]): SyncChange {
  const byName = (list: readonly unknown[]) =>
    new Map(
      list.map((command) => [
        String((command as { name: unknown }).name),
        // A command without a type is a chat-input command (type 1); Discord stores the 1.
        JSON.stringify(normalizeCommand({ type: 1, ...(command as object) })),
      ]),
    );
  const have = byName(current);
  const want = byName(wanted);
  const added = [...want.keys()].filter((name) => !have.has(name));
  const removed = [...have.keys()].filter((name) => !want.has(name));
  const changed = [...want.keys()].filter((name) => have.has(name) && have.get(name) !== want.get(name));
  return { scope, added, removed, changed, written: added.length + removed.length + changed.length > 0 };
}

/**
 * Brings the registered commands in line with the definitions: one read per scope, and a bulk PUT
 * only where they differ, so restarts do not spend Discord's command-update rate limit.
 */
export async function syncCommands(
  rest: REST,
  applicationId: string,
  definitions: readonly CommandDefinition[],
  guildIds: readonly string[],
): Promise<SyncChange[]> {
  const scopes = guildIds.length > 0 ? guildIds : [undefined];
  const changes: SyncChange[] = [];
  for (const guildId of scopes) {
    const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
    let current: unknown[];
    try {
      current = (await rest.get(route)) as unknown[];
    } catch (error) {
      // Not invited there yet: the other servers are still served, and the bot says which one to invite it to.
      if (!(guildId && error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.MissingAccess)) throw error;
      changes.push({ scope: guildId, added: [], removed: [], changed: [], written: false, notInServer: true });
      continue;
    }
    const change = diff(guildId ?? 'global', current, definitions);
    if (change.written) await rest.put(route, { body: definitions });
    changes.push(change);
  }
  return changes;
}

/** "global: unchanged" / "123…: added credits; changed pixverse-register". */
export function describeSync(change: SyncChange): string {
  if (change.notInServer) return `${change.scope}: not synced, the bot is not in this server`;
  if (!change.written) return `${change.scope}: unchanged`;
  const parts = [
    change.added.length ? `added ${change.added.join(', ')}` : '',
    change.changed.length ? `changed ${change.changed.join(', ')}` : '',
    change.removed.length ? `removed ${change.removed.join(', ')}` : '',
  ].filter(Boolean);
  return `${change.scope}: ${parts.join('; ')}`;
}
