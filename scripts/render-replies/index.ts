/**
 * `npm run render-replies`: pictures of the bot's real replies for the README.
 *
 * Starts the real bot against the in-repo Discord and useapi.net emulators exactly as the end-to-end
 * tests do (test/e2e/stack.ts), runs each command, takes the message Discord stored, renders it with
 * the `@skyra/discord-components-core` web components (served locally, nothing from a CDN) and
 * screenshots it with headless Chromium into docs/images/. The pictures therefore cannot drift from
 * the code: rerun this after changing a reply.
 *
 *   npm run render-replies               all pictures
 *   npm run render-replies -- credits    only those whose file name contains "credits"
 *   CHROMIUM_PATH=/path/to/chrome        another browser binary
 *   RENDER_SCALE=2                       device pixel ratio (default 1)
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIMessage } from 'discord-api-types/v10';
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
import { renderPage, type Scene } from './page.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const outDir = join(root, 'docs/images');

/** Width of the picture in CSS pixels: a message column about as wide as Discord's on a laptop. */
const WIDTH = 720;
const ADMIN_USER = '200000000000000777';
const admin = { permissions: ADMIN, userId: ADMIN_USER };

const registration = (channel: string, server = GUILD_ID, maxJobs = 2, discord: string = SECRETS.pixverseDiscordToken) => ({
  channel,
  server,
  discord,
  maxJobs,
});

/** Runs `drive` against a fresh stack and closes it (which also checks that no secret leaked). */
async function withStack(options: StackOptions, drive: (stack: Stack) => Promise<APIMessage>): Promise<APIMessage> {
  const stack = await startStack(options);
  try {
    return await drive(stack);
  } finally {
    await stack.close();
  }
}

interface SceneSpec {
  file: string;
  command: string;
  caption: string;
  run: () => Promise<APIMessage>;
}

const scenes: SceneSpec[] = [
  {
    file: 'credits',
    command: 'credits',
    caption: '`/credits` with one account: plan, spendable total, each bucket, renewal and expiry (only you see it).',
    run: () => withStack({}, (s) => s.command('credits').finalMessage()),
  },
  {
    file: 'credits-several-accounts',
    command: 'credits',
    caption: '`/credits` with several accounts: a total, one embed per account, and an account in error beside the others.',
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
        (s) => s.command('credits').finalMessage(),
      ),
  },
  {
    file: 'register',
    command: 'pixverse-register',
    caption: '`/pixverse-register max_jobs:3` registers the channel it is typed in; the token is masked.',
    run: () =>
      withStack({}, (s) => s.command('pixverse-register', [{ name: 'max_jobs', type: 4, value: 3 }], admin).finalMessage()),
  },
  {
    file: 'register-same-discord',
    command: 'pixverse-register',
    caption: 'One Discord token serves one channel: the bot says which channel holds it and how to move it.',
    run: () =>
      withStack({ channels: [registration(OTHER_CHANNEL.id, GUILD_ID, 1)] }, (s) =>
        s.command('pixverse-register', [], admin).finalMessage(),
      ),
  },
  {
    file: 'accounts',
    command: 'pixverse-accounts',
    caption: '`/pixverse-accounts` lists both useapi.net lists: v1 channel registrations and v2 email accounts.',
    run: () =>
      withStack(
        {
          channels: [
            registration(TEXT_CHANNEL.id, GUILD_ID, 3),
            registration(THREAD.id, GUILD_ID, 1, 'second-clear-user-token-0000-K7QP'),
            registration(FOREIGN_CHANNEL.id, '300000000000000099', 1, 'foreign-clear-user-token-0000-ABCD'),
          ],
          accounts: [
            { email: 'studio@example.com', maxJobs: 3 },
            { email: 'night-shift@example.com' },
            { email: 'old-trial@example.com', error: 'session rejected' },
          ],
        },
        (s) => s.command('pixverse-accounts', [], admin).finalMessage(),
      ),
  },
  {
    file: 'unregister',
    command: 'pixverse-unregister',
    caption: '`/pixverse-unregister` asks first; only the admin who ran it can press Remove.',
    run: () =>
      withStack({ channels: [registration(TEXT_CHANNEL.id, GUILD_ID, 3)] }, (s) =>
        s.command('pixverse-unregister', [], admin).finalMessage(),
      ),
  },
  {
    file: 'failure-account-error',
    command: 'credits',
    caption: 'When useapi.net answers 596 (the PixVerse account is in an error state), the reply says what to do.',
    run: () =>
      withStack({}, (s) => {
        s.useapi.addFault({ path: '/v2/pixverse/features', fault: { kind: 'account-error' } });
        return s.command('credits', [{ name: 'email', type: 3, value: 'team@example.com' }]).finalMessage();
      }),
  },
  {
    file: 'failure-timeout',
    command: 'credits',
    caption: 'When useapi.net does not answer in time, the bot still answers, and says so.',
    run: () =>
      withStack({}, (s) => {
        s.useapi.addFault({ path: '/v2/pixverse/features', fault: { kind: 'hang' } });
        return s.command('credits', [{ name: 'email', type: 3, value: 'team@example.com' }]).finalMessage(10_000);
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
      const message = await spec.run();
      const scene: Scene = { file: spec.file, command: spec.command, message };
      server.pages.set(
        spec.file,
        renderPage(scene, {
          botName: 'PixVerse Bot',
          invokerName: 'Alex',
          clock: 'Today at 9:41 AM',
          channels,
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
