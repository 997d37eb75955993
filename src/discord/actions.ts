import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Refusal } from '../refusal.js';

/**
 * Buttons and forms carry what they will do in their custom id, and Discord hands that id back
 * unchanged from whoever presses: a custom id proves nothing unless the bot signed it. Each id the
 * bot issues is signed with a key kept in DATA_DIR (so buttons survive a restart), and names who
 * may use it and until when. A handler still checks the action against the current state when it
 * runs: the signature only proves the bot once offered it.
 */

/** What a button or form will do, as the bot issued it. */
export interface Action {
  /** The command that owns it; the router hands it to that command. */
  command: string;
  /** What it does, e.g. `confirm`. */
  name: string;
  /** Ids or short references; never a secret, never free text (a custom id holds 100 characters). */
  args: readonly string[];
  /** Only this user may use it; undefined: anyone the command's permissions allow. */
  userId: string | undefined;
  /** Unix seconds after which it is refused; undefined: no expiry. */
  expiresAt: number | undefined;
}

export type ActionRequest = Omit<Action, 'expiresAt' | 'userId'> & {
  userId?: string;
  /** From now; absent: no expiry. */
  validForMs?: number;
};

/** Discord's limit on a custom id. */
const MAX_CUSTOM_ID = 100;
/** 96 bits of HMAC-SHA256: far beyond guessing, and short enough to leave room for the action. */
const SIGNATURE_CHARS = 16;
const KEY_FILE = 'action-signing.key';
const KEY_BYTES = 32;
/** Parts of an id: command, name, args…, user, expiry, signature. */
const FIXED_PARTS = 5;
/** What one part may hold: never `:`, which separates them. */
const PART = /^[\w.@+-]*$/;

export class ActionSigner {
  constructor(
    private readonly key: Buffer,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The key in `dataDir`, made on first use. Rejects when DATA_DIR cannot be written. */
  static async fromDataDir(dataDir: string): Promise<ActionSigner> {
    return new ActionSigner(await loadOrCreateKey(join(dataDir, KEY_FILE)));
  }

  /** A custom id for `request`. Throws on an id that cannot fit: that is a bug in the caller. */
  sign(request: ActionRequest): string {
    const expiresAt = request.validForMs === undefined ? undefined : Math.floor((this.now() + request.validForMs) / 1000);
    const parts = [
      request.command,
      request.name,
      ...request.args,
      request.userId ?? '',
      expiresAt === undefined ? '' : expiresAt.toString(36),
    ];
    if (parts.some((part) => !PART.test(part))) {
      throw new Error(`an action part holds characters a custom id cannot carry: ${request.command}:${request.name}`);
    }
    const body = parts.join(':');
    const id = `${body}:${this.signature(body)}`;
    if (id.length > MAX_CUSTOM_ID) throw new Error(`custom id of ${request.command}:${request.name} is ${id.length} characters`);
    return id;
  }

  /** The action a custom id stands for, or a refusal: not issued by this bot, or past its time. */
  verify(customId: string): Action {
    const parts = customId.split(':');
    const signature = parts.pop() ?? '';
    const body = parts.join(':');
    if (parts.length < FIXED_PARTS - 1 || !this.matches(body, signature)) {
      throw new Refusal('forged-action', 'This button or form was not made by this bot. Run the command again.');
    }
    const [command = '', name = '', ...rest] = parts;
    const expiry = rest.pop() ?? '';
    const userId = rest.pop() ?? '';
    const expiresAt = expiry === '' ? undefined : parseInt(expiry, 36);
    if (expiresAt !== undefined && this.now() > expiresAt * 1000) {
      throw new Refusal('expired-action', `This question has expired and nothing was done. Run \`/${command}\` again.`);
    }
    return { command, name, args: rest, userId: userId === '' ? undefined : userId, expiresAt };
  }

  private signature(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url').slice(0, SIGNATURE_CHARS);
  }

  private matches(body: string, signature: string): boolean {
    const expected = Buffer.from(this.signature(body));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/**
 * A short, stable reference to an account for a custom id or a select's value: an email can be 254
 * characters (a custom id holds 100) and is nobody's business in a payload. The handler finds the
 * account it stands for in the current account list, which is also the check that it still exists.
 */
export function accountRef(email: string): string {
  return createHash('sha256').update(email).digest('base64url').slice(0, 16);
}

/** The command a custom id claims to belong to, for routing only: nothing is trusted before `verify`. */
export function claimedCommand(customId: string): string {
  const colon = customId.indexOf(':');
  return colon === -1 ? customId : customId.slice(0, colon);
}

async function loadOrCreateKey(path: string): Promise<Buffer> {
  try {
    const key = Buffer.from((await readFile(path, 'utf8')).trim(), 'hex');
    if (key.length === KEY_BYTES) return key;
    throw new Error(`${path} does not hold a ${KEY_BYTES}-byte key; delete it to make a new one (open buttons stop working)`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(KEY_BYTES);
  await mkdir(join(path, '..'), { recursive: true });
  // Two processes starting at once must agree on one key, and neither may read the other's half-written
  // file: the key is written whole under a name of its own, then linked into place, which fails if a
  // key is already there.
  const draft = `${path}.${randomBytes(6).toString('hex')}`;
  await writeFile(draft, `${key.toString('hex')}\n`, { mode: 0o600 });
  try {
    await link(draft, path);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateKey(path);
    throw error;
  } finally {
    await rm(draft, { force: true });
  }
}
