import { describe, expect, it } from 'vitest';
import type { StoredReading } from '../src/history/store.js';
import type { AccountSummary } from '../src/history/history.js';
import type { Forecast, Refill, Usage } from '../src/history/usage.js';
import { featuresFixture } from '../src/emulators/useapi.js';
import { COLORS, creditsEmbed } from '../src/presentation/embeds.js';
import {
  creditsCard,
  digestEmbed,
  forecastLine,
  historyFields,
  historyReply,
  noHistoryReply,
  refillLabel,
  refillsSummary,
} from '../src/presentation/history.js';
import { featuresSchema } from '../src/useapi/schemas.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DEC_1 = Date.parse('2026-12-01T00:00:00Z'); // <t:1796083200>
const DEC_8 = Date.parse('2026-12-08T00:00:00Z'); // <t:1796688000>

const reading = (fields: Partial<StoredReading> = {}): StoredReading => ({
  email: 'alice@example.com',
  at: new Date('2026-11-30T09:00:00Z'),
  daily: 40,
  monthly: 1_000,
  package: 200,
  ...fields,
});

const summary = (forecast: Forecast, used = { credits: 1_234.4, coveredMs: 23.5 * HOUR }): AccountSummary => ({
  latest: reading(),
  used,
  forecast,
});

const RUNS_OUT: Forecast = { kind: 'runs-out', at: DEC_1, ratePerDay: 600, next: { what: 'monthly-refill', at: DEC_8 } };
const LASTS: Forecast = { kind: 'lasts', until: { what: 'renewal', at: DEC_8 }, ratePerDay: 99.6, leftAtRefill: 1_234.5 };

describe('forecastLine', () => {
  it.each<[Forecast, string]>([
    [{ kind: 'collecting', checks: 2, needed: 6 }, 'Collecting usage history (2 of 6 checks); the forecast starts after 6.'],
    [{ kind: 'idle' }, 'No credits used lately: nothing runs out at this pace.'],
    [
      RUNS_OUT,
      'At ~600 a day, runs out <t:1796083200:R> (<t:1796083200:D>), before the monthly credits refill (<t:1796688000:D>).',
    ],
    [
      { kind: 'runs-out', at: DEC_1, ratePerDay: 600, next: undefined },
      'At ~600 a day, runs out <t:1796083200:R> (<t:1796083200:D>), and no refill is known.',
    ],
    [LASTS, 'At ~100 a day, lasts until the plan renews <t:1796688000:R> (<t:1796688000:D>), with ~1,235 left.'],
    [
      { kind: 'lasts', until: { what: 'expiry', at: DEC_8 }, ratePerDay: 10, leftAtRefill: 0 },
      'At ~10 a day, lasts until the plan expires <t:1796688000:R> (<t:1796688000:D>), with ~0 left.',
    ],
    // Nothing known comes before the horizon: there is no refill to name nor credits left at it.
    [
      { kind: 'lasts', until: { what: 'horizon', at: DEC_8 }, ratePerDay: 10, leftAtRefill: 500 },
      'At ~10 a day, lasts beyond <t:1796688000:D>.',
    ],
  ])('%o', (forecast, line) => {
    expect(forecastLine(forecast)).toBe(line);
  });
});

describe('historyFields and creditsCard', () => {
  it('no history yet: one field saying it is being collected', () => {
    expect(historyFields(undefined)).toEqual([
      { name: 'Usage', value: 'Collecting usage history: the first readings are being kept now.', inline: false },
    ]);
    expect(historyFields(summary({ kind: 'collecting', checks: 1, needed: 6 }))).toEqual([
      { name: 'Usage', value: 'Collecting usage history (1 of 6 checks); the forecast starts after 6.', inline: false },
    ]);
  });

  it('with a forecast: the last day’s use, then the forecast, each on a full-width row', () => {
    expect(historyFields(summary(LASTS))).toEqual([
      { name: 'Usage', value: '**1,234** used in the last 23.5 h', inline: false },
      {
        name: 'Forecast',
        value: 'At ~100 a day, lasts until the plan renews <t:1796688000:R> (<t:1796688000:D>), with ~1,235 left.',
        inline: false,
      },
    ]);
  });

  it('the history fields come after the credits; a run-out turns green amber but leaves red red', () => {
    const features = featuresSchema.parse(featuresFixture());
    const card = creditsCard('alice@example.com', features, summary(RUNS_OUT));
    const plain = creditsEmbed('alice@example.com', features);
    expect(card).toEqual({ ...plain, color: COLORS.low, fields: [...(plain.fields ?? []), ...historyFields(summary(RUNS_OUT))] });

    const empty = featuresSchema.parse(featuresFixture({ credit_daily: 0, credit_monthly: 0, credit_package: 0 }));
    expect(creditsCard('alice@example.com', empty, summary(RUNS_OUT)).color).toBe(COLORS.empty);
  });
});

