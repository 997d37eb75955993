/**
 * Per-user cooldowns. Every window has the same length, so insertion order is expiry order: expired
 * entries are swept from the front as new ones arrive, and the map only ever holds the users seen
 * within one window.
 */
export class Cooldowns {
  private readonly until = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  /** 0 when `key` may go ahead (its window starts now), else the milliseconds left to wait. */
  take(key: string, now = Date.now()): number {
    if (this.windowMs <= 0) return 0;
    const until = this.until.get(key);
    if (until !== undefined && until > now) return until - now;
    this.sweep(now);
    this.until.delete(key);
    this.until.set(key, now + this.windowMs);
    return 0;
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
