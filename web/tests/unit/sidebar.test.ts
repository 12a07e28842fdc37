import { describe, expect, it } from 'vitest';
import { groupOf } from '../../src/ui/sidebar';

describe('conversation list groups', () => {
  it('sorts times into today, yesterday, the last week and older by calendar day', () => {
    const now = new Date(2025, 4, 10, 9, 0); // 10 May, 09:00 local time
    const at = (d: number, h: number) => new Date(2025, 4, d, h).getTime();
    expect(groupOf(at(10, 0), now)).toBe('today');
    expect(groupOf(at(9, 23), now)).toBe('yesterday');
    expect(groupOf(at(9, 0), now)).toBe('yesterday');
    expect(groupOf(at(8, 23), now)).toBe('last7');
    expect(groupOf(at(3, 1), now)).toBe('last7');
    expect(groupOf(at(2, 23), now)).toBe('older');
  });
});
