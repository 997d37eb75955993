import { once } from 'node:events';
import { Events, GatewayCloseCodes, Status, type Client } from 'discord.js';
import { AlertMonitor } from './alerts/monitor.js';
import { AlertStore } from './alerts/store.js';
import type { Config } from './config.js';
import { openAlertChannel } from './discord/alert-channel.js';
import type { AlertsHandle, Command, CommandContext } from './discord/command.js';
import { createDiscordClient, inviteUrl } from './discord/client.js';
import { createRouter } from './discord/router.js';
import { describeSync, syncCommands, type SyncChange } from './discord/sync.js';
import { startHealthServer, type HealthServer } from './health.js';
import type { Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { UseapiClient } from './useapi/client.js';
import { UseapiError } from './useapi/errors.js';

export const TOKEN_HELP =
  'Copy a fresh token from the Discord Developer Portal (your application → Bot → Reset Token) into .env and start again.';

/** Failed checks in a row before a failure is reported: one slow minute is not an incident. */
const ALERT_FAILURE_CHECKS = 3;

export interface Bot {
  client: Client<true>;
  useapi: UseapiClient;
  sync: SyncChange[];
  /** The `/healthz` + `/metrics` server, when HEALTH_PORT is set. */
  health: HealthServer | undefined;
  /** Stop taking interactions, let those under way finish (at most `drainMs`), then disconnect. */
  stop(drainMs?: number): Promise<void>;
}

export interface StartOptions {
  config: Config;
  logger: Logger;
  commands: readonly Command[];
  /** Discord closed the gateway for good (4004: token revoked; 4010–4014); it is logged as fatal first. */
  onGatewayClosed?: (code: number) => void;
}

/** Logs in, syncs the commands and starts answering interactions. Rejects when Discord refuses the token. */
export async function startBot({ config, logger, commands, onGatewayClosed }: StartOptions): Promise<Bot> {
  const metrics = config.health.port === undefined ? undefined : new Metrics();
  const useapi = new UseapiClient({
    token: config.useapi.token,
    baseUrl: config.useapi.baseUrl,
    timeouts: config.useapi.timeouts,
    cacheTtlMs: config.useapi.cacheTtlMs,
    maxConcurrent: config.useapi.maxConcurrent,
    logger: logger.child({ component: 'useapi' }),
    ...(metrics ? { observer: metrics } : {}),
  });
  const client = createDiscordClient(config.discord.apiUrl);
  const alerts: AlertsHandle = {
    monitor: undefined,
    problem: config.alerts.channelId ? 'starting' : 'ALERT_CHANNEL_ID is not set',
  };
  const context: CommandContext = { useapi, config, logger, alerts };
  const router = createRouter({
    commands,
    context,
    guildIds: config.discord.guildIds,
    logger,
    ...(metrics
      ? { onInteraction: (command: string, outcome: string, ms: number) => metrics.interaction(command, outcome, ms) }
      : {}),
  });

  client.on(Events.InteractionCreate, (interaction) => router.dispatch(interaction));
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord.js error'));
  client.on(Events.Warn, (message) => logger.warn({ detail: message }, 'discord.js warning'));
  // discord.js emits this only for close codes it will not recover from (4004 token rejected,
  // 4010–4014): the bot can never answer again, so the process must not pretend to run.
  client.on(Events.ShardDisconnect, (event) => {
    logger.fatal(
      { code: event.code },
      event.code === Number(GatewayCloseCodes.AuthenticationFailed)
        ? `Discord no longer accepts DISCORD_TOKEN (reset or revoked). ${TOKEN_HELP}`
        : `Discord closed the gateway for good (close code ${event.code}); the bot cannot answer any more.`,
    );
    onGatewayClosed?.(event.code);
  });
  client.on(Events.ShardResume, () => logger.info('gateway resumed'));
  client.on(Events.GuildCreate, (guild) =>
    logger.info({ guild: guild.id, name: guild.name }, 'joined or became available in a server'),
  );

  const ready = once(client, Events.ClientReady) as Promise<[Client<true>]>;
  try {
    await client.login(config.discord.token);
  } catch (error) {
    await Promise.allSettled([client.destroy(), useapi.close()]);
    throw error;
  }
  const [readyClient] = await ready;
  const health =
    metrics && config.health.port !== undefined
      ? await startHealthServer({
          host: config.health.host,
          port: config.health.port,
          metrics,
          isReady: () => gatewayReady(readyClient),
        })
      : undefined;

  const definitions = commands.map((command) => command.data);
  const sync = await syncCommands(readyClient.rest, readyClient.application.id, definitions, config.discord.guildIds);
  const guilds = readyClient.guilds.cache.map((guild) => ({ id: guild.id, name: guild.name }));
  logger.info(
    {
      bot: readyClient.user.tag,
      guilds,
      commands: definitions.map((definition) => definition.name),
      sync: sync.map(describeSync),
      invite: inviteUrl(readyClient.application.id),
    },
    'ready',
  );
  // The monitor's first check reads the same account list; the two share one request.
  void checkUseapiToken(useapi, logger);
  if (config.alerts.channelId) await startAlerts(readyClient, useapi, config, logger, alerts);
  const missing = config.discord.guildIds.filter((id) => !readyClient.guilds.cache.has(id));
  if (missing.length > 0) {
    logger.warn(
      { guilds: missing, invite: inviteUrl(readyClient.application.id) },
      'the bot is not in some servers of DISCORD_GUILD_ID; invite it with this link',
    );
  }

  return {
    client: readyClient,
    useapi,
    sync,
    health,
    async stop(drainMs = 5_000) {
      await router.drain(drainMs);
      await alerts.monitor?.stop();
      await health?.close();
      await readyClient.destroy();
      await useapi.close();
    },
  };
}

/** The manager's own status stays "ready" through a reconnect; each shard's does not. */
function gatewayReady(client: Client): boolean {
  return client.isReady() && client.ws.shards.size > 0 && client.ws.shards.every((shard) => shard.status === Status.Ready);
}

/**
 * The credit monitor, when ALERT_CHANNEL_ID is set. A channel the bot cannot post in is logged once and leaves the monitor off: the
 * commands keep working, and no alert is marked as announced without having been posted.
 */
async function startAlerts(
  client: Client<true>,
  useapi: UseapiClient,
  config: Config,
  logger: Logger,
  alerts: AlertsHandle,
): Promise<void> {
  const channel = await openAlertChannel(client, config.alerts);
  if ('problem' in channel) {
    alerts.problem = channel.problem;
    logger.warn({ detail: channel.problem }, 'credit alerts are off: the alert channel is not usable');
    return;
  }
  const monitor = new AlertMonitor({
    useapi,
    store: new AlertStore(config.dataDir),
    settings: {
      creditsBelow: config.alerts.creditsBelow,
      expiryDays: config.alerts.expiryDays,
      failureChecks: ALERT_FAILURE_CHECKS,
    },
    intervalMs: config.alerts.checkIntervalMs,
    post: channel.post,
    logger: logger.child({ component: 'alerts' }),
  });
  alerts.monitor = monitor;
  alerts.problem = undefined;
  await monitor.start();
}

/**
 * One cheap read at start-up, so a wrong USEAPI_TOKEN shows in the log before a user finds it. A
 * failure is a warning: the bot keeps serving, and each command explains the same failure itself.
 * It also fills the account cache that autocomplete answers from.
 */
async function checkUseapiToken(useapi: UseapiClient, logger: Logger): Promise<void> {
  try {
    const accounts = await useapi.accounts();
    logger.info({ accounts: accounts.length }, 'useapi.net accepted the API token');
  } catch (error) {
    const kind = error instanceof UseapiError ? error.kind : 'unknown';
    const hint =
      kind === 'unauthorized'
        ? 'useapi.net rejected USEAPI_TOKEN: copy the API token from your useapi.net account into .env and restart'
        : kind === 'subscription'
          ? 'useapi.net says the subscription is missing or expired: renew it on useapi.net'
          : 'could not check USEAPI_TOKEN with useapi.net at start-up; commands will retry';
    logger.warn({ kind, detail: (error as Error).message }, hint);
  }
}
