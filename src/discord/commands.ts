import creditsAlerts from '../../commands/credits-alerts.js';
import credits from '../../commands/credits.js';
import pixverseAccounts from '../../commands/pixverse-accounts.js';
import pixverseRegister from '../../commands/pixverse-register.js';
import pixverseUnregister from '../../commands/pixverse-unregister.js';
import type { Command } from './command.js';

/**
 * Every slash command the bot has. One list feeds the router, the start-up sync and
 * `npm run deploy-commands`, so they cannot disagree.
 */
export const commands: readonly Command[] = [credits, pixverseRegister, pixverseAccounts, pixverseUnregister, creditsAlerts];
