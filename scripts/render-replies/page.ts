import {
  ButtonStyle,
  ComponentType,
  type APIButtonComponent,
  type APIEmbed,
  type APIEmbedField,
  type APIMessage,
} from 'discord-api-types/v10';
import { escapeHtml, markdownToHtml, type MarkdownContext } from './markdown.js';

/** One picture: the bot's reply, and the slash command line Discord shows above it. */
export interface Scene {
  /** File name in docs/images/, without `.png`. */
  file: string;
  /** The slash command as Discord shows it above the reply, e.g. `/credits`. */
  command: string;
  message: APIMessage;
}

export interface PageOptions {
  /** Name shown for the bot (the self-hoster picks it in the Developer Portal). */
  botName: string;
  /** Name shown for the member who ran the command. */
  invokerName: string;
  channels: ReadonlyMap<string, string>;
  now: number;
  /** Width of the message column in CSS pixels. */
  width: number;
  /**
   * The time shown beside the bot's name, e.g. "Today at 9:41 AM"; default: the message's own. A fixed
   * one keeps the pictures byte-identical from run to run while the replies do not change.
   */
  clock?: string;
  /** URL prefix under which the page server serves packages from node_modules. */
  modules: string;
}

/** A round avatar as a data URI, so the page fetches nothing from Discord's CDN. */
function avatar(background: string, glyph: string): string {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="80" viewBox="0 0 80 80">` +
    `<rect width="80" height="80" rx="40" fill="${background}"/>` +
    `<text x="40" y="53" font-family="Noto Sans, Arial, sans-serif" font-size="38" font-weight="700" fill="#fff" text-anchor="middle">${glyph}</text>` +
    `</svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

const BOT_AVATAR = avatar('#5865f2', 'P');
const USER_AVATAR = avatar('#3ba55c', 'A');

function colorOf(embed: APIEmbed): string {
  // Discord draws an embed without a color with the default border colour of the dark theme.
  return embed.color === undefined ? '#202225' : `#${embed.color.toString(16).padStart(6, '0')}`;
}

/** Discord's inline field layout: runs of inline fields, three to a row; a row of two splits in halves. */
function renderFields(fields: APIEmbedField[], ctx: MarkdownContext): string {
  const out: string[] = [];
  let run: APIEmbedField[] = [];
  const flush = () => {
    for (let start = 0; start < run.length; start += 3) {
      const row = run.slice(start, start + 3);
      row.forEach((field, i) => {
        const place =
          row.length === 3
            ? `inline inline-index="${i + 1}"`
            : row.length === 2
              ? `inline style="grid-column: ${i === 0 ? '1/7' : '7/13'}"`
              : 'inline style="grid-column: 1/13"';
        out.push(field_(field, place, ctx));
      });
    }
    run = [];
  };
  for (const field of fields) {
    if (field.inline) {
      run.push(field);
    } else {
      flush();
      out.push(field_(field, '', ctx));
    }
  }
  flush();
  return `<discord-embed-fields slot="fields">${out.join('')}</discord-embed-fields>`;
}

function field_(field: APIEmbedField, place: string, ctx: MarkdownContext): string {
  return `<discord-embed-field field-title="${escapeHtml(field.name)}" ${place}>${markdownToHtml(field.value, ctx)}</discord-embed-field>`;
}

function renderEmbed(embed: APIEmbed, ctx: MarkdownContext): string {
  const attrs = [`slot="embeds"`, `color="${colorOf(embed)}"`];
  if (embed.title) attrs.push(`embed-title="${escapeHtml(embed.title)}"`);
  if (embed.author?.name) attrs.push(`author-name="${escapeHtml(embed.author.name)}"`);
  const parts: string[] = [];
  if (embed.description)
    parts.push(
      `<discord-embed-description slot="description">${markdownToHtml(embed.description, ctx)}</discord-embed-description>`,
    );
  if (embed.fields?.length) parts.push(renderFields(embed.fields, ctx));
  const footer = [
    embed.footer?.text ? escapeHtml(embed.footer.text) : '',
    embed.timestamp ? escapeHtml(clock(Date.parse(embed.timestamp), ctx.now)) : '',
  ]
    .filter(Boolean)
    .join(' • ');
  if (footer) parts.push(`<discord-embed-footer slot="footer">${footer}</discord-embed-footer>`);
  return `<discord-embed ${attrs.join(' ')}>${parts.join('')}</discord-embed>`;
}

const BUTTON_TYPES: Record<ButtonStyle, string> = {
  [ButtonStyle.Primary]: 'primary',
  [ButtonStyle.Secondary]: 'secondary',
  [ButtonStyle.Success]: 'success',
  [ButtonStyle.Danger]: 'destructive',
  [ButtonStyle.Link]: 'secondary',
  [ButtonStyle.Premium]: 'primary',
};

function renderButton(button: APIButtonComponent): string {
  const emoji = 'emoji' in button && button.emoji?.name && !button.emoji.id ? button.emoji.name : '';
  const label = [emoji, 'label' in button ? (button.label ?? '') : ''].filter(Boolean).join(' ');
  const url = button.style === ButtonStyle.Link ? ` url="${escapeHtml(button.url)}"` : '';
  return `<discord-button type="${BUTTON_TYPES[button.style]}"${url}${button.disabled ? ' disabled' : ''}>${escapeHtml(label)}</discord-button>`;
}

function renderComponents(rows: APIMessage['components']): string {
  const out: string[] = [];
  for (const row of rows ?? []) {
    if (row.type !== ComponentType.ActionRow) continue;
    const items = row.components.map((component) => {
      if (component.type === ComponentType.Button) return renderButton(component);
      if (component.type === ComponentType.StringSelect) {
        return `<discord-string-select-menu placeholder="${escapeHtml(component.placeholder ?? 'Make a selection')}"></discord-string-select-menu>`;
      }
      return '';
    });
    out.push(`<discord-action-row>${items.join('')}</discord-action-row>`);
  }
  return out.length ? `<discord-attachments slot="components">${out.join('')}</discord-attachments>` : '';
}

/** "Today at 4:27 AM", as Discord labels a message sent today (UTC). */
function clock(ms: number, now: number): string {
  const time = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', hour: 'numeric', minute: '2-digit' }).format(ms);
  const day = (t: number) => Math.floor(t / 86_400_000);
  if (day(ms) === day(now)) return `Today at ${time}`;
  if (day(ms) === day(now) - 1) return `Yesterday at ${time}`;
  return (
    new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: '2-digit', day: '2-digit', year: 'numeric' }).format(ms) +
    ` ${time}`
  );
}

