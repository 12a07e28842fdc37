// The knowledge panel: the server's knowledge bases (create, delete) and, for one base, its
// documents with their status (queued, indexing with progress, ready, skipped with the reason),
// files added by drag and drop or a file picker, and documents deleted. While any document of the
// open base is queued or indexing, the list is fetched again every POLL_MS.
import { isBusy, type BaseInfo, type DocumentEntry, type KnowledgeClient } from '../api/knowledge';
import type { MessageKey, Translate } from '../i18n';
import { confirmDialog } from './confirm-dialog';
import { clear, h } from './dom';
import { icon } from './icons';

const POLL_MS = 1000;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export interface KnowledgePanelEvents {
  // The list of bases changed (created, deleted, documents added): the composer's switch follows.
  basesChanged(bases: BaseInfo[]): void;
  toast(text: string): void;
}

export class KnowledgePanel {
  readonly element: HTMLDialogElement;
  private bases: BaseInfo[] = [];
  private openBase: string | null = null; // the base whose documents are shown
  private documents: DocumentEntry[] = [];
  private poll: ReturnType<typeof setTimeout> | null = null;
  private error = '';
  // Redrawn when the data changes; the rest of the view (the name being typed, the drop zone)
  // is built once per view and left alone.
  private readonly errorSlot = h('div', {});
  private readonly listSlot = h('div', {});

  constructor(
    private t: Translate,
    private readonly client: KnowledgeClient,
    private readonly events: KnowledgePanelEvents,
  ) {
    this.element = h('dialog', { class: 'dialog knowledge-dialog', 'aria-labelledby': 'knowledge-title', 'data-testid': 'knowledge-panel' });
    this.element.addEventListener('click', (e) => {
      if (e.target === this.element) this.element.close();
    });
    this.element.addEventListener('close', () => this.stopPolling());
  }

  setTranslate(t: Translate): void {
    this.t = t;
    if (this.element.open) this.build();
  }

  async open(): Promise<void> {
    this.openBase = null;
    this.error = '';
    this.build();
    if (!this.element.open) this.element.showModal();
    await this.refreshBases();
  }

  // ---- data --------------------------------------------------------------------------------

  // Runs a request; its failure is shown until the next user action (a list fetched again in the
  // background, `clears` false, leaves an earlier failure shown).
  private async attempt(action: () => Promise<void>, clears = true): Promise<void> {
    try {
      if (clears) this.error = '';
      await action();
    } catch (e) {
      this.error = this.t('knowledgeError', { msg: e instanceof Error ? e.message : String(e) });
    }
    this.renderData();
  }

  private async refreshBases(): Promise<void> {
    await this.attempt(async () => {
      this.bases = (await this.client.listBases()).bases;
      this.events.basesChanged(this.bases);
    }, false);
  }

  private async refreshDocuments(): Promise<void> {
    const base = this.openBase;
    if (base === null) return;
    await this.attempt(async () => {
      const docs = await this.client.listDocuments(base);
      if (this.openBase === base) this.documents = docs;
    }, false);
    this.schedulePoll();
  }

  private schedulePoll(): void {
    this.stopPolling();
    if (this.element.open && this.openBase !== null && isBusy(this.documents)) {
      this.poll = setTimeout(() => {
        this.poll = null;
        void this.refreshDocuments().then(() => {
          // The base's counts change as its documents become ready.
          if (!isBusy(this.documents)) void this.refreshBases();
        });
      }, POLL_MS);
    }
  }

  private stopPolling(): void {
    if (this.poll !== null) clearTimeout(this.poll);
    this.poll = null;
  }

  // True when the base was made.
  private async create(name: string): Promise<boolean> {
    await this.attempt(async () => {
      await this.client.createBase(name);
    });
    if (this.error) return false;
    await this.refreshBases();
    return true;
  }

