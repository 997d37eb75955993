import { DiscordAPIError, Routes, type REST } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { StartupRefusal, explainStartupFailure, refusePublicWithoutAllowlist } from '../src/discord/startup.js';

const API = 'http://discord.test/api';
const TOKEN_REJECTED =
  'Discord rejected DISCORD_TOKEN. Copy a fresh token from the Discord Developer Portal → your application → Bot → ' +
  'Reset Token into .env and start again.';
const unreachable = (code: string) =>
  `Could not reach Discord at ${API} (${code}). Check the host's network connection and DNS, and DISCORD_API_URL if you set it.`;

function apiError(status: number, code: number): DiscordAPIError {
  return new DiscordAPIError({ code, message: 'refused' }, code, status, 'GET', `${API}/v10/users/@me`, {});
}

/** A REST client that answers GET /applications/@me with `bot_public`, and records what was asked. */
function restWith(botPublic: boolean) {
  const asked: string[] = [];
  const rest = {
    get: (route: string) => {
      asked.push(route);
      return Promise.resolve({ id: '100000000000000001', bot_public: botPublic });
    },
  } as unknown as REST;
  return { rest, asked };
}

describe('refusePublicWithoutAllowlist', () => {
  it('refuses a public application without DISCORD_GUILD_ID, saying both ways out', async () => {
    const { rest } = restWith(true);
    const refused = await refusePublicWithoutAllowlist(rest, []).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StartupRefusal);
    expect((refused as Error).name).toBe('StartupRefusal');
    expect((refused as Error).message).toBe(
      'The Discord application is public and DISCORD_GUILD_ID is not set, so anyone could invite the bot and spend your ' +
        'useapi.net subscription and PixVerse tokens. Either set DISCORD_GUILD_ID to your server id(s) (the bot then ' +
        'serves only those), or turn off "Public Bot" in the Discord Developer Portal (your application → Bot), then ' +
        'start again.',
    );
  });

  it('starts a private application without an allowlist', async () => {
    const { rest, asked } = restWith(false);
    await expect(refusePublicWithoutAllowlist(rest, [])).resolves.toBeUndefined();
    expect(asked).toEqual([Routes.currentApplication()]);
  });

  it('does not even ask Discord when DISCORD_GUILD_ID limits the servers', async () => {
    const { rest, asked } = restWith(true);
    await expect(refusePublicWithoutAllowlist(rest, ['300000000000000001'])).resolves.toBeUndefined();
    expect(asked).toEqual([]);
  });
});

describe('explainStartupFailure', () => {
  it('prints a refusal as it is', () => {
    expect(explainStartupFailure(new StartupRefusal('set X and start again'), API)).toBe('set X and start again');
  });

  it('names the token when discord.js or Discord rejects it', () => {
    expect(explainStartupFailure(Object.assign(new Error('An invalid token was provided.'), { code: 'TokenInvalid' }), API)).toBe(
      TOKEN_REJECTED,
    );
    expect(explainStartupFailure(apiError(401, 0), API)).toBe(TOKEN_REJECTED);
  });

  it('leaves other Discord errors unexplained, whatever their status', () => {
    expect(explainStartupFailure(apiError(403, 50001), API)).toBeUndefined();
    expect(explainStartupFailure(apiError(500, 0), API)).toBeUndefined();
    // A 401 from something that is not Discord's API (a plain object) is not the token.
    expect(explainStartupFailure({ status: 401 }, API)).toBeUndefined();
  });

  it('names the network error, found where undici nests it', () => {
    const econnrefused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(explainStartupFailure(econnrefused, API)).toBe(unreachable('ECONNREFUSED'));
    const fetchFailed = new TypeError('fetch failed', {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }),
    });
    expect(explainStartupFailure(fetchFailed, API)).toBe(unreachable('ENOTFOUND'));
  });

  it('looks four levels down and no further', () => {
    const nested = (levels: number) => {
      let error: unknown = Object.assign(new Error('socket'), { code: 'ETIMEDOUT' });
      for (let i = 1; i < levels; i += 1) error = new Error(`wrapper ${i}`, { cause: error });
      return error;
    };
    expect(explainStartupFailure(nested(4), API)).toBe(unreachable('ETIMEDOUT'));
    expect(explainStartupFailure(nested(5), API)).toBeUndefined();
  });

  it('stops at a cause that is not an object, and ignores codes that are not network ones', () => {
    expect(explainStartupFailure(new Error('odd', { cause: 'ECONNRESET' }), API)).toBeUndefined();
    expect(explainStartupFailure(new Error('odd', { cause: null }), API)).toBeUndefined();
    expect(explainStartupFailure(Object.assign(new Error('disk'), { code: 'EACCES' }), API)).toBeUndefined();
    expect(explainStartupFailure(Object.assign(new Error('numeric'), { code: 111 }), API)).toBeUndefined();
    expect(explainStartupFailure(new Error('plain'), API)).toBeUndefined();
  });
});