describe('refillLabel and refillsSummary', () => {
  const refill = (bucket: Refill['bucket'], amount: number): Refill => ({ at: DEC_1, bucket, amount });

  it('a refill by its bucket and whole amount', () => {
    expect(refillLabel(refill('monthly', 15_000))).toBe('monthly refill +15,000');
    expect(refillLabel(refill('daily', 59.6))).toBe('daily refill +60');
    expect(refillLabel(refill('package', 10_000))).toBe('package +10,000');
  });

  it('refills counted and added up by bucket, in the order each was first seen', () => {
    expect(refillsSummary([])).toBe('none');
    expect(refillsSummary([refill('daily', 60)])).toBe('1 daily refill (+60)');
    expect(refillsSummary([refill('daily', 60), refill('package', 10_000), refill('daily', 60), refill('daily', 59.5)])).toBe(
      '3 daily refills (+180), 1 package (+10,000)',
    );
  });
});

describe('digestEmbed', () => {
  it('per account its credits now, the last day’s use and the forecast; while collecting no use yet', () => {
    expect(
      digestEmbed({
        day: '2026-11-30',
        accounts: [
          { email: 'alice@example.com', summary: summary(RUNS_OUT) },
          { email: 'bob@example.com', summary: summary({ kind: 'collecting', checks: 3, needed: 6 }) },
          { email: 'carol@example.com', summary: undefined },
        ],
      }),
    ).toEqual({
      title: 'PixVerse credits · Monday, November 30',
      description: [
        // 40 daily + 1,000 monthly + 200 package.
        '`alice@example.com` · **1,240** credits · **1,234** used in the last 23.5 h',
        'At ~600 a day, runs out <t:1796083200:R> (<t:1796083200:D>), before the monthly credits refill (<t:1796688000:D>).',
        '',
        '`bob@example.com` · **1,240** credits',
        'Collecting usage history (3 of 6 checks); the forecast starts after 6.',
        '',
        '`carol@example.com` · no reading yet',
        '',
      ].join('\n'),
      color: COLORS.info,
      footer: { text: 'Daily digest · forecasts are estimates at the recent pace' },
    });
  });
});

describe('historyReply', () => {
  const usage = (fields: Partial<Usage>): Usage => ({ used: 0, refills: [], coveredMs: 0, ...fields });
  const averageOf = (fields: Partial<Usage>) =>
    historyReply({
      days: 7,
      accounts: [{ email: 'alice@example.com', usage: usage(fields), forecast: { kind: 'idle' } }],
    }).embeds?.[0]?.description?.split('\n')[1];

  it('the chart, and per account the average use, the forecast and the refills', () => {
    expect(
      historyReply({
        days: 7,
        accounts: [
          {
            email: 'alice@example.com',
            usage: usage({ used: 3_900, coveredMs: 6.5 * DAY, refills: [{ at: DEC_1, bucket: 'package', amount: 10_000 }] }),
            forecast: LASTS,
          },
        ],
      }),
    ).toEqual({
      embeds: [
        {
          title: 'PixVerse credits · last 7 days',
          description: [
            '`alice@example.com`',
            'Use: ~600 a day on average (over 6.5 days)',
            'At ~100 a day, lasts until the plan renews <t:1796688000:R> (<t:1796688000:D>), with ~1,235 left.',
            'Refills and purchases: 1 package (+10,000)',
            '',
          ].join('\n'),
          image: { url: 'attachment://credits-history.png' },
          color: COLORS.info,
          footer: { text: 'Spendable credits (daily + monthly + package). Forecasts are estimates at the recent pace.' },
        },
      ],
    });
    expect(historyReply({ days: 1, accounts: [] }).embeds?.[0]?.title).toBe('PixVerse credits · last 1 day');
  });

  it('the average is spread over the time measured: days from one day up, hours below, never 0 h', () => {
    expect(averageOf({ used: 0, coveredMs: 0 })).toBe('Use: not enough readings yet to measure use');
    expect(averageOf({ used: 500, coveredMs: DAY })).toBe('Use: ~500 a day on average (over 1 day)');
    expect(averageOf({ used: 250, coveredMs: 12 * HOUR })).toBe('Use: ~500 a day on average (over 12 h)');
    expect(averageOf({ used: 5, coveredMs: 10 * 60_000 })).toBe('Use: ~720 a day on average (over 1 h)');
  });
});

describe('noHistoryReply', () => {
  it('names the account and when the first readings come', () => {
    expect(noHistoryReply({ email: 'alice@example.com', days: 1, nextCheckAt: new Date(DEC_1) })).toEqual({
      embeds: [
        {
          title: 'No credit history yet',
          description:
            'No reading of `alice@example.com` in the last 1 day. The next background check keeps the first readings <t:1796083200:R>.',
          color: COLORS.info,
        },
      ],
    });
  });

  it('without an account or background checks, says so', () => {
    expect(noHistoryReply({ email: undefined, days: 30, nextCheckAt: undefined }).embeds?.[0]?.description).toBe(
      'No reading of any account in the last 30 days. Background checks are off (`CHECK_INTERVAL=off`): only the readings of `/credits` are kept.',
    );
  });
});
