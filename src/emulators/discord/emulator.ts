import { randomBytes } from 'node:crypto';
import {
  STATUS_CODES,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  InteractionType,
  MessageType,
  type APIApplicationCommand,
  type ApplicationFlags,
  type APIInteraction,
  type APIMessage,
  type APIMessageInteractionMetadata,
  type APIUser,
  type GatewayReadyDispatchData,
} from 'discord-api-types/v10';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { normaliseCommand } from './commands.js';
import {
  DEFAULT_OWNER_ID,
  NO_FLAGS,
  botUser,
  channelObject,
  guildCreatePayload,
  plainUser,
  type EmulatedChannel,
  type EmulatedGuild,
} from './guilds.js';
import { readBody, sendJson, type UploadedFile } from './http.js';
import { InteractionState, type InteractionHandle } from './interaction.js';
import { MessageFlag, createMessage, editMessage, isLoading } from './messages.js';
import { snowflake } from './snowflake.js';
import { formErrorTree, isRecord, validateBody, type BodyKind, type FormIssue } from './validation.js';

export interface DiscordEmulatorOptions {
  botToken: string;
  applicationId?: string;
  /** Defaults to the application id: for applications created nowadays the two are the same. */
  botUserId?: string;
  botName?: string;
  guilds: EmulatedGuild[];
  /** 0 or absent: an ephemeral port. */
  port?: number;
  heartbeatIntervalMs?: number;
  /** How long after dispatch a first callback is still accepted; Discord allows 3 s. */
  interactionDeadlineMs?: number;
  /** How long interaction webhooks (edits, follow-ups) stay usable; Discord allows 15 min. */
  interactionTokenLifetimeMs?: number;
  /** The application's "Public Bot" setting; Discord's default for a new application is on. */
  botPublic?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Decoded path after `/api/v10`, e.g. `/webhooks/APP/TOKEN/messages/@original`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, the `payload_json` part of a multipart body, or undefined. */
  body: unknown;
  /** Names and sizes of uploaded files, for multipart requests. */
  files: UploadedFile[];
  at: number;
}

export interface ValidationErrorRecord {
  method: string;
  path: string;
  issues: FormIssue[];
}

export interface RestFaultRule {
  method?: string;
  path: RegExp;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests fail; absent means every one until the emulator closes. */
  times?: number;
}

type ErrorReply = readonly [status: number, body: { message: string; code: number }];

const Errors = {
  notFound: [404, { message: '404: Not Found', code: 0 }],
  unauthorized: [401, { message: '401: Unauthorized', code: 0 }],
  unknownChannel: [404, { message: 'Unknown Channel', code: 10003 }],
  unknownMessage: [404, { message: 'Unknown Message', code: 10008 }],
  unknownWebhook: [404, { message: 'Unknown Webhook', code: 10015 }],
  unknownInteraction: [404, { message: 'Unknown interaction', code: 10062 }],
  notThisApplication: [403, { message: 'You are not authorized to perform this action on this application', code: 20012 }],
  alreadyAcknowledged: [400, { message: 'Interaction has already been acknowledged.', code: 40060 }],
  missingAccess: [403, { message: 'Missing Access', code: 50001 }],
  invalidWebhookToken: [401, { message: 'Invalid Webhook Token', code: 50027 }],
  invalidJson: [400, { message: 'The request body contains invalid JSON.', code: 50109 }],
} as const satisfies Record<string, ErrorReply>;

interface GatewayFrame {
  op: 0;
  t: string;
  s: number;
  d: unknown;
}

interface GatewaySession {
  id: string;
  seq: number;
  socket: WebSocket | undefined;
  /** Sent dispatches, replayed to a client that resumes after missing some. */
  events: GatewayFrame[];
  ready: boolean;
}

interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  files: UploadedFile[];
}

interface Route {
  method: string;
  segments: string[];
  botAuth: boolean;
  handle: (context: RouteContext) => void;
}

const API_PREFIX = '/api/v10';
const REPLAY_LIMIT = 1_000;
const MESSAGE_CALLBACKS: readonly number[] = [4, 5, 6, 7];
const ALLOWED_CALLBACKS = new Map<InteractionType, readonly number[]>([
  [InteractionType.Ping, [1]],
  [InteractionType.ApplicationCommand, [4, 5, 9, 12]],
  [InteractionType.MessageComponent, [4, 5, 6, 7, 9, 12]],
  [InteractionType.ApplicationCommandAutocomplete, [8]],
  [InteractionType.ModalSubmit, [4, 5, 6, 7]],
]);

