import type { AccountSummary } from '../history/history.js';
import type { Logger } from '../logger.js';
import type { UseapiClient } from '../useapi/client.js';
import { UseapiError } from '../useapi/errors.js';
import type { Features } from '../useapi/schemas.js';
import {
  emptyAccount,
  isTokenWide,
  markAnnounced,
  onAccountList,
  onAccountListFailure,
  onFeatures,
  onFeaturesFailure,
  onForecast,
  type AccountMemory,
  type AlertMemory,
  type AlertSettings,
  type Incident,
} from './rules.js';
import type { AlertStore } from './store.js';

/**
 * A post that failed. `permanent`: the destination refused this message for good (it would be refused
 * again), so it is dropped instead of retried at every check.
 */
export class PostFailure extends Error {
  override readonly name = 'PostFailure';

  constructor(
    readonly permanent: boolean,
    options: { cause: unknown },
  ) {
    super(permanent ? 'the alert was refused for good' : 'the alert could not be posted now', options);
  }
}

/** What the monitor needs of the credit history: its readings are kept by the useapi client's observer. */
export interface MonitorHistory {
  /** Resolves once the readings just taken are kept and summarised. */
  settled(): Promise<void>;
  summary(email: string): Pick<AccountSummary, 'forecast'> | undefined;
  /** Deletes readings past the retention. */
  prune(): Promise<number>;
}

/** Where alerts go, when they are on. */
export interface MonitorAlerts {
  store: AlertStore;
  settings: AlertSettings;
  /** Posts one incident; throws a `PostFailure` (anything else counts as a passing failure). */
  post: (incident: Incident) => Promise<void>;
}

export interface MonitorOptions {
  useapi: UseapiClient;
  history: MonitorHistory;
  /** Undefined: the checks only feed the history. */
  alerts: MonitorAlerts | undefined;
  /** Undefined: no background checks (CHECK_INTERVAL=off); `check()` still runs one on demand. */
  intervalMs: number | undefined;
  logger: Logger;
  now?: () => Date;
}

/** What one check did with what it found. */
export interface CheckResult {
  posted: Incident[];
  /** Incidents that could not be posted now; the next check tries them again. */
  retrying: number;
  /** Incidents the destination refused for good; logged and dropped. */
  dropped: number;
}

/** What `/credits-alerts` may read of the monitor, and the one thing it may do. */
export interface AlertsView {
  readonly settings: Readonly<{
    channelId: string | undefined;
    roleId: string | undefined;
    creditsBelow: number;
    expiryDays: number;
    intervalMs: number;
  }>;
  /** Why alerts are not running (no channel, unusable channel), or undefined while they run. */
  problem(): string | undefined;
  lastCheckAt(): Date | undefined;
  accounts(): ReadonlyArray<{ email: string; memory: Readonly<AccountMemory> }>;
  /** Runs a check now (or joins the one under way); undefined when alerts are not running. */
  checkNow(): Promise<CheckResult> | undefined;
}

/**
 * Reads every v2 account on an interval, asking useapi.net afresh each time (the commands' cache could
 * hide a change for its whole lifetime): each reading becomes part of the credit history. When alerts
 * are on, it turns readings and forecasts into incidents with the rules, posts them and remembers each
 * as announced the moment its post succeeds.
 */
export class AlertMonitor {
  private memory: AlertMemory | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<CheckResult> | undefined;
  private last: Date | undefined;
  private saveFailureLogged = false;

  constructor(private readonly options: MonitorOptions) {}

