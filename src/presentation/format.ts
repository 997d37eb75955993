import { cutTo, singleLine } from '../text.js';

/**
 * Plain-text formatting shared by every message the bot writes. Nothing here knows about discord.js
 * objects; it turns values into the strings a person reads.
 */

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** 12450 → "12,450". One locale for every reader, because a shared message is read by the whole server. */
export function formatNumber(value: number): string {
  return numberFormat.format(value);
}

/**
 * A 10-cell text bar for `value` out of `max`, e.g. `▰▰▰▰▰▰▰▰▱▱`. Values above the allowance (gifts,
 * top-ups) fill the bar; an unknown or zero allowance gives no bar.
 */
export function progressBar(value: number, max: number | undefined, cells = 10): string | undefined {
  if (max === undefined || !(max > 0)) return undefined;
  const ratio = Math.min(Math.max(value / max, 0), 1);
  // NaN (or ∞/∞) would make `repeat` draw nothing at all: no bar rather than an empty string.
  if (Number.isNaN(ratio)) return undefined;
  const filled = Math.round(ratio * cells);
  return '▰'.repeat(filled) + '▱'.repeat(cells - filled);
}

/**
 * Text as inline code: nothing inside renders (no mention, link, heading or formatting). A backtick
 * would end the span, so it becomes a quote.
 */
export function inlineCode(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/**
 * Text the bot did not write (useapi.net's plan names and messages, emails, ids), shown as text: on
 * one line, cut to `max` characters so no value can push a message past Discord's limits, and as
 * inline code, so it can neither format, link nor mention.
 */
export function quoted(text: string, max = 100): string {
  return inlineCode(cutTo(singleLine(text), max) || '—');
}

/** Discord renders `<t:…:R>` in each reader's own time zone and language ("in 3 days"). */
export function relativeTime(date: Date): string {
  return `<t:${Math.floor(date.getTime() / 1000)}:R>`;
}

/** `<t:…:D>`: a date in the reader's own format. */
export function longDate(date: Date): string {
  return `<t:${Math.floor(date.getTime() / 1000)}:D>`;
}

/** "1 account" / "3 accounts". */
export function plural(count: number, noun: string): string {
  return `${formatNumber(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/** Seconds a person waits, rounded up: "try again in 3 s". */
export function secondsFromMs(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
