/**
 * `npm run render-replies`: pictures of the bot's real replies for the README.
 *
 * Starts the real bot against the in-repo Discord and useapi.net emulators exactly as the end-to-end
 * tests do (test/e2e/stack.ts), runs each command (or presses the button, submits the form, lets the
 * digest or an alert go out), takes what Discord stored (the message, with the bytes of its attached
 * chart, or the form a button opened), renders it with the `@skyra/discord-components-core` web
 * components (served locally, nothing from a CDN; forms in plain HTML in Discord's style) and screenshots
 * it with headless Chromium into docs/images/. The pictures therefore cannot drift from the code: rerun
 * this after changing a reply. The history behind the usage, forecast, chart and digest pictures is a
 * made-up week (week.ts), so those pictures show other dates each day they are rendered.
 *
 *   npm run render-replies               all pictures
 *   npm run render-replies -- credits    only those whose file name contains "credits"
 *   CHROMIUM_PATH=/path/to/chrome        another browser binary
 *   RENDER_SCALE=2                       device pixel ratio (default 1)
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIMessage, APIModalInteractionResponseCallbackData } from 'discord-api-types/v10';
import type { InteractionHandle } from '../../src/emulators/discord/index.js';
import { featuresFixture } from '../../src/emulators/useapi.js';
import {
  ADMIN,
  FOREIGN_CHANNEL,
  GUILD_ID,
  OTHER_CHANNEL,
  SECRETS,
  TEXT_CHANNEL,
  THREAD,
  startStack,
  type Stack,
  type StackOptions,
} from '../../test/e2e/stack.js';
import { Chromium, PageServer, checkFonts, findChromium, findPackage } from './chromium.js';
import { renderPage, type MessageView, type Scene } from './page.js';
import { week } from './week.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const outDir = join(root, 'docs/images');

/** Width of the picture in CSS pixels: a message column about as wide as Discord's on a laptop. */
const WIDTH = 720;
const ADMIN_USER = '200000000000000777';
const admin = { permissions: ADMIN, userId: ADMIN_USER };
const ALERT_ROLE = { id: '500000000000000001', name: 'pixverse-admins' };
/** Typed into the Reconnect form; the stack checks that it reaches no log line and nothing sent to Discord. */
const PASSWORD = 'render-replies-password-0000-Q7';

const registration = (channel: string, server = GUILD_ID, maxJobs = 2, discord: string = SECRETS.pixverseDiscordToken) => ({
  channel,
  server,
  discord,
  maxJobs,
});

/** Runs `drive` against a fresh stack and closes it (which also checks that no secret leaked). */
async function withStack<T>(options: StackOptions, drive: (stack: Stack) => Promise<T>): Promise<T> {
  const stack = await startStack(options);
  try {
    return await drive(stack);
  } finally {
    await stack.close();
  }
}

/** What a picture shows, before it gets its file name. */
type Shot =
  { kind: 'message'; view: MessageView } | { kind: 'modal'; modal: APIModalInteractionResponseCallbackData; behind: MessageView };

interface SceneSpec {
  file: string;
  title: string;
  caption: string;
  /** The time shown beside the bot's name (default: "Today at 9:41 AM"). */
  clock?: string;
  run: () => Promise<Shot>;
}

const shown = (view: MessageView): Shot => ({ kind: 'message', view });

/** The answer to `/command`, as the channel shows it. */
async function answer(command: string, handle: InteractionHandle, timeoutMs?: number): Promise<Shot> {
  return shown({ command, message: await handle.finalMessage(timeoutMs) });
}

/** The form a button or select opened (interaction callback type 9). */
async function formOf(handle: InteractionHandle): Promise<APIModalInteractionResponseCallbackData> {
  const first = await handle.firstResponse();
  if (first.callbackType !== 9) throw new Error(`expected a form (callback type 9), got callback type ${first.callbackType}`);
  return (first.body as { data: APIModalInteractionResponseCallbackData }).data;
}

