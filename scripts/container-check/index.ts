import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationCommandOptionType, PermissionFlagsBits } from 'discord.js';
import { chatInputInteraction } from '../../src/emulators/discord/index.js';
import { renderMessage } from '../../src/sandbox/render.js';
import { EXAMPLE, EXAMPLE_NAMES, startExampleEmulators, type ExampleEmulators } from '../example-emulators.js';
import { ensureBaseImage, officialNodeImage } from './base-image.js';
import { installTools, run } from './system.js';

/**
 * `npm run container:check` (as root): builds the project's Dockerfile with podman on a stand-in for the
 * official Node image, and runs it the way the README says, against the Discord and useapi.net
 * emulators in this process. It checks behaviour only: the bot gets ready, /healthz and the image's
 * HEALTHCHECK pass, an interaction is answered, SIGTERM stops it with exit 0 within 5 s, and after the
 * container is replaced, the volume's files are all still there and an alert already posted is not
 * posted again. Which files the bot keeps in /data is its own business.
 */

const PROJECT = fileURLToPath(new URL('../../', import.meta.url));
const IMAGE = 'pixverse-discord-bot';
// Names of their own, so the check never touches the containers or volumes the README's commands make.
const CONTAINER = 'pixverse-bot-check';
const VOLUME = 'pixverse-check-data';
/** The health port of the README's run command; the container shares the host's network here. */
const HEALTH_PORT = 8080;
const STOP_WITHIN_MS = 5_000;
const READY_WITHIN_MS = 60_000;
const NODE_UID = 1000;

interface Outcome {
  name: string;
  ok: boolean;
  ms: number;
  detail: string;
}

const outcomes: Outcome[] = [];

/** Thrown once a check has failed and said why. */
class CheckFailed extends Error {}

/** Runs one check, prints its line, and stops the whole run at the first failure: later checks build on it. */
async function check(name: string, body: () => Promise<string>): Promise<void> {
  const started = performance.now();
  try {
    const detail = await body();
    record({ name, ok: true, ms: performance.now() - started, detail });
  } catch (error) {
    record({ name, ok: false, ms: performance.now() - started, detail: (error as Error).message });
    throw new CheckFailed();
  }
}

