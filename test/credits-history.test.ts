import { describe, expect, it } from 'vitest';
import { chartInput } from '../commands/credits-history.js';
import type { StoredReading } from '../src/history/store.js';
import type { AccountHistory } from '../src/presentation/history.js';

const FRAME = { from: 0, to: 10_000, timeZone: 'Europe/Berlin' };

function reading(email: string, at: number, daily: number, monthly: number, pkg: number): StoredReading {
  return { email, at: new Date(at), daily, monthly, package: pkg };
}

function historyWith(email: string, refills: AccountHistory['usage']['refills']): AccountHistory {
  return { email, usage: { used: 0, refills, coveredMs: 0 }, forecast: { kind: 'idle' } };
}

describe('chartInput', () => {
  it('draws one account as its spendable credits (daily + monthly + package) at each reading, with no total', () => {
    const readings = [reading('a@example.com', 1_000, 30, 1_000, 500), reading('a@example.com', 2_000, 20, 900, 500)];
    expect(chartInput(readings, [historyWith('a@example.com', [])], FRAME)).toEqual({
      ...FRAME,
      series: [
        {
          label: 'a@example.com',
          points: [
            { at: 1_000, credits: 1_530 },
            { at: 2_000, credits: 1_420 },
          ],
        },
      ],
      refills: [],
    });
  });

  it('adds the total of several accounts once each has a reading, one point per check', () => {
    const readings = [
      reading('a@example.com', 1_000, 100, 10, 1),
      reading('b@example.com', 2_000, 200, 20, 2),
      // One check reads both accounts within the same second: a single total point, with both values.
      reading('a@example.com', 3_000, 300, 30, 3),
      reading('b@example.com', 3_000, 400, 40, 4),
      reading('a@example.com', 4_000, 0, 0, 0),
      reading('b@example.com', 4_000, 5, 5, 5),
    ];
    const input = chartInput(readings, [], FRAME);
    expect(input.series).toEqual([
      {
        label: 'a@example.com',
        points: [
          { at: 1_000, credits: 111 },
          { at: 3_000, credits: 333 },
          { at: 4_000, credits: 0 },
        ],
      },
      {
        label: 'b@example.com',
        points: [
          { at: 2_000, credits: 222 },
          { at: 3_000, credits: 444 },
          { at: 4_000, credits: 15 },
        ],
      },
    ]);
    // Before b's first reading there is no total: a's alone would look like a drop when b arrives.
    expect(input.total).toEqual([
      { at: 2_000, credits: 333 },
      { at: 3_000, credits: 777 },
      { at: 4_000, credits: 15 },
    ]);
  });

  it('marks every account’s refills on the time axis, labelled with the bucket and amount', () => {
    const histories = [
      historyWith('a@example.com', [{ at: 1_500, bucket: 'daily', amount: 60 }]),
      historyWith('b@example.com', [
        { at: 2_500, bucket: 'monthly', amount: 15_000 },
        { at: 3_500, bucket: 'package', amount: 999.6 },
      ]),
    ];
    expect(chartInput([reading('a@example.com', 1_000, 1, 1, 1)], histories, FRAME).refills).toEqual([
      { at: 1_500, label: 'daily refill +60' },
      { at: 2_500, label: 'monthly refill +15,000' },
      { at: 3_500, label: 'package +1,000' },
    ]);
  });
});