  private async removeBase(base: BaseInfo): Promise<void> {
    const yes = await confirmDialog({ title: this.t('knowledgeDeleteBaseTitle'), body: this.t('knowledgeDeleteBaseBody', { name: base.name, n: base.documents }), confirm: this.t('delete'), cancel: this.t('cancel'), danger: true });
    if (!yes) return;
    await this.attempt(() => this.client.deleteBase(base.name));
    await this.refreshBases();
  }

  private async show(name: string): Promise<void> {
    this.openBase = name;
    this.documents = [];
    this.error = '';
    this.build();
    await this.refreshDocuments();
  }

  private async upload(files: File[]): Promise<void> {
    const base = this.openBase;
    if (base === null || files.length === 0) return;
    // One request per file: the server's size limit is per request, and a refused file (too
    // large, say) is named without stopping the others.
    let added = 0;
    const refused: string[] = [];
    this.error = '';
    for (const file of files) {
      try {
        const docs = await this.client.upload(base, [file]);
        added += docs.length;
        // Listed as the upload answered (queued, or skipped) until the list is fetched again;
        // a document the list already holds keeps the list's (newer) state.
        if (this.openBase === base) this.documents = [...this.documents, ...docs.filter((n) => !this.documents.some((d) => d.id === n.id))];
      } catch (e) {
        refused.push(`${file.name}: ${e instanceof Error ? e.message : String(e)}`);
        this.error = this.t('knowledgeError', { msg: refused.join('; ') });
      }
      this.renderData();
    }
    if (added > 0) this.events.toast(this.t('knowledgeUploaded', { n: added }));
    await this.refreshDocuments();
  }

  private async removeDocument(doc: DocumentEntry): Promise<void> {
    const base = this.openBase;
    if (base === null) return;
    const yes = await confirmDialog({ title: this.t('docDeleteTitle'), body: this.t('docDeleteBody', { file: doc.file }), confirm: this.t('delete'), cancel: this.t('cancel'), danger: true });
    if (!yes) return;
    await this.attempt(() => this.client.deleteDocument(base, doc.id));
    await this.refreshDocuments();
    await this.refreshBases();
  }

  // ---- drawing -----------------------------------------------------------------------------

  private build(): void {
    clear(this.element);
    const close = () => this.element.close();
    const title = this.openBase ?? this.t('knowledge');
    const back =
      this.openBase !== null
        ? h('button', { type: 'button', class: 'icon-btn', 'aria-label': this.t('knowledgeBack'), title: this.t('knowledgeBack'), 'data-testid': 'knowledge-back', onclick: () => void this.open() }, icon('back'))
        : null;
    this.element.append(
      h(
        'div',
        { class: 'dialog-panel' },
        h('header', { class: 'dialog-head' }, h('div', { class: 'knowledge-head' }, back, h('h2', { id: 'knowledge-title' }, title)), h('button', { type: 'button', class: 'icon-btn', 'aria-label': this.t('close'), onclick: close }, icon('close'))),
        h('div', { class: 'dialog-body' }, this.errorSlot, this.openBase === null ? this.createForm() : this.dropZone(), this.listSlot),
      ),
    );
    this.renderData();
  }

  private renderData(): void {
    this.errorSlot.replaceChildren(...(this.error ? [h('p', { class: 'msg-error', role: 'alert', 'data-testid': 'knowledge-error' }, this.error)] : []));
    this.listSlot.replaceChildren(this.openBase === null ? this.baseList() : this.documentList());
  }

