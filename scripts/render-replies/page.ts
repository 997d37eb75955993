import {
  ButtonStyle,
  ComponentType,
  MessageType,
  type APIButtonComponent,
  type APIEmbed,
  type APIEmbedField,
  type APIMessage,
  type APIModalInteractionResponseCallbackData,
} from 'discord-api-types/v10';
import { escapeHtml, markdownToHtml, type MarkdownContext } from './markdown.js';
import { modalHtml, MODAL_CSS } from './modal.js';

/** A message as a channel shows it, with what Discord draws above it. */
export interface MessageView {
  message: APIMessage;
  /** The slash command Discord shows above an interaction's reply, e.g. `credits`. */
  command?: string;
  /** The message whose button or select led to this reply: Discord shows the reply as a reply to it. */
  replyTo?: APIMessage;
  /**
   * What the message's attachment URLs show, as data: URLs: the emulator hands out Discord CDN links
   * that lead nowhere, so the page embeds the bytes the bot uploaded.
   */
  images?: ReadonlyMap<string, string>;
}

/** One picture: a message, or a form (modal) over the message it was opened from, dimmed. */
export type Scene = { file: string; title: string } & (
  { kind: 'message'; view: MessageView } | { kind: 'modal'; modal: APIModalInteractionResponseCallbackData; behind: MessageView }
);

