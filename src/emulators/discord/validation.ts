import {
  ApplicationCommandAutocompleteCallbackRequestSchema,
  ApplicationCommandCreateRequestSchema,
  ApplicationCommandUpdateRequestSchema,
  CreateMessageInteractionCallbackRequestSchema,
  IncomingWebhookRequestPartialSchema,
  IncomingWebhookUpdateRequestPartialSchema,
  LaunchActivityInteractionCallbackRequestSchema,
  MessageCreateRequestSchema,
  ModalInteractionCallbackRequestSchema,
  PongInteractionCallbackRequestSchema,
  UpdateMessageInteractionCallbackRequestSchema,
} from 'discord-api-spec/zod';
import * as z from 'zod/mini';

export type IssuePath = Array<string | number>;

/** One problem with a request body, in Discord's own vocabulary (`BASE_TYPE_MAX_LENGTH` …). */
export interface FormIssue {
  path: IssuePath;
  code: string;
  message: string;
}

export type BodyKind = 'bulkCommands' | 'command' | 'interactionCallback' | 'webhookExecute' | 'webhookEdit' | 'channelMessage';

type Issue = z.core.$ZodIssue;

const callbackSchemas = new Map<number, z.ZodMiniType>([
  [1, PongInteractionCallbackRequestSchema],
  [4, CreateMessageInteractionCallbackRequestSchema],
  [5, CreateMessageInteractionCallbackRequestSchema],
  [6, UpdateMessageInteractionCallbackRequestSchema],
  [7, UpdateMessageInteractionCallbackRequestSchema],
  [8, ApplicationCommandAutocompleteCallbackRequestSchema],
  [9, ModalInteractionCallbackRequestSchema],
  [12, LaunchActivityInteractionCallbackRequestSchema],
]);

/** Returns the problems Discord would report for this body, or an empty list. */
export function validateBody(kind: BodyKind, body: unknown): FormIssue[] {
  switch (kind) {
    case 'bulkCommands': {
      if (!Array.isArray(body)) return [{ path: [], code: 'LIST_TYPE_CONVERT', message: 'Must be an array.' }];
      const issues = body.flatMap((item: unknown, index) =>
        checkSchema(ApplicationCommandUpdateRequestSchema, coerceCommand(item)).map((issue) => ({
          ...issue,
          path: [index, ...issue.path],
        })),
      );
      if (issues.length > 0) return issues;
      return [...body.flatMap((item: unknown, index) => commandRules(item, [index])), ...duplicateNames(body)];
    }
    case 'command': {
      const issues = checkSchema(ApplicationCommandCreateRequestSchema, coerceCommand(body));
      return issues.length > 0 ? issues : commandRules(body, []);
    }
    case 'interactionCallback': {
      const type = isRecord(body) ? body.type : undefined;
      const schema = typeof type === 'number' ? callbackSchemas.get(type) : undefined;
      if (!schema) {
        const allowed = [...callbackSchemas.keys()].join(', ');
        return [{ path: ['type'], code: 'BASE_TYPE_CHOICES', message: `Value must be one of (${allowed}).` }];
      }
      return checkSchema(schema, body);
    }
    case 'webhookExecute':
      return checkSchema(IncomingWebhookRequestPartialSchema, body);
    case 'webhookEdit':
      return checkSchema(IncomingWebhookUpdateRequestPartialSchema, body);
    case 'channelMessage':
      return checkSchema(MessageCreateRequestSchema, body);
  }
}

/** Discord's 400 body: issues nested by path, each leaf holding `_errors`. */
export function formErrorTree(issues: FormIssue[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const issue of issues) {
    let node = root;
    for (const segment of issue.path) {
      const key = String(segment);
      const child = node[key];
      if (isRecord(child)) {
        node = child;
      } else {
        const created: Record<string, unknown> = {};
        node[key] = created;
        node = created;
      }
    }
    const list = Array.isArray(node._errors) ? (node._errors as unknown[]) : [];
    list.push({ code: issue.code, message: issue.message });
    node._errors = list;
  }
  return root;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkSchema(schema: z.ZodMiniType, body: unknown): FormIssue[] {
  const result = z.safeParse(schema, body);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) => toFormIssues(issue, [], body));
}

// The spec types permission bitfields as integers, but Discord (and discord.js) send them as decimal
// strings, which the real API accepts.
function coerceCommand(item: unknown): unknown {
  if (!isRecord(item) || typeof item.default_member_permissions !== 'string') return item;
  if (!/^\d+$/.test(item.default_member_permissions)) return item;
  return { ...item, default_member_permissions: Number(item.default_member_permissions) };
}

