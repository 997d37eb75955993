import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InteractionHandle, RecordedRequest } from '../src/emulators/discord/index.js';
import type { BenchStack } from './stack.js';
import { distribution, type Distribution } from './stats.js';

/** Discord's deadline for the first response to an interaction. */
export const ACK_DEADLINE_MS = 3_000;
/** How long the benchmark waits for one interaction's final answer (discord.js gives up on a request after 15 s). */
const ANSWER_TIMEOUT_MS = 15_000;

export type Kind = 'credits' | 'autocomplete';

/** One interaction to send: `/credits email:<value>` or an autocomplete of `email` with `value` typed. */
export interface Plan {
  kind: Kind;
  guild: number;
  value?: string;
}

/** A dispatched interaction and a promise of whether it got its final answer in time. */
export interface Shot {
  kind: Kind;
  handle: InteractionHandle;
  answered: Promise<boolean>;
}

export function fire(stack: BenchStack, plan: Plan): Shot {
  if (plan.kind === 'autocomplete') {
    const handle = stack.autocomplete(plan.guild, plan.value ?? '');
    return { kind: plan.kind, handle, answered: settled(handle.firstResponse(ANSWER_TIMEOUT_MS)) };
  }
  const handle = stack.credits(plan.guild, plan.value);
  return { kind: plan.kind, handle, answered: settled(handle.finalMessage(ANSWER_TIMEOUT_MS)) };
}

function settled(promise: Promise<unknown>): Promise<boolean> {
  return promise.then(
    () => true,
    () => false,
  );
}

/** Dispatches `plans` evenly spread over `windowMs`, then waits for every answer (each bounded). */
export async function burst(stack: BenchStack, plans: readonly Plan[], windowMs: number): Promise<Shot[]> {
  const shots: Shot[] = [];
  const start = performance.now();
  for (const [index, plan] of plans.entries()) {
    const wait = start + (index * windowMs) / plans.length - performance.now();
    if (wait >= 1) await sleep(wait);
    shots.push(fire(stack, plan));
  }
  await Promise.all(shots.map((shot) => shot.answered));
  return shots;
}

/**
 * A closed loop: `concurrency` interactions in flight, each answered one replaced by the next, until
 * `total` were sent or `timeoutMs` passed. Measures what the subject sustains, not what it queues.
 */
export async function paced(
  stack: BenchStack,
  total: number,
  concurrency: number,
  plan: (index: number) => Plan,
  timeoutMs: number,
): Promise<{ shots: Shot[]; timedOut: boolean }> {
  const shots: Shot[] = [];
  const deadline = performance.now() + timeoutMs;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total && performance.now() < deadline) {
      const shot = fire(stack, plan(next));
      next += 1;
      shots.push(shot);
      await shot.answered;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { shots, timedOut: shots.length < total };
}

/** Where the emulators' request logs stood when a workload began. */
export interface Marks {
  discordFrom: number;
  useapiFrom: number;
  startedAt: number;
  loadGeneratorCpu: NodeJS.CpuUsage;
}

export function mark(stack: BenchStack): Marks {
  return {
    discordFrom: stack.discord.requests.length,
    useapiFrom: stack.useapi.requests.length,
    startedAt: performance.now(),
    loadGeneratorCpu: process.cpuUsage(),
  };
}

/** How one interaction was answered, timed by the requests the Discord emulator received. */
interface Outcome {
  kind: Kind;
  /** Dispatch → the accepted interaction callback. */
  ackMs: number | undefined;
  callbackType: number | undefined;
  /** Dispatch → the request carrying the final content (type 4/8 callback, or the webhook edit). */
  finalMs: number | undefined;
  /** Deferred (type 5) → the edit that carried the answer. */
  deferToFinalMs: number | undefined;
  webhookEdits: number;
}

export interface UpstreamCounts {
  /** GET /v2/pixverse/features per `email` ("(none)" without one). */
  features: Record<string, number>;
  accounts: number;
  total: number;
}

