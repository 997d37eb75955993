const DISCORD_EPOCH = 1420070400000n;
let increment = 0n;

/** A Discord id minted for `ms` (default now); a rolling increment keeps ids from one millisecond unique. */
export function snowflake(ms: number = Date.now()): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(Math.trunc(ms)) - DISCORD_EPOCH) << 22n) | increment).toString();
}
