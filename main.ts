/**
 * The entry point (`npm start`, `node dist/main.js`): the one place where the commands meet the bot.
 * `--sandbox` runs the offline sandbox whatever is configured (`npm run sandbox`).
 */
import { commands } from './commands/index.js';
import { runProcess } from './src/process.js';

await runProcess(commands, { sandbox: process.argv.includes('--sandbox') });
