import { once } from 'node:events';
import { Events, GatewayCloseCodes, Status, type Client } from 'discord.js';
import { isTokenWide } from './alerts/rules.js';
import { BackgroundWork } from './background.js';
import type { Config } from './config.js';
import { ActionSigner } from './discord/actions.js';
import { createDiscordClient, inviteUrl } from './discord/client.js';
import type { Command, CommandContext } from './discord/command.js';
import { Cooldowns } from './discord/cooldown.js';
import { Responder } from './discord/respond.js';
import { createRouter, type Router } from './discord/router.js';
import { TOKEN_HELP, refusePublicWithoutAllowlist } from './discord/startup.js';
import { describeSync, syncCommands, type SyncChange } from './discord/sync.js';
import { startHealthServer, type HealthServer } from './health.js';
import { CreditHistory } from './history/history.js';
import { HistoryStore, databaseUrl, importLegacyAlerts } from './history/store.js';
import type { Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { UseapiClient } from './useapi/client.js';
import { describeFailure } from './presentation/failure.js';
import { UseapiError } from './useapi/errors.js';

/** How long a stop waits for interactions under way before it gives up on useapi.net for them. */
const DRAIN_MS = 2_500;
/** Then how long it waits for those interactions to be told the bot is restarting. */
const LAST_ANSWERS_MS = 1_500;

export interface Bot {
  client: Client<true>;
  useapi: UseapiClient;
  responder: Responder;
  history: CreditHistory;
  sync: SyncChange[];
  /** The `/healthz` + `/metrics` server, when HEALTH_PORT is set. */
  health: HealthServer | undefined;
  /**
   * Stops taking interactions and lets those under way finish for `drainMs`; whatever still waits on
   * useapi.net then is abandoned and answered ("the bot is restarting"); then disconnects. A few
   * seconds at most, whatever useapi.net or the background checks are doing.
   */
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
  for (const warning of config.warnings) logger.warn(warning);
  const metrics = config.health.port === undefined ? undefined : new Metrics();
  const signer = await ActionSigner.fromDataDir(config.dataDir);
  const store = await openHistoryStore(config, logger);
  const history = new CreditHistory(store, logger.child({ component: 'history' }));
  await history.load();
  const useapi = new UseapiClient({
    token: config.useapi.token,
    baseUrl: config.useapi.baseUrl,
    timeouts: config.useapi.timeouts,
    cacheTtlMs: config.useapi.cacheTtlMs,
    maxConcurrent: config.useapi.maxConcurrent,
    logger: logger.child({ component: 'useapi' }),
    secrets: [config.discord.token, config.pixverse.discordToken, config.history.databaseAuthToken],
    onFeatures: (email, features) => history.record(email, features),
    ...(metrics ? { observer: metrics } : {}),
  });
  const responder = new Responder(config.discord.apiUrl);
  const background = new BackgroundWork(config, useapi, history, store, logger, (request) => signer.sign(request));
  const context: CommandContext = {
    useapi,
    respond: responder,
    sign: (request) => signer.sign(request),
    settings: {
      pixverseDiscordToken: config.pixverse.discordToken,
      defaultMaxJobs: config.pixverse.defaultMaxJobs,
      timeZone: config.timeZone,
    },
    alerts: background.alertsView,
    history: {
      summary: (email) => history.summary(email),
      readings: (query) => history.readings(query),
      emails: () => history.emails(),
      nextCheckAt: () => background.nextCheckAt(),
    },
    creditsCooldown: new Cooldowns(config.creditsCooldownMs),
    logger,
  };
  const router = createRouter({
    commands,
    context,
    actions: signer,
    guildIds: config.discord.guildIds,
    logger,
    ...(metrics
      ? { onInteraction: (command: string, outcome: string, ms: number) => metrics.interaction(command, outcome, ms) }
      : {}),
  });
  const client = createDiscordClient(config.discord.apiUrl);
  watchClient(client, router, logger, onGatewayClosed);
  metrics?.watchRestHandlers(() => ({ bot: client.rest.handlers.size, webhooks: responder.handlerCount }));

  let readyClient: Client<true>;
  try {
    readyClient = await logIn(client, config);
  } catch (error) {
    responder.close();
    await Promise.allSettled([client.destroy(), useapi.close(), history.close()]);
    throw error;
  }
  const health =
    metrics && config.health.port !== undefined
      ? await startHealthServer({
          host: config.health.host,
          port: config.health.port,
          metrics,
          isReady: () => gatewayReady(readyClient),
        })
      : undefined;
  const sync = await syncCommands(
    readyClient.rest,
    readyClient.application.id,
    commands.map((command) => command.data),
    config.discord.guildIds,
  );
  announceReady(readyClient, config, commands, sync, logger);
  // The first background check reads the same account list; the two share one request.
  void checkUseapiToken(useapi, logger);
  await background.start(readyClient);

  return {
    client: readyClient,
    useapi,
    responder,
    history,
    sync,
    health,
    async stop(drainMs = DRAIN_MS) {
      await router.drain(drainMs);
      useapi.interrupt();
      await Promise.all([router.drain(LAST_ANSWERS_MS), background.stop()]);
      await health?.close();
      await readyClient.destroy();
      responder.close();
      await useapi.close();
      await history.close();
    },
  };
}

/** Refuses a public application serving every server, then logs in and waits for the gateway's ready. */
async function logIn(client: Client, config: Config): Promise<Client<true>> {
  client.rest.setToken(config.discord.token);
  await refusePublicWithoutAllowlist(client.rest, config.discord.guildIds);
  const ready = once(client, Events.ClientReady) as Promise<[Client<true>]>;
  await client.login(config.discord.token);
  const [readyClient] = await ready;
  return readyClient;
}

function watchClient(client: Client, router: Router, logger: Logger, onGatewayClosed: StartOptions['onGatewayClosed']): void {
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
}

/** The one line that says the bot is up, and a warning for each server of DISCORD_GUILD_ID it is not in. */
function announceReady(
  client: Client<true>,
  config: Config,
  commands: readonly Command[],
  sync: SyncChange[],
  logger: Logger,
): void {
  const invite = inviteUrl(client.application.id);
  logger.info(
    {
      bot: client.user.tag,
      guilds: client.guilds.cache.map((guild) => ({ id: guild.id, name: guild.name })),
      commands: commands.map((command) => command.data.name),
      sync: sync.map(describeSync),
      invite,
    },
    'ready',
  );
  const missing = config.discord.guildIds.filter((id) => !client.guilds.cache.has(id));
  if (missing.length > 0) {
    logger.warn(
      { guilds: missing, invite },
      `the bot is not in ${missing.length === 1 ? `server ${missing[0]}` : `servers ${missing.join(', ')}`} of DISCORD_GUILD_ID yet; invite it with this link (the other servers are served meanwhile)`,
    );
  }
}

/** The manager's own status stays "ready" through a reconnect; each shard's does not. */
function gatewayReady(client: Client): boolean {
  return client.isReady() && client.ws.shards.size > 0 && client.ws.shards.every((shard) => shard.status === Status.Ready);
}

/**
 * The history database (a file in DATA_DIR unless DATABASE_URL says otherwise), migrated, with the
 * alert memory of an older version (DATA_DIR/alerts.json) moved into it once.
 */
async function openHistoryStore(config: Config, logger: Logger): Promise<HistoryStore> {
  const store = await HistoryStore.open({
    url: databaseUrl(config.dataDir, config.history.databaseUrl),
    ...(config.history.databaseAuthToken === undefined ? {} : { authToken: config.history.databaseAuthToken }),
    retentionDays: config.history.retentionDays,
    logger: logger.child({ component: 'history' }),
  });
  if ((await importLegacyAlerts(store, config.dataDir)) === 'imported') {
    logger.info({ database: store.location }, 'moved the alert memory of DATA_DIR/alerts.json into the history database');
  }
  return store;
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
    // A rejected token or subscription is said the way a command says it; anything else is passing.
    const { title, text } = describeFailure(error);
    const hint = isTokenWide(error)
      ? `${title}: ${text}`
      : 'could not check USEAPI_TOKEN with useapi.net at start-up; commands will retry';
    logger.warn({ kind, detail: (error as Error).message }, hint);
  }
}
