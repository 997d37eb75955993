import type { APIApplicationCommand } from 'discord-api-types/v10';
import { isRecord } from './validation.js';
import { snowflake } from './snowflake.js';

/**
 * Turns a validated command body into what Discord stores and serves back: ids, `application_id`,
 * `version`, permissions as a string, defaults filled in, and empty option fields dropped.
 */
export function normaliseCommand(
  input: Record<string, unknown>,
  applicationId: string,
  previous: APIApplicationCommand | undefined,
  guildId: string | undefined,
): APIApplicationCommand {
  const permissions = input.default_member_permissions;
  const command: Record<string, unknown> = {
    id: previous?.id ?? snowflake(),
    application_id: applicationId,
    version: previous?.version ?? snowflake(),
    default_member_permissions: typeof permissions === 'string' || typeof permissions === 'number' ? String(permissions) : null,
    type: typeof input.type === 'number' ? input.type : 1,
    name: input.name,
    description: typeof input.description === 'string' ? input.description : '',
    nsfw: input.nsfw === true,
    contexts: Array.isArray(input.contexts) ? input.contexts : null,
    integration_types: Array.isArray(input.integration_types) ? input.integration_types : [0],
  };
  if (guildId !== undefined) command.guild_id = guildId;
  else command.dm_permission = input.dm_permission !== false;
  copyLocalisations(input, command);
  const options = normaliseOptions(input.options);
  if (options.length > 0) command.options = options;
  const normalised = command as unknown as APIApplicationCommand;
  // Discord bumps the version only when the definition really changed.
  if (previous && !sameDefinition(previous, normalised)) normalised.version = snowflake();
  return normalised;
}

function normaliseOptions(options: unknown): Record<string, unknown>[] {
  if (!Array.isArray(options)) return [];
  return options.filter(isRecord).map((option) => {
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(option)) {
      if (value === null || value === undefined) continue;
      // Discord leaves out the flags that are off, which trips naive comparisons with local definitions.
      if ((key === 'required' || key === 'autocomplete') && value === false) continue;
      if (key === 'options') {
        const nested = normaliseOptions(value);
        if (nested.length > 0) result.options = nested;
        continue;
      }
      result[key] = value;
    }
    return result;
  });
}

function copyLocalisations(input: Record<string, unknown>, command: Record<string, unknown>): void {
  for (const key of ['name_localizations', 'description_localizations']) {
    if (isRecord(input[key])) command[key] = input[key];
  }
}

function sameDefinition(a: APIApplicationCommand, b: APIApplicationCommand): boolean {
  const strip = ({ version: _version, ...rest }: APIApplicationCommand): string => JSON.stringify(rest);
  return strip(a) === strip(b);
}
