import { describe, expect, it } from 'vitest';
import { gzippedSizes, overBudget, PAGE_BUDGET_BYTES } from '../../build/size-budget';

describe('size budget', () => {
  it('measures files gzipped and leaves the licence notices out', () => {
    const repetitive = 'const a = 1;\n'.repeat(10_000);
    const sizes = gzippedSizes({ 'assets/a.js': repetitive, 'index.html': new Uint8Array(100), 'THIRD_PARTY_NOTICES.txt': 'x' });
    expect(Object.keys(sizes).sort()).toEqual(['assets/a.js', 'index.html']);
    expect(sizes['assets/a.js']).toBeLessThan(repetitive.length / 20);
  });

  it('passes at the budget and names the biggest files above it', () => {
    expect(PAGE_BUDGET_BYTES).toBe(300 * 1024);
    expect(overBudget({ 'a.js': 200 * 1024, 'b.css': 100 * 1024 })).toBeNull();
    const problem = overBudget({ 'a.js': 250 * 1024, 'b.css': 51 * 1024 });
    expect(problem).toMatch(/301\.0 KB gzipped, over its 300 KB budget/);
    expect(problem!.indexOf('a.js')).toBeLessThan(problem!.indexOf('b.css'));
  });
});
