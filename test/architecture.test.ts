import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The direction of the code, checked on its imports: Discord event → router → command handler →
 * useapi client → HTTP. A handler may use src/, src/ never reaches back into commands/, and the
 * useapi client knows nothing of Discord or of how things are shown.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** Every relative import of a file, resolved to a path from the repository root. */
async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((match) =>
    relative(ROOT, join(ROOT, file, '..', match[1]!)).replace(/\.js$/, '.ts'),
  );
}

/**
 * Every module `entry` loads before it runs: static imports followed through our files (packages named,
 * not entered); `import('…')` and type-only imports load nothing at start-up and are left out.
 */
async function staticallyReached(entry: string): Promise<Set<string>> {
  const reached = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (reached.has(file)) continue;
    reached.add(file);
    if (!file.endsWith('.ts')) continue;
    const text = await readFile(join(ROOT, file), 'utf8');
    for (const [, specifier] of text.matchAll(/^import (?!type )[^;]*?from '([^']+)'/gm)) {
      pending.push(
        specifier!.startsWith('.') ? relative(ROOT, join(ROOT, file, '..', specifier!)).replace(/\.js$/, '.ts') : specifier!,
      );
    }
  }
  return reached;
}

async function arrows(from: string, into: (target: string) => boolean): Promise<string[]> {
  const found: string[] = [];
  for (const file of await sourceFiles(from)) {
    for (const target of await importsOf(file)) if (into(target)) found.push(`${file} → ${target}`);
  }
  return found;
}

describe('the import graph', () => {
  it('has no arrow from src/ into commands/', async () => {
    expect(await arrows('src', (target) => target.startsWith('commands/'))).toEqual([]);
  });

  it('has no arrow from src/useapi into presentation, Discord or alerts', async () => {
    expect(
      await arrows('src/useapi', (target) =>
        ['src/presentation/', 'src/discord/', 'src/alerts/'].some((dir) => target.startsWith(dir)),
      ),
    ).toEqual([]);
  });

  it('keeps presentation free of Discord wiring and of the useapi client', async () => {
    expect(
      await arrows('src/presentation', (target) => target.startsWith('src/discord/') || target === 'src/useapi/client.ts'),
    ).toEqual([]);
  });

  it('loads the chart renderer (Skia, Chart.js: some 60 MB) only when a chart is drawn, not at start-up', async () => {
    const reached = await staticallyReached('main.ts');
    expect(reached.has('commands/credits-history.ts')).toBe(true);
    expect(
      [...reached].filter((module) => ['@napi-rs/canvas', 'chart.js', 'src/presentation/chart.ts'].includes(module)),
    ).toEqual([]);
  });

  it('finds imports at all (the check cannot pass by reading nothing)', async () => {
    expect(await importsOf('main.ts')).toEqual(['commands/index.ts', 'src/process.ts']);
    expect(await arrows('commands', (target) => target.startsWith('src/'))).not.toEqual([]);
  });
});
