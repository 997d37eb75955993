import { describe, expect, it } from 'vitest';
import { emptyAccount, type AccountMemory } from '../src/alerts/rules.js';
import { alertEmbed, alertStatusEmbed, type AlertStatus } from '../src/presentation/alerts.js';
import { COLORS } from '../src/presentation/embeds.js';
import { RECONNECT_HINT } from '../src/presentation/failure.js';
import { UseapiError } from '../src/useapi/errors.js';

const EMAIL = 'alice@example.com';
const IN_TWO_DAYS = new Date('2026-12-01T00:00:00Z'); // <t:1796083200>
const IN_NINE_DAYS = new Date('2026-12-08T00:00:00Z'); // <t:1796688000>

describe('alertEmbed', () => {
  it('low credits: amber while some are left, red at none or below', () => {
    const low = (spendable: number) => alertEmbed({ kind: 'low-credits', email: EMAIL, spendable, threshold: 1_000 });
    expect(low(1)).toEqual({
      title: 'PixVerse credits running low',
      description:
        '`alice@example.com` has **1** credits left to spend, below the alert threshold of 1,000. Top up on PixVerse or move work to another account.',
      color: COLORS.low,
    });
    expect(low(0).color).toBe(COLORS.empty);
    expect(low(-5).color).toBe(COLORS.empty);
  });

  it('an account in error state says how to reconnect it; its recovery says it works', () => {
    expect(alertEmbed({ kind: 'account-error', email: EMAIL })).toEqual({
      title: 'PixVerse account in error state',
      description: `useapi.net can no longer use \`alice@example.com\` (its session was rejected). ${RECONNECT_HINT}`,
      color: COLORS.empty,
    });
    expect(alertEmbed({ kind: 'account-recovered', email: EMAIL })).toEqual({
      title: 'PixVerse account working again',
      description: '`alice@example.com` answers normally again.',
      color: COLORS.ok,
    });
  });

  it('a plan that renews, expires, or both on one day; the date as relative and long', () => {
    expect(alertEmbed({ kind: 'expiring', email: EMAIL, expiresAt: IN_TWO_DAYS, renewsAt: undefined })).toEqual({
      title: 'PixVerse plan about to expire',
      description: 'The plan of `alice@example.com` expires <t:1796083200:R> (<t:1796083200:D>).',
      color: COLORS.low,
    });
    const both = alertEmbed({ kind: 'expiring', email: EMAIL, expiresAt: IN_TWO_DAYS, renewsAt: IN_TWO_DAYS });
    expect(both.title).toBe('PixVerse plan about to renew');
    expect(both.description).toBe('The plan of `alice@example.com` renews <t:1796083200:R> (<t:1796083200:D>).');
    // The rules never send an incident without a date; should one come, it still reads as a sentence.
    expect(alertEmbed({ kind: 'expiring', email: EMAIL, expiresAt: undefined, renewsAt: undefined }).description).toBe(
      'The plan of `alice@example.com` expires soon.',
    );
  });

  it('credits that could not be read: how many checks, what, and why', () => {
    expect(
      alertEmbed({ kind: 'unreadable', email: EMAIL, checks: 3, error: new UseapiError('timeout', 'no answer in 15 s') }),
    ).toEqual({
      title: 'Credits could not be checked',
      description:
        'The last 3 checks could not read the credits of `alice@example.com`: **useapi.net did not answer in time.** useapi.net is slow or unreachable right now. Try again in a minute.',
      color: COLORS.failure,
    });
  });

  it('a run-out forecast names the refill it comes before, or says none is known', () => {
    const runsOut = (before: { what: 'renewal'; at: Date } | undefined) =>
      alertEmbed({ kind: 'runs-out', email: EMAIL, at: IN_TWO_DAYS, ratePerDay: 1_234.4, before });
    expect(runsOut({ what: 'renewal', at: IN_NINE_DAYS })).toEqual({
      title: 'PixVerse credits will run out before they refill',
      description:
        '`alice@example.com`: At ~1,234 a day, runs out <t:1796083200:R> (<t:1796083200:D>), before the plan renews (<t:1796688000:D>). Top up, or move work to another account.',
      color: COLORS.low,
    });
    expect(runsOut(undefined).description).toBe(
      '`alice@example.com`: At ~1,234 a day, runs out <t:1796083200:R> (<t:1796083200:D>), and no refill is known. Top up, or move work to another account.',
    );
  });

  it('the token: rejected stops every check; accepted starts them again', () => {
    expect(alertEmbed({ kind: 'token-rejected', error: new UseapiError('subscription', 'HTTP 402', { status: 402 }) })).toEqual({
      title: 'No active useapi.net subscription',
      description:
        'The useapi.net subscription behind this bot is missing or expired. Renew it on useapi.net, then try again. Until then no account can be checked.',
      color: COLORS.empty,
    });
    expect(alertEmbed({ kind: 'token-accepted' })).toEqual({
      title: 'useapi.net accepts the API token again',
      description: 'Credit checks are running again.',
      color: COLORS.ok,
    });
  });
});

