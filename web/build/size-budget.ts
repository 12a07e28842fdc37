// A Vite plugin that fails the build when the page grows past its budget: everything the server
// sends for it (HTML, scripts, styles, icons; the licence notices are not part of the page),
// measured gzipped, as a browser downloads it.
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

export const PAGE_BUDGET_BYTES = 300 * 1024;

// The gzipped size of each file of the bundle that is part of the page.
export function gzippedSizes(files: Record<string, string | Uint8Array>): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const [name, content] of Object.entries(files)) {
    if (name.endsWith('.txt')) continue;
    sizes[name] = gzipSync(typeof content === 'string' ? Buffer.from(content) : content, { level: 9 }).length;
  }
  return sizes;
}

export function overBudget(sizes: Record<string, number>, budget = PAGE_BUDGET_BYTES): string | null {
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  if (total <= budget) return null;
  const list = Object.entries(sizes)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `  ${name}: ${(n / 1024).toFixed(1)} KB`)
    .join('\n');
  return `the page is ${(total / 1024).toFixed(1)} KB gzipped, over its ${(budget / 1024).toFixed(0)} KB budget:\n${list}`;
}

export function sizeBudget(budget = PAGE_BUDGET_BYTES): Plugin {
  return {
    name: 'qwen-edge-size-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const files: Record<string, string | Uint8Array> = {};
      for (const [name, item] of Object.entries(bundle)) files[name] = item.type === 'chunk' ? item.code : item.source;
      const problem = overBudget(gzippedSizes(files), budget);
      if (problem) this.error(problem);
    },
  };
}
