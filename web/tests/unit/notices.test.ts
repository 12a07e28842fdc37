import { sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRootOf, renderNotices } from '../../build/third-party-notices';

const p = (...parts: string[]) => parts.join(sep);

describe('third-party notices', () => {
  it('finds the package that holds a bundled module, scoped or not', () => {
    expect(packageRootOf(p('', 'w', 'node_modules', 'marked', 'lib', 'marked.esm.js'))).toBe(p('', 'w', 'node_modules', 'marked'));
    expect(packageRootOf(p('', 'w', 'node_modules', '@scope', 'pkg', 'index.js') + '?commonjs')).toBe(p('', 'w', 'node_modules', '@scope', 'pkg'));
    expect(packageRootOf(p('', 'w', 'node_modules', 'a', 'node_modules', 'b', 'x.js'))).toBe(p('', 'w', 'node_modules', 'a', 'node_modules', 'b'));
    expect(packageRootOf(p('', 'w', 'src', 'app.ts'))).toBeNull();
    expect(packageRootOf('\0vite/preload-helper')).toBeNull();
  });

  it('writes each package with its licence text', () => {
    const text = renderNotices([
      { name: 'a', version: '1.0.0', license: 'MIT', homepage: 'https://example.org/a', text: 'MIT text' },
      { name: 'b', version: '2.0.0', license: 'BSD-3-Clause', homepage: '', text: '' },
    ]);
    expect(text).toContain('a 1.0.0\nLicense: MIT\nSource: https://example.org/a');
    expect(text).toContain('MIT text');
    expect(text).toContain('its declared licence is BSD-3-Clause');
  });
});
