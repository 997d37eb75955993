/**
 * Per-user cooldowns. Every window has the same length, so insertion order is expiry order: expired
 * entries are swept from the front as new ones arrive, and the map only ever holds the users seen
 * within one window.
 */
export class Cooldowns {
  private readonly until = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  /** Milliseconds `key` must still wait; 0 when it may go ahead. Checking starts nothing. */
  remaining(key: string, now = Date.now()): number {
    const until = this.until.get(key);
    return until !== undefined && until > now ? until - now : 0;
  }

  /** Starts `key`'s window now (after something worth limiting happened). */
  start(key: string, now = Date.now()): void {
    if (this.windowMs <= 0) return;
    this.sweep(now);
    this.until.delete(key);
    this.until.set(key, now + this.windowMs);
  }

  get size(): number {
    return this.until.size;
  }

  private sweep(now: number): void {
    for (const [key, until] of this.until) {
      if (until > now) return;
      this.until.delete(key);
    }
  }
}