  private createForm(): HTMLElement {
    const name = h('input', { type: 'text', class: 'text-input', maxlength: 64, placeholder: this.t('knowledgeNewName'), 'aria-label': this.t('knowledgeNewName'), 'data-testid': 'knowledge-new-name' }) as HTMLInputElement;
    const form = h(
      'form',
      { class: 'knowledge-create' },
      name,
      h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'knowledge-create' }, icon('plus', 16), this.t('knowledgeCreate')),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const value = name.value.trim();
      if (value !== '')
        void this.create(value).then((made) => {
          if (made) name.value = '';
        });
    });
    return form;
  }

  private baseList(): HTMLElement {
    const rows = this.bases.map((b) =>
      h(
        'li',
        { class: 'kb-row', 'data-testid': 'knowledge-base', 'data-name': b.name },
        h(
          'button',
          { type: 'button', class: 'kb-open', 'aria-label': this.t('knowledgeOpenBase', { name: b.name }), onclick: () => void this.show(b.name) },
          icon('book', 18),
          h(
            'span',
            { class: 'kb-text' },
            h('span', { class: 'kb-name' }, b.name),
            h('span', { class: 'kb-meta' }, `${this.t('knowledgeSummary', { n: b.documents, chunks: b.chunks, size: formatBytes(b.bytes) })} · ${b.embedder ? this.t('knowledgeVectors', { name: b.embedder.name }) : this.t('knowledgeKeywordOnly')}`),
          ),
          icon('chevron', 16),
        ),
        h('button', { type: 'button', class: 'icon-btn', 'aria-label': this.t('knowledgeDeleteBase', { name: b.name }), title: this.t('delete'), 'data-testid': 'knowledge-delete-base', onclick: () => void this.removeBase(b) }, icon('trash', 17)),
      ),
    );
    return rows.length > 0 ? h('ul', { class: 'kb-list' }, ...rows) : h('p', { class: 'kb-empty' }, this.t('knowledgeNoBases'));
  }

  private dropZone(): HTMLElement {
    const picker = h('input', { type: 'file', multiple: true, hidden: true, 'data-testid': 'knowledge-file-input' }) as HTMLInputElement;
    picker.addEventListener('change', () => {
      void this.upload(Array.from(picker.files ?? []));
      picker.value = '';
    });
    const zone = h(
      'div',
      { class: 'kb-drop', 'data-testid': 'knowledge-drop' },
      icon('upload', 22),
      h('p', {}, this.t('knowledgeDrop'), ' ', h('button', { type: 'button', class: 'link-btn', 'data-testid': 'knowledge-pick', onclick: () => picker.click() }, this.t('knowledgePick'))),
      h('p', { class: 'kb-meta' }, this.t('knowledgeFormats')),
      picker,
    );
    zone.addEventListener('dragover', (e) => {
      e.preventDefault();
      zone.classList.add('is-over');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('is-over'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('is-over');
      void this.upload(Array.from(e.dataTransfer?.files ?? []));
    });
    return zone;
  }

  private documentList(): HTMLElement {
    const rows = this.documents.map((d) => this.documentRow(d));
    return rows.length > 0 ? h('ul', { class: 'kb-list', 'data-testid': 'knowledge-documents' }, ...rows) : h('p', { class: 'kb-empty' }, this.t('knowledgeNoDocs'));
  }

  private documentRow(d: DocumentEntry): HTMLElement {
    const percent = Math.round(d.progress * 100);
    const status: Record<DocumentEntry['status'], [MessageKey, Record<string, string | number>]> = {
      queued: ['docQueued', {}],
      indexing: ['docIndexing', { p: percent }],
      ready: ['docReady', { n: d.chunks }],
      skipped: ['docSkipped', { reason: d.reason ?? '' }],
    };
    const [key, params] = status[d.status];
    const busy = d.status === 'queued' || d.status === 'indexing';
    return h(
      'li',
      { class: 'kb-row kb-doc', 'data-testid': 'knowledge-document', 'data-status': d.status, 'data-file': d.file },
      h(
        'div',
        { class: 'kb-text' },
        h('span', { class: 'kb-name' }, d.file),
        h('span', { class: `kb-status is-${d.status}`, 'data-testid': 'knowledge-document-status' }, this.t(key, params), d.status === 'ready' ? ` · ${formatBytes(d.bytes)}` : ''),
        busy ? h('progress', { class: 'kb-progress', max: 100, value: percent, 'aria-label': this.t(key, params) }) : null,
      ),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': this.t('docDelete', { file: d.file }), title: this.t('delete'), 'data-testid': 'knowledge-delete-document', onclick: () => void this.removeDocument(d) }, icon('trash', 17)),
    );
  }
}