export interface WorkloadMeasure {
  name: string;
  interactions: number;
  credits: number;
  autocompletes: number;
  /** First dispatch → last dispatch. */
  dispatchSpanMs: number;
  /** First dispatch → last final answer. */
  spanMs: number;
  ack: Distribution | undefined;
  final: Distribution | undefined;
  /** The autocompletes alone (their callback is both first response and final answer). */
  autocompleteAck: Distribution | undefined;
  acknowledged: number;
  acknowledgedWithin3s: number;
  /** Acknowledgements slower than 50 ms, and when (after the first dispatch) those interactions were sent. */
  slowAcks: { count: number; dispatchedFromMs: number; dispatchedToMs: number };
  /**
   * The slowest acknowledgements, slowest first, with when (after the first dispatch) each interaction
   * was sent and the callback type: with 300 interactions, the fourth of them is the p99 (nearest rank).
   */
  slowestAcks: Array<{ dispatchedAtMs: number; ackMs: number; callbackType: number | undefined }>;
  /** When (after the first dispatch) each upstream request of the workload reached useapi.net, the first few. */
  firstUpstreamAtMs: number[];
  /** No final answer within the benchmark's wait. */
  unanswered: number;
  /** Answered directly: callback type 4 (or 8 for autocomplete). */
  directAnswers: number;
  /** Deferred (callback type 5), answered by a later webhook edit. */
  deferred: number;
  webhookEdits: number;
  deferToFinal: Distribution | undefined;
  /** Final answers per second over `spanMs`. */
  throughputPerS: number;
  upstream: UpstreamCounts;
  discordRequests: number;
  /** Request bodies the Discord emulator rejected as breaking Discord's published contract. */
  invalidBodies: number;
  /** CPU time of the benchmark process itself (emulators + load generation) during the workload. */
  loadGeneratorCpuMs: number;
  timedOut: boolean;
}

const CALLBACK_PATH = /^\/interactions\/[^/]+\/([^/]+)\/callback$/;
const WEBHOOK_PATH = /^\/webhooks\/[^/]+\/([^/]+)(\/messages\/[^/]+)?$/;

/** Requests of each interaction token, in arrival order. */
function requestsByToken(requests: readonly RecordedRequest[]): Map<string, RecordedRequest[]> {
  const byToken = new Map<string, RecordedRequest[]>();
  for (const request of requests) {
    const token = CALLBACK_PATH.exec(request.path)?.[1] ?? WEBHOOK_PATH.exec(request.path)?.[1];
    if (token === undefined) continue;
    const list = byToken.get(token);
    if (list) list.push(request);
    else byToken.set(token, [request]);
  }
  return byToken;
}

function isFinalEdit(request: RecordedRequest): boolean {
  const editsOriginal = request.method === 'PATCH' && request.path.endsWith('/messages/@original');
  const followsUp = request.method === 'POST' && request.path.startsWith('/webhooks/') && !request.path.includes('/messages/');
  return editsOriginal || followsUp;
}

function outcomeOf(shot: Shot, requests: readonly RecordedRequest[]): Outcome {
  const { handle } = shot;
  const accepted = handle.responses.find((record) => record.kind === 'callback');
  const callback = accepted
    ? requests.find(
        (request) =>
          request.path.endsWith('/callback') && (request.body as { type?: unknown } | undefined)?.type === accepted.callbackType,
      )
    : undefined;
  const ackMs = callback ? callback.at - handle.dispatchedAt : undefined;
  const webhookEdits = requests.filter((request) => request.method === 'PATCH').length;
  let finalRequest: RecordedRequest | undefined;
  if (accepted?.callbackType === 4 || accepted?.callbackType === 8) {
    finalRequest = callback;
  } else if (
    accepted?.callbackType === 5 &&
    handle.responses.some((record) => record.kind === 'edit' || record.kind === 'followup')
  ) {
    finalRequest = requests.find(isFinalEdit);
  }
  const finalMs = finalRequest ? finalRequest.at - handle.dispatchedAt : undefined;
  return {
    kind: shot.kind,
    ackMs,
    callbackType: accepted?.callbackType,
    finalMs,
    deferToFinalMs: accepted?.callbackType === 5 && finalRequest && callback ? finalRequest.at - callback.at : undefined,
    webhookEdits,
  };
}

function upstreamCounts(stack: BenchStack, from: number): UpstreamCounts {
  const counts: UpstreamCounts = { features: {}, accounts: 0, total: 0 };
  for (const request of stack.useapi.requests.slice(from)) {
    counts.total += 1;
    if (request.method !== 'GET') continue;
    if (request.path.startsWith('/v2/pixverse/features')) {
      const email = request.query.get('email') ?? '(none)';
      counts.features[email] = (counts.features[email] ?? 0) + 1;
    } else if (request.path === '/v2/pixverse/accounts') {
      counts.accounts += 1;
    }
  }
  return counts;
}

export const SLOW_ACK_MS = 50;
const SLOWEST_KEPT = 4;
const UPSTREAM_TIMES_KEPT = 3;