/** The button or select of `message` whose label or placeholder starts with `text`. */
function control(message: APIMessage, text: string): { custom_id: string; options?: Array<{ value: string }> } {
  for (const row of message.components ?? []) {
    if (!('components' in row)) continue;
    for (const item of row.components as Array<{ custom_id?: string; label?: string; placeholder?: string }>) {
      if ((item.label ?? item.placeholder ?? '').startsWith(text) && item.custom_id)
        return item as { custom_id: string; options?: Array<{ value: string }> };
    }
  }
  throw new Error(`no control "${text}" on the message`);
}

/** The files the bot uploaded with the answer to `handle`, as data: URLs by the attachment URL Discord gave them. */
function uploadedImages(stack: Stack, handle: InteractionHandle, message: APIMessage): Map<string, string> {
  const files = stack.discord.requests
    .filter((request) => request.path.includes(handle.token))
    .flatMap((request) => request.files);
  const images = new Map<string, string>();
  for (const attachment of message.attachments) {
    const file = files.findLast((candidate) => candidate.filename === attachment.filename);
    if (!file) throw new Error(`the bytes of ${attachment.filename} are not among the uploads`);
    images.set(attachment.url, `data:${file.contentType ?? 'image/png'};base64,${file.data.toString('base64')}`);
  }
  return images;
}

