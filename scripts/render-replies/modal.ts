import {
  ComponentType,
  TextInputStyle,
  type APIModalInteractionResponseCallbackData,
  type APIStringSelectComponent,
  type APITextInputComponent,
} from 'discord-api-types/v10';
import { escapeHtml } from './markdown.js';

/*
 * A form (modal) the way Discord's dark theme draws it: the app's avatar and the title, Discord's own
 * warning, each label with its description above its input, then Cancel and Submit. Skyra's
 * <discord-modal> is an interactive dialog whose inputs predate labels with descriptions and selects
 * in forms, so this is plain HTML in the same style (its colours and icons).
 */

// Icons of Discord's client, as @skyra/discord-components-core (MIT) draws them.
const CLOSE_ICON =
  '<svg width="24" height="24" viewBox="0 0 24 24" aria-label="Close"><path fill="currentColor" d="M17.3 18.7a1 1 0 0 0 1.4-1.4L13.42 12l5.3-5.3a1 1 0 0 0-1.42-1.4L12 10.58l-5.3-5.3a1 1 0 0 0-1.4 1.42L10.58 12l-5.3 5.3a1 1 0 1 0 1.42 1.4L12 13.42l5.3 5.3Z"/></svg>';
const WARNING_ICON =
  '<svg width="24" height="24" viewBox="0 0 24 24" aria-label="Warning"><path fill="#b5bac1" fill-rule="evenodd" clip-rule="evenodd" d="M12 23a11 11 0 1 0 0-22 11 11 0 0 0 0 22Zm1.44-15.94L13.06 14a1.06 1.06 0 0 1-2.12 0l-.38-6.94a1 1 0 0 1 1-1.06h.88a1 1 0 0 1 1 1.06Zm-.19 10.69a1.25 1.25 0 1 1-2.5 0 1.25 1.25 0 0 1 2.5 0Z"/></svg>';
const EXPAND_ICON =
  '<svg width="20" height="20" viewBox="0 0 24 24"><path fill="currentColor" d="M5.3 9.3a1 1 0 0 1 1.4 0l5.3 5.29 5.3-5.3a1 1 0 1 1 1.4 1.42l-6 6a1 1 0 0 1-1.4 0l-6-6a1 1 0 0 1 0-1.42Z"/></svg>';

export const MODAL_CSS = `
  .modal {
    align-self: center; justify-self: center; margin: 24px 0; width: 440px; box-sizing: border-box;
    background: #313338; border-radius: 8px; color: #dbdee1; overflow: hidden;
    box-shadow: 0 0 0 1px rgba(30, 31, 34, 0.6), 0 2px 10px 0 rgba(0, 0, 0, 0.2);
  }
  .modal header { display: flex; align-items: center; gap: 8px; padding: 16px 16px 12px; }
  .modal header img { width: 24px; height: 24px; border-radius: 50%; }
  .modal h1 { flex: 1; margin: 0; font-size: 20px; line-height: 24px; font-weight: 600; color: #f2f3f5; }
  .modal .close { color: #b5bac1; opacity: 0.8; display: flex; }
  .modal .warning { display: flex; gap: 10px; align-items: center; margin: 0 16px 16px; font-size: 14px; line-height: 18px; font-weight: 500; }
  .modal .warning svg { flex-shrink: 0; }
  .modal .warning strong { font-weight: 600; }
  .modal .field { margin: 0 16px 20px; }
  .modal .label { font-size: 16px; line-height: 20px; font-weight: 600; color: #f2f3f5; }
  .modal .required { color: #f23f43; padding-left: 4px; }
  .modal .description { font-size: 14px; line-height: 18px; color: #b5bac1; margin-top: 2px; }
  .modal .input {
    margin-top: 8px; box-sizing: border-box; width: 100%; min-height: 40px; padding: 10px 12px;
    background: #1e1f22; border: 1px solid #1e1f22; border-radius: 8px;
    font-size: 16px; line-height: 20px; color: #dbdee1; display: flex; align-items: center; justify-content: space-between;
  }
  .modal .input.paragraph { min-height: 84px; align-items: flex-start; }
  .modal .input .placeholder { color: #87898c; }
  .modal .input svg { color: #b5bac1; flex-shrink: 0; }
  .modal footer { display: flex; justify-content: flex-end; gap: 8px; padding: 16px; background: #2b2d31; }
  .modal footer span {
    min-width: 96px; height: 38px; padding: 2px 16px; box-sizing: border-box; border-radius: 8px;
    display: flex; align-items: center; justify-content: center; font-size: 14px; font-weight: 500; color: #fff;
  }
  .modal footer .submit { background: #5865f2; }
`;

function label(text: string, required: boolean, description: string | undefined): string {
  return (
    `<div class="label">${escapeHtml(text)}${required ? '<span class="required">*</span>' : ''}</div>` +
    (description ? `<div class="description">${escapeHtml(description)}</div>` : '')
  );
}

function textInput(input: APITextInputComponent): string {
  const paragraph = input.style === TextInputStyle.Paragraph ? ' paragraph' : '';
  const shown = input.value
    ? escapeHtml(input.value)
    : input.placeholder
      ? `<span class="placeholder">${escapeHtml(input.placeholder)}</span>`
      : '';
  return `<div class="input${paragraph}"><span>${shown}</span></div>`;
}

/** A select as the form shows it before anything is chosen: its default option(s), else its placeholder. */
function select(menu: APIStringSelectComponent): string {
  const chosen = menu.options.filter((option) => option.default).map((option) => option.label);
  const shown = chosen.length
    ? escapeHtml(chosen.join(', '))
    : `<span class="placeholder">${escapeHtml(menu.placeholder ?? 'Make a selection')}</span>`;
  return `<div class="input select"><span>${shown}</span>${EXPAND_ICON}</div>`;
}

function component(part: APIModalInteractionResponseCallbackData['components'][number]): string {
  if (part.type === ComponentType.Label) {
    const inner = part.component;
    const required =
      inner.type === ComponentType.TextInput ? inner.required !== false : 'required' in inner ? inner.required !== false : true;
    let control: string;
    if (inner.type === ComponentType.TextInput) control = textInput(inner);
    else if (inner.type === ComponentType.StringSelect) control = select(inner);
    else throw new Error(`no rendering for a form control of type ${inner.type}`);
    return `<div class="field">${label(part.label, required, part.description)}${control}</div>`;
  }
  if (part.type === ComponentType.ActionRow) {
    // The older form: a row holding one text input that carries its own label.
    return part.components
      .map(
        (input) => `<div class="field">${label(input.label ?? '', input.required !== false, undefined)}${textInput(input)}</div>`,
      )
      .join('');
  }
  throw new Error(`no rendering for a form component of type ${part.type}`);
}

export function modalHtml(modal: APIModalInteractionResponseCallbackData, options: { botName: string; avatar: string }): string {
  return `<div class="modal" role="dialog">
  <header><img src="${options.avatar}" alt=""><h1>${escapeHtml(modal.title)}</h1><span class="close">${CLOSE_ICON}</span></header>
  <div class="warning">${WARNING_ICON}<span>This form will be submitted to <strong>${escapeHtml(options.botName)}</strong>. Do not share passwords or other sensitive information.</span></div>
  ${modal.components.map(component).join('\n  ')}
  <footer><span class="cancel">Cancel</span><span class="submit">Submit</span></footer>
</div>`;
}
