import type { Logger } from '../logger.js';
import type { UseapiClient } from '../useapi/client.js';
import {
  emptyAccount,
  isTokenWide,
  onAccountList,
  onAccountListFailure,
  onFeatures,
  onFeaturesFailure,
  type AlertMemory,
  type AlertSettings,
  type Incident,
} from './rules.js';
import type { AlertStore } from './store.js';

export interface MonitorOptions {
  useapi: UseapiClient;
  store: AlertStore;
  settings: AlertSettings;
  intervalMs: number;
  /** Posts one incident; the monitor does not know where or how. */
  post: (incident: Incident) => Promise<void>;
  logger: Logger;
  now?: () => Date;
}

/**
 * Checks every v2 account on an interval through the same useapi client as the commands (so it
 * shares their coalescing and cache), turns readings into incidents with the rules, posts them and
 * remembers what it announced.
 */
export class AlertMonitor {
  private memory: AlertMemory | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<Incident[]> | undefined;
  private lastCheckAt: Date | undefined;
  private saveFailureLogged = false;

  constructor(private readonly options: MonitorOptions) {}

  /** Loads the saved state, checks once now, then every interval. */
  async start(): Promise<void> {
    if (this.timer) return;
    const { memory, problem } = await this.options.store.load();
    if (problem) this.options.logger.warn({ detail: problem }, 'alert state was not usable');
    this.memory = memory;
    void this.check();
    this.timer = setInterval(() => void this.check(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs a check now, or joins the one under way; resolves with the incidents it posted. */
  check(): Promise<Incident[]> {
    this.running ??= this.runCheck().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** What the monitor knows, for `/credits-alerts`. */
  snapshot(): { lastCheckAt: Date | undefined; memory: AlertMemory | undefined } {
    return { lastCheckAt: this.lastCheckAt, memory: this.memory };
  }

  private async runCheck(): Promise<Incident[]> {
    const { useapi, settings, logger } = this.options;
    const before = (this.memory ??= (await this.options.store.load()).memory);
    // Rules work on a copy: if an alert cannot be posted, the check is forgotten and the next one
    // finds the same incidents again, so nothing is marked announced without having been posted.
    const memory = structuredClone(before);
    const now = this.options.now?.() ?? new Date();
    const incidents: Incident[] = [];
    try {
      const accounts = await useapi.accounts();
      const readings = await Promise.allSettled(accounts.map((account) => useapi.features(account.email)));
      // A list that answers while the reads are refused (a 402 on features only) does not mean the
      // token is accepted again: clearing the rejection would post "accepted" and "rejected" every check.
      const refused = readings.find(
        (reading): reading is PromiseRejectedResult => reading.status === 'rejected' && isTokenWide(reading.reason),
      );
      incidents.push(
        ...(refused
          ? onAccountListFailure(memory, refused.reason, settings)
          : onAccountList(
              memory,
              accounts.map((account) => account.email),
            )),
      );
      for (const [index, reading] of readings.entries()) {
        const email = accounts[index]!.email;
        const account = (memory.accounts[email] ??= emptyAccount());
        if (reading.status === 'fulfilled') {
          incidents.push(...onFeatures(account, email, reading.value, settings, now));
        } else if (!isTokenWide(reading.reason)) {
          incidents.push(...onFeaturesFailure(account, email, reading.reason, settings, now));
        }
      }
    } catch (error) {
      incidents.push(...onAccountListFailure(memory, error, settings));
    }
    this.lastCheckAt = now;

    const posted = await this.postAll(incidents);
    if (posted) {
      this.memory = memory;
      await this.save(memory);
    }
    logger.debug({ incidents: incidents.map((incident) => incident.kind), posted }, 'alert check done');
    return posted ? incidents : [];
  }

  /** Posts in order and stops at the first failure; false means the check must not count. */
  private async postAll(incidents: Incident[]): Promise<boolean> {
    for (const incident of incidents) {
      try {
        await this.options.post(incident);
      } catch (error) {
        this.options.logger.warn({ err: error, incident: incident.kind }, 'could not post an alert; the next check tries again');
        return false;
      }
    }
    return true;
  }

  private async save(memory: AlertMemory): Promise<void> {
    try {
      await this.options.store.save(memory);
      this.saveFailureLogged = false;
    } catch (error) {
      if (!this.saveFailureLogged)
        this.options.logger.warn({ err: error }, 'could not save the alert state in DATA_DIR; a restart may repeat alerts');
      this.saveFailureLogged = true;
    }
  }
}
