import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { alertMemorySchema, emptyMemory, type AlertMemory } from './rules.js';

export const STATE_FILE = 'alerts.json';

/**
 * What the monitor has announced, kept in `DATA_DIR` so a restart does not repeat an alert whose
 * state has not changed. Written atomically (temporary file, then rename): a crash mid-write
 * leaves the previous state, never half a file.
 */
export class AlertStore {
  private readonly path: string;

  constructor(private readonly dataDir: string) {
    this.path = join(dataDir, STATE_FILE);
  }

  /** The saved state; a missing file is a fresh start, an unreadable one too (with `problem` set). */
  async load(): Promise<{ memory: AlertMemory; problem?: string }> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { memory: emptyMemory() };
      return { memory: emptyMemory(), problem: `could not read ${this.path}: ${(error as Error).message}` };
    }
    try {
      const parsed = alertMemorySchema.safeParse(JSON.parse(text));
      if (parsed.success) return { memory: parsed.data };
    } catch {
      // Not JSON: handled below like a file of the wrong shape.
    }
    return { memory: emptyMemory(), problem: `${this.path} is not a state file this version understands; starting afresh` };
  }

  async save(memory: AlertMemory): Promise<void> {
    await mkdir(this.dataDir, { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(memory, null, 2)}\n`, 'utf8');
      await rename(temporary, this.path);
    } catch (error) {
      // A half-written or unrenamable temporary file would otherwise stay in DATA_DIR.
      await rm(temporary, { force: true }).catch(() => undefined);
      throw error;
    }
  }
}