/**
 * A loopback Discord: REST under `/api/v10` and a JSON gateway on the same port, enough for an
 * unmodified discord.js Client to log in, sync commands and answer interactions, with every
 * request body checked against Discord's published schemas.
 */
export class DiscordEmulator {
  readonly apiUrl: string;
  readonly gatewayUrl: string;
  readonly applicationId: string;
  readonly botUserId: string;
  readonly requests: RecordedRequest[] = [];
  readonly validationErrors: ValidationErrorRecord[] = [];
  /** IDENTIFY payloads received, accepted or not. */
  readonly identifies: unknown[] = [];
  /** RESUME payloads received, accepted or not. */
  readonly resumes: unknown[] = [];

  readonly #options: DiscordEmulatorOptions;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #bot: APIUser;
  readonly #routes: Route[];
  readonly #sockets = new Set<WebSocket>();
  readonly #sessions = new Map<string, GatewaySession>();
  #latestSession: GatewaySession | undefined;
  readonly #commands = new Map<string, APIApplicationCommand[]>();
  readonly #interactions = new Map<string, InteractionState>();
  readonly #interactionsByToken = new Map<string, InteractionState>();
  readonly #messages = new Map<string, APIMessage>();
  readonly #channelMessageIds: string[] = [];
  readonly #faults: Array<RestFaultRule & { remaining: number }> = [];
  readonly #waiters = new Set<() => void>();
  #tokenRejected = false;
  #resumedCount = 0;

