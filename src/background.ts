import type { Client } from 'discord.js';
import { AlertMonitor, type AlertsView, type CheckResult } from './alerts/monitor.js';
import { AlertStore } from './alerts/store.js';
import type { Config } from './config.js';
import type { Incident } from './alerts/rules.js';
import { accountRef, type ActionRequest } from './discord/actions.js';
import { openPostChannel } from './discord/channel.js';
import { DigestScheduler } from './history/digest.js';
import type { CreditHistory } from './history/history.js';
import type { HistoryStore } from './history/store.js';
import type { Logger } from './logger.js';
import { alertEmbed } from './presentation/alerts.js';
import { reconnectRows } from './presentation/console.js';
import { digestEmbed } from './presentation/history.js';
import type { UseapiClient } from './useapi/client.js';

/** Failed checks in a row before a failure is reported: one slow minute is not an incident. */
const ALERT_FAILURE_CHECKS = 3;
const DIGEST_STATE_KEY = 'digest';
/** An account can stay in error state for days before someone repairs it. */
const RECONNECT_VALID_MS = 30 * 86_400_000;

/**
 * What the bot does on its own, beside answering: the background checks (every account read every
 * CHECK_INTERVAL, feeding the history, and the alerts when ALERT_CHANNEL_ID is set) and the daily
 * digest. A channel the bot cannot post in is logged once and leaves that part off: the commands keep
 * working, and nothing is marked as posted that was not.
 */
export class BackgroundWork {
  private monitor: AlertMonitor | undefined;
  private digest: DigestScheduler | undefined;
  private alertsProblem: string | undefined;
  /** What `/credits-alerts` sees. */
  readonly alertsView: AlertsView;

  constructor(
    private readonly config: Config,
    private readonly useapi: UseapiClient,
    private readonly history: CreditHistory,
    private readonly store: HistoryStore,
    private readonly logger: Logger,
    /** Signs the Reconnect button of an account-error alert. */
    private readonly sign: (request: ActionRequest) => string,
  ) {
    this.alertsProblem = config.alerts.channelId ? 'starting' : 'ALERT_CHANNEL_ID is not set';
    this.alertsView = {
      settings: {
        channelId: config.alerts.channelId,
        roleId: config.alerts.roleId,
        creditsBelow: config.alerts.creditsBelow,
        expiryDays: config.alerts.expiryDays,
        intervalMs: config.checkIntervalMs ?? 0,
      },
      problem: () => this.alertsProblem,
      lastCheckAt: () => this.monitor?.lastCheckAt(),
      accounts: () => this.monitor?.accounts() ?? [],
      checkNow: (): Promise<CheckResult> | undefined => (this.alertsProblem === undefined ? this.monitor?.check() : undefined),
    };
  }

  /** When the next background reading is due; undefined when checks are off. */
  nextCheckAt(): Date | undefined {
    const interval = this.config.checkIntervalMs;
    const last = this.monitor?.lastCheckAt();
    return interval === undefined || last === undefined ? undefined : new Date(last.getTime() + interval);
  }

  async start(client: Client<true>): Promise<void> {
    const { config, logger } = this;
    this.monitor = new AlertMonitor({
      useapi: this.useapi,
      history: this.history,
      alerts: await this.openAlerts(client),
      intervalMs: config.checkIntervalMs,
      logger: logger.child({ component: 'checks' }),
    });
    await this.monitor.start();
    if (config.digest) await this.startDigest(client, config.digest);
  }

  async stop(): Promise<void> {
    await Promise.all([this.monitor?.stop(), this.digest?.stop()]);
  }

  private async openAlerts(client: Client<true>) {
    const { alerts } = this.config;
    if (!alerts.channelId) return undefined;
    const channel = await openPostChannel(client, alerts.channelId, 'ALERT_CHANNEL_ID');
    if ('problem' in channel) {
      this.alertsProblem = channel.problem;
      this.logger.warn({ detail: channel.problem }, 'credit alerts are off: the alert channel is not usable');
      return undefined;
    }
    this.alertsProblem = undefined;
    return {
      store: new AlertStore(this.store),
      settings: {
        creditsBelow: alerts.creditsBelow,
        expiryDays: alerts.expiryDays,
        forecastDays: alerts.forecastDays,
        failureChecks: ALERT_FAILURE_CHECKS,
      },
      post: (incident: Incident) =>
        channel.send({
          ...(alerts.roleId ? { content: `<@&${alerts.roleId}>`, pingRole: alerts.roleId } : {}),
          embeds: [alertEmbed(incident)],
          ...(incident.kind === 'account-error' ? { components: reconnectRows([this.reconnectButton(incident.email)]) } : {}),
        }),
    };
  }

  /** The admin console's Reconnect, for anyone with its permission, for as long as an incident may stay open. */
  private reconnectButton(email: string): { email: string; customId: string } {
    return {
      email,
      customId: this.sign({
        command: 'pixverse-accounts',
        name: 'reconnect',
        args: [accountRef(email)],
        validForMs: RECONNECT_VALID_MS,
      }),
    };
  }

  private async startDigest(client: Client<true>, digest: NonNullable<Config['digest']>): Promise<void> {
    const variable = this.config.digest?.channelId === this.config.alerts.channelId ? 'ALERT_CHANNEL_ID' : 'DIGEST_CHANNEL_ID';
    const channel = await openPostChannel(client, digest.channelId, variable);
    if ('problem' in channel) {
      this.logger.warn({ detail: channel.problem }, 'the daily digest is off: its channel is not usable');
      return;
    }
    this.digest = new DigestScheduler({
      time: digest.time,
      timeZone: this.config.timeZone,
      accounts: async () => {
        const emails = this.useapi.knownAccounts()?.map((account) => account.email) ?? (await this.history.emails());
        return emails.map((email) => ({ email, summary: this.history.summary(email) }));
      },
      post: (content) => channel.send({ embeds: [digestEmbed(content)], silent: true }),
      state: {
        get: () => this.store.getState(DIGEST_STATE_KEY),
        set: (value) => this.store.setState(DIGEST_STATE_KEY, value),
      },
      logger: this.logger.child({ component: 'digest' }),
    });
    await this.digest.start();
  }
}
