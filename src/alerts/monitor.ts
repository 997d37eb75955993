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
    const memory = (this.memory ??= (await this.options.store.load()).memory);
    const now = this.options.now?.() ?? new Date();
    const incidents: Incident[] = [];
    try {
      const accounts = await useapi.accounts();
      incidents.push(...onAccountList(memory, accounts.map((account) => account.email)));
      const readings = await Promise.allSettled(accounts.map((account) => useapi.features(account.email)));
      for (const [index, reading] of readings.entries()) {
        const email = accounts[index]!.email;
        const account = (memory.accounts[email] ??= emptyAccount());
        if (reading.status === 'fulfilled') {
          incidents.push(...onFeatures(account, email, reading.value, settings, now));
        } else if (isTokenWide(reading.reason)) {
          incidents.push(...onAccountListFailure(memory, reading.reason, settings));
        } else {
          incidents.push(...onFeaturesFailure(account, email, reading.reason, settings, now));
        }
      }
    } catch (error) {
      incidents.push(...onAccountListFailure(memory, error, settings));
    }
    this.lastCheckAt = now;

    for (const incident of incidents) {
      try {
        await this.options.post(incident);
      } catch (error) {
        logger.warn({ err: error, incident: incident.kind }, 'could not post an alert');
      }
    }
    try {
      await this.options.store.save(memory);
      this.saveFailureLogged = false;
    } catch (error) {
      if (!this.saveFailureLogged) logger.warn({ err: error }, 'could not save the alert state in DATA_DIR; a restart may repeat alerts');
      this.saveFailureLogged = true;
    }
    logger.debug({ incidents: incidents.map((incident) => incident.kind) }, 'alert check done');
    return incidents;
  }
}