describe('alertStatusEmbed', () => {
  const memory = (fields: Partial<AccountMemory>): AccountMemory => ({ ...emptyAccount(), ...fields });
  const status = (fields: Partial<AlertStatus> = {}): AlertStatus => ({
    channelId: '300000000000000001',
    roleId: undefined,
    problem: undefined,
    creditsBelow: 1_000,
    expiryDays: 7,
    intervalMs: 1_800_000,
    lastCheckAt: undefined,
    accounts: [],
    check: undefined,
    ...fields,
  });

  it('the settings, the last check, what a check run now did, and each account as last seen', () => {
    expect(
      alertStatusEmbed(
        status({
          roleId: '400000000000000001',
          intervalMs: 7_200_000,
          lastCheckAt: IN_TWO_DAYS,
          check: { posted: [{ kind: 'token-accepted' }, { kind: 'token-accepted' }], retrying: 1, dropped: 2 },
          accounts: [
            { email: EMAIL, memory: memory({ last: { at: '2026-11-30T00:00:00Z', spendable: 1_500, plan: 'Pro' } }) },
            { email: 'bob@example.com', memory: memory({ low: true, last: { at: '2026-11-30T00:00:00Z', spendable: 12 } }) },
            {
              email: 'carol@example.com',
              memory: memory({ error: true, low: true, last: { at: '2026-11-30T00:00:00Z', problem: 'account in error state' } }),
            },
            { email: 'dave@example.com', memory: memory({}) },
          ],
        }),
      ),
    ).toEqual({
      title: 'Credit alerts',
      description: [
        'Alerts go to <#300000000000000001> and ping <@&400000000000000001>.',
        'Threshold: below **1,000** spendable credits · expiry warning **7** days ahead · checked every **2 h**.',
        'Last check <t:1796083200:R>.',
        'Check run now: 2 alerts posted, 1 could not be posted (the next check tries again), 2 refused by Discord and dropped (see the log).',
        '',
        '`alice@example.com` · 1,500 credits · plan `Pro`',
        '`bob@example.com` · 12 credits · ⚠️ low (alerted)',
        '`carol@example.com` · ⚠️ error state · last check: account in error state',
        '`dave@example.com`',
      ].join('\n'),
      color: COLORS.info,
    });
  });

  it('alerts off: how to turn them on; no account checked yet', () => {
    // A problem without a channel is only that alerts are off: no warning, no orange.
    expect(alertStatusEmbed(status({ channelId: undefined, problem: 'ALERT_CHANNEL_ID is not set' }))).toEqual({
      title: 'Credit alerts',
      description: [
        'Alerts are **off**: set `ALERT_CHANNEL_ID` and restart the bot to turn them on.',
        'Threshold: below **1,000** spendable credits · expiry warning **7** days ahead · checked every **30 min**.',
        '',
        'No account checked yet.',
      ].join('\n'),
      color: COLORS.info,
    });
  });

  it('alerts that cannot run say why, in orange', () => {
    const embed = alertStatusEmbed(status({ problem: 'the bot cannot post in that channel' }));
    expect(embed.description?.split('\n').slice(0, 3)).toEqual([
      'Alerts go to <#300000000000000001>.',
      'Threshold: below **1,000** spendable credits · expiry warning **7** days ahead · checked every **30 min**.',
      '⚠️ Not running: the bot cannot post in that channel.',
    ]);
    expect(embed.color).toBe(COLORS.failure);
  });

  it('a check that found nothing says so', () => {
    expect(alertStatusEmbed(status({ check: { posted: [], retrying: 0, dropped: 0 } })).description).toContain(
      '\nCheck run now: nothing new to report.\n',
    );
    expect(alertStatusEmbed(status({ check: { posted: [], retrying: 0, dropped: 1 } })).description).toContain(
      '\nCheck run now: 1 refused by Discord and dropped (see the log).\n',
    );
  });

  it.each([
    [3_600_000, '1 h'],
    [60_000, '1 min'],
    [5_400_000, '90 min'],
    [90_000, '90 s'],
    [1_500, '2 s'],
  ])('an interval of %d ms reads as every %s', (intervalMs, text) => {
    expect(alertStatusEmbed(status({ intervalMs })).description).toContain(`checked every **${text}**.`);
  });

  it('stays within Discord’s 4,096 characters, however many accounts', () => {
    const accounts = Array.from({ length: 200 }, (_, index) => ({
      email: `user${index}@example.com`,
      memory: memory({ last: { at: '2026-11-30T00:00:00Z', spendable: index, plan: 'Pro' } }),
    }));
    const description = alertStatusEmbed(status({ accounts })).description ?? '';
    expect(description).toHaveLength(4_000);
    expect(description.startsWith('Alerts go to <#300000000000000001>.\n')).toBe(true);
  });
});
