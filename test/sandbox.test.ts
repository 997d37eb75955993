import { readFile } from 'node:fs/promises';
import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { renderMarkdown, renderMessage } from '../src/sandbox/render.js';
import { SCRIPT, runSandbox } from '../src/sandbox/run.js';
import { parseCommandLine } from '../src/sandbox/sandbox.js';
import { commands } from '../commands/index.js';

function collector(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

describe('the offline sandbox', () => {
  it('plays the scripted session through the real bot and prints each reply as Discord shows it', async () => {
    const out = collector();
    await runSandbox({ commands, output: out.stream, interactive: false });
    const transcript = out.text();
    for (const line of SCRIPT) expect(transcript).toContain(`> ${line}\n`);
    // /credits across the three example accounts, one in error state
    // Three days of a busy studio (~1,080 a day) and a quiet backup are already in the history.
    expect(transcript).toMatch(/[\d,]+ credits left to spend across 2 accounts\./);
    expect(transcript).toMatch(/│ Usage: [\d,]+ used in the last 2[34](\.\d)? h/);
    expect(transcript).toMatch(
      /│ Forecast: At ~1,0\d\d a day, runs out in \d+ days \([A-Z][a-z]+ \d+, \d{4}\), before the monthly credits refill/,
    );
    // /credits-history: the use, the forecast, the daily refills seen, and the chart saved to a file.
    expect(transcript).toContain('▌ PixVerse credits · last 3 days');
    expect(transcript).toMatch(/Refills and purchases: [23] daily refills \(\+1[28]0\)/);
    const saved = /\(the picture is saved in (.+credits-history\.png)\)/.exec(transcript)?.[1];
    expect((await readFile(saved!)).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(transcript).toMatch(/Renews: in \d+ days/);
    // /pixverse-register: the channel by name, the token masked
    expect(transcript).toContain('▌ Channel registered\n│ #pixverse is now registered');
    expect(transcript).toContain('Discord token: `••••DEMO`');
    // /pixverse-accounts, the console: both lists, the slots, the controls; then the account in error reconnected.
    expect(transcript).toContain('▌ Channel registrations (v1) (2)');
    expect(transcript).toContain('3 of 3 PixVerse account slots used (1 in error state)');
    expect(transcript).toContain('[ Reconnect an account in error state… ▾ ] old@example.com');
    expect(transcript).toContain('▌ Form: Reconnect a PixVerse account');
    expect(transcript).toContain('▌ Account reconnected\n│ `old@example.com` is signed in again and works.');
    expect(transcript).toContain('(only you can see this)');
    expect(transcript).toContain('set DISCORD_TOKEN');
    expect(transcript).not.toMatch(/undefined|\[object|<t:|<#/);
  });
});

describe('the sandbox prompt', () => {
  it('answers typed commands, presses buttons, shows help, and leaves on exit', async () => {
    const out = collector();
    const typed = [
      'help',
      '/pixverse-unregister channel:#renders',
      'press Remove',
      '/pixverse-accounts',
      'press Add account',
      'fill email:new@example.com password:"a password" max_jobs:2',
      '/pixverse-accounts',
      'choose Remove backup+video@example.com',
      'press Remove',
      '/credits email',
      '/nope',
      'exit',
      '/credits',
    ];
    await runSandbox({ commands, input: Readable.from(typed.map((line) => `${line}\n`)), output: out.stream, interactive: true });
    const transcript = out.text();
    expect(transcript).toContain('help shows this, exit leaves.');
    expect(transcript).toContain('▌ Remove this registration?\n│ #renders (max jobs 2, token `••••RNDR`)');
    expect(transcript).toContain('[ Remove ] [ Cancel ]');
    expect(transcript).toContain('▌ Registration removed\n│ #renders is no longer registered');
    expect(transcript).toContain('▌ Form: Add a PixVerse account');
    expect(transcript).toContain('▌ Account added\n│ `new@example.com` is on useapi.net');
    expect(transcript).toContain('Max jobs 2 · password `••••`');
    expect(transcript).toContain('▌ Account removed\n│ `backup+video@example.com` is no longer on useapi.net.');
    expect(transcript).toContain('“email” is not an option; write options as name:value.');
    expect(transcript).toContain('No command /nope.');
    // Nothing after exit runs.
    expect(transcript).not.toContain('credits left to spend');
  });
});

describe('the sandbox prompt at a terminal', () => {
  // Ctrl-C and Ctrl-D (on an empty line) close readline; pressed while a command runs, the next prompt
  // used to throw ERR_USE_AFTER_CLOSE on Node 24 and end the sandbox with a stack trace and exit 1.
  it.each([
    ['Ctrl-C', '\x03'],
    ['Ctrl-D', '\x04'],
  ])('finishes the command under way and leaves cleanly on %s', async (_name, key) => {
    const out = collector();
    // What readline needs to run in terminal mode (raw keys, echo), as at a real terminal.
    Object.assign(out.stream, { isTTY: true, columns: 100 });
    const input = new PassThrough();
    const session = runSandbox({ commands, input, output: out.stream, interactive: true });
    await until(() => out.text().includes('sandbox> '));
    // The key arrives right after Enter, while /credits waits on the emulated useapi.net.
    input.write('/credits\r');
    input.write(key);
    await session;
    const transcript = out.text();
    expect(transcript).toContain('credits left to spend');
    expect(transcript).toContain('set DISCORD_TOKEN');
  });
});

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('parseCommandLine', () => {
  it('splits a command and name:value options, quotes allowed', () => {
    expect(parseCommandLine('/credits email:"a b@example.com" share:true')).toEqual({
      name: 'credits',
      pairs: [
        ['email', 'a b@example.com'],
        ['share', 'true'],
      ],
    });
  });

  it('explains what it cannot read', () => {
    expect(parseCommandLine('credits')).toEqual({ problem: 'Type a slash command, for example `/credits`.' });
    expect(parseCommandLine('/')).toEqual({ problem: 'Type a slash command, for example `/credits`.' });
    expect(parseCommandLine('/credits email')).toEqual({ problem: '“email” is not an option; write options as name:value.' });
    expect(parseCommandLine('/credits :x')).toEqual({ problem: '“:x” is not an option; write options as name:value.' });
  });
});

describe('renderMessage', () => {
  const names = {
    channels: new Map([['400000000000000001', 'pixverse']]),
    roles: new Map([['500000000000000001', 'producers']]),
  };

  it('resolves channel and role mentions and relative timestamps, and drops bold markers', () => {
    const inTwoDays = Math.floor(Date.now() / 1000) + 2 * 86_400 + 60;
    expect(renderMarkdown(`<#400000000000000001> **now** <@&500000000000000001> <t:${inTwoDays}:R>`, names)).toBe(
      '#pixverse now @producers in 2 days',
    );
  });

  it('shows buttons and the ephemeral note', () => {
    const text = renderMessage(
      {
        content: '',
        flags: 64,
        embeds: [{ title: 'Remove this registration?', description: 'really' }],
        components: [
          {
            type: 1,
            components: [
              { type: 2, style: 4, label: 'Remove', custom_id: 'a' },
              { type: 2, style: 2, label: 'Cancel', custom_id: 'b' },
            ],
          },
        ],
      },
      names,
    );
    expect(text).toBe('▌ Remove this registration?\n│ really\n[ Remove ] [ Cancel ]\n(only you can see this)');
  });
});
