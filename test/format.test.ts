import fc from 'fast-check';
import { maskSecret } from '../src/secrets.js';
import { describe, expect, it } from 'vitest';
import { featuresFixture } from '../src/emulators/useapi.js';
import { COLORS, creditsEmbed } from '../src/presentation/embeds.js';
import { formatNumber, longDate, plural, progressBar, relativeTime, secondsFromMs } from '../src/presentation/format.js';
import { featuresSchema } from '../src/useapi/schemas.js';

describe('maskSecret', () => {
  it('shows only the last 4 characters of a long secret', () => {
    expect(maskSecret('maskme-secret-value-WXYZ')).toBe('••••WXYZ');
    expect(maskSecret('abcdefgh1234')).toBe('••••1234');
  });

  it.each(['', 'a', 'short', 'abcdefghijk'])('shows nothing of the short secret %j', (secret) => {
    expect(maskSecret(secret)).toBe('••••');
  });

  it('never reveals more than 4 characters, nor the length', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 200 }), (secret) => {
        const masked = maskSecret(secret);
        expect(masked.startsWith('••••')).toBe(true);
        expect(masked.length).toBeLessThanOrEqual(8);
        const shown = masked.slice(4);
        expect(secret.endsWith(shown)).toBe(true);
        if (secret.length >= 8) expect(masked).not.toContain(secret);
      }),
    );
  });
});

describe('formatNumber', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1_000, '1,000'],
    [12_450, '12,450'],
    [1_234_567, '1,234,567'],
    [-15_000, '-15,000'],
    [1_200.5, '1,200.5'],
    [3.14159, '3.14'],
  ])('%d → %s', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });
});

describe('progressBar', () => {
  const FULL = '▰'.repeat(10);
  const EMPTY = '▱'.repeat(10);

  it('empty at 0, full at max, proportional between', () => {
    expect(progressBar(0, 15_000)).toBe(EMPTY);
    expect(progressBar(15_000, 15_000)).toBe(FULL);
    expect(progressBar(12_450, 15_000)).toBe('▰▰▰▰▰▰▰▰▱▱');
    expect(progressBar(5, 10, 4)).toBe('▰▰▱▱');
  });

  it('over max is full, under 0 is empty', () => {
    expect(progressBar(20_000, 15_000)).toBe(FULL);
    expect(progressBar(-5, 15_000)).toBe(EMPTY);
  });

  it('no bar without a usable maximum or value', () => {
    expect(progressBar(10, undefined)).toBeUndefined();
    expect(progressBar(10, 0)).toBeUndefined();
    expect(progressBar(10, -1)).toBeUndefined();
    expect(progressBar(10, Number.NaN)).toBeUndefined();
    expect(progressBar(Number.NaN, 100)).toBeUndefined();
  });

  it('always exactly `cells` cells', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true }),
        fc.double({ min: Number.MIN_VALUE, noNaN: true }),
        fc.integer({ min: 1, max: 40 }),
        (value, max, cells) => {
          const bar = progressBar(value, max, cells);
          if (bar === undefined) return;
          expect([...bar]).toHaveLength(cells);
          expect(bar).toMatch(/^▰*▱*$/u);
        },
      ),
    );
  });
});

describe('dates', () => {
  it('relativeTime is a Discord timestamp in whole seconds', () => {
    expect(relativeTime(new Date(1_700_000_000_999))).toBe('<t:1700000000:R>');
    expect(relativeTime(new Date('2030-01-01T00:00:00Z'))).toBe('<t:1893456000:R>');
  });

  it('longDate uses the date style', () => {
    expect(longDate(new Date(1_700_000_000_000))).toBe('<t:1700000000:D>');
  });
});

describe('plural and secondsFromMs', () => {
  it('plural', () => {
    expect(plural(1, 'account')).toBe('1 account');
    expect(plural(0, 'account')).toBe('0 accounts');
    expect(plural(1_500, 'credit')).toBe('1,500 credits');
  });

  it('secondsFromMs rounds up, at least 1', () => {
    expect(secondsFromMs(0)).toBe(1);
    expect(secondsFromMs(1)).toBe(1);
    expect(secondsFromMs(1_000)).toBe(1);
    expect(secondsFromMs(1_001)).toBe(2);
    expect(secondsFromMs(30_000)).toBe(30);
  });
});

describe('creditsEmbed', () => {
  const features = (overrides: Record<string, unknown> = {}) => featuresSchema.parse(featuresFixture(overrides));

  it('one field per bucket, each with what is left of its allowance, then renewal, expiry and capacity', () => {
    const card = creditsEmbed('a@example.com', features({ credit_package: 500, gen_simultaneously: 5 }));
    expect(card.title).toBe('PixVerse credits');
    expect(card.description).toBe(
      'Account `a@example.com` · plan `Pro`\n**12,980** credits left to spend (daily + monthly + package)',
    );
    expect(card.fields?.map(({ name, inline }) => [name, inline])).toEqual([
      ['Daily', true],
      ['Monthly', true],
      ['Package', true],
      ['Renews', true],
      ['Expires', true],
      ['Concurrent generations', true],
    ]);
    const [daily, monthly, pack, , , capacity] = card.fields!.map(({ value }) => value);
    expect(daily).toBe(`**30** / 60\n${progressBar(30, 60)}`);
    expect(monthly).toBe(`**12,450** / 15,000\n${progressBar(12_450, 15_000)}`);
    expect(pack).toBe('**500**');
    expect(capacity).toBe('5');
    expect(card.footer).toEqual({ text: 'PixVerse via useapi.net' });
    expect(card.color).toBe(COLORS.ok);
  });

  it('leaves out dates and capacity it was not given, and marks a bucket it was not told about', () => {
    const card = creditsEmbed(undefined, {
      ...features({ plan_name: null, credit_daily_gift: 0 }),
      credit_package: undefined,
      billing_renewal_date: undefined,
      expired_date: undefined,
      gen_simultaneously: undefined,
    });
    expect(card.description).toMatch(/^Account the configured account · plan unknown\n/);
    expect(card.fields?.map(({ name, value }) => [name, value])).toEqual([
      ['Daily', '**30**'],
      ['Monthly', `**12,450** / 15,000\n${progressBar(12_450, 15_000)}`],
      ['Package', '—'],
    ]);
  });

  it('red at nothing left, amber under a tenth of the monthly allowance, green otherwise', () => {
    const empty = { credit_daily: 0, credit_monthly: 0, credit_package: 0 };
    expect(creditsEmbed('a@example.com', features(empty)).color).toBe(COLORS.empty);
    expect(creditsEmbed('a@example.com', features({ ...empty, credit_monthly: 1_499 })).color).toBe(COLORS.low);
    expect(creditsEmbed('a@example.com', features({ ...empty, credit_monthly: 1_500 })).color).toBe(COLORS.ok);
  });
});