  private constructor(options: DiscordEmulatorOptions, server: Server, wss: WebSocketServer, port: number) {
    this.#options = options;
    this.#server = server;
    this.#wss = wss;
    this.applicationId = options.applicationId ?? snowflake();
    this.botUserId = options.botUserId ?? this.applicationId;
    this.#bot = botUser(this.botUserId, options.botName ?? 'Emulated Bot');
    this.apiUrl = `http://127.0.0.1:${port}/api`;
    this.gatewayUrl = `ws://127.0.0.1:${port}`;
    this.#routes = this.#buildRoutes();
    server.on('request', (req, res) => {
      this.#onRequest(req, res).catch(() => sendJson(res, 500, { message: '500: Internal Server Error', code: 0 }));
    });
    wss.on('connection', (socket) => this.#onConnection(socket));
  }

  static async start(options: DiscordEmulatorOptions): Promise<DiscordEmulator> {
    const server = createServer();
    const wss = new WebSocketServer({ server });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new DiscordEmulator(options, server, wss, (server.address() as AddressInfo).port);
  }

  get botUser(): APIUser {
    return structuredClone(this.#bot);
  }

  get guilds(): readonly EmulatedGuild[] {
    return this.#options.guilds;
  }

  /** The guild and channel an id belongs to, among the emulated guilds. */
  findChannel(channelId: string): { guild: EmulatedGuild; channel: EmulatedChannel } | undefined {
    for (const guild of this.#options.guilds) {
      const channel = guild.channels.find((candidate) => candidate.id === channelId);
      if (channel) return { guild, channel };
    }
    return undefined;
  }

  /** Current state of any message the emulator created or was shown (replies, follow-ups, posts). */
  message(id: string): APIMessage | undefined {
    const message = this.#messages.get(id);
    return message && structuredClone(message);
  }

  /** Messages the bot posted with `POST /channels/{id}/messages`, oldest first. */
  channelMessages(channelId?: string): APIMessage[] {
    return this.#channelMessageIds
      .map((id) => this.#messages.get(id))
      .filter((message): message is APIMessage => message !== undefined)
      .filter((message) => channelId === undefined || message.channel_id === channelId)
      .map((message) => structuredClone(message));
  }

  commands(guildId?: string): APIApplicationCommand[] {
    return structuredClone(this.#commands.get(guildId ?? '') ?? []);
  }

  setCommands(commands: unknown[], guildId?: string): void {
    const previous = this.#commands.get(guildId ?? '') ?? [];
    this.#commands.set(
      guildId ?? '',
      commands.filter(isRecord).map((command) => this.#normalise(command, previous, guildId)),
    );
  }

  /** The registered command an interaction for `name` would carry, guild registrations first. */
  registeredCommand(name: string, guildId?: string | null): APIApplicationCommand | undefined {
    const scopes = guildId ? [guildId, ''] : [''];
    for (const scope of scopes) {
      const found = this.#commands.get(scope)?.find((command) => command.name === name);
      if (found) return structuredClone(found);
    }
    return undefined;
  }

  waitForReady(timeoutMs = 10_000): Promise<void> {
    return this.#waitUntil(() => this.#latestSession?.ready === true, timeoutMs, 'a client to identify');
  }

  /** Resolves once `count` RESUMEs in total have been answered with RESUMED. */
  waitForResumed(count = 1, timeoutMs = 10_000): Promise<void> {
    return this.#waitUntil(() => this.#resumedCount >= count, timeoutMs, `${count} resumed session(s)`);
  }

  dispatchInteraction(payload: APIInteraction): InteractionHandle {
    const session = this.#latestSession;
    if (!session) throw new Error('no gateway session: log a client in before dispatching interactions');
    const state = new InteractionState(payload, (id) => this.#messages.get(id));
    if (payload.message && !this.#messages.has(payload.message.id)) {
      this.#messages.set(payload.message.id, structuredClone(payload.message));
    }
    this.#interactions.set(payload.id, state);
    this.#interactionsByToken.set(payload.token, state);
    this.#dispatch(session, 'INTERACTION_CREATE', payload);
    return state;
  }

  /** Closes the client's socket with `code` (4000 makes discord.js resume). */
  closeGateway(code: number): void {
    this.#latestSession?.socket?.close(code);
  }

  /** Cuts the client's TCP connection without a close frame. */
  dropGateway(): void {
    this.#latestSession?.socket?.terminate();
  }

  addRestFault(rule: RestFaultRule): void {
    this.#faults.push({ ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  /** From now on the bot token is refused, as after a token reset. */
  rejectToken(): void {
    this.#tokenRejected = true;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // ---- gateway ----

  #onConnection(socket: WebSocket): void {
    this.#sockets.add(socket);
    let session: GatewaySession | undefined;
    socket.on('error', () => {
      // A client that vanishes mid-frame is expected; the close handler cleans up.
    });
    socket.on('close', () => {
      this.#sockets.delete(socket);
      if (session?.socket === socket) session.socket = undefined;
    });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const packet = isBinary ? undefined : parseFrame(data);
      if (!packet) {
        socket.close(4002, 'Error while decoding payload.');
        return;
      }
      switch (packet.op) {
        case 1:
          socket.send(JSON.stringify({ op: 11 }));
          return;
        case 2:
          if (session) socket.close(4005, 'Already authenticated.');
          else session = this.#identify(socket, packet.d);
          return;
        case 6:
          session = this.#resume(socket, packet.d) ?? session;
          return;
        // Presence, voice state and member requests are legal but change nothing the emulator models.
        case 3:
        case 4:
        case 8:
          return;
        default:
          socket.close(4001, 'Unknown opcode.');
      }
    });
    socket.send(
      JSON.stringify({ op: 10, s: null, t: null, d: { heartbeat_interval: this.#options.heartbeatIntervalMs ?? 41_250 } }),
    );
  }

  #identify(socket: WebSocket, payload: unknown): GatewaySession | undefined {
    this.identifies.push(payload);
    if (!isRecord(payload) || !this.#tokenAccepted(payload.token)) {
      socket.close(4004, 'Authentication failed.');
      return undefined;
    }
    if (typeof payload.intents !== 'number' || !Number.isInteger(payload.intents) || payload.intents < 0) {
      socket.close(4013, 'Invalid intent(s).');
      return undefined;
    }
    const session: GatewaySession = { id: randomBytes(16).toString('hex'), seq: 0, socket, events: [], ready: false };
    this.#sessions.set(session.id, session);
    this.#latestSession = session;
    const ready: GatewayReadyDispatchData = {
      v: 10,
      user: { ...this.#bot, verified: true, mfa_enabled: false, email: null },
      guilds: this.#options.guilds.map((guild) => ({ id: guild.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.gatewayUrl,
      shard: [0, 1],
      application: { id: this.applicationId, flags: NO_FLAGS as ApplicationFlags, flags_new: '0' },
    };
    this.#dispatch(session, 'READY', ready);
    for (const guild of this.#options.guilds) this.#dispatch(session, 'GUILD_CREATE', guildCreatePayload(guild, this.#bot));
    session.ready = true;
    this.#notify();
    return session;
  }

  #resume(socket: WebSocket, payload: unknown): GatewaySession | undefined {
    this.resumes.push(payload);
    if (!isRecord(payload) || !this.#tokenAccepted(payload.token)) {
      socket.close(4004, 'Authentication failed.');
      return undefined;
    }
    const session = typeof payload.session_id === 'string' ? this.#sessions.get(payload.session_id) : undefined;
    if (!session) {
      socket.send(JSON.stringify({ op: 9, s: null, t: null, d: false }));
      return undefined;
    }
    if (session.socket && session.socket !== socket) session.socket.terminate();
    session.socket = socket;
    const seen = typeof payload.seq === 'number' ? payload.seq : 0;
    for (const frame of session.events) if (frame.s > seen) socket.send(JSON.stringify(frame));
    this.#dispatch(session, 'RESUMED', null);
    this.#resumedCount += 1;
    this.#notify();
    return session;
  }

  #dispatch(session: GatewaySession, t: string, d: unknown): void {
    session.seq += 1;
    const frame: GatewayFrame = { op: 0, t, s: session.seq, d };
    session.events.push(frame);
    if (session.events.length > REPLAY_LIMIT) session.events.shift();
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(JSON.stringify(frame));
  }

  #tokenAccepted(token: unknown): boolean {
    return !this.#tokenRejected && token === this.#options.botToken;
  }

  #waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = (): void => {
        if (!check()) return;
        this.#waiters.delete(waiter);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`Discord emulator: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  // ---- REST ----

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const versioned = url.pathname.startsWith(`${API_PREFIX}/`);
    const rawPath = versioned ? url.pathname.slice(API_PREFIX.length) : url.pathname;
    const segments = rawPath.split('/').map(decodeSegment);
    const path = segments.join('/');
    const { body, files, malformed } = await readBody(req);
    this.requests.push({ method, path, query: url.searchParams, headers: req.headers, body, files, at: performance.now() });

    const fault = this.#takeFault(method, path);
    if (fault) {
      sendJson(res, fault.status, fault.body ?? defaultFaultBody(fault), fault.headers);
      return;
    }
    const matched = versioned ? this.#match(method, segments) : undefined;
    if (!matched) return reply(res, Errors.notFound);
    const [route, params] = matched;
    if (route.botAuth && !this.#botAuthorised(req)) return reply(res, Errors.unauthorized);
    if (malformed) return reply(res, Errors.invalidJson);
    route.handle({ req, res, method, path, params, query: url.searchParams, body, files });
  }

  #botAuthorised(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    return header.startsWith('Bot ') && this.#tokenAccepted(header.slice(4));
  }

  #takeFault(method: string, path: string): RestFaultRule | undefined {
    const index = this.#faults.findIndex((rule) => {
      rule.path.lastIndex = 0;
      return (rule.method === undefined || rule.method.toUpperCase() === method) && rule.path.test(path);
    });
    const rule = this.#faults[index];
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.#faults.splice(index, 1);
    return rule;
  }

  #match(method: string, segments: string[]): [Route, Record<string, string>] | undefined {
    for (const route of this.#routes) {
      if (route.method !== method || route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const fits = route.segments.every((expected, index) => {
        const actual = segments[index] ?? '';
        if (expected.startsWith(':')) {
          params[expected.slice(1)] = actual;
          return actual.length > 0;
        }
        return expected === actual;
      });
      if (fits) return [route, params];
    }
    return undefined;
  }

  /** Answers Discord's 400 Invalid Form Body when the body breaks the published contract. */
  #rejectInvalid(context: RouteContext, kind: BodyKind): boolean {
    const issues = validateBody(kind, context.body);
    if (issues.length === 0) return false;
    this.#reportInvalid(context, issues);
    return true;
  }