/** The first message the bot posts to `channelId` on its own (an alert, the digest). */
async function posted(stack: Stack, channelId: string, timeoutMs = 5_000): Promise<APIMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [message] = stack.discord.channelMessages(channelId);
    if (message) return message;
    if (Date.now() > deadline) throw new Error(`the bot posted nothing to channel ${channelId} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** An IANA zone where it is now 9 o'clock in the morning, so a digest due at 09:00 goes out at start-up. */
function nineAmZone(now = new Date()): string {
  let offset = 9 - now.getUTCHours();
  if (offset < -12) offset += 24;
  return offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

/** Three accounts of the console and of the forms opened from it: one works, one idles, one is in error. */
const consoleAccounts = [
  { email: 'studio@example.com', maxJobs: 3 },
  { email: 'night-shift@example.com', maxJobs: 2 },
  { email: 'old-trial@example.com', error: 'session rejected' },
];

async function openConsole(s: Stack): Promise<MessageView> {
  s.useapi.setJobs([
    { id: 'job-1', email: 'studio@example.com', type: 'video', started: Date.now() - 40_000 },
    { id: 'job-2', email: 'studio@example.com', type: 'image', started: Date.now() - 5_000 },
  ]);
  return { command: 'pixverse-accounts', message: await s.command('pixverse-accounts', [], admin).finalMessage() };
}

/** An account in error state that `/credits` shows with its Reconnect button. */
const brokenAccount = { email: 'team@example.com', maxJobs: 2, error: 'session rejected' };

async function reconnectCard(s: Stack): Promise<MessageView> {
  return { command: 'credits', message: await s.command('credits', [], admin).finalMessage() };
}

async function reconnectForm(s: Stack, card: MessageView): Promise<APIModalInteractionResponseCallbackData> {
  s.secrets.push(PASSWORD);
  return formOf(s.pressButton(control(card.message, 'Reconnect').custom_id, card.message.id, admin));
}

const scenes: SceneSpec[] = [
  {
    file: 'credits',
    title: '/credits with one account',
    caption: '`/credits`: plan, credits left to spend, each bucket against its allowance, renewal and expiry. Only you see it.',
    run: () => withStack({}, (s) => answer('credits', s.command('credits'))),
  },
  {
    file: 'credits-forecast',
    title: '/credits with a week of history',
    caption: 'Once the background checks have kept a few readings, the card adds the last 24 hours of use and a forecast.',
    run: () => {
      const { accounts, history } = week();
      const studio = (email: string) => email === 'studio@example.com';
      return withStack(
        { accounts: accounts.filter((a) => studio(a.email)), history: history.filter((r) => studio(r.email)) },
        (s) => answer('credits', s.command('credits')),
      );
    },
  },
  {
    file: 'credits-several-accounts',
    title: '/credits with three accounts, one in error',
    caption: 'With several accounts: a total, one card per account, and an account in error shown beside the others.',
    run: () =>
      withStack(
        {
          accounts: [
            {
              email: 'studio@example.com',
              features: featuresFixture({ credit_daily: 40, credit_monthly: 9_200, credit_package: 1_500 }),
            },
            {
              email: 'night-shift@example.com',
              features: featuresFixture({ credit_daily: 0, credit_monthly: 65, credit_package: 0, plan_name: 'Standard' }),
            },
            { email: 'old-trial@example.com', error: 'session rejected' },
          ],
        },
        (s) => answer('credits', s.command('credits')),
      ),
  },
  {
    file: 'credits-history',
    title: '/credits-history days:7',
    caption:
      '`/credits-history days:7` charts the week inside the reply: each account and their total, refills and purchases marked.',
    run: () => {
      const { accounts, history } = week();
      return withStack({ accounts, history }, async (s) => {
        const handle = s.command('credits-history', [{ name: 'days', type: 4, value: 7 }]);
        const message = await handle.finalMessage(15_000);
        return shown({ command: 'credits-history', message, images: uploadedImages(s, handle, message) });
      });
    },
  },
  {
    file: 'digest',
    title: 'The daily digest',
    caption:
      'With `DIGEST_TIME` set, a digest goes to a channel every day, silently: credits now, the last 24 hours, the forecast.',
    clock: 'Today at 9:00 AM',
    run: () => {
      const { accounts, history } = week();
      const env = { DIGEST_TIME: '09:00', TZ: nineAmZone(), DIGEST_CHANNEL_ID: OTHER_CHANNEL.id };
      return withStack({ accounts, history, env }, async (s) => shown({ message: await posted(s, OTHER_CHANNEL.id) }));
    },
  },
  {
    file: 'register',
    title: '/pixverse-register',
    caption: '`/pixverse-register max_jobs:3` registers the channel it is typed in; the token is masked.',
    run: () =>
      withStack({}, (s) =>
        answer('pixverse-register', s.command('pixverse-register', [{ name: 'max_jobs', type: 4, value: 3 }], admin)),
      ),
  },
  {
    file: 'register-same-discord',
    title: '/pixverse-register: token already used by another channel',
    caption: 'One Discord token can serve one channel: the bot says which channel holds it and how to move it.',
    run: () =>
      withStack({ channels: [registration(OTHER_CHANNEL.id, GUILD_ID, 1)] }, (s) =>
        answer('pixverse-register', s.command('pixverse-register', [], admin)),
      ),
  },
  {
    file: 'accounts',
    title: '/pixverse-accounts, the admin console',
    caption:
      '`/pixverse-accounts` is the admin console: both useapi.net lists, the jobs running, an account in error, and the controls.',
    run: () =>
      withStack(
        {
          channels: [
            registration(TEXT_CHANNEL.id, GUILD_ID, 3),
            registration(THREAD.id, GUILD_ID, 1, 'second-clear-user-token-0000-K7QP'),
            registration(FOREIGN_CHANNEL.id, '300000000000000099', 1, 'foreign-clear-user-token-0000-ABCD'),
          ],
          accounts: consoleAccounts,
        },
        async (s) => shown(await openConsole(s)),
      ),
  },
  {
    file: 'add-account',
    title: 'The Add account form',
    caption:
      'The **Add account** button opens a form: the email, the PixVerse password (sent once to useapi.net, kept nowhere), max jobs.',
    run: () =>
      withStack({ accounts: consoleAccounts }, async (s) => {
        const behind = await openConsole(s);
        const modal = await formOf(s.pressButton(control(behind.message, 'Add account').custom_id, behind.message.id, admin));
        return { kind: 'modal', modal, behind };
      }),
  },
  {
    file: 'unregister',
    title: '/pixverse-unregister',
    caption: '`/pixverse-unregister` asks first; only the admin who ran it can press Remove.',
    run: () =>
      withStack({ channels: [registration(TEXT_CHANNEL.id, GUILD_ID, 3)] }, (s) =>
        answer('pixverse-unregister', s.command('pixverse-unregister', [], admin)),
      ),
  },
  {
    file: 'failure-account-error',
    title: 'useapi.net 596: the account is in an error state',
    caption: 'When useapi.net reports the PixVerse account in an error state (596), the card says so and offers **Reconnect**.',
    run: () => withStack({ accounts: [brokenAccount] }, async (s) => shown(await reconnectCard(s))),
  },
  {
    file: 'reconnect-form',
    title: 'The Reconnect form',
    caption: "The **Reconnect** button asks only for the account's PixVerse password: its email and max jobs are kept.",
    run: () =>
      withStack({ accounts: [brokenAccount] }, async (s) => {
        const behind = await reconnectCard(s);
        return { kind: 'modal', modal: await reconnectForm(s, behind), behind };
      }),
  },
  {
    file: 'reconnected',
    title: 'Account reconnected',
    caption: 'useapi.net signs in again and the account works again; the password shows nowhere.',
    run: () =>
      withStack({ accounts: [brokenAccount] }, async (s) => {
        const card = await reconnectCard(s);
        const form = await reconnectForm(s, card);
        const message = await s.submitModal(form.custom_id, { password: PASSWORD }, admin).finalMessage();
        return shown({ message, replyTo: card.message });
      }),
  },
  {
    file: 'alert-account-error',
    title: 'The 596 alert',
    caption:
      'With `ALERT_CHANNEL_ID` set, the background checks post an account in error state to a channel, with **Reconnect**.',
    run: () =>
      withStack(
        {
          accounts: [brokenAccount],
          env: { ALERT_CHANNEL_ID: OTHER_CHANNEL.id, ALERT_ROLE_ID: ALERT_ROLE.id, CHECK_INTERVAL: '15m' },
        },
        async (s) => shown({ message: await posted(s, OTHER_CHANNEL.id) }),
      ),
  },
  {
    file: 'failure-timeout',
    title: 'useapi.net does not answer in time',
    caption: 'When useapi.net does not answer in time, the bot still answers, and says so.',
    run: () =>
      withStack({}, (s) => {
        s.useapi.addFault({ path: '/v2/pixverse/features', fault: { kind: 'hang' } });
        return answer('credits', s.command('credits', [{ name: 'email', type: 3, value: 'team@example.com' }]), 10_000);
      }),
  },
];

async function main(): Promise<void> {
  const chromium = new Chromium(findChromium(), Number(process.env.RENDER_SCALE ?? 1) || 1);
  await checkFonts();
  const filter = process.argv.slice(2);
  const chosen = scenes.filter((scene) => filter.length === 0 || filter.some((f) => scene.file.includes(f)));
  if (chosen.length === 0)
    throw new Error(`no picture matches ${filter.join(', ')}; there are: ${scenes.map((s) => s.file).join(', ')}`);

  const packages = new Map(
    ['@skyra/discord-components-core', 'lit', 'lit-html', 'lit-element', '@lit/reactive-element', '@lit/context'].map((name) => [
      name,
      findPackage(name, root),
    ]),
  );
  const server = await PageServer.start(packages);
  const channels = new Map([TEXT_CHANNEL, OTHER_CHANNEL, THREAD, FOREIGN_CHANNEL].map((c) => [c.id, c.name]));
  await mkdir(outDir, { recursive: true });
  try {
    for (const spec of chosen) {
      const scene: Scene = { file: spec.file, title: spec.title, ...(await spec.run()) };
      server.pages.set(
        spec.file,
        renderPage(scene, {
          botName: 'PixVerse Bot',
          invokerName: 'Alex',
          clock: spec.clock ?? 'Today at 9:41 AM',
          channels,
          roles: new Map([[ALERT_ROLE.id, ALERT_ROLE.name]]),
          now: Date.now(),
          width: WIDTH,
          modules: `${server.url}/modules`,
        }),
      );
      const url = `${server.url}/pages/${spec.file}.html`;
      const height = await chromium.measure(url, WIDTH);
      const out = join(outDir, `${spec.file}.png`);
      await chromium.screenshot(url, out, WIDTH, height);
      const { size } = await stat(out);
      console.log(`docs/images/${spec.file}.png  ${WIDTH}×${height}  ${Math.round(size / 1024)} KB  ${spec.caption}`);
    }
  } finally {
    await server.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
