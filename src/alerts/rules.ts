import { z } from 'zod';
import { UseapiError } from '../useapi/errors.js';
import type { Forecast, PlanEvent } from '../history/usage.js';
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
  /** Warn when, at the current rate, an account runs out within this many days, before its refill; 0: never. */
  forecastDays: number;
}

export type Incident =
  | { kind: 'low-credits'; email: string; spendable: number; threshold: number }
  | { kind: 'account-error'; email: string }
  | { kind: 'account-recovered'; email: string }
  /** A plan that expires, renews, or both on the same day (one message, not two): at least one date is set. */
  | { kind: 'expiring'; email: string; expiresAt: Date | undefined; renewsAt: Date | undefined }
  | { kind: 'unreadable'; email: string | undefined; checks: number; error: unknown }
  /** At the current rate the account runs out at `at`, before `before` (its refill, renewal or expiry, when known). */
  | { kind: 'runs-out'; email: string; at: Date; ratePerDay: number; before: { what: PlanEvent['what']; at: Date } | undefined }
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
  /** A run-out forecast was announced and the forecast has not cleared since. */
  forecastWarned: z.boolean().default(false),
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
  return { low: false, error: false, warned: [], failures: 0, failureReported: false, forecastWarned: false };
}

const DAY_MS = 86_400_000;

/*
 * The rules below read what was announced and update what is merely observed (the last reading, how
 * many checks failed in a row, a re-armed threshold). They never mark an incident as announced:
 * `markAnnounced` does that, once its message was posted. An incident whose post fails is therefore
 * found again by the next check, and one that was posted is never found again.
 */

/** 401 and 402 concern the whole API token, not one account. */
export function isTokenWide(error: unknown): error is UseapiError {
  return error instanceof UseapiError && (error.kind === 'unauthorized' || error.kind === 'subscription');
}

/** The account list was read: clears list failures, forgets removed accounts; a rejected token's end is due. */
export function onAccountList(memory: AlertMemory, emails: readonly string[]): Incident[] {
  memory.listFailures = 0;
  memory.listFailureReported = false;
  const present = new Set(emails);
  for (const email of Object.keys(memory.accounts)) {
    if (!present.has(email)) delete memory.accounts[email];
  }
  return memory.tokenRejected ? [{ kind: 'token-accepted' }] : [];
}

/** The account list could not be read. */
export function onAccountListFailure(memory: AlertMemory, error: unknown, settings: AlertSettings): Incident[] {
  if (isTokenWide(error)) return memory.tokenRejected ? [] : [{ kind: 'token-rejected', error }];
  memory.listFailures += 1;
  if (memory.listFailures < settings.failureChecks || memory.listFailureReported) return [];
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

  if (spendable >= settings.creditsBelow) account.low = false;
  else if (!account.low) incidents.push({ kind: 'low-credits', email, spendable, threshold: settings.creditsBelow });

  // Dates in the past can never warn again; keeping them would only grow the memory.
  account.warned = account.warned.filter((key) => Date.parse(key.slice(key.indexOf(':') + 1)) > now.getTime());
  const expiring = expiringIncident(account, email, features, settings, now);
  if (expiring) incidents.push(expiring);
  return incidents;
}

/**
 * The plan's expiry and renewal within `expiryDays`, not warned about yet. When both fall on the same
 * day they are one incident: the plan's period ends and it renews, which is one thing to a person.
 */
function expiringIncident(
  account: AccountMemory,
  email: string,
  features: Features,
  settings: AlertSettings,
  now: Date,
): Incident | undefined {
  const horizon = now.getTime() + settings.expiryDays * DAY_MS;
  const due = (date: Date | undefined): date is Date =>
    date !== undefined && date.getTime() > now.getTime() && date.getTime() <= horizon;
  const expiry = features.expired_date;
  const renewal = features.billing_renewal_date;
  const dueExpiry = due(expiry) && !account.warned.includes(expiryKey('expires', expiry)) ? expiry : undefined;
  const dueRenewal = due(renewal) && !account.warned.includes(expiryKey('renews', renewal)) ? renewal : undefined;
  if (dueExpiry && dueRenewal && !sameDay(dueExpiry, dueRenewal)) {
    // Two different days: the nearer first; the other is found again by the next check.
    return dueExpiry < dueRenewal
      ? { kind: 'expiring', email, expiresAt: dueExpiry, renewsAt: undefined }
      : { kind: 'expiring', email, expiresAt: undefined, renewsAt: dueRenewal };
  }
  return dueExpiry || dueRenewal ? { kind: 'expiring', email, expiresAt: dueExpiry, renewsAt: dueRenewal } : undefined;
}

function sameDay(a: Date, b: Date): boolean {
  return a.toISOString().slice(0, 10) === b.toISOString().slice(0, 10);
}

function expiryKey(what: 'expires' | 'renews', date: Date): string {
  return `${what}:${date.toISOString()}`;
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
    return account.error ? [] : [{ kind: 'account-error', email }];
  }
  account.failures += 1;
  if (account.failures < settings.failureChecks || account.failureReported) return [];
  return [{ kind: 'unreadable', email, checks: account.failures, error }];
}

/**
 * The account's forecast, after its reading was taken. A run-out within `forecastDays` that comes
 * before the refill that would save it is announced once; the warning re-arms once the forecast
 * clears (more credits, a slower pace, a refill passed). An account already out of credits is the
 * low-credits alert's news, not a forecast.
 */
export function onForecast(
  account: AccountMemory,
  email: string,
  forecast: Forecast,
  settings: AlertSettings,
  now: Date,
): Incident[] {
  // forecastDays 0 (off) leaves no window for `at` to fall in.
  const due =
    forecast.kind === 'runs-out' && forecast.at > now.getTime() && forecast.at <= now.getTime() + settings.forecastDays * DAY_MS;
  if (!due) {
    account.forecastWarned = false;
    return [];
  }
  if (account.forecastWarned) return [];
  return [
    {
      kind: 'runs-out',
      email,
      at: new Date(forecast.at),
      ratePerDay: forecast.ratePerDay,
      before: forecast.next && { what: forecast.next.what, at: new Date(forecast.next.at) },
    },
  ];
}

/** Remembers `incident` as announced: the rules will not find it again until its state changes. */
export function markAnnounced(memory: AlertMemory, incident: Incident): void {
  const account = (email: string) => (memory.accounts[email] ??= emptyAccount());
  switch (incident.kind) {
    case 'low-credits':
      account(incident.email).low = true;
      return;
    case 'account-error':
      account(incident.email).error = true;
      return;
    case 'account-recovered':
      account(incident.email).error = false;
      return;
    case 'expiring': {
      // A plan that expires and renews on the same day was one message for both dates.
      const { warned } = account(incident.email);
      if (incident.expiresAt) warned.push(expiryKey('expires', incident.expiresAt));
      if (incident.renewsAt) warned.push(expiryKey('renews', incident.renewsAt));
      return;
    }
    case 'unreadable':
      if (incident.email === undefined) memory.listFailureReported = true;
      else account(incident.email).failureReported = true;
      return;
    case 'runs-out':
      account(incident.email).forecastWarned = true;
      return;
    case 'token-rejected':
      memory.tokenRejected = true;
      return;
    case 'token-accepted':
      memory.tokenRejected = false;
      return;
  }
}
