import { ALERTS_STATE_KEY, type HistoryStore } from '../history/store.js';
import { alertMemorySchema, emptyMemory, type AlertMemory } from './rules.js';

/**
 * What the monitor has announced, kept in the history database's state, so a restart does not repeat
 * an alert whose state has not changed. Each save is one statement: a crash leaves the previous
 * memory or the new one, never half of one.
 */
export class AlertStore {
  constructor(private readonly store: Pick<HistoryStore, 'getState' | 'setState' | 'location'>) {}

  /** The saved memory; nothing saved is a fresh start, a memory of the wrong shape too (with `problem` set). */
  async load(): Promise<{ memory: AlertMemory; problem?: string }> {
    const saved = await this.store.getState(ALERTS_STATE_KEY);
    if (saved === undefined) return { memory: emptyMemory() };
    const parsed = alertMemorySchema.safeParse(saved);
    if (parsed.success) return { memory: parsed.data };
    return {
      memory: emptyMemory(),
      problem: `the alert memory in ${this.store.location} is not one this version understands; starting afresh`,
    };
  }

  async save(memory: AlertMemory): Promise<void> {
    await this.store.setState(ALERTS_STATE_KEY, memory);
  }
}
