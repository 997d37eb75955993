import { z } from 'zod';
import { UseapiError } from '../useapi/errors.js';
import { spendableCredits, type Features } from '../useapi/schemas.js';

/**
 * When an alert is due, as pure functions of what was announced before and what was just read.
 * Nothing here knows about timers, files or Discord, so every rule is tested directly.
 */

export interface AlertSettings {
  /** Alert when spendable credits fall strictly below this. */
  creditsBelow: number;
  /** Warn this many days before a plan expires or renews. */
  expiryDays: number;
  /** A read that fails this many checks in a row is reported (once). */
  failureChecks: number;
}

export type Incident =
  | { kind: 'low-credits'; email: string; spendable: number; threshold: number }
  | { kind: 'account-error'; email: string }
  | { kind: 'account-recovered'; email: string }
  | { kind: 'expiring'; email: string; what: 'expires' | 'renews'; date: Date }
  | { kind: 'unreadable'; email: string | undefined; checks: number; error: unknown }
  | { kind: 'token-rejected'; error: UseapiError }
  | { kind: 'token-accepted' };

const accountMemorySchema = z.object({
  /** A low-credits alert was sent and the credits have not been back at or above the threshold. */
  low: z.boolean().default(false),
  /** The account was announced in error state (596) and has not recovered. */
  error: z.boolean().default(false),
  /** Expiry and renewal dates already warned about (ISO); a new date warns again. */
  warned: z.array(z.string()).default([]),
  /** Failed checks in a row, and whether that was reported. */
  failures: z.number().int().min(0).default(0),
  failureReported: z.boolean().default(false),
  /** The last reading, for `/credits-alerts`. */
  last: z
    .object({
      at: z.string(),
      spendable: z.number().optional(),
      plan: z.string().optional(),
      problem: z.string().optional(),
    })
    .optional(),
});

export const alertMemorySchema = z.object({
  version: z.literal(1),
  /** A token-wide 401/402 was announced and not yet cleared. */
  tokenRejected: z.boolean().default(false),
  /** Failed reads of the account list in a row, and whether that was reported. */
  listFailures: z.number().int().min(0).default(0),
  listFailureReported: z.boolean().default(false),
  accounts: z.record(z.string(), accountMemorySchema).default({}),
});

export type AccountMemory = z.infer<typeof accountMemorySchema>;
export type AlertMemory = z.infer<typeof alertMemorySchema>;

export function emptyMemory(): AlertMemory {
  return { version: 1, tokenRejected: false, listFailures: 0, listFailureReported: false, accounts: {} };
}

export function emptyAccount(): AccountMemory {
  return { low: false, error: false, warned: [], failures: 0, failureReported: false };
}

const DAY_MS = 86_400_000;

/** 401 and 402 concern the whole API token, not one account. */
export function isTokenWide(error: unknown): error is UseapiError {
  return error instanceof UseapiError && (error.kind === 'unauthorized' || error.kind === 'subscription');
}

/** The account list was read: clears list failures and a token rejection, forgets removed accounts. */
export function onAccountList(memory: AlertMemory, emails: readonly string[]): Incident[] {
  const incidents: Incident[] = [];
  if (memory.tokenRejected) incidents.push({ kind: 'token-accepted' });
  memory.tokenRejected = false;
  memory.listFailures = 0;
  memory.listFailureReported = false;
  const present = new Set(emails);
  for (const email of Object.keys(memory.accounts)) {
    if (!present.has(email)) delete memory.accounts[email];
  }
  return incidents;
}

/** The account list could not be read. */
export function onAccountListFailure(memory: AlertMemory, error: unknown, settings: AlertSettings): Incident[] {
  if (isTokenWide(error)) {
    if (memory.tokenRejected) return [];
    memory.tokenRejected = true;
    return [{ kind: 'token-rejected', error }];
  }
  memory.listFailures += 1;
  if (memory.listFailures < settings.failureChecks || memory.listFailureReported) return [];
  memory.listFailureReported = true;
  return [{ kind: 'unreadable', email: undefined, checks: memory.listFailures, error }];
}

/** One account's credits were read. */
export function onFeatures(
  account: AccountMemory,
  email: string,
  features: Features,
  settings: AlertSettings,
  now: Date,
): Incident[] {
  const incidents: Incident[] = [];
  const spendable = spendableCredits(features);
  account.last = {
    at: now.toISOString(),
    spendable,
    ...(features.plan_name === undefined ? {} : { plan: features.plan_name }),
  };
  account.failures = 0;
  account.failureReported = false;

  if (account.error) incidents.push({ kind: 'account-recovered', email });
  account.error = false;

  if (spendable < settings.creditsBelow) {
    if (!account.low) incidents.push({ kind: 'low-credits', email, spendable, threshold: settings.creditsBelow });
    account.low = true;
  } else {
    account.low = false;
  }

  const horizon = now.getTime() + settings.expiryDays * DAY_MS;
  const dates = [
    { what: 'expires' as const, date: features.expired_date },
    { what: 'renews' as const, date: features.billing_renewal_date },
  ];
  for (const { what, date } of dates) {
    if (!date || date.getTime() <= now.getTime() || date.getTime() > horizon) continue;
    const key = `${what}:${date.toISOString()}`;
    if (account.warned.includes(key)) continue;
    account.warned.push(key);
    incidents.push({ kind: 'expiring', email, what, date });
  }
  // Dates in the past can never warn again; keeping them would only grow the file.
  account.warned = account.warned.filter((key) => Date.parse(key.slice(key.indexOf(':') + 1)) > now.getTime());
  return incidents;
}

/** One account's credits could not be read. */
export function onFeaturesFailure(
  account: AccountMemory,
  email: string,
  error: unknown,
  settings: AlertSettings,
  now: Date,
): Incident[] {
  const problem = error instanceof UseapiError ? error.kind : 'bug';
  account.last = { ...account.last, at: now.toISOString(), problem };
  if (error instanceof UseapiError && error.kind === 'account-error') {
    account.failures = 0;
    account.failureReported = false;
    if (account.error) return [];
    account.error = true;
    return [{ kind: 'account-error', email }];
  }
  account.failures += 1;
  if (account.failures < settings.failureChecks || account.failureReported) return [];
  account.failureReported = true;
  return [{ kind: 'unreadable', email, checks: account.failures, error }];
}
