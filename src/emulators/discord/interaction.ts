import { performance } from 'node:perf_hooks';
import type { APIInteraction, APIMessage } from 'discord-api-types/v10';
import { hasVisibleContent, isLoading } from './messages.js';

export interface InteractionResponseRecord {
  kind: 'callback' | 'edit' | 'followup' | 'delete';
  /** The interaction callback type (4 reply, 5 defer, 6 deferred update, 7 update, 8 autocomplete, 9 modal). */
  callbackType?: number;
  body: unknown;
  /** The message created, edited or deleted, when there is one. */
  messageId?: string;
  at: number;
}

export interface InteractionHandle {
  readonly id: string;
  readonly token: string;
  readonly dispatchedAt: number;
  readonly payload: APIInteraction;
  readonly responses: InteractionResponseRecord[];
  /** Resolves with the first accepted callback. */
  firstResponse(timeoutMs?: number): Promise<InteractionResponseRecord>;
  /** Resolves with the oldest response that matches and that no earlier call returned. */
  nextResponse(
    predicate?: (record: InteractionResponseRecord) => boolean,
    timeoutMs?: number,
  ): Promise<InteractionResponseRecord>;
  /** Resolves with a snapshot of the original response once it shows something (not a loading state). */
  finalMessage(timeoutMs?: number): Promise<APIMessage>;
}

const DEFAULT_WAIT_MS = 5_000;

/** What the emulator knows about one dispatched interaction. */
export class InteractionState implements InteractionHandle {
  readonly id: string;
  readonly token: string;
  readonly dispatchedAt = performance.now();
  readonly responses: InteractionResponseRecord[] = [];
  /** The accepted callback type, once acknowledged. */
  acknowledgedWith: number | undefined;
  /** Id of the message the interaction webhook's `@original` stands for. */
  originalId: string | undefined;
  readonly followupIds = new Set<string>();
  readonly #consumed = new Set<InteractionResponseRecord>();
  readonly #listeners = new Set<() => void>();

  constructor(
    readonly payload: APIInteraction,
    private readonly lookupMessage: (id: string) => APIMessage | undefined,
  ) {
    this.id = payload.id;
    this.token = payload.token;
  }

  record(record: Omit<InteractionResponseRecord, 'at'>): void {
    this.responses.push({ ...record, at: performance.now() });
    this.changed();
  }

  /** Wakes waiters whose condition may now hold, e.g. after a message edit. */
  changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  original(): APIMessage | undefined {
    return this.originalId === undefined ? undefined : this.lookupMessage(this.originalId);
  }

  firstResponse(timeoutMs = DEFAULT_WAIT_MS): Promise<InteractionResponseRecord> {
    return this.#waitFor(() => this.responses.find((record) => record.kind === 'callback'), timeoutMs, 'a callback');
  }

  nextResponse(
    predicate: (record: InteractionResponseRecord) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<InteractionResponseRecord> {
    return this.#waitFor(
      () => {
        const found = this.responses.find((record) => !this.#consumed.has(record) && predicate(record));
        if (found) this.#consumed.add(found);
        return found;
      },
      timeoutMs,
      'a matching response',
    );
  }

  finalMessage(timeoutMs = DEFAULT_WAIT_MS): Promise<APIMessage> {
    return this.#waitFor(
      () => {
        // After a deferred update (type 6) the button's message still shows the old content: the
        // answer is the edit that follows.
        if (this.acknowledgedWith === 6 && !this.responses.some((record) => record.kind === 'edit')) return undefined;
        const message = this.original();
        return message && !isLoading(message) && hasVisibleContent(message) ? structuredClone(message) : undefined;
      },
      timeoutMs,
      'an original response with content',
    );
  }

  #waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const immediate = check();
    if (immediate !== undefined) return Promise.resolve(immediate);
    return new Promise<T>((resolve, reject) => {
      const listener = (): void => {
        const value = check();
        if (value === undefined) return;
        this.#listeners.delete(listener);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.#listeners.delete(listener);
        const seen = this.responses.map((record) => `${record.kind}${record.callbackType ?? ''}`).join(', ') || 'none';
        reject(new Error(`interaction ${this.id}: no ${what} within ${timeoutMs} ms (responses so far: ${seen})`));
      }, timeoutMs);
      this.#listeners.add(listener);
    });
  }
}
