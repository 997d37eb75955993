// Writes docs/mutation-survivors.md from Stryker's JSON report (reports/mutation/mutation.json): the score of each
// file and every mutant that no test killed, with the line it changed, so the judgement in docs/mutation.md can
// point at them. npm runs it after `npm run test:mutation` (posttest:mutation), which leaves arguments to Stryker.
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

const position = z.object({ line: z.number(), column: z.number() });
type Position = z.infer<typeof position>;
const reportSchema = z.object({
  files: z.record(
    z.string(),
    z.object({
      source: z.string(),
      mutants: z.array(
        z.object({
          mutatorName: z.string(),
          replacement: z.string().optional(),
          status: z.string(),
          location: z.object({ start: position, end: position }),
        }),
      ),
    }),
  ),
});

const KILLED = new Set(['Killed', 'Timeout']);
const SURVIVED = new Set(['Survived', 'NoCoverage']);

// One report: with Stryker's incremental file, a run limited by --mutate still reports every file.
const { files } = reportSchema.parse(JSON.parse(readFileSync('reports/mutation/mutation.json', 'utf8')));

interface Tally {
  killed: number;
  survived: number;
  /** Static mutants (module top level): not run, see docs/mutation.md. */
  ignored: number;
  /** Mutants that do not compile or crash before any test. */
  errors: number;
}
const score = ({ killed, survived }: Tally) => (killed + survived === 0 ? 100 : (100 * killed) / (killed + survived));
const percent = (tally: Tally) => `${score(tally).toFixed(1)} %`;

const rows: string[] = [];
const survivors: string[] = [];
const total: Tally = { killed: 0, survived: 0, ignored: 0, errors: 0 };
for (const [file, { source, mutants }] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
  const tally: Tally = { killed: 0, survived: 0, ignored: 0, errors: 0 };
  const lines = source.split('\n');
  const fileSurvivors: string[] = [];
  for (const mutant of [...mutants].sort((a, b) => a.location.start.line - b.location.start.line)) {
    if (KILLED.has(mutant.status)) tally.killed += 1;
    else if (SURVIVED.has(mutant.status)) {
      tally.survived += 1;
      const line = mutant.location.start.line;
      fileSurvivors.push(
        `| ${line} | ${mutant.mutatorName}${mutant.status === 'NoCoverage' ? ' (no test runs it)' : ''} | ${code(original(lines, mutant.location))} | ${code(mutant.replacement ?? '')} |`,
      );
    } else if (mutant.status === 'Ignored') tally.ignored += 1;
    else tally.errors += 1;
  }
  for (const key of Object.keys(total) as (keyof Tally)[]) total[key] += tally[key];
  rows.push(`| ${file} | ${tally.killed} | ${tally.survived} | ${tally.ignored} | ${percent(tally)} |`);
  if (fileSurvivors.length > 0)
    survivors.push(`### ${file}`, '', '| line | mutator | was | became |', '| --- | --- | --- | --- |', ...fileSurvivors, '');
}

/** The text the mutant replaced (Stryker's lines and columns count from 1). */
function original(lines: string[], { start, end }: { start: Position; end: Position }): string {
  if (start.line === end.line) return (lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1);
  const first = (lines[start.line - 1] ?? '').slice(start.column - 1);
  const last = (lines[end.line - 1] ?? '').slice(0, end.column - 1);
  return `${first} … ${last}`;
}

/** One table cell of code: on one line, cut to fit, with nothing that would end the cell or the code span. */
function code(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const cut = flat.length > 70 ? `${flat.slice(0, 69)}…` : flat;
  return `\`${cut.replaceAll('|', '\\|').replaceAll('`', "'")}\``;
}

writeFileSync(
  'docs/mutation-survivors.md',
  [
    '# Mutation testing: every survivor',
    '',
    'Written by `scripts/mutation-survivors.ts` from the last `npm run test:mutation`; edits here are overwritten. How they are judged is in [mutation.md](mutation.md).',
    '',
    `Score ${percent(total)}: ${total.killed} killed (timeouts included), ${total.survived} survived (no test covering them included), ${total.ignored} static mutants not run, ${total.errors} that could not run (compile or runtime error).`,
    '',
    '| file | killed | survived | static, not run | score |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '## Survivors',
    '',
    ...survivors,
  ].join('\n'),
);
console.log(`mutation score ${percent(total)}; survivors listed in docs/mutation-survivors.md`);