  /** Loads the saved state, then checks once now and every interval (unless checks are off). */
  async start(): Promise<void> {
    if (this.timer) return;
    if (this.options.alerts) this.memory = await this.loadMemory(this.options.alerts);
    if (this.options.intervalMs === undefined) return;
    void this.check();
    this.timer = setInterval(() => void this.check(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs a check now, or joins the one under way. */
  check(): Promise<CheckResult> {
    this.running ??= this.runCheck().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  lastCheckAt(): Date | undefined {
    return this.last;
  }

  accounts(): Array<{ email: string; memory: AccountMemory }> {
    return Object.entries(this.memory?.accounts ?? {}).map(([email, memory]) => ({ email, memory }));
  }

  private async loadMemory(alerts: MonitorAlerts): Promise<AlertMemory> {
    const { memory, problem } = await alerts.store.load();
    if (problem) this.options.logger.warn({ detail: problem }, 'alert state was not usable');
    return memory;
  }

  private async runCheck(): Promise<CheckResult> {
    const { alerts, history, logger } = this.options;
    const now = this.options.now?.() ?? new Date();
    const reading = await this.read();
    // A check abandoned because the bot is stopping observed nothing: it changes nothing.
    if (reading.interrupted) return { posted: [], retrying: 0, dropped: 0 };
    this.last = now;
    await history.settled();
    await history.prune().catch((error: unknown) => logger.warn({ err: error }, 'could not prune the credit history'));
    if (!alerts) {
      logger.debug('credit check done');
      return { posted: [], retrying: 0, dropped: 0 };
    }
    const memory = structuredClone((this.memory ??= await this.loadMemory(alerts)));
    const incidents = this.evaluate(memory, alerts.settings, reading, now);
    this.memory = memory;
    const result = await this.announce(alerts, memory, incidents);
    await this.save(alerts, memory);
    logger.debug(
      { incidents: incidents.map((incident) => incident.kind), retrying: result.retrying, dropped: result.dropped },
      'credit check done',
    );
    return result;
  }

  /** The account list and every account's credits, each asked afresh. */
  private async read(): Promise<Reading> {
    const { useapi } = this.options;
    try {
      const accounts = await useapi.accounts({ fresh: true });
      const results = await Promise.allSettled(accounts.map((account) => useapi.features(account.email, { fresh: true })));
      const features = results.map((result, index) => ({ email: accounts[index]!.email, result }));
      return { list: { ok: true, features }, interrupted: features.some(({ result }) => isInterrupted(result)) };
    } catch (error) {
      return { list: { ok: false, error }, interrupted: isInterrupted({ status: 'rejected', reason: error }) };
    }
  }

  private evaluate(memory: AlertMemory, settings: AlertSettings, reading: Reading, now: Date): Incident[] {
    if (!reading.list.ok) return onAccountListFailure(memory, reading.list.error, settings);
    const { features } = reading.list;
    // A list that answers while the reads are refused (a 402 on features only) does not mean the
    // token is accepted again: clearing the rejection would post "accepted" and "rejected" every check.
    const refused = features.find(({ result }) => result.status === 'rejected' && isTokenWide(result.reason));
    const incidents = refused
      ? onAccountListFailure(memory, (refused.result as PromiseRejectedResult).reason, settings)
      : onAccountList(
          memory,
          features.map(({ email }) => email),
        );
    for (const { email, result } of features) {
      const account = (memory.accounts[email] ??= emptyAccount());
      if (result.status === 'fulfilled') {
        incidents.push(...onFeatures(account, email, result.value, settings, now));
        const forecast = this.options.history.summary(email)?.forecast;
        if (forecast) incidents.push(...onForecast(account, email, forecast, settings, now));
      } else if (!isTokenWide(result.reason)) {
        incidents.push(...onFeaturesFailure(account, email, result.reason, settings, now));
      }
    }
    return incidents;
  }

  /** Posts in order; each is remembered the moment its post succeeds, so no failure can make it repeat. */
  private async announce(alerts: MonitorAlerts, memory: AlertMemory, incidents: Incident[]): Promise<CheckResult> {
    const result: CheckResult = { posted: [], retrying: 0, dropped: 0 };
    for (const incident of incidents) {
      try {
        await alerts.post(incident);
        result.posted.push(incident);
      } catch (error) {
        const permanent = error instanceof PostFailure && error.permanent;
        this.options.logger.warn(
          { err: error instanceof PostFailure ? error.cause : error, incident: incident.kind },
          permanent
            ? 'the alert channel refused an alert for good; it is dropped'
            : 'could not post an alert; the next check tries again',
        );
        if (!permanent) {
          result.retrying += 1;
          continue;
        }
        result.dropped += 1;
      }
      markAnnounced(memory, incident);
      await this.save(alerts, memory);
    }
    return result;
  }

  private async save(alerts: MonitorAlerts, memory: AlertMemory): Promise<void> {
    try {
      await alerts.store.save(memory);
      this.saveFailureLogged = false;
    } catch (error) {
      if (!this.saveFailureLogged) {
        this.options.logger.warn({ err: error }, 'could not save the alert state; a restart may repeat alerts');
      }
      this.saveFailureLogged = true;
    }
  }
}

interface Reading {
  list: { ok: true; features: Array<{ email: string; result: PromiseSettledResult<Features> }> } | { ok: false; error: unknown };
  interrupted: boolean;
}

function isInterrupted(result: PromiseSettledResult<unknown>): boolean {
  return result.status === 'rejected' && result.reason instanceof UseapiError && result.reason.kind === 'interrupted';
}
