/**
 * The font every rendered image draws with: Inter, shipped in node_modules by @fontsource/inter. A
 * container has no system fonts at all, so an image that named a system family would show no text there
 * (and a different face on each developer's machine).
 */
import { GlobalFonts } from '@napi-rs/canvas';
import { createRequire } from 'node:module';

/**
 * Our own name for the family, so a system font also called "Inter" can never stand in for it. No
 * spaces: Chart.js writes the family into the CSS font shorthand unquoted.
 */
export const CHART_FONT_FAMILY = 'PixverseChartInter';

/**
 * @fontsource splits Inter into subsets by script; registered under one family, Skia picks the subset
 * that holds each glyph. Emails and refill labels come from outside, so the regular weight gets every
 * subset; the semibold weight only draws our own English titles.
 */
const REGULAR_SUBSETS = ['latin', 'latin-ext', 'cyrillic', 'cyrillic-ext', 'greek', 'greek-ext', 'vietnamese'];
const SEMIBOLD_SUBSETS = ['latin', 'latin-ext'];

const require = createRequire(import.meta.url);

function fontFile(subset: string, weight: number): string {
  return require.resolve(`@fontsource/inter/files/inter-${subset}-${weight}-normal.woff2`);
}

let registered = false;

/**
 * Once per process; cheap after that, so every renderer calls it before drawing. The first call reads
 * the files (a few tens of ms): the bot may call it at startup to keep that out of the first answer.
 */
export function registerChartFonts(): void {
  if (registered) return;
  const files = [...REGULAR_SUBSETS.map((s) => fontFile(s, 400)), ...SEMIBOLD_SUBSETS.map((s) => fontFile(s, 600))];
  for (const file of files) {
    // A missing or unreadable file is a broken install: better a loud failure than text in no font.
    if (GlobalFonts.registerFromPath(file, CHART_FONT_FAMILY) === null) throw new Error(`cannot load chart font ${file}`);
  }
  registered = true;
}