function record(outcome: Outcome): void {
  outcomes.push(outcome);
  console.log(
    `${outcome.ok ? 'PASS' : 'FAIL'}  ${outcome.name} (${seconds(outcome.ms)})\n      ${outcome.detail.replace(/\n/g, '\n      ')}`,
  );
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The Node line the Dockerfile builds on (`ARG NODE_VERSION=24`). */
async function dockerfileNodeMajor(): Promise<string> {
  const dockerfile = await readFile(join(PROJECT, 'Dockerfile'), 'utf8');
  const major = /^ARG NODE_VERSION=(\d+)$/m.exec(dockerfile)?.[1];
  if (!major) throw new Error('the Dockerfile has no "ARG NODE_VERSION=<major>" line');
  return major;
}

/** `.env` as the README has people make it: .env.example with the emulators' values filled in. */
async function writeEnvFile(dir: string, values: Record<string, string>): Promise<string> {
  const example = await readFile(join(PROJECT, '.env.example'), 'utf8');
  const pending = new Map(Object.entries(values));
  const lines = example.split('\n').map((line) => {
    const name = /^([A-Z0-9_]+)=/.exec(line)?.[1];
    const value = name === undefined ? undefined : pending.get(name);
    if (name === undefined || value === undefined) return line;
    pending.delete(name);
    return `${name}=${value}`;
  });
  for (const [name, value] of pending) lines.push(`${name}=${value}`);
  const file = join(dir, '.env');
  await writeFile(file, lines.join('\n'), { mode: 0o600 });
  return file;
}

/** The README's `docker run`, plus what this host needs: runc, and the host network to reach the emulators. */
function runArgs(envFile: string): string[] {
  return [
    'run',
    '-d',
    '--name',
    CONTAINER,
    '--runtime',
    'runc',
    '--network',
    'host',
    '--restart',
    'unless-stopped',
    '--env-file',
    envFile,
    '-e',
    'DATA_DIR=/data',
    '-e',
    'HEALTH_HOST=0.0.0.0',
    '-e',
    `HEALTH_PORT=${HEALTH_PORT}`,
    '-v',
    `${VOLUME}:/data`,
    IMAGE,
  ];
}

async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

async function containerState(): Promise<{ running: boolean; exitCode: number }> {
  const { stdout } = await run('podman', ['inspect', CONTAINER, '--format', '{{.State.Running}} {{.State.ExitCode}}']);
  const [running, exitCode] = stdout.trim().split(' ');
  return { running: running === 'true', exitCode: Number(exitCode) };
}

async function logsTail(): Promise<string> {
  const { stdout, stderr } = await run('podman', ['logs', '--tail', '30', CONTAINER], { okCodes: [0, 125] });
  return `${stdout}${stderr}`.trim();
}

/** Polls /healthz from the host until it answers 200; fails early if the container has exited. */
async function waitUntilHealthy(): Promise<number> {
  const started = performance.now();
  for (;;) {
    const status = await fetch(`http://127.0.0.1:${HEALTH_PORT}/healthz`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return performance.now() - started;
    const state = await containerState();
    if (!state.running) {
      throw new Error(`the container exited with ${state.exitCode} before /healthz answered 200:\n${await logsTail()}`);
    }
    if (performance.now() - started > READY_WITHIN_MS) {
      throw new Error(`/healthz still answers ${status || 'nothing'} after ${seconds(READY_WITHIN_MS)}:\n${await logsTail()}`);
    }
    await sleep(250);
  }
}

/** `podman stop -t 10` sends SIGTERM, and SIGKILL only after 10 s: a bot that ignores SIGTERM shows as slow and exit 137. */
async function stopWithSigterm(): Promise<string> {
  const started = performance.now();
  await run('podman', ['stop', '-t', '10', CONTAINER]);
  const ms = performance.now() - started;
  const { exitCode } = await containerState();
  if (exitCode !== 0 || ms > STOP_WITHIN_MS) {
    throw new Error(`podman stop took ${seconds(ms)} and the bot exited with ${exitCode}:\n${await logsTail()}`);
  }
  return `exit 0, ${seconds(ms)} after SIGTERM`;
}

interface VolumeFile {
  path: string;
  size: number;
  uid: number;
}

async function volumeFiles(): Promise<VolumeFile[]> {
  const { stdout } = await run('podman', ['volume', 'inspect', VOLUME, '--format', '{{.Mountpoint}}']);
  const root = stdout.trim();
  const files: VolumeFile[] = [];
  for (const path of await readdir(root, { recursive: true })) {
    const info = await stat(join(root, path));
    if (info.isFile()) files.push({ path, size: info.size, uid: info.uid });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

function describeFiles(files: VolumeFile[]): string {
  return files.map((file) => `${file.path} (${file.size} bytes)`).join(', ');
}

function lowCreditAlerts(emulators: ExampleEmulators): number {
  return emulators.discord
    .channelMessages(EXAMPLE.channels.alerts.id)
    .filter((message) => renderMessage(message, EXAMPLE_NAMES).includes(EXAMPLE.lowAccount)).length;
}

async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`no ${what} within ${seconds(timeoutMs)}:\n${await logsTail()}`);
    await sleep(100);
  }
}

/** Dispatches a slash command as a server admin in #pixverse; returns the answer as Discord shows it. */
async function slashCommand(
  emulators: ExampleEmulators,
  command: Parameters<typeof chatInputInteraction>[2],
): Promise<{ text: string; firstMs: number }> {
  const { discord } = emulators;
  const invoker = {
    guildId: EXAMPLE.guild.id,
    channel: EXAMPLE.channels.pixverse,
    permissions: String(PermissionFlagsBits.ManageGuild),
  };
  const handle = discord.dispatchInteraction(chatInputInteraction(discord, invoker, command));
  const first = await handle.firstResponse(3_000);
  const message = await handle.finalMessage(15_000);
  return { text: renderMessage(message, EXAMPLE_NAMES), firstMs: first.at - handle.dispatchedAt };
}

async function removeLeftovers(): Promise<void> {
  await run('podman', ['rm', '-f', '--ignore', CONTAINER]);
  await run('podman', ['volume', 'rm', '-f', VOLUME], { okCodes: [0, 1] });
}

async function main(): Promise<void> {
  const started = performance.now();
  let emulators: ExampleEmulators | undefined;
  const scratch = await mkdtemp(join(tmpdir(), 'container-check-'));
  console.log(`Container check of ${PROJECT}\n`);
  try {
    await check('host tools: podman, runc, debootstrap; podman default ulimits off', async () => {
      const installed = await installTools();
      const { stdout } = await run('podman', ['--version']);
      return `${stdout.trim()}${installed.length > 0 ? `; installed ${installed.join(', ')}` : '; nothing to install'}`;
    });

    const nodeMajor = await dockerfileNodeMajor();
    await check(`base image ${officialNodeImage(nodeMajor)}`, async () => {
      const { built, versions } = await ensureBaseImage(nodeMajor);
      return `${built ? 'built the stand-in from Debian bookworm and the registry' : 'already here, reused'}: ${versions}`;
    });

    await check(`image ${IMAGE} from the Dockerfile`, async () => {
      // --pull=never: no image registry; --format docker: the OCI format has no HEALTHCHECK (Docker
      // always builds this format); --runtime runc: the RUN steps need it on this kernel.
      const build = ['build', '--pull=never', '--format', 'docker', '--runtime', 'runc', '-t', IMAGE, '.'];
      await run('podman', build, { cwd: PROJECT });
      const { stdout } = await run('podman', ['image', 'inspect', IMAGE, '--format', '{{.Size}} {{.Config.User}}']);
      const [size, user] = stdout.trim().split(' ');
      if (user !== 'node') throw new Error(`the image runs as "${user}", not as node`);
      return `podman ${build.join(' ')}\n${(Number(size) / 1e6).toFixed(0)} MB, runs as ${user}`;
    });

    await removeLeftovers();
    if (!(await portIsFree(HEALTH_PORT))) throw new Error(`port ${HEALTH_PORT} is taken on this host; the container needs it`);
    const e = await startExampleEmulators();
    emulators = e;
    const envFile = await writeEnvFile(scratch, e.env);

    await check('first run: ready, /healthz answers 200', async () => {
      await run('podman', runArgs(envFile));
      const ms = await waitUntilHealthy();
      return `podman ${runArgs('.env').join(' ')}\nready ${seconds(ms)} after podman run`;
    });

    await check("the image's HEALTHCHECK reports healthy", async () => {
      const { stdout } = await run('podman', ['healthcheck', 'run', CONTAINER]);
      return stdout.trim() || 'healthy';
    });

    await check('/credits through the Discord emulator is answered', async () => {
      const { text, firstMs } = await slashCommand(e, { name: 'credits' });
      if (!text.includes(EXAMPLE.healthyAccount)) throw new Error(`the answer does not name ${EXAMPLE.healthyAccount}:\n${text}`);
      return `first response in ${firstMs.toFixed(0)} ms; the answer names ${EXAMPLE.healthyAccount}`;
    });

    await check(`low-credit alert for ${EXAMPLE.lowAccount} posted in #alerts`, async () => {
      await waitFor('low-credit alert', () => lowCreditAlerts(e) > 0, 20_000);
      return `${lowCreditAlerts(e)} alert`;
    });

    await check('SIGTERM (podman stop -t 10) stops the bot cleanly', stopWithSigterm);

    let firstRunFiles: VolumeFile[] = [];
    await check(`the bot wrote its state in the volume as uid ${NODE_UID}`, async () => {
      firstRunFiles = await volumeFiles();
      if (firstRunFiles.length === 0) throw new Error('/data is empty after the first run');
      const foreign = firstRunFiles.filter((file) => file.uid !== NODE_UID);
      if (foreign.length > 0) throw new Error(`not written by uid ${NODE_UID}: ${describeFiles(foreign)}`);
      return describeFiles(firstRunFiles);
    });

    await check('second run, a new container on the same volume: files kept, ready again', async () => {
      await run('podman', ['rm', CONTAINER]);
      const kept = await volumeFiles();
      const lost = firstRunFiles.filter((file) => !kept.some((k) => k.path === file.path && k.size === file.size));
      if (lost.length > 0) throw new Error(`lost or changed with the container: ${describeFiles(lost)}`);
      await run('podman', runArgs(envFile));
      return `all ${kept.length} files still there; ready ${seconds(await waitUntilHealthy())} after podman run`;
    });

    await check('after the restart the low-credit alert is not posted again', async () => {
      // check_now answers once a check has run and posted what was due, so silence is meaningful.
      const { text } = await slashCommand(e, {
        name: 'credits-alerts',
        options: [{ name: 'check_now', type: ApplicationCommandOptionType.Boolean, value: true }],
      });
      const count = lowCreditAlerts(e);
      if (count !== 1) throw new Error(`${count} low-credit alerts in #alerts, expected the first run's 1:\n${text}`);
      return '/credits-alerts check_now:true answered; still 1 low-credit alert in #alerts';
    });

    await check('SIGTERM again stops the bot cleanly', stopWithSigterm);
  } catch (error) {
    if (!(error instanceof CheckFailed)) record({ name: 'setup', ok: false, ms: 0, detail: (error as Error).message });
  } finally {
    // A failed clean-up must not hide the verdict; the next run removes the leftovers first.
    await removeLeftovers().catch(() => undefined);
    await emulators?.close();
    await rm(scratch, { recursive: true, force: true });
  }
  const failed = outcomes.filter((outcome) => !outcome.ok);
  console.log('\nSummary:');
  for (const outcome of outcomes) {
    console.log(`  ${outcome.ok ? 'PASS' : 'FAIL'}  ${seconds(outcome.ms).padStart(7)}  ${outcome.name}`);
  }
  console.log(
    `${failed.length === 0 ? 'PASS' : 'FAIL'}: ${outcomes.length - failed.length} of ${outcomes.length} checks passed in ${seconds(performance.now() - started)}`,
  );
  process.exitCode = failed.length === 0 ? 0 : 1;
}

await main();
