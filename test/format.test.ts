import fc from 'fast-check';
import { maskSecret } from '../src/secrets.js';
import { describe, expect, it } from 'vitest';
import { featuresFixture } from '../src/emulators/useapi.js';
import { ButtonStyle, ComponentType } from 'discord.js';
import {
  COLORS,
  boundedList,
  confirmUnregister,
  creditsEmbed,
  failedAccountEmbed,
  registeredEmbed,
} from '../src/presentation/embeds.js';
import { formatNumber, longDate, plural, progressBar, quoted, relativeTime, secondsFromMs } from '../src/presentation/format.js';
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

describe('quoted', () => {
  it('one line of inline code, cut to its length, never an empty span', () => {
    expect(quoted('Pro\nplan')).toBe('`Pro plan`');
    expect(quoted('a`b', 10)).toBe("`a'b`");
    expect(quoted('abcdefgh', 5)).toBe('`abcd…`');
    // An empty span would print two bare backticks: a dash says there was nothing.
    expect(quoted(' \n ')).toBe('`—`');
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

describe('failedAccountEmbed', () => {
  it('names the account and says what went wrong and what to do', () => {
    expect(failedAccountEmbed('bob@example.com', { title: 'useapi.net is busy', text: 'Try again in half a minute.' })).toEqual({
      title: 'PixVerse credits',
      description: 'Account `bob@example.com`\n**useapi.net is busy.** Try again in half a minute.',
      color: COLORS.failure,
    });
  });
});

describe('registeredEmbed', () => {
  const footer = { text: 'v1 channel registration · /credits reads the v2 email accounts, a separate list' };

  it('a new registration: the channel, its max jobs and the masked token, side by side', () => {
    expect(
      registeredEmbed({ channelId: '200000000000000001', maxJobs: 3, previousMaxJobs: undefined, maskedToken: '••••WXYZ' }),
    ).toEqual({
      title: 'Channel registered',
      description: '<#200000000000000001> is now registered with useapi.net: PixVerse jobs sent through the v1 API run here.',
      color: COLORS.ok,
      fields: [
        { name: 'Channel', value: '<#200000000000000001>', inline: true },
        { name: 'Max jobs', value: '**3**', inline: true },
        { name: 'Discord token', value: '`••••WXYZ`', inline: true },
      ],
      footer,
    });
  });

  it('an updated registration shows a changed max jobs as before → after, an unchanged one once', () => {
    const changed = registeredEmbed({
      channelId: '200000000000000001',
      maxJobs: 5,
      previousMaxJobs: 2,
      maskedToken: '••••WXYZ',
    });
    expect(changed.title).toBe('Registration updated');
    expect(changed.description).toBe('<#200000000000000001> was already registered with useapi.net; its settings are updated.');
    expect(changed.fields?.[1]).toEqual({ name: 'Max jobs', value: '2 → **5**', inline: true });
    expect(changed.footer).toEqual(footer);

    const same = registeredEmbed({ channelId: '200000000000000001', maxJobs: 5, previousMaxJobs: 5, maskedToken: '••••WXYZ' });
    expect(same.title).toBe('Registration updated');
    expect(same.fields?.[1]).toEqual({ name: 'Max jobs', value: '**5**', inline: true });
  });
});

describe('boundedList', () => {
  const nine = 'x'.repeat(9);
  // Each kept line costs its length and a newline; a cut leaves room for "\n…and N more".

  it('every line when they fit', () => {
    expect(boundedList(['a', 'b', 'c'])).toBe('a\nb\nc');
    expect(boundedList([])).toBe('');
  });

  it('at the exact edge of the budget a line is kept, one character less and it is cut', () => {
    // Second line: 10 + 9 + 1 + "\n…and 2 more" (12) = 32.
    expect(boundedList([nine, nine, nine], 32)).toBe([nine, nine, nine].join('\n'));
    expect(boundedList([nine, nine, nine], 31)).toBe(`${nine}\n…and 2 more`);
    // First line: 9 + 1 + 12 = 22.
    expect(boundedList([nine, nine, nine], 22)).toBe(`${nine}\n…and 2 more`);
    expect(boundedList([nine, nine, nine], 21)).toBe('…and 3 more');
  });

  it('a lone last line needs no tail', () => {
    // 10 + 9 + 1 = 20: the last line fits exactly; with a tail reserved it would not.
    expect(boundedList([nine, nine], 22)).toBe(`${nine}\n${nine}`);
    expect(boundedList([nine, 'y'.repeat(11)], 22)).toBe(`${nine}\n${'y'.repeat(11)}`);
    expect(boundedList([nine, 'y'.repeat(12)], 22)).toBe(`${nine}\n…and 1 more`);
  });

  it('never longer than its budget; what it keeps is the first lines, and it counts the rest', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ maxLength: 40 }).map((line) => line.replace(/\n/g, ' ')),
          { maxLength: 60 },
        ),
        fc.integer({ min: 20, max: 600 }),
        (lines, budget) => {
          const text = boundedList(lines, budget);
          expect(text.length).toBeLessThanOrEqual(budget);
          if (text === lines.join('\n')) return;
          const shown = text.split('\n');
          const kept = shown.slice(0, -1);
          expect(kept).toEqual(lines.slice(0, kept.length));
          expect(shown.at(-1)).toBe(`…and ${lines.length - kept.length} more`);
        },
      ),
    );
  });
});

describe('confirmUnregister', () => {
  it('names the channel, its max jobs and masked token, and what removing it stops', () => {
    const reply = confirmUnregister(
      { channel: '200000000000000001', server: '100000000000000001', maxJobs: 2, discordMasked: undefined },
      { confirm: 'yes.sig', cancel: 'no.sig' },
      new Date('2026-11-30T12:05:00Z'),
    );
    expect(reply).toEqual({
      embeds: [
        {
          title: 'Remove this registration?',
          description:
            '<#200000000000000001> (max jobs 2, token `none`) will no longer be registered with useapi.net; PixVerse v1 jobs stop running there.\nThis question expires <t:1796040300:R>.',
          color: COLORS.low,
        },
      ],
      components: [
        {
          type: ComponentType.ActionRow,
          components: [
            { type: ComponentType.Button, style: ButtonStyle.Danger, label: 'Remove', custom_id: 'yes.sig' },
            { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Cancel', custom_id: 'no.sig' },
          ],
        },
      ],
    });
  });
});
