import { renderMessage } from '../src/sandbox/render.js';
import { EXAMPLE, EXAMPLE_NAMES, startExampleEmulators } from './example-emulators.js';

/**
 * `npm run emulators`: the Discord and useapi.net emulators on fixed loopback ports, until Ctrl-C, so a
 * bot started by hand (npm start, a container with --network host, a service) can log in, sync its
 * commands, post its alerts and answer /healthz without a real token. Shows each login and each message
 * the bot posts in a channel.
 */

// Fixed, so the printed environment stays valid across restarts of this script.
const PORTS = { discord: 4401, useapi: 4402 };
const POLL_MS = 500;

const emulators = await startExampleEmulators(PORTS);
const { discord } = emulators;
const env = Object.entries(emulators.env)
  .map(([name, value]) => `${name}=${value}`)
  .join('\n');
console.log(`Discord emulator on ${discord.apiUrl}, useapi.net emulator on ${emulators.useapi.url}.
Example server "${EXAMPLE.guild.name}" with #${EXAMPLE.channels.pixverse.name} and #${EXAMPLE.channels.alerts.name} (where alerts go);
useapi.net accounts ${EXAMPLE.healthyAccount}, ${EXAMPLE.lowAccount} (low on credits) and ${EXAMPLE.errorAccount} (in error state).

Point a bot at them with this environment (put it in .env, or prefix npm start with it):

${env}

Ctrl-C stops the emulators.`);

let logins = 0;
let posts = 0;
// The emulator records rather than notifies, so new logins and posts are picked up by polling.
const poll = setInterval(() => {
  for (; logins < discord.identifies.length; logins += 1) console.log('\nA bot connected to the gateway.');
  const messages = discord.channelMessages();
  for (const message of messages.slice(posts)) {
    console.log(
      `\n#${EXAMPLE_NAMES.channels.get(message.channel_id) ?? message.channel_id}:\n${renderMessage(message, EXAMPLE_NAMES)}`,
    );
  }
  posts = messages.length;
}, POLL_MS);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    clearInterval(poll);
    void emulators.close().then(() => process.exit(0));
  });
}