export interface PageOptions {
  /** Name shown for the bot (the self-hoster picks it in the Developer Portal). */
  botName: string;
  /** Name shown for the member who ran the command. */
  invokerName: string;
  channels: ReadonlyMap<string, string>;
  roles: ReadonlyMap<string, string>;
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

export const BOT_AVATAR = avatar('#5865f2', 'P');
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

/**
 * An embed's image, below its fields. Slotted rather than given to Skyra's `image` attribute, whose
 * 300 px box is smaller than Discord's: Discord fits an embed image into 400 × 300.
 */
function renderImage(embed: APIEmbed, images: ReadonlyMap<string, string> | undefined): string {
  const url = embed.image?.url;
  if (!url) return '';
  const src = images?.get(url);
  if (!src) throw new Error(`the embed image ${url} is not among the message's attachments`);
  return `<img slot="fields" class="embed-image" src="${src}" alt="">`;
}

function renderEmbed(embed: APIEmbed, ctx: MarkdownContext, images: ReadonlyMap<string, string> | undefined): string {
  const attrs = [`slot="embeds"`, `color="${colorOf(embed)}"`];
  if (embed.title) attrs.push(`embed-title="${escapeHtml(embed.title)}"`);
  if (embed.author?.name) attrs.push(`author-name="${escapeHtml(embed.author.name)}"`);
  const parts: string[] = [];
  if (embed.description)
    parts.push(
      `<discord-embed-description slot="description">${markdownToHtml(embed.description, ctx)}</discord-embed-description>`,
    );
  if (embed.fields?.length) parts.push(renderFields(embed.fields, ctx));
  parts.push(renderImage(embed, images));
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
    if (row.type !== ComponentType.ActionRow) throw new Error(`no rendering for a top-level component of type ${row.type}`);
    const items = row.components.map((component) => {
      if (component.type === ComponentType.Button) return renderButton(component);
      if (component.type === ComponentType.StringSelect) {
        return `<discord-string-select-menu placeholder="${escapeHtml(component.placeholder ?? 'Make a selection')}"></discord-string-select-menu>`;
      }
      throw new Error(`no rendering for a component of type ${component.type}`);
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

/**
 * The line Discord draws above a reply: what it answers. A reply to a command's answer reads "Click to
 * see command", to a message of embeds only "Click to see attachment", otherwise the start of its text.
 */
function replyHeader(original: APIMessage, options: PageOptions): string {
  const common = `slot="reply" author="${escapeHtml(options.botName)}" avatar="${BOT_AVATAR}" bot`;
  if (original.type === MessageType.ChatInputCommand)
    return `<discord-reply ${common} command>Click to see command</discord-reply>`;
  const text = original.content.split('\n')[0]?.trim();
  if (!text) return `<discord-reply ${common} attachment>Click to see attachment</discord-reply>`;
  const ctx: MarkdownContext = { channels: options.channels, roles: options.roles, now: options.now, embed: false };
  return `<discord-reply ${common}>${markdownToHtml(text, ctx)}</discord-reply>`;
}

function renderMessage(view: MessageView, options: PageOptions): string {
  const { message } = view;
  const ctx: MarkdownContext = { channels: options.channels, roles: options.roles, now: options.now, embed: false };
  const embedCtx: MarkdownContext = { ...ctx, embed: true };
  const ephemeral = ((message.flags ?? 0) & 64) === 64;
  const header = view.command
    ? `<discord-command slot="reply" author="${escapeHtml(options.invokerName)}" avatar="${USER_AVATAR}" command="/${escapeHtml(view.command)}"></discord-command>`
    : view.replyTo
      ? replyHeader(view.replyTo, options)
      : '';
  return `<discord-message author="${escapeHtml(options.botName)}" avatar="${BOT_AVATAR}" bot${ephemeral ? ' ephemeral' : ''} timestamp="${escapeHtml(options.clock ?? clock(Date.parse(message.timestamp), options.now))}">
    ${header}
    ${message.content ? markdownToHtml(message.content, ctx) : ''}
    ${(message.embeds ?? []).map((embed) => renderEmbed(embed, embedCtx, view.images)).join('\n    ')}
    ${renderComponents(message.components)}
  </discord-message>`;
}

/** The whole page: the Skyra components loaded through an import map, in Discord's dark theme. */
export function renderPage(scene: Scene, options: PageOptions): string {
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
  const view = scene.kind === 'message' ? scene.view : scene.behind;
  const messages = `<discord-messages>\n  ${renderMessage(view, options)}\n</discord-messages>`;
  const stage =
    scene.kind === 'message'
      ? messages
      : `${messages}\n<div class="dim"></div>\n${modalHtml(scene.modal, { botName: options.botName, avatar: BOT_AVATAR })}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(scene.title)}</title>
<script type="importmap">${JSON.stringify(importMap)}</script>
<script type="module" src="${m}/@skyra/discord-components-core/dist/index.js"></script>
<style>
  html, body { margin: 0; padding: 0; background: #313338; }
  body { width: ${options.width}px; }
  /* The picture: the message, and over it (dimmed) a form when there is one; as tall as the taller. */
  #shot { display: grid; position: relative; }
  #shot > * { grid-area: 1 / 1; }
  discord-messages { border: none; padding: 4px 0 10px; }
  discord-message { padding-right: 16px; }
  /* Inline code as Discord draws it (Skyra's <discord-code> overlaps the characters beside it). */
  code.inline {
    font-family: Consolas, 'Andale Mono WT', 'Andale Mono', 'Lucida Console', 'DejaVu Sans Mono', 'Liberation Mono', monospace;
    font-size: 85%; line-height: 1.125rem; padding: 0 0.2em; margin: -0.2em 0; border-radius: 4px;
    background: #2b2d31; border: 1px solid #1e1f22; white-space: pre-wrap; text-indent: 0;
  }
  discord-embed code.inline { background: #1e1f22; border-color: #1e1f22; }
  /* Discord fits an embed image into 400 × 300, below the fields, with rounded corners. */
  img.embed-image {
    display: block; grid-column: 1 / 1; margin-top: 16px; border-radius: 4px;
    max-width: min(400px, 100%); max-height: 300px; width: auto; height: auto;
  }
  /* A select menu in a message is as wide as Discord draws it (400 px), whatever its placeholder. */
  discord-action-row discord-string-select-menu { display: block; width: 444px; }
  /* Discord's own face is not redistributable; Noto Sans is the fallback Discord itself names. */
  discord-messages, discord-message, discord-embed-description, discord-embed-field, .modal {
    font-family: 'gg sans', 'Noto Sans', 'Noto Sans Symbols2', 'Helvetica Neue', Helvetica, Arial, sans-serif;
  }
  .dim { background: rgba(0, 0, 0, 0.7); position: relative; z-index: 10; }
  .modal { position: relative; z-index: 11; }
${MODAL_CSS}
</style>
</head>
<body>
<div id="shot">
${stage}
</div>
<script type="module">
  // Tell the measuring pass how tall the picture is, once every component has rendered.
  await customElements.whenDefined('discord-message');
  const pending = (root) => [...root.querySelectorAll('*')].flatMap((el) => [
    ...(el.updateComplete ? [el.updateComplete] : []),
    ...(el.shadowRoot ? pending(el.shadowRoot) : []),
  ]);
  for (let round = 0; round < 3; round++) await Promise.all(pending(document));
  await document.fonts.ready;
  await Promise.all([...document.images].map((img) => img.decode().catch(() => undefined)));
  const broken = [...document.images].filter((img) => img.naturalWidth === 0).length;
  if (broken > 0) document.body.dataset.error = broken + ' image(s) did not load';
  const box = document.getElementById('shot').getBoundingClientRect();
  document.body.dataset.height = String(Math.ceil(box.bottom));
</script>
</body>
</html>
`;
}
