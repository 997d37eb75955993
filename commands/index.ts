import type { Command } from '../src/discord/command.js';
import creditsAlerts from './credits-alerts.js';
import creditsHistory from './credits-history.js';
import credits from './credits.js';
import pixverseAccounts from './pixverse-accounts.js';
import pixverseRegister from './pixverse-register.js';
import pixverseUnregister from './pixverse-unregister.js';

/**
 * Every slash command the bot has. One list feeds the router, the start-up sync and
 * `npm run deploy-commands`, so they cannot disagree. The entry point hands it to the bot: nothing
 * in `src/` imports a command.
 */
export const commands = [
  credits,
  creditsHistory,
  pixverseRegister,
  pixverseAccounts,
  pixverseUnregister,
  creditsAlerts,
] satisfies readonly Command[];
