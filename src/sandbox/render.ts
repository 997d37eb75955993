import {
  ComponentType,
  type APIComponentInMessageActionRow,
  type APIMessage,
  type APIModalInteractionResponseCallbackData,
} from 'discord-api-types/v10';

/** What the terminal needs to know to show ids as Discord shows them. */
export interface RenderNames {
  channels: ReadonlyMap<string, string>;
  roles: ReadonlyMap<string, string>;
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 31_536_000],
  ['month', 2_592_000],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const longDate = new Intl.DateTimeFormat('en', { dateStyle: 'long' });

/** `<t:…:R>` → "in 29 days", the way the Discord client renders it for the reader. */
function timestamp(seconds: number, style: string): string {
  if (style !== 'R') return longDate.format(new Date(seconds * 1000));
  const delta = seconds - Date.now() / 1000;
  const [unit, size] = UNITS.find(([, s]) => Math.abs(delta) >= s) ?? ['second', 1];
  return relative.format(Math.round(delta / size), unit);
}

/** Discord markdown → plain terminal text: mentions and timestamps resolved, emphasis dropped. */
export function renderMarkdown(text: string, names: RenderNames): string {
  return text
    .replace(/<t:(\d+):([tTdDfFR])>/g, (_, seconds: string, style: string) => timestamp(Number(seconds), style))
    .replace(/<#(\d+)>/g, (_, id: string) => `#${names.channels.get(id) ?? id}`)
    .replace(/<@&(\d+)>/g, (_, id: string) => `@${names.roles.get(id) ?? 'role'}`)
    .replace(/\*\*(.+?)\*\*/g, '$1');
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}

/** A form (modal) as text: its title and each field, with how the sandbox fills it in. */
export function renderForm(form: APIModalInteractionResponseCallbackData): string {
  const fields = form.components.flatMap((component) => {
    if (component.type === ComponentType.Label) {
      const inner = component.component;
      const choices =
        inner.type === ComponentType.StringSelect ? ` (one of ${inner.options.map((option) => option.value).join(', ')})` : '';
      return 'custom_id' in inner
        ? [
            `│ ${component.label}${component.description ? ` — ${component.description}` : ''}\n│   fill ${inner.custom_id}:…${choices}`,
          ]
        : [];
    }
    return component.type === ComponentType.ActionRow
      ? component.components.map((input) => `│ ${input.label ?? input.custom_id}\n│   fill ${input.custom_id}:…`)
      : [];
  });
  return [`▌ Form: ${form.title}`, ...fields, 'Type fill name:value … to send it (values with spaces in quotes).'].join('\n');
}

/** A message as a person would read it in Discord, as text. */
export function renderMessage(
  message: Pick<APIMessage, 'content' | 'embeds' | 'components' | 'flags'>,
  names: RenderNames,
): string {
  const out: string[] = [];
  if (message.content) out.push(renderMarkdown(message.content, names));
  for (const embed of message.embeds ?? []) {
    const lines: string[] = [];
    if (embed.title) lines.push(`▌ ${renderMarkdown(embed.title, names)}`);
    if (embed.description) lines.push(indent(renderMarkdown(embed.description, names), '│ '));
    for (const field of embed.fields ?? []) {
      lines.push(indent(`${field.name}: ${renderMarkdown(field.value, names).replace(/\n/g, '  ')}`, '│ '));
    }
    if (embed.image) lines.push('│ [picture]');
    if (embed.footer?.text) lines.push(`│ — ${embed.footer.text}`);
    out.push(lines.join('\n'));
  }
  const controls = (message.components ?? []).flatMap((row): APIComponentInMessageActionRow[] =>
    row.type === ComponentType.ActionRow ? row.components : [],
  );
  const buttons = controls.flatMap((c) => ('label' in c && c.label ? [`[ ${c.label} ]`] : []));
  if (buttons.length > 0) out.push(buttons.join(' '));
  for (const control of controls) {
    if (control.type === ComponentType.StringSelect) {
      out.push(`[ ${control.placeholder ?? 'Choose…'} ▾ ] ${control.options.map((option) => option.label).join(' · ')}`);
    }
  }
  if (((message.flags ?? 0) & 64) === 64) out.push('(only you can see this)');
  return out.join('\n');
}
