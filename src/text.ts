/**
 * What the bot does to text it did not write (useapi.net's answers, values typed into Discord) before
 * it keeps, shows or logs it. One place, so every path cleans the same way.
 */

// eslint-disable-next-line no-control-regex -- control characters are exactly what is matched
const CONTROL_RUNS = /[\u0000-\u001f\u007f]+/g;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is matched
const CONTROL = /[\u0000-\u001f\u007f]/;
/** In a `u` regex a surrogate half matches only when it is not part of a pair. */
const LONE_SURROGATE = /\p{Cs}/u;

/** One line of text: control characters (newlines included) become spaces, ends trimmed. */
export function singleLine(text: string): string {
  return text.replace(CONTROL_RUNS, ' ').trim();
}

/** Text no person typed on purpose: control characters, or half a surrogate pair (which no URL or JSON encoder takes). */
export function isMalformedText(text: string): boolean {
  return CONTROL.test(text) || LONE_SURROGATE.test(text);
}

/** At most `max` characters, the last one an ellipsis when something was cut; never half a surrogate pair. */
export function cutTo(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  // Cutting between the halves of a pair would leave a lone surrogate that Discord refuses.
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end -= 1;
  return `${text.slice(0, end)}…`;
}
