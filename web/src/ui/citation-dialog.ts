// The passage behind a citation chip: its file, heading and page, and its text (plain text: a
// passage is a document's words, never markup).
import { citationSource, type Citation } from '../api/knowledge';
import type { Translate } from '../i18n';
import type { StoredMessage } from '../store/types';
import { h } from './dom';
import { icon } from './icons';

export function citationLabel(t: Translate, c: Citation): string {
  return `[${c.index}] ${citationSource(c, (n) => t('citationPage', { n }))}`;
}

export function openCitation(t: Translate, c: Citation): HTMLDialogElement {
  const dialog = h('dialog', { class: 'dialog citation-dialog', 'aria-labelledby': 'citation-title', 'data-testid': 'citation-dialog' });
  const close = () => dialog.close();
  const row = (label: string, value: string, testid: string) => h('div', { class: 'citation-row' }, h('dt', {}, label), h('dd', { 'data-testid': testid }, value));
  dialog.append(
    h(
      'div',
      { class: 'dialog-panel' },
      h('header', { class: 'dialog-head' }, h('h2', { id: 'citation-title' }, `[${c.index}] ${c.file}`), h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('close'), 'data-testid': 'citation-close', onclick: close }, icon('close'))),
      h(
        'div',
        { class: 'dialog-body' },
        h(
          'dl',
          { class: 'citation-meta' },
          row(t('citationFile'), c.file, 'citation-file'),
          c.heading ? row(t('citationHeading'), c.heading, 'citation-heading') : null,
          c.page !== null ? row(t('citationPageLabel'), String(c.page), 'citation-page') : null,
        ),
        h('blockquote', { class: 'citation-text', 'data-testid': 'citation-text' }, c.text),
      ),
    ),
  );
  dialog.addEventListener('click', (e) => {
    if (e.target === dialog) close();
  });
  dialog.addEventListener('close', () => dialog.remove());
  document.body.appendChild(dialog);
  dialog.showModal();
  return dialog;
}

// Turns each [n] of a rendered answer that names one of its citations into a button that opens
// it (the message list's click handler reads data-action="cite"); text in code and links stays.
export function linkCitationRefs(root: HTMLElement, m: StoredMessage, t: Translate): void {
  if (!m.citations || m.citations.length === 0) return;
  const byIndex = new Map(m.citations.map((c, i) => [c.index, i]));
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.parentElement?.closest('pre, code, a, button')) texts.push(n as Text);
  }
  for (const node of texts) {
    const parts: (string | HTMLElement)[] = [];
    let last = 0;
    for (const match of node.data.matchAll(/\[(\d{1,3})\]/g)) {
      const n = Number(match[1]);
      const i = byIndex.get(n);
      if (i === undefined) continue;
      parts.push(node.data.slice(last, match.index), h('button', { type: 'button', class: 'cite-ref', 'data-action': 'cite', 'data-msg': m.id, 'data-cite': i, 'aria-label': t('citationOpen', { n }), title: t('citationOpen', { n }) }, `[${n}]`));
      last = match.index + match[0].length;
    }
    if (parts.length > 0) node.replaceWith(...parts, node.data.slice(last));
  }
}