function toFormIssues(issue: Issue, base: IssuePath, input: unknown): FormIssue[] {
  const path = [...base, ...issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment))];
  switch (issue.code) {
    case 'invalid_union': {
      // Report the branch the value was meant for (its `type` literal and its own kind match), as
      // Discord does, instead of every alternative.
      const candidates = issue.errors.filter(
        (branch) =>
          !branch.some(
            (inner) =>
              (inner.code === 'invalid_value' && inner.path.join('.') === 'type') ||
              (inner.code === 'invalid_type' && inner.path.length === 0),
          ),
      );
      const best = candidates.sort((a, b) => a.length - b.length)[0];
      if (!best) return [{ path, code: 'UNION_TYPE_CHOICES', message: 'Value is not one of the accepted types.' }];
      return best.flatMap((inner) => toFormIssues(inner, path, input));
    }
    case 'invalid_type':
      if (valueAt(input, path) === undefined) return [{ path, code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }];
      return [
        {
          path,
          code: `${issue.expected.toUpperCase()}_TYPE_CONVERT`,
          message: `Could not interpret the value as ${issue.expected}.`,
        },
      ];
    case 'too_big':
      return [sizeIssue(path, issue.origin, 'MAX', Number(issue.maximum))];
    case 'too_small':
      return [sizeIssue(path, issue.origin, 'MIN', Number(issue.minimum))];
    case 'invalid_value':
      return [
        {
          path,
          code: 'BASE_TYPE_CHOICES',
          message: `Value must be one of (${issue.values.map((value) => String(value)).join(', ')}).`,
        },
      ];
    case 'invalid_format':
      if (issue.format === 'url') return [{ path, code: 'URL_TYPE_INVALID_URL', message: 'Not a well formed URL.' }];
      return [{ path, code: 'STRING_TYPE_REGEX', message: `String value is not a valid ${issue.format}.` }];
    default:
      return [{ path, code: issue.code.toUpperCase(), message: issue.message }];
  }
}

function sizeIssue(path: IssuePath, origin: string, bound: 'MAX' | 'MIN', limit: number): FormIssue {
  if (origin === 'number' || origin === 'int' || origin === 'bigint') {
    const relation = bound === 'MAX' ? 'less' : 'greater';
    return { path, code: `NUMBER_TYPE_${bound}`, message: `int value should be ${relation} than or equal to ${limit}.` };
  }
  const relation = bound === 'MAX' ? 'or fewer' : 'or more';
  return { path, code: `BASE_TYPE_${bound}_LENGTH`, message: `Must be ${limit} ${relation} in length.` };
}

function valueAt(input: unknown, path: IssuePath): unknown {
  let value = input;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

// Rules that Discord documents and enforces but that the OpenAPI document cannot express.
const NAME_PATTERN = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function commandRules(command: unknown, base: IssuePath): FormIssue[] {
  if (!isRecord(command)) return [];
  const chatInput = command.type === undefined || command.type === null || command.type === 1;
  if (!chatInput) return [];
  const issues: FormIssue[] = [];
  if (!validName(command.name)) {
    issues.push({ path: [...base, 'name'], code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' });
  }
  if (typeof command.description !== 'string' || command.description.length === 0) {
    issues.push({
      path: [...base, 'description'],
      code: 'BASE_TYPE_BAD_LENGTH',
      message: 'Must be between 1 and 100 in length.',
    });
  }
  return [...issues, ...optionRules(command.options, [...base, 'options'])];
}

function optionRules(options: unknown, base: IssuePath): FormIssue[] {
  if (!Array.isArray(options)) return [];
  const issues: FormIssue[] = [];
  const seen = new Set<string>();
  let optionalSeen = false;
  options.forEach((option: unknown, index) => {
    if (!isRecord(option)) return;
    const path = [...base, index];
    if (!validName(option.name)) {
      issues.push({ path: [...path, 'name'], code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' });
    } else if (seen.has(option.name as string)) {
      issues.push({
        path: [...path, 'name'],
        code: 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS',
        message: 'Option names must be unique',
      });
    }
    if (typeof option.name === 'string') seen.add(option.name);
    const nested = option.type === 1 || option.type === 2;
    if (nested) {
      issues.push(...optionRules(option.options, [...path, 'options']));
      return;
    }
    if (option.required === true && optionalSeen) {
      issues.push({
        path: [...path, 'required'],
        code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
        message: 'Required options must be placed before non-required options',
      });
    }
    if (option.required !== true) optionalSeen = true;
    if (option.autocomplete === true && Array.isArray(option.choices) && option.choices.length > 0) {
      issues.push({
        path: [...path, 'autocomplete'],
        code: 'AUTOCOMPLETE_CHOICES_MUTUALLY_EXCLUSIVE',
        message: 'Autocomplete and choices cannot be set together',
      });
    }
  });
  return issues;
}

function validName(name: unknown): boolean {
  return typeof name === 'string' && NAME_PATTERN.test(name) && name === name.toLowerCase();
}

function duplicateNames(commands: unknown[]): FormIssue[] {
  const seen = new Set<string>();
  const issues: FormIssue[] = [];
  commands.forEach((command: unknown, index) => {
    if (!isRecord(command) || typeof command.name !== 'string') return;
    const key = `${typeof command.type === 'number' ? command.type : 1}:${command.name}`;
    if (seen.has(key)) {
      issues.push({
        path: [index, 'name'],
        code: 'APPLICATION_COMMANDS_DUPLICATE_NAME',
        message: `Application command names must be unique`,
      });
    }
    seen.add(key);
  });
  return issues;
}
