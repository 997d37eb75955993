import { mkdtemp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActionSigner, claimedCommand } from '../src/discord/actions.js';
import { Refusal } from '../src/refusal.js';

const KEY = Buffer.alloc(32, 7);
const OTHER_KEY = Buffer.alloc(32, 8);
const NOW = 1_700_000_000_000;
const USER = '200000000000000001';

/** A signer whose clock the test moves. */
function signerAt(start: number, key = KEY) {
  const clock = { now: start };
  return { signer: new ActionSigner(key, () => clock.now), clock };
}

function refusal(run: () => unknown): Refusal {
  try {
    run();
  } catch (error) {
    if (error instanceof Refusal) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const FORGED = 'This button or form was not made by this bot. Run the command again.';

describe('ActionSigner', () => {
  it('gives back what it signed: command, name, args, user and expiry', () => {
    const { signer } = signerAt(NOW);
    const id = signer.sign({
      command: 'pixverse-accounts',
      name: 'remove',
      args: ['abc-DEF_1', 'x.y@z+w'],
      userId: USER,
      validForMs: 60_000,
    });
    expect(signer.verify(id)).toEqual({
      command: 'pixverse-accounts',
      name: 'remove',
      args: ['abc-DEF_1', 'x.y@z+w'],
      userId: USER,
      expiresAt: (NOW + 60_000) / 1000,
    });
  });

  it('an action for anyone, without expiry, stays valid however late it is used', () => {
    const { signer, clock } = signerAt(NOW);
    const id = signer.sign({ command: 'credits', name: 'refresh', args: [] });
    clock.now = NOW + 365 * 24 * 3_600_000;
    expect(signer.verify(id)).toEqual({ command: 'credits', name: 'refresh', args: [], userId: undefined, expiresAt: undefined });
  });

  it('is valid up to its expiry second and refused after it, saying which command to run again', () => {
    const { signer, clock } = signerAt(NOW);
    const id = signer.sign({ command: 'pixverse-unregister', name: 'confirm', args: [], validForMs: 60_000 });
    clock.now = NOW + 60_000;
    expect(signer.verify(id).name).toBe('confirm');
    clock.now = NOW + 60_001;
    const refused = refusal(() => signer.verify(id));
    expect(refused.code).toBe('expired-action');
    expect(refused.message).toBe('This question has expired and nothing was done. Run `/pixverse-unregister` again.');
  });

  it('refuses an id another key signed, a tampered one, and one that is no signed id at all', () => {
    const { signer } = signerAt(NOW);
    const { signer: other } = signerAt(NOW, OTHER_KEY);
    const id = signer.sign({ command: 'credits', name: 'refresh', args: ['a'], userId: USER });
    const tampered = id.replace(':a:', ':b:');
    expect(tampered).not.toBe(id);
    for (const forged of [
      other.sign({ command: 'credits', name: 'refresh', args: ['a'], userId: USER }),
      tampered,
      'credits',
      '',
    ]) {
      const refused = refusal(() => signer.verify(forged));
      expect(refused.code).toBe('forged-action');
      expect(refused.message).toBe(FORGED);
    }
  });

  it('will not sign a part that a custom id cannot carry', () => {
    const { signer } = signerAt(NOW);
    for (const arg of ['a:b', 'a b', 'ü']) {
      expect(() => signer.sign({ command: 'credits', name: 'refresh', args: [arg] })).toThrow(
        'an action part holds characters a custom id cannot carry: credits:refresh',
      );
    }
  });

  it("signs ids up to Discord's 100 characters and throws on longer ones", () => {
    const { signer } = signerAt(NOW);
    // `c:n:<arg>::<16-character signature>` is 23 characters plus the argument.
    expect(signer.sign({ command: 'c', name: 'n', args: ['x'.repeat(77)] })).toHaveLength(100);
    expect(() => signer.sign({ command: 'c', name: 'n', args: ['x'.repeat(78)] })).toThrow('custom id of c:n is 101 characters');
  });
});

describe('claimedCommand', () => {
  it('is the part before the first colon, or the whole id without one', () => {
    expect(claimedCommand('credits:refresh:a::')).toBe('credits');
    expect(claimedCommand('credits')).toBe('credits');
    expect(claimedCommand(':x')).toBe('');
  });
});

describe('ActionSigner.fromDataDir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'actions-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const request = { command: 'credits', name: 'refresh', args: [] };
  const keyFile = () => join(dir, 'data', 'action-signing.key');

  it('makes a key readable only by the bot, and signs with the same key after a restart', async () => {
    const first = await ActionSigner.fromDataDir(join(dir, 'data'));
    expect((await stat(keyFile())).mode & 0o777).toBe(0o600);
    const id = first.sign(request);
    const restarted = await ActionSigner.fromDataDir(join(dir, 'data'));
    expect(restarted.verify(id).name).toBe('refresh');
  });

  it('reads a key file someone edited, with spaces around the key', async () => {
    await mkdir(join(dir, 'data'));
    await writeFile(keyFile(), `  ${KEY.toString('hex')}  \n`);
    const loaded = await ActionSigner.fromDataDir(join(dir, 'data'));
    expect(loaded.verify(new ActionSigner(KEY).sign(request)).name).toBe('refresh');
  });

  it('refuses a key file that does not hold a whole key, and leaves it alone', async () => {
    await mkdir(join(dir, 'data'));
    await writeFile(keyFile(), 'abcd\n');
    await expect(ActionSigner.fromDataDir(join(dir, 'data'))).rejects.toThrow(
      `${keyFile()} does not hold a 32-byte key; delete it to make a new one (open buttons stop working)`,
    );
    expect(await readFile(keyFile(), 'utf8')).toBe('abcd\n');
  });

  it('two starts at once end up with one key', async () => {
    const [a, b] = await Promise.all([ActionSigner.fromDataDir(join(dir, 'data')), ActionSigner.fromDataDir(join(dir, 'data'))]);
    expect(b.verify(a.sign(request)).name).toBe('refresh');
    expect(await readdir(join(dir, 'data'))).toEqual(['action-signing.key']);
  });
});
