/**
 * The subset of Discord markdown the bot writes, turned into `@skyra/discord-components-core` markup:
 * bold, italic, underline, strikethrough, inline code, code blocks, links, line breaks, channel /
 * user / role / slash-command mentions and `<t:…>` timestamps (rendered the way a Discord client shows
 * them at `now`).
 */

export interface MarkdownContext {
  /** Channel names by id, for `<#id>` pills; an unknown id shows as Discord shows it: `#unknown`. */
  channels: ReadonlyMap<string, string>;
  /** Role names by id, for `<@&id>` pills; an unknown id shows as Discord shows it: `@deleted-role`. */
  roles: ReadonlyMap<string, string>;
  /** Reference time for `<t:…:R>`, in milliseconds. */
  now: number;
  /** Inside an embed (code blocks are styled a little differently there). */
  embed: boolean;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Leftmost match wins; at the same position the earlier alternative does, as in Discord's parser
// (code before emphasis, `**` before `*`, `__` before `_`).
const TOKEN = new RegExp(
  [
    String.raw`(?<escape>\\[\\*_~\x60|<>#\[\]()-])`,
    String.raw`\x60\x60\x60(?:(?<lang>[a-zA-Z0-9_+-]+)\n)?\n?(?<block>[\s\S]*?)\x60\x60\x60`,
    String.raw`\x60\x60(?<code2>[\s\S]+?)\x60\x60`,
    String.raw`\x60(?<code>[^\x60]+)\x60`,
    String.raw`\*\*(?<bold>[\s\S]+?)\*\*(?!\*)`,
    String.raw`__(?<underline>[\s\S]+?)__(?!_)`,
    String.raw`\*(?<italic>[^*\s](?:[\s\S]*?[^*\s])?)\*(?!\*)`,
    String.raw`(?<![\p{L}\p{N}_])_(?<italic2>[^_\s](?:[\s\S]*?[^_\s])?)_(?![\p{L}\p{N}_])`,
    String.raw`~~(?<strike>[\s\S]+?)~~`,
    String.raw`\|\|(?<spoiler>[\s\S]+?)\|\|`,
    String.raw`<#(?<channel>\d{15,21})>`,
    String.raw`<@!?(?<user>\d{15,21})>`,
    String.raw`<@&(?<role>\d{15,21})>`,
    String.raw`<\/(?<slash>[\p{L}\p{N}_ -]{1,100}):\d{15,21}>`,
    String.raw`<t:(?<time>-?\d{1,13})(?::(?<style>[tTdDfFR]))?>`,
    String.raw`\[(?<linkText>[^\]\n]+)\]\(<?(?<linkUrl>https?:\/\/[^)\s>]+)>?\)`,
    String.raw`(?<url>https?:\/\/[^\s<]+[^\s<.,:;"')\]])`,
    String.raw`(?<newline>\n)`,
  ].join('|'),
  'gu',
);

/** Discord markdown (inline level) → HTML for the Skyra components. */
export function markdownToHtml(text: string, ctx: MarkdownContext): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    out += escapeHtml(text.slice(last, match.index));
    last = match.index + match[0].length;
    out += renderToken(match.groups ?? {}, ctx);
  }
  return out + escapeHtml(text.slice(last));
}

function renderToken(g: Record<string, string | undefined>, ctx: MarkdownContext): string {
  const inner = (s: string) => markdownToHtml(s, ctx);
  if (g.escape !== undefined) return escapeHtml(g.escape.slice(1));
  if (g.block !== undefined) {
    const code = g.block.replace(/\n$/, '');
    return `<discord-code multiline${ctx.embed ? ' embed' : ''}>${escapeHtml(code)}</discord-code>`;
  }
  const code = g.code ?? g.code2;
  if (code !== undefined) return `<code class="inline">${escapeHtml(code.trim() || code)}</code>`;
  if (g.bold !== undefined) return `<discord-bold>${inner(g.bold)}</discord-bold>`;
  if (g.underline !== undefined) return `<discord-underlined>${inner(g.underline)}</discord-underlined>`;
  const italic = g.italic ?? g.italic2;
  if (italic !== undefined) return `<discord-italic>${inner(italic)}</discord-italic>`;
  if (g.strike !== undefined) return `<s>${inner(g.strike)}</s>`;
  if (g.spoiler !== undefined) return `<discord-spoiler>${inner(g.spoiler)}</discord-spoiler>`;
  if (g.channel !== undefined) {
    const name = ctx.channels.get(g.channel) ?? 'unknown';
    return `<discord-mention type="channel">${escapeHtml(name)}</discord-mention>`;
  }
  if (g.user !== undefined) return `<discord-mention type="user">user</discord-mention>`;
  if (g.role !== undefined) {
    const name = ctx.roles.get(g.role) ?? 'deleted-role';
    return `<discord-mention type="role">${escapeHtml(name)}</discord-mention>`;
  }
  if (g.slash !== undefined) return `<discord-mention type="slash">${escapeHtml(g.slash)}</discord-mention>`;
  if (g.time !== undefined) {
    const text = formatTimestamp(Number(g.time) * 1000, g.style ?? 'f', ctx.now);
    return `<discord-time>${escapeHtml(text)}</discord-time>`;
  }
  if (g.linkText !== undefined && g.linkUrl !== undefined) {
    return `<discord-link href="${escapeHtml(g.linkUrl)}">${inner(g.linkText)}</discord-link>`;
  }
  if (g.url !== undefined) return `<discord-link href="${escapeHtml(g.url)}">${escapeHtml(g.url)}</discord-link>`;
  if (g.newline !== undefined) return '<br>';
  return '';
}

/**
 * What a Discord client (en-US, UTC) shows for `<t:…:style>`. `R` follows the client's relative
 * wording ("in a few seconds", "in 29 days", "in a month", "2 months ago").
 */
export function formatTimestamp(ms: number, style: string, now: number): string {
  const date = new Date(ms);
  const fmt = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', ...options }).format(date);
  switch (style) {
    case 't':
      return fmt({ hour: 'numeric', minute: '2-digit' });
    case 'T':
      return fmt({ hour: 'numeric', minute: '2-digit', second: '2-digit' });
    case 'd':
      return fmt({ month: '2-digit', day: '2-digit', year: 'numeric' });
    case 'D':
      return fmt({ month: 'long', day: 'numeric', year: 'numeric' });
    case 'F':
      return fmt({ weekday: 'long', month: 'long', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' });
    case 'R':
      return relative(ms - now);
    default:
      return fmt({ month: 'long', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' });
  }
}

function relative(deltaMs: number): string {
  const s = Math.abs(deltaMs) / 1000;
  const m = s / 60;
  const h = m / 60;
  const d = h / 24;
  const phrase =
    s < 45
      ? 'a few seconds'
      : s < 90
        ? 'a minute'
        : m < 45
          ? `${Math.round(m)} minutes`
          : m < 90
            ? 'an hour'
            : h < 22
              ? `${Math.round(h)} hours`
              : h < 36
                ? 'a day'
                : d < 26
                  ? `${Math.round(d)} days`
                  : d < 45
                    ? 'a month'
                    : d < 320
                      ? `${Math.round(d / 30.4375)} months`
                      : d < 548
                        ? 'a year'
                        : `${Math.round(d / 365.25)} years`;
  return deltaMs >= 0 ? `in ${phrase}` : `${phrase} ago`;
}
