import { Writable } from 'node:stream';
import prettyStream from 'pino-pretty';
import { describe, expect, it } from 'vitest';
import { createLogger, lineScrubber } from '../src/logger.js';
import type { Logger } from '../src/logger.js';

// Distinctive values that are not shaped like real tokens.
const BOT_SECRET = 'botsecret-Vx8Kq2Lm7Np4Rs1Tz';
const API_SECRET = 'apisecret-Gh5Jk9Wd3Fb6Yc0';
const PIXVERSE_SECRET = 'pixsecret-"quoted"\\slash-Ab12';
const UNLISTED = 'unlistedcredential-Pz7Qm3Xr';
const WEBHOOK_TOKEN = 'webhookTokenPart-abc_DEF.ghi';
const INTERACTION_TOKEN = 'aW50ZXJhY3Rpb246OjEyMzQ1:Njc4OTAxMjM0NTY3ODk';
const ALL = [BOT_SECRET, API_SECRET, PIXVERSE_SECRET, UNLISTED, WEBHOOK_TOKEN, INTERACTION_TOKEN];

function collectingLogger(): { logger: Logger; lines: string[]; text: () => string } {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    secrets: [BOT_SECRET, API_SECRET, PIXVERSE_SECRET, undefined],
    destination: { write: (line: string) => void lines.push(line) },
  });
  return { logger, lines, text: () => lines.join('') };
}

