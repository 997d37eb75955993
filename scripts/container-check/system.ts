import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';

/** Host commands the container check runs: each one's output is kept, and shown only when it fails. */

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Exit codes that are answers rather than failures (`podman image exists` says no with 1). */
  okCodes?: number[];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const TAIL_CHARS = 4_000;

export class CommandError extends Error {}

/** Runs a command to its end; rejects with the command line and the tail of its output when it fails. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const okCodes = options.okCodes ?? [0];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => reject(new CommandError(`${command}: ${error.message}`)));
    child.on('close', (code, signal) => {
      const result = { code: code ?? -1, stdout, stderr };
      if (okCodes.includes(result.code)) return resolve(result);
      const output = `${stdout}${stderr}`.slice(-TAIL_CHARS);
      reject(new CommandError(`${[command, ...args].join(' ')} failed (${signal ?? `exit ${code}`}):\n${output}`));
    });
  });
}

async function missing(command: string): Promise<boolean> {
  const { code } = await run('sh', ['-c', `command -v ${command}`], { okCodes: [0, 1, 127] });
  return code !== 0;
}

/** Debian packages the check needs: the container engine, the runtime that works here, and debootstrap. */
const PACKAGES = ['podman', 'runc', 'debootstrap'];

/** Installs the missing packages with apt-get; returns what it installed. */
export async function installTools(): Promise<string[]> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'run it as root (sudo npm run container:check): it installs packages, builds a root file system and runs podman',
    );
  }
  const absent: string[] = [];
  for (const name of PACKAGES) if (await missing(name)) absent.push(name);
  if (absent.length > 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await run('apt-get', ['update'], { env });
    await run('apt-get', ['install', '-y', '--no-install-recommends', ...absent], { env });
  }
  await allowContainersWithoutDefaultUlimits();
  return absent;
}

/**
 * podman gives every container default ulimits, and some kernels (this VM's among them) refuse to set
 * them: every container then fails with "error setting rlimits". Emptying the list lets containers
 * inherit the engine's limits instead. A drop-in file leaves an existing containers.conf alone.
 */
async function allowContainersWithoutDefaultUlimits(): Promise<void> {
  const directory = '/etc/containers/containers.conf.d';
  await mkdir(directory, { recursive: true });
  await writeFile(
    `${directory}/90-pixverse-container-check.conf`,
    "# Written by npm run container:check: the kernel refuses podman's default ulimits.\n[containers]\ndefault_ulimits = []\n",
  );
}
