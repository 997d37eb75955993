/**
 * Secrets as values: how one is shown when it must be (masked), and how known ones are taken out of
 * any text before it is cut, shown or logged. Neutral ground: the useapi client, the logger and the
 * presentation all use it, and it knows none of them.
 */

/** At most the last 4 characters of a secret are ever shown, and only for secrets long enough to spare them. */
export function maskSecret(secret: string): string {
  const visible = secret.length >= 12 ? secret.slice(-4) : '';
  return `••••${visible}`;
}

/**
 * Shorter values would replace ordinary words; no token the bot holds is this short. The same bound
 * decides which secrets the log scrubber and the upstream-text scrubber know.
 */
const MIN_SECRET_LENGTH = 8;

/** Replaces every occurrence of each known secret with `[redacted]`. Longest first, so a secret inside another goes too. */
export function secretScrubber(secrets: ReadonlyArray<string | undefined>): (text: string) => string {
  const known = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))].sort(
    (a, b) => b.length - a.length,
  );
  return (text) => {
    let out = text;
    for (const secret of known) out = out.split(secret).join('[redacted]');
    return out;
  };
}