/** The whole page: the Skyra components loaded through an import map, one message in Discord's dark theme. */
export function renderPage(scene: Scene, options: PageOptions): string {
  const { message } = scene;
  const ctx: MarkdownContext = { channels: options.channels, now: options.now, embed: false };
  const embedCtx: MarkdownContext = { ...ctx, embed: true };
  const ephemeral = ((message.flags ?? 0) & 64) === 64;
  const m = options.modules;
  const importMap = {
    imports: {
      lit: `${m}/lit/index.js`,
      'lit/': `${m}/lit/`,
      'lit-html': `${m}/lit-html/lit-html.js`,
      'lit-html/': `${m}/lit-html/`,
      'lit-element': `${m}/lit-element/index.js`,
      'lit-element/': `${m}/lit-element/`,
      '@lit/reactive-element': `${m}/@lit/reactive-element/reactive-element.js`,
      '@lit/reactive-element/': `${m}/@lit/reactive-element/`,
      '@lit/context': `${m}/@lit/context/index.js`,
    },
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(scene.command)}</title>
<script type="importmap">${JSON.stringify(importMap)}</script>
<script type="module" src="${m}/@skyra/discord-components-core/dist/index.js"></script>
<style>
  html, body { margin: 0; padding: 0; background: #313338; }
  body { width: ${options.width}px; }
  discord-messages { border: none; padding: 4px 0 10px; }
  discord-message { padding-right: 16px; }
  /* Inline code as Discord draws it (Skyra's <discord-code> overlaps the characters beside it). */
  code.inline {
    font-family: Consolas, 'Andale Mono WT', 'Andale Mono', 'Lucida Console', 'DejaVu Sans Mono', 'Liberation Mono', monospace;
    font-size: 85%; line-height: 1.125rem; padding: 0 0.2em; margin: -0.2em 0; border-radius: 4px;
    background: #2b2d31; border: 1px solid #1e1f22; white-space: pre-wrap; text-indent: 0;
  }
  discord-embed code.inline { background: #1e1f22; border-color: #1e1f22; }
  /* Discord's own face is not redistributable; Noto Sans is the fallback Discord itself names. */
  discord-messages, discord-message, discord-embed-description, discord-embed-field {
    font-family: 'gg sans', 'Noto Sans', 'Noto Sans Symbols2', 'Helvetica Neue', Helvetica, Arial, sans-serif;
  }
</style>
</head>
<body>
<discord-messages id="shot">
  <discord-message author="${escapeHtml(options.botName)}" avatar="${BOT_AVATAR}" bot${ephemeral ? ' ephemeral' : ''} timestamp="${escapeHtml(options.clock ?? clock(Date.parse(message.timestamp), options.now))}">
    <discord-command slot="reply" author="${escapeHtml(options.invokerName)}" avatar="${USER_AVATAR}" command="/${escapeHtml(scene.command)}"></discord-command>
    ${message.content ? markdownToHtml(message.content, ctx) : ''}
    ${(message.embeds ?? []).map((embed) => renderEmbed(embed, embedCtx)).join('\n    ')}
    ${renderComponents(message.components)}
  </discord-message>
</discord-messages>
<script type="module">
  // Tell the measuring pass how tall the message is, once every component has rendered.
  await customElements.whenDefined('discord-message');
  const pending = (root) => [...root.querySelectorAll('*')].flatMap((el) => [
    ...(el.updateComplete ? [el.updateComplete] : []),
    ...(el.shadowRoot ? pending(el.shadowRoot) : []),
  ]);
  for (let round = 0; round < 3; round++) await Promise.all(pending(document));
  await document.fonts.ready;
  const box = document.getElementById('shot').getBoundingClientRect();
  document.body.dataset.height = String(Math.ceil(box.bottom));
</script>
</body>
</html>
`;
}
