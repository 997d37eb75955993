import { describe, expect, it } from 'vitest';
import { Cooldowns } from '../src/discord/cooldown.js';

describe('Cooldowns', () => {
  it('a started window makes a key wait, says how long is left, and ends', () => {
    const cooldowns = new Cooldowns(5_000);
    expect(cooldowns.remaining('a', 1_000)).toBe(0);
    cooldowns.start('a', 1_000);
    expect(cooldowns.remaining('a', 2_000)).toBe(4_000);
    expect(cooldowns.remaining('b', 2_000)).toBe(0);
    expect(cooldowns.remaining('a', 6_000)).toBe(0);
  });

  it('says nothing is left once the window is over, however long ago', () => {
    const cooldowns = new Cooldowns(5_000);
    cooldowns.start('a', 1_000);
    expect(cooldowns.remaining('a', 5_999)).toBe(1);
    expect(cooldowns.remaining('a', 60_000)).toBe(0);
  });

  it('forgets a window that has ended when the next one starts, and keeps the ones still running', () => {
    const cooldowns = new Cooldowns(5_000);
    cooldowns.start('a', 1_000);
    cooldowns.start('b', 2_000);
    cooldowns.start('c', 6_000);
    expect(cooldowns.size).toBe(2);
    expect(cooldowns.remaining('b', 6_000)).toBe(1_000);
    expect(cooldowns.remaining('c', 6_000)).toBe(5_000);
  });

  it('checking alone starts nothing', () => {
    const cooldowns = new Cooldowns(5_000);
    for (let i = 0; i < 3; i += 1) expect(cooldowns.remaining('a', 1_000 + i)).toBe(0);
    expect(cooldowns.size).toBe(0);
  });

  it('keeps only the keys seen within one window, however many pass through', () => {
    const cooldowns = new Cooldowns(1_000);
    for (let i = 0; i < 10_000; i += 1) cooldowns.start(`user-${i}`, i);
    expect(cooldowns.size).toBeLessThanOrEqual(1_001);
  });

  it('is off with a zero window', () => {
    const cooldowns = new Cooldowns(0);
    cooldowns.start('a', 1);
    expect(cooldowns.remaining('a', 1)).toBe(0);
    expect(cooldowns.size).toBe(0);
  });
});