function slowestAcks(
  shots: readonly Shot[],
  outcomes: readonly Outcome[],
  firstDispatch: number,
): WorkloadMeasure['slowestAcks'] {
  return shots
    .map((shot, index) => ({ shot, outcome: outcomes[index] }))
    .filter((entry) => entry.outcome?.ackMs !== undefined)
    .sort((a, b) => b.outcome!.ackMs! - a.outcome!.ackMs!)
    .slice(0, SLOWEST_KEPT)
    .map(({ shot, outcome }) => ({
      dispatchedAtMs: shot.handle.dispatchedAt - firstDispatch,
      ackMs: outcome!.ackMs!,
      callbackType: outcome!.callbackType,
    }));
}

function slowAcks(shots: readonly Shot[], outcomes: readonly Outcome[], firstDispatch: number): WorkloadMeasure['slowAcks'] {
  const offsets = shots
    .filter((_, index) => (outcomes[index]?.ackMs ?? Number.POSITIVE_INFINITY) > SLOW_ACK_MS)
    .map((shot) => shot.handle.dispatchedAt - firstDispatch);
  return {
    count: offsets.length,
    dispatchedFromMs: offsets.length > 0 ? Math.min(...offsets) : 0,
    dispatchedToMs: offsets.length > 0 ? Math.max(...offsets) : 0,
  };
}

const defined = (values: Array<number | undefined>): number[] => values.filter((value): value is number => value !== undefined);

/** Everything measured about one workload, from the emulators' logs since `marks`. */
export function measure(
  name: string,
  stack: BenchStack,
  shots: readonly Shot[],
  marks: Marks,
  invalidBefore: number,
  timedOut: boolean,
): WorkloadMeasure {
  const byToken = requestsByToken(stack.discord.requests.slice(marks.discordFrom));
  const outcomes = shots.map((shot) => outcomeOf(shot, byToken.get(shot.handle.token) ?? []));
  const firstDispatch = Math.min(...shots.map((shot) => shot.handle.dispatchedAt));
  const lastDispatch = Math.max(...shots.map((shot) => shot.handle.dispatchedAt));
  const finals = defined(outcomes.map((outcome) => outcome.finalMs));
  const lastFinal = Math.max(...shots.map((shot, index) => shot.handle.dispatchedAt + (outcomes[index]?.finalMs ?? 0)));
  const spanMs = lastFinal - firstDispatch;
  const cpu = process.cpuUsage(marks.loadGeneratorCpu);
  return {
    name,
    interactions: shots.length,
    credits: shots.filter((shot) => shot.kind === 'credits').length,
    autocompletes: shots.filter((shot) => shot.kind === 'autocomplete').length,
    dispatchSpanMs: lastDispatch - firstDispatch,
    spanMs,
    ack: distribution(defined(outcomes.map((outcome) => outcome.ackMs))),
    final: distribution(finals),
    autocompleteAck: distribution(
      defined(outcomes.filter((outcome) => outcome.kind === 'autocomplete').map((outcome) => outcome.ackMs)),
    ),
    acknowledged: outcomes.filter((outcome) => outcome.ackMs !== undefined).length,
    acknowledgedWithin3s: outcomes.filter((outcome) => outcome.ackMs !== undefined && outcome.ackMs <= ACK_DEADLINE_MS).length,
    slowAcks: slowAcks(shots, outcomes, firstDispatch),
    slowestAcks: slowestAcks(shots, outcomes, firstDispatch),
    firstUpstreamAtMs: stack.useapi.requests
      .slice(marks.useapiFrom, marks.useapiFrom + UPSTREAM_TIMES_KEPT)
      .map((request) => request.at - firstDispatch),
    unanswered: outcomes.filter((outcome) => outcome.finalMs === undefined).length,
    directAnswers: outcomes.filter((outcome) => outcome.callbackType === 4 || outcome.callbackType === 8).length,
    deferred: outcomes.filter((outcome) => outcome.callbackType === 5).length,
    webhookEdits: outcomes.reduce((sum, outcome) => sum + outcome.webhookEdits, 0),
    deferToFinal: distribution(defined(outcomes.map((outcome) => outcome.deferToFinalMs))),
    throughputPerS: spanMs > 0 ? (finals.length * 1000) / spanMs : 0,
    upstream: upstreamCounts(stack, marks.useapiFrom),
    discordRequests: stack.discord.requests.length - marks.discordFrom,
    invalidBodies: stack.discord.validationErrors.length - invalidBefore,
    loadGeneratorCpuMs: (cpu.user + cpu.system) / 1000,
    timedOut,
  };
}
