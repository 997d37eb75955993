import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import prettyStream from 'pino-pretty';
import { secretScrubber } from './secrets.js';

export type { Logger };

/**
 * Where a secret can sit in a log object. Redaction by path is pino's own mechanism; the line
 * scrubber below catches what no path can name (a token inside a URL or an error message).
 */
const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'token',
  '*.token',
  'discord',
  '*.discord',
  'requestBody',
  '*.requestBody',
  'err.requestBody',
  'rawError',
  '*.rawError',
];

/**
 * Interaction and webhook tokens travel inside Discord URLs (`/webhooks/<app>/<token>`). A token runs
 * to the next `/`, `?`, `#`, quote, backslash or space, whatever characters it is made of (`:` included).
 */
const URL_TOKENS = /\/(webhooks|interactions)\/(\d+)\/[^/?#\s"'\\]{8,}/g;
/**
 * A text field named like the redact paths (authorization, token, discord) or password, at any depth
 * and in any case: pino's redact paths are exact and shallow (`Authorization`, `a.b.headers.authorization`).
 */
const SECRET_FIELDS = /("(?:authorization|token|discord|password)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
/** A bearer credential written out in text (an error quoting a header, raw header arrays). */
const BEARER_CREDENTIALS = /\b(bearer)(\s+)[A-Za-z0-9._~+/:=-]{8,}/gi;

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Values that must never appear in a line, whatever field or message they hide in. */
  secrets: ReadonlyArray<string | undefined>;
  destination?: DestinationStream;
  /** Human-readable lines (a person at a terminal) instead of JSON (a log collector). */
  pretty?: boolean;
}

export function createLogger({ level, secrets, destination, pretty = false }: LoggerOptions): Logger {
  const scrub = lineScrubber(secrets);
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: undefined,
      hooks: { streamWrite: scrub },
    },
    // Lines are scrubbed as JSON first, then made readable, so both forms are clean.
    destination ??
      (pretty
        ? prettyStream({ translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' })
        : pino.destination({ dest: 1, sync: false })),
  );
}

/** Replaces every known secret, and every token in a Discord URL, in a serialised log line. */
export function lineScrubber(secrets: ReadonlyArray<string | undefined>): (line: string) => string {
  // Both the value and its JSON-escaped form, since lines are JSON.
  const scrubKnown = secretScrubber(
    secrets.flatMap((secret) => (secret === undefined ? [] : [secret, JSON.stringify(secret).slice(1, -1)])),
  );
  return (line) =>
    scrubKnown(
      line
        .replace(URL_TOKENS, '/$1/$2/[redacted]')
        .replace(SECRET_FIELDS, '$1"[redacted]"')
        .replace(BEARER_CREDENTIALS, '$1$2[redacted]'),
    );
}