/** Everything written, after checking it is JSON lines that quote none of the secrets (raw or JSON-escaped). */
function expectClean(lines: string[], expectedLines: number): Array<Record<string, unknown>> {
  expect(lines).toHaveLength(expectedLines);
  const text = lines.join('');
  for (const secret of ALL) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(JSON.stringify(secret).slice(1, -1));
  }
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('createLogger redaction', () => {
  it('a secret inside the message, at debug level', () => {
    const { logger, lines } = collectingLogger();
    logger.debug(`connecting with ${BOT_SECRET} and ${API_SECRET}`);
    logger.info(`pixverse token ${PIXVERSE_SECRET} accepted`);
    const [debug, info] = expectClean(lines, 2);
    expect(debug?.msg).toBe('connecting with [redacted] and [redacted]');
    expect(info?.msg).toBe('pixverse token [redacted] accepted');
  });

  it('a secret in a nested field, under any name', () => {
    const { logger, lines } = collectingLogger();
    logger.info({ request: { options: { body: { note: `x ${API_SECRET} y` }, list: [BOT_SECRET] } } }, 'nested');
    const [line] = expectClean(lines, 1);
    expect(JSON.stringify(line)).toContain('x [redacted] y');
  });

  it("a secret in an error's message and stack", () => {
    const { logger, lines } = collectingLogger();
    logger.error({ err: new Error(`upstream refused ${API_SECRET}`) }, 'call failed');
    logger.error(new Error(`login failed for ${BOT_SECRET}`));
    const [first, second] = expectClean(lines, 2);
    expect((first?.err as { message: string }).message).toBe('upstream refused [redacted]');
    expect((second?.err as { stack: string }).stack).toContain('login failed for [redacted]');
  });

  it('authorization headers, whatever their case and depth, even with a credential not listed as a secret', () => {
    const { logger, lines } = collectingLogger();
    logger.info({ authorization: `Bearer ${UNLISTED}` }, 'top');
    logger.info({ headers: { authorization: `Bearer ${UNLISTED}` } }, 'headers');
    logger.info({ req: { headers: { authorization: `Bot ${UNLISTED}` } } }, 'req');
    logger.info({ headers: { Authorization: `Bearer ${UNLISTED}` } }, 'capitalised');
    logger.info({ error: { config: { headers: { AUTHORIZATION: `Bearer ${UNLISTED}` } } } }, 'deep');
    logger.info({ rawHeaders: ['Authorization', `Bearer ${UNLISTED}`] }, 'raw');
    logger.warn(`curl -H "Authorization: Bearer ${UNLISTED}" failed`);
    const parsed = expectClean(lines, 7);
    expect(parsed[1]).toMatchObject({ headers: { authorization: '[redacted]' } });
    expect(parsed[3]).toMatchObject({ headers: { Authorization: '[redacted]' } });
  });

  it('token and discord fields are redacted at any depth', () => {
    const { logger, lines } = collectingLogger();
    logger.info({ token: UNLISTED }, 'a');
    logger.child({ component: 'x' }).info({ input: { registration: { discord: UNLISTED, Token: UNLISTED } } }, 'b');
    const [, second] = expectClean(lines, 2);
    expect(second).toMatchObject({ component: 'x', input: { registration: { discord: '[redacted]' } } });
  });

  it('child bindings are scrubbed too', () => {
    const { logger, lines } = collectingLogger();
    logger.child({ token: UNLISTED, note: BOT_SECRET }).info('bound');
    expectClean(lines, 1);
  });

  it('Discord webhook and interaction URLs lose their token, not their shape', () => {
    const { logger, lines } = collectingLogger();
    logger.info({ url: `https://discord.com/api/v10/webhooks/123456789012345678/${WEBHOOK_TOKEN}/messages/@original` }, 'edit');
    logger.debug(`POST /api/v10/interactions/123456789012345678/${INTERACTION_TOKEN}/callback 204`);
    logger.warn(`webhook /webhooks/42/${WEBHOOK_TOKEN}?wait=true failed`);
    const [edit, callback, warn] = expectClean(lines, 3);
    expect(edit?.url).toBe('https://discord.com/api/v10/webhooks/123456789012345678/[redacted]/messages/@original');
    expect(callback?.msg).toBe('POST /api/v10/interactions/123456789012345678/[redacted]/callback 204');
    expect(warn?.msg).toBe('webhook /webhooks/42/[redacted]?wait=true failed');
  });

  it('ordinary lines pass through unchanged', () => {
    const { logger, lines } = collectingLogger();
    logger.info({ guild: '123456789012345678', count: 3, path: '/v1/pixverse/account/123456789012345678' }, 'served');
    const [line] = expectClean(lines, 1);
    expect(line).toMatchObject({
      level: 30,
      guild: '123456789012345678',
      count: 3,
      path: '/v1/pixverse/account/123456789012345678',
      msg: 'served',
    });
  });

  it('honours the level', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', secrets: [], destination: { write: (line: string) => void lines.push(line) } });
    logger.info('hidden');
    logger.debug('hidden');
    logger.warn('shown');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('shown');
  });
});

describe('lineScrubber', () => {
  it('replaces each secret and its JSON-escaped form; longer secrets first', () => {
    const scrub = lineScrubber(['abcdefgh', 'abcdefgh-longer', PIXVERSE_SECRET]);
    expect(scrub('x abcdefgh-longer y abcdefgh z')).toBe('x [redacted] y [redacted] z');
    expect(scrub(JSON.stringify({ v: PIXVERSE_SECRET }))).toBe('{"v":"[redacted]"}');
  });

  it('ignores unset and very short values instead of masking every occurrence of a few letters', () => {
    const scrub = lineScrubber([undefined, '', 'abc']);
    expect(scrub('abc abc')).toBe('abc abc');
  });
});

describe('pretty logs for a terminal', () => {
  it('are readable lines and still scrubbed', () => {
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({
      level: 'info',
      secrets: ['pretty-secret-value-123'],
      destination: prettyStream({ destination: sink, colorize: false, sync: true }),
    });
    logger.info({ detail: 'has pretty-secret-value-123 inside' }, 'ready');
    const text = chunks.join('');
    expect(text).toMatch(/INFO.*ready/);
    expect(text).toContain('[redacted]');
    expect(text).not.toContain('pretty-secret-value-123');
    expect(text).not.toMatch(/^\{/);
  });
});
