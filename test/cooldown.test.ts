import { describe, expect, it } from 'vitest';
import { Cooldowns } from '../src/discord/cooldown.js';

describe('Cooldowns', () => {
  it('lets a key go once per window and says how long is left', () => {
    const cooldowns = new Cooldowns(5_000);
    expect(cooldowns.take('a', 1_000)).toBe(0);
    expect(cooldowns.take('a', 2_000)).toBe(4_000);
    expect(cooldowns.take('b', 2_000)).toBe(0);
    expect(cooldowns.take('a', 6_000)).toBe(0);
  });

  it('keeps only the keys seen within one window, however many pass through', () => {
    const cooldowns = new Cooldowns(1_000);
    for (let i = 0; i < 10_000; i += 1) cooldowns.take(`user-${i}`, i);
    expect(cooldowns.size).toBeLessThanOrEqual(1_001);
  });

  it('is off with a zero window', () => {
    const cooldowns = new Cooldowns(0);
    expect(cooldowns.take('a', 1)).toBe(0);
    expect(cooldowns.take('a', 1)).toBe(0);
    expect(cooldowns.size).toBe(0);
  });
});