  #reportInvalid(context: RouteContext, issues: FormIssue[]): void {
    this.validationErrors.push({ method: context.method, path: context.path, issues });
    sendJson(context.res, 400, { code: 50035, message: 'Invalid Form Body', errors: formErrorTree(issues) });
  }

  #buildRoutes(): Route[] {
    const route = (spec: string, botAuth: boolean, handle: (context: RouteContext) => void): Route => {
      const [method = '', path = ''] = spec.split(' ');
      return { method, segments: path.split('/'), botAuth, handle };
    };
    return [
      route('GET /gateway', false, ({ res }) => sendJson(res, 200, { url: this.gatewayUrl })),
      route('GET /gateway/bot', true, ({ res }) =>
        sendJson(res, 200, {
          url: this.gatewayUrl,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
        }),
      ),
      route('GET /users/@me', true, ({ res }) =>
        sendJson(res, 200, { ...this.#bot, verified: true, mfa_enabled: false, email: null }),
      ),
      route('GET /applications/@me', true, ({ res }) => sendJson(res, 200, this.#application())),
      route('GET /applications/:app/commands', true, (c) => this.#listCommands(c)),
      route('PUT /applications/:app/commands', true, (c) => this.#putCommands(c)),
      route('POST /applications/:app/commands', true, (c) => this.#createCommand(c)),
      route('DELETE /applications/:app/commands/:command', true, (c) => this.#deleteCommand(c)),
      route('GET /applications/:app/guilds/:guild/commands', true, (c) => this.#listCommands(c)),
      route('PUT /applications/:app/guilds/:guild/commands', true, (c) => this.#putCommands(c)),
      route('POST /applications/:app/guilds/:guild/commands', true, (c) => this.#createCommand(c)),
      route('DELETE /applications/:app/guilds/:guild/commands/:command', true, (c) => this.#deleteCommand(c)),
      route('POST /interactions/:id/:token/callback', false, (c) => this.#interactionCallback(c)),
      route('POST /webhooks/:app/:token', false, (c) => this.#followUp(c)),
      route('GET /webhooks/:app/:token/messages/:message', false, (c) => this.#webhookMessage(c)),
      route('PATCH /webhooks/:app/:token/messages/:message', false, (c) => this.#webhookMessage(c)),
      route('DELETE /webhooks/:app/:token/messages/:message', false, (c) => this.#webhookMessage(c)),
      route('GET /channels/:channel', true, (c) => this.#getChannel(c)),
      route('POST /channels/:channel/messages', true, (c) => this.#postChannelMessage(c)),
    ];
  }

  #application(): Record<string, unknown> {
    return {
      id: this.applicationId,
      name: this.#bot.username,
      icon: null,
      description: '',
      summary: '',
      bot_public: this.#options.botPublic ?? true,
      bot_require_code_grant: false,
      verify_key: randomBytes(32).toString('hex'),
      flags: 0,
      team: null,
      owner: plainUser(this.#options.guilds[0]?.ownerId ?? DEFAULT_OWNER_ID),
      bot: this.#bot,
    };
  }

  /** The command scope of a route, or an error reply when the route names a foreign app or guild. */
  #commandScope(context: RouteContext): string | ErrorReply {
    if (context.params.app !== this.applicationId) return Errors.notThisApplication;
    const guildId = context.params.guild;
    if (guildId === undefined) return '';
    return this.#options.guilds.some((guild) => guild.id === guildId) ? guildId : Errors.missingAccess;
  }

  #listCommands(context: RouteContext): void {
    const scope = this.#commandScope(context);
    if (typeof scope !== 'string') return reply(context.res, scope);
    sendJson(context.res, 200, this.#commands.get(scope) ?? []);
  }

  #putCommands(context: RouteContext): void {
    const scope = this.#commandScope(context);
    if (typeof scope !== 'string') return reply(context.res, scope);
    if (this.#rejectInvalid(context, 'bulkCommands')) return;
    const previous = this.#commands.get(scope) ?? [];
    const items = (context.body as unknown[]).filter(isRecord);
    const next = items.map((item) => this.#normalise(item, previous, scope || undefined));
    this.#commands.set(scope, next);
    sendJson(context.res, 200, next);
  }

  #createCommand(context: RouteContext): void {
    const scope = this.#commandScope(context);
    if (typeof scope !== 'string') return reply(context.res, scope);
    if (this.#rejectInvalid(context, 'command')) return;
    const previous = this.#commands.get(scope) ?? [];
    const command = this.#normalise(context.body as Record<string, unknown>, previous, scope || undefined);
    const existed = previous.some((candidate) => candidate.id === command.id);
    this.#commands.set(scope, [...previous.filter((candidate) => candidate.id !== command.id), command]);
    sendJson(context.res, existed ? 200 : 201, command);
  }

  #deleteCommand(context: RouteContext): void {
    const scope = this.#commandScope(context);
    if (typeof scope !== 'string') return reply(context.res, scope);
    const previous = this.#commands.get(scope) ?? [];
    if (!previous.some((command) => command.id === context.params.command)) {
      return sendJson(context.res, 404, { message: 'Unknown application command', code: 10063 });
    }
    this.#commands.set(
      scope,
      previous.filter((command) => command.id !== context.params.command),
    );
    sendJson(context.res, 204);
  }

  #normalise(
    input: Record<string, unknown>,
    previous: APIApplicationCommand[],
    guildId: string | undefined,
  ): APIApplicationCommand {
    const type = typeof input.type === 'number' ? input.type : 1;
    const match = previous.find((command) => command.name === input.name && Number(command.type) === type);
    return normaliseCommand(input, this.applicationId, match, guildId);
  }

  #interactionCallback(context: RouteContext): void {
    const state = this.#interactions.get(context.params.id ?? '');
    if (!state || state.token !== context.params.token) return reply(context.res, Errors.unknownInteraction);
    if (this.#rejectInvalid(context, 'interactionCallback')) return;
    const body = context.body as Record<string, unknown>;
    const type = body.type as number;
    const allowed = ALLOWED_CALLBACKS.get(state.payload.type) ?? [];
    const updatesMessage = type === 6 || type === 7;
    if (!allowed.includes(type) || (updatesMessage && !state.payload.message)) {
      return this.#reportInvalid(context, [
        {
          path: ['type'],
          code: 'INTERACTION_CALLBACK_TYPE_INVALID',
          message: `Callback type ${type} is not valid for an interaction of type ${state.payload.type}.`,
        },
      ]);
    }
    if (state.acknowledgedWith !== undefined) return reply(context.res, Errors.alreadyAcknowledged);
    if (performance.now() - state.dispatchedAt > (this.#options.interactionDeadlineMs ?? 3_000)) {
      return reply(context.res, Errors.unknownInteraction);
    }

    state.acknowledgedWith = type;
    const data = isRecord(body.data) ? body.data : {};
    if (type === 4 || type === 5) {
      const message = createMessage({
        channelId: state.payload.channel?.id ?? state.payload.channel_id ?? '0',
        author: this.#bot,
        type: state.payload.type === InteractionType.ApplicationCommand ? MessageType.ChatInputCommand : MessageType.Default,
        body: type === 5 ? {} : data,
        files: context.files,
        forcedFlags: type === 5 ? MessageFlag.Loading | (Number(data.flags ?? 0) & MessageFlag.Ephemeral) : 0,
        applicationId: this.applicationId,
        interactionMetadata: interactionMetadata(state.payload),
      });
      this.#messages.set(message.id, message);
      state.originalId = message.id;
    } else if (updatesMessage && state.payload.message) {
      state.originalId = state.payload.message.id;
      const current = this.#messages.get(state.originalId);
      if (type === 7 && current) this.#messages.set(current.id, editMessage(current, data, context.files));
    }
    state.record({ kind: 'callback', callbackType: type, body, ...(state.originalId ? { messageId: state.originalId } : {}) });

    if (context.query.get('with_response') !== 'true') return sendJson(context.res, 204);
    const original = state.original();
    const resource = MESSAGE_CALLBACKS.includes(type) ? { type, ...(original ? { message: original } : {}) } : undefined;
    sendJson(context.res, 200, {
      interaction: {
        id: state.id,
        type: state.payload.type,
        ...(original && type !== 6
          ? {
              response_message_id: original.id,
              response_message_loading: isLoading(original),
              response_message_ephemeral: ((original.flags ?? 0) & MessageFlag.Ephemeral) !== 0,
            }
          : {}),
      },
      ...(resource ? { resource } : {}),
    });
  }

  /** The interaction behind a webhook route, or the error Discord gives for that webhook. */
  #webhookInteraction(context: RouteContext): InteractionState | ErrorReply {
    const state = this.#interactionsByToken.get(context.params.token ?? '');
    const lifetime = this.#options.interactionTokenLifetimeMs ?? 15 * 60_000;
    if (context.params.app !== this.applicationId || !state || performance.now() - state.dispatchedAt > lifetime) {
      return Errors.invalidWebhookToken;
    }
    if (state.acknowledgedWith === undefined || !MESSAGE_CALLBACKS.includes(state.acknowledgedWith)) {
      return Errors.unknownWebhook;
    }
    return state;
  }

  #followUp(context: RouteContext): void {
    const state = this.#webhookInteraction(context);
    if (!(state instanceof InteractionState)) return reply(context.res, state);
    if (this.#rejectInvalid(context, 'webhookExecute')) return;
    const body = context.body as Record<string, unknown>;
    const original = state.original();
    let message: APIMessage;
    if (original && isLoading(original)) {
      // Discord turns the first follow-up after a deferred reply into that reply.
      message = editMessage(original, body, context.files);
    } else {
      message = createMessage({
        channelId: state.payload.channel?.id ?? state.payload.channel_id ?? '0',
        author: this.#bot,
        type: state.payload.type === InteractionType.ApplicationCommand ? MessageType.ChatInputCommand : MessageType.Default,
        body,
        files: context.files,
        applicationId: this.applicationId,
        interactionMetadata: interactionMetadata(state.payload),
      });
      state.followupIds.add(message.id);
    }
    this.#messages.set(message.id, message);
    state.record({ kind: 'followup', body, messageId: message.id });
    if (context.query.get('wait') === 'true') sendJson(context.res, 200, message);
    else sendJson(context.res, 204);
  }

  #webhookMessage(context: RouteContext): void {
    const state = this.#webhookInteraction(context);
    if (!(state instanceof InteractionState)) return reply(context.res, state);
    const requested = context.params.message === '@original' ? state.originalId : context.params.message;
    const owned = requested !== undefined && (requested === state.originalId || state.followupIds.has(requested));
    const message = owned ? this.#messages.get(requested) : undefined;
    if (!message) return reply(context.res, Errors.unknownMessage);
    switch (context.method) {
      case 'GET':
        return sendJson(context.res, 200, message);
      case 'DELETE':
        this.#messages.delete(message.id);
        state.record({ kind: 'delete', body: undefined, messageId: message.id });
        return sendJson(context.res, 204);
      default: {
        if (this.#rejectInvalid(context, 'webhookEdit')) return;
        const edited = editMessage(message, context.body as Record<string, unknown>, context.files);
        this.#messages.set(edited.id, edited);
        state.record({ kind: 'edit', body: context.body, messageId: edited.id });
        return sendJson(context.res, 200, edited);
      }
    }
  }

  #getChannel(context: RouteContext): void {
    const found = this.findChannel(context.params.channel ?? '');
    if (!found) return reply(context.res, Errors.unknownChannel);
    sendJson(context.res, 200, channelObject(found.guild, found.channel));
  }

  #postChannelMessage(context: RouteContext): void {
    const found = this.findChannel(context.params.channel ?? '');
    if (!found) return reply(context.res, Errors.unknownChannel);
    if (this.#rejectInvalid(context, 'channelMessage')) return;
    const message = createMessage({
      channelId: found.channel.id,
      author: this.#bot,
      type: MessageType.Default,
      body: context.body as Record<string, unknown>,
      files: context.files,
    });
    this.#messages.set(message.id, message);
    this.#channelMessageIds.push(message.id);
    sendJson(context.res, 200, { ...message, guild_id: found.guild.id });
  }
}

function reply(res: ServerResponse, [status, body]: ErrorReply): void {
  sendJson(res, status, body);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function parseFrame(data: RawData): { op: number; d: unknown } | undefined {
  try {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? Buffer.from(data) : data;
    const text = bytes.toString('utf8');
    const packet: unknown = JSON.parse(text);
    return isRecord(packet) && typeof packet.op === 'number' ? { op: packet.op, d: packet.d } : undefined;
  } catch {
    return undefined;
  }
}

function defaultFaultBody(rule: RestFaultRule): unknown {
  if (rule.status === 429) {
    const retryAfter = Number(rule.headers?.['Retry-After'] ?? rule.headers?.['retry-after'] ?? 1);
    return { message: 'You are being rate limited.', retry_after: retryAfter, global: false };
  }
  return { message: `${rule.status}: ${STATUS_CODES[rule.status] ?? 'Error'}`, code: 0 };
}

function interactionMetadata(payload: APIInteraction): APIMessageInteractionMetadata {
  const user = payload.member?.user ?? payload.user;
  return {
    id: payload.id,
    type: payload.type,
    user: user ?? { id: '0', username: 'unknown', discriminator: '0', global_name: null, avatar: null },
    authorizing_integration_owners: payload.authorizing_integration_owners,
  } as APIMessageInteractionMetadata;
}
