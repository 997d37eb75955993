import { createInterface } from 'node:readline/promises';
import { WHERE_TO_GET } from '../config.js';
import type { Command } from '../discord/command.js';
import { createLogger } from '../logger.js';
import { startSandbox } from './sandbox.js';

/** The scripted session: what the bot does, from credits to repairing an account in error state. */
export const SCRIPT = [
  '/credits',
  '/credits email:studio@example.com',
  '/credits-history days:3',
  '/pixverse-register max_jobs:2',
  '/pixverse-accounts',
  'choose Reconnect old@example.com',
  'fill password:sandbox-pixverse-password',
] as const;

const CONNECT = `To connect to real Discord: copy .env.example to .env, set DISCORD_TOKEN (${WHERE_TO_GET.DISCORD_TOKEN}) and USEAPI_TOKEN (${WHERE_TO_GET.USEAPI_TOKEN}), then run npm start again.`;

const HELP = `Type a slash command as in Discord, options as name:value:
  /credits                          every account's credits
  /credits email:studio@example.com one account (share:true posts it publicly)
  /credits-history days:3           a chart of the last 3 days, use, forecast and refills
  /pixverse-register max_jobs:2     register the current channel (#pixverse)
  /pixverse-accounts                the admin console: accounts, capacity, registrations
  press Add account, then fill email:a@b.c password:x max_jobs:2
  choose Reconnect old@example.com, then fill password:x
  choose Remove backup+video@example.com, then press Remove
  /pixverse-unregister channel:#renders, then: press Remove
  /credits-alerts                   alert settings
help shows this, exit leaves.`;

/**
 * Runs the sandbox: a scripted session when nobody is at a terminal (CI, a pipe), a prompt
 * otherwise. Bot logs go to stderr at warn level, so the transcript stays readable.
 */
export async function runSandbox({
  commands,
  input = process.stdin,
  output = process.stdout,
  interactive = Boolean(process.stdin.isTTY),
}: {
  commands: readonly Command[];
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  interactive?: boolean;
}): Promise<void> {
  const write = (text: string) => output.write(`${text}\n`);
  write(
    'Sandbox: the real bot against local Discord and useapi.net emulators, with example accounts. Nothing leaves this machine.',
  );
  const logger = createLogger({ level: 'warn', secrets: [], destination: process.stderr });
  const sandbox = await startSandbox(commands, logger);
  try {
    if (!interactive) {
      for (const line of SCRIPT) write(`\n> ${line}\n${await sandbox.run(line)}`);
      write(`\n${CONNECT}`);
      return;
    }
    write(`${HELP}\n`);
    const prompt = createInterface({ input, output, terminal: interactive && Boolean((output as NodeJS.WriteStream).isTTY) });
    const lines = prompt[Symbol.asyncIterator]();
    // Ctrl-C, Ctrl-D or the end of the input close readline, possibly while a command runs; prompting
    // after that throws ERR_USE_AFTER_CLOSE (Node 24). Lines already read still run, then the loop ends.
    let closed = false;
    prompt.once('close', () => {
      closed = true;
    });
    try {
      for (;;) {
        if (!closed) {
          prompt.setPrompt('sandbox> ');
          prompt.prompt();
        }
        const next = await lines.next();
        const line = next.done ? 'exit' : next.value.trim();
        if (line === 'exit' || line === 'quit') break;
        if (line === '') continue;
        write(line === 'help' ? HELP : await sandbox.run(line));
      }
    } finally {
      prompt.close();
    }
    write(CONNECT);
  } finally {
    await sandbox.close();
  }
}
