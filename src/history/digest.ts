import { z } from 'zod';
import { PostFailure } from '../alerts/monitor.js';
import type { AccountSummary } from './history.js';

/**
 * The daily digest: once a day at DIGEST_TIME (in TZ), per account the credits now, what was used in
 * the last 24 hours and the forecast. Exactly one a day, also across restarts: the day it was sent is
 * kept, and a digest missed while the bot was down is sent when it comes back that same day.
 */

/** What a digest says, before it is worded. */
export interface Digest {
  /** The local day it is for, YYYY-MM-DD. */
  day: string;
  accounts: Array<{ email: string; summary: AccountSummary | undefined }>;
}

export interface DigestOptions {
  /** HH:MM, 24 h. */
  time: string;
  timeZone: string;
  /** Who the digest is about, with what the history knows of each. */
  accounts: () => Promise<Digest['accounts']>;
  /** Posts it; throws a `PostFailure` (anything else counts as a passing failure). */
  post: (digest: Digest) => Promise<void>;
  state: { get(): Promise<unknown>; set(value: unknown): Promise<void> };
  logger: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
  now?: () => Date;
  /** How often the clock is looked at; the digest goes out within this of its time. */
  tickMs?: number;
}

const stateSchema = z.object({ lastDay: z.string() });
const TICK_MS = 30_000;

/** The local calendar day and the minutes since local midnight of `at` in `timeZone`. */
export function localClock(at: Date, timeZone: string): { day: string; minutes: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return { day: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Whether the digest of `at`'s local day is due: its time has come and it was not sent that day. */
export function isDigestDue(time: string, at: Date, timeZone: string, lastDay: string | undefined): boolean {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  const clock = localClock(at, timeZone);
  return clock.minutes >= hours * 60 + minutes && clock.day !== lastDay;
}

/**
 * Looks at the clock every `tickMs` (a timer set for the exact moment would have to follow daylight
 * saving and clock changes; a look every half minute does, for nothing). A post that fails for now is
 * tried again at the next look; one Discord refuses for good is logged and that day is skipped.
 */
export class DigestScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastDay: string | undefined;
  private failureLogged = false;

  constructor(private readonly options: DigestOptions) {}

  async start(): Promise<void> {
    const saved = stateSchema.safeParse(await this.options.state.get());
    this.lastDay = saved.success ? saved.data.lastDay : undefined;
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.tickMs ?? TICK_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Sends the digest if it is due; joins a send under way. */
  tick(): Promise<void> {
    this.running ??= this.sendIfDue().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sendIfDue(): Promise<void> {
    const { time, timeZone, logger } = this.options;
    const now = this.options.now?.() ?? new Date();
    if (!isDigestDue(time, now, timeZone, this.lastDay)) return;
    const day = localClock(now, timeZone).day;
    try {
      await this.options.post({ day, accounts: await this.options.accounts() });
      logger.info({ day }, 'daily digest posted');
    } catch (error) {
      const permanent = error instanceof PostFailure && error.permanent;
      if (!permanent) {
        if (!this.failureLogged) logger.warn({ err: error }, 'could not post the daily digest; trying again shortly');
        this.failureLogged = true;
        return;
      }
      logger.warn({ err: error, day }, 'the digest channel refused the daily digest for good; skipping today');
    }
    this.failureLogged = false;
    this.lastDay = day;
    await this.options.state
      .set({ lastDay: day })
      .catch((error: unknown) => logger.warn({ err: error }, 'could not remember the digest day; a restart may send it again'));
  }
}
