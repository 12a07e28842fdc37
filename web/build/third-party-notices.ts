// A Vite plugin that writes the licence texts of every npm package bundled into the page into one
// file beside it, so the notices ship wherever the page ships (the server serves it).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Plugin } from 'vite';

interface PackageNotice {
  name: string;
  version: string;
  license: string;
  homepage: string;
  text: string;
}

const LICENSE_FILE = /^(licen[cs]e|copying|notice)(\.(md|txt|markdown))?$/i;

// The root folder of the package that holds a bundled module, or null for our own sources.
export function packageRootOf(moduleId: string): string | null {
  const clean = moduleId.replace(/^\0/, '').split('?')[0];
  const marker = `${sep}node_modules${sep}`;
  const at = clean.lastIndexOf(marker);
  if (at < 0) return null;
  const rest = clean.slice(at + marker.length).split(sep);
  const depth = rest[0].startsWith('@') ? 2 : 1;
  if (rest.length <= depth) return null;
  return clean.slice(0, at + marker.length) + rest.slice(0, depth).join(sep);
}

function readNotice(root: string): PackageNotice {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const files = readdirSync(root).filter((f) => LICENSE_FILE.test(f)).sort();
  const text = files.map((f) => readFileSync(join(root, f), 'utf8').trim()).join('\n\n');
  const homepage =
    typeof pkg.homepage === 'string'
      ? pkg.homepage
      : typeof pkg.repository === 'string'
        ? pkg.repository
        : (pkg.repository?.url ?? '');
  return {
    name: String(pkg.name),
    version: String(pkg.version),
    license: typeof pkg.license === 'string' ? pkg.license : JSON.stringify(pkg.license ?? 'UNKNOWN'),
    homepage,
    text,
  };
}

export function renderNotices(notices: PackageNotice[]): string {
  const rule = '='.repeat(78);
  const head =
    'Third-party software bundled into the qwen-edge web chat.\n' +
    'Each package below is shipped under its own licence, reproduced in full.\n';
  const parts = notices.map(
    (n) =>
      `${rule}\n${n.name} ${n.version}\nLicense: ${n.license}\n` +
      (n.homepage ? `Source: ${n.homepage}\n` : '') +
      `${rule}\n\n${n.text || `(no licence file in the package; its declared licence is ${n.license})`}\n`,
  );
  return [head, ...parts].join('\n');
}

export function thirdPartyNotices(options: { fileName: string }): Plugin {
  return {
    name: 'qwen-edge-third-party-notices',
    apply: 'build',
    generateBundle(_output, bundle) {
      const roots = new Set<string>();
      for (const item of Object.values(bundle)) {
        if (item.type !== 'chunk') continue;
        for (const id of Object.keys(item.modules)) {
          const root = packageRootOf(id);
          if (root && existsSync(join(root, 'package.json'))) roots.add(root);
        }
      }
      const notices = [...roots].map(readNotice).sort((a, b) => a.name.localeCompare(b.name));
      for (const n of notices) {
        if (!n.text) this.warn(`${n.name} ships no licence file; only its licence name is listed`);
      }
      this.emitFile({ type: 'asset', fileName: options.fileName, source: renderNotices(notices) });
    },
  };
}
