import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { Chart } from 'chart.js';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Fonts from '../src/presentation/fonts.js';

/**
 * Imported afresh before each test, so each starts with the fonts not yet registered by this module.
 * Skia's font registry belongs to the process and keeps whatever an earlier test (or an earlier mutation
 * run in the same worker) registered, so what is registered is read from the calls, not from the registry.
 */
let fonts: typeof Fonts;
beforeEach(async () => {
  vi.resetModules();
  fonts = await import('../src/presentation/fonts.js');
});
afterEach(() => {
  vi.restoreAllMocks();
});

const registered = (spy: { mock: { calls: unknown[][] } }) =>
  spy.mock.calls.map(([path, family]) => `${basename(String(path))} as ${String(family)}`).sort();

describe('the shipped font', () => {
  it('has a family name of its own, one word, since Chart.js writes it unquoted', () => {
    expect(fonts.CHART_FONT_FAMILY).toMatch(/^[A-Za-z]+$/);
    expect(fonts.CHART_FONT_FAMILY).not.toBe('Inter');
  });

  it('registers every script of the regular weight and the Latin ones of the semibold, under that family', () => {
    const spy = vi.spyOn(GlobalFonts, 'registerFromPath');
    fonts.registerChartFonts();
    const as = ` as ${fonts.CHART_FONT_FAMILY}`;
    expect(registered(spy)).toEqual(
      [
        ...['latin', 'latin-ext', 'cyrillic', 'cyrillic-ext', 'greek', 'greek-ext', 'vietnamese'].map(
          (s) => `inter-${s}-400-normal.woff2${as}`,
        ),
        ...['latin', 'latin-ext'].map((s) => `inter-${s}-600-normal.woff2${as}`),
      ].sort(),
    );
  });

  it('reads the files once per process', () => {
    const spy = vi.spyOn(GlobalFonts, 'registerFromPath');
    fonts.registerChartFonts();
    const once = spy.mock.calls.length;
    fonts.registerChartFonts();
    expect(once).toBeGreaterThan(0);
    expect(spy.mock.calls.length).toBe(once);
  });

  it('fails loudly, naming the file, when one cannot be loaded; and tries again next time', () => {
    const spy = vi.spyOn(GlobalFonts, 'registerFromPath').mockReturnValue(null);
    expect(() => fonts.registerChartFonts()).toThrow(/^cannot load chart font \/.*\/inter-latin-400-normal\.woff2$/);
    spy.mockRestore();
    const retry = vi.spyOn(GlobalFonts, 'registerFromPath');
    fonts.registerChartFonts();
    expect(retry).toHaveBeenCalled();
  });

  it('measures as Inter, not as a fallback', () => {
    fonts.registerChartFonts();
    expect(GlobalFonts.has(fonts.CHART_FONT_FAMILY)).toBe(true);
    const shipped = (subset: string) =>
      createRequire(import.meta.url).resolve(`@fontsource/inter/files/inter-${subset}-400-normal.woff2`);
    expect(GlobalFonts.registerFromPath(shipped('latin'), 'InterLatinProbe')).not.toBeNull();
    expect(GlobalFonts.registerFromPath(shipped('cyrillic'), 'InterCyrillicProbe')).not.toBeNull();

    const ctx = createCanvas(10, 10).getContext('2d');
    const width = (family: string, text: string): number => {
      ctx.font = `20px ${family}`;
      return ctx.measureText(text).width;
    };
    const latin = 'Spendable credits 12,450 · Mar 8';
    expect(width(fonts.CHART_FONT_FAMILY, latin)).toBeCloseTo(width('InterLatinProbe', latin), 6);
    expect(Math.abs(width(fonts.CHART_FONT_FAMILY, latin) - width('NoSuchFamilyAnywhere', latin))).toBeGreaterThan(1);
    // Labels come from outside: a Cyrillic name is drawn in Inter too, not in whatever the system has.
    const cyrillic = 'Жанна Щукина';
    expect(width(fonts.CHART_FONT_FAMILY, cyrillic)).toBeCloseTo(width('InterCyrillicProbe', cyrillic), 6);
  });

  it('is the family Chart.js falls back to for every text it draws', async () => {
    const chart = await import('../src/presentation/chart.js');
    await chart.renderCreditChart({ from: 0, to: 86_400_000, series: [], refills: [], timeZone: 'UTC' });
    expect(Chart.defaults.font.family).toBe(fonts.CHART_FONT_FAMILY);
  });
});
