// The side panel: New chat, the saved conversations grouped by day (open, rename, delete),
// import/export and settings.
import type { Translate } from '../i18n';
import type { Conversation } from '../store/types';
import { clear, h } from './dom';
import { icon } from './icons';

export interface SidebarActions {
  newChat(): void;
  open(id: string): void;
  rename(id: string, title: string): void;
  remove(id: string): void;
  exportMarkdown(id: string): void;
  exportAll(): void;
  importFile(file: File): void;
  openSettings(): void;
  close(): void;
}

type Group = 'today' | 'yesterday' | 'last7' | 'older';

export function groupOf(time: number, now: Date): Group {
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const day = 86_400_000;
  if (time >= startOfToday) return 'today';
  if (time >= startOfToday - day) return 'yesterday';
  if (time >= startOfToday - 7 * day) return 'last7';
  return 'older';
}

export class Sidebar {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly fileInput: HTMLInputElement;
  private renamingId: string | null = null;
  private readonly labels: { el: HTMLElement; key: Parameters<Translate>[0]; attr?: string }[] = [];

  constructor(
    private t: Translate,
    private readonly actions: SidebarActions,
  ) {
    this.list = h('nav', { class: 'conv-list' });
    this.fileInput = h('input', { type: 'file', accept: 'application/json,.json', class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true' });
    this.fileInput.addEventListener('change', () => {
      const file = this.fileInput.files?.[0];
      if (file) this.actions.importFile(file);
      this.fileInput.value = '';
    });

    const label = (el: HTMLElement, key: Parameters<Translate>[0], attr?: string) => {
      this.labels.push({ el, key, attr });
      return el;
    };
    const newChat = h('button', { type: 'button', class: 'new-chat', 'data-testid': 'new-chat', onclick: () => actions.newChat() }, icon('compose', 18), label(h('span'), 'newChat'));
    const closeBtn = label(h('button', { type: 'button', class: 'icon-btn sidebar-close', onclick: () => actions.close() }, icon('close')), 'closeMenu', 'aria-label');
    const footButton = (name: 'upload' | 'download' | 'settings', key: Parameters<Translate>[0], onclick: () => void, testid: string) =>
      h('button', { type: 'button', class: 'foot-btn', 'data-testid': testid, onclick }, icon(name, 17), label(h('span'), key));

    this.element = h(
      'aside',
      { class: 'sidebar', id: 'sidebar' },
      h('div', { class: 'sidebar-head' }, h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, 'Q'), h('span', { class: 'brand-name' }, 'qwen-edge')), closeBtn),
      newChat,
      label(h('h2', { class: 'list-title' }), 'conversations'),
      this.list,
      h(
        'div',
        { class: 'sidebar-foot' },
        footButton('upload', 'import', () => this.fileInput.click(), 'import'),
        footButton('download', 'exportAll', () => actions.exportAll(), 'export'),
        footButton('settings', 'settings', () => actions.openSettings(), 'settings'),
        this.fileInput,
      ),
    );
    this.applyLabels();
  }

  setTranslate(t: Translate): void {
    this.t = t;
    this.applyLabels();
  }

  private applyLabels(): void {
    for (const { el, key, attr } of this.labels) {
      if (attr) el.setAttribute(attr, this.t(key));
      else el.textContent = this.t(key);
    }
    this.element.setAttribute('aria-label', this.t('conversations'));
    this.list.setAttribute('aria-label', this.t('conversations'));
  }

  render(conversations: Conversation[], currentId: string | null, now = new Date()): void {
    clear(this.list);
    if (conversations.length === 0) {
      this.list.appendChild(h('p', { class: 'list-empty' }, this.t('noConversations')));
      return;
    }
    let group: Group | null = null;
    let ul: HTMLElement | null = null;
    for (const c of conversations) {
      const g = groupOf(c.updatedAt, now);
      if (g !== group || !ul) {
        group = g;
        this.list.appendChild(h('h3', { class: 'group-title' }, this.t(g)));
        ul = h('ul', { class: 'conv-group' });
        this.list.appendChild(ul);
      }
      ul.appendChild(this.item(c, c.id === currentId));
    }
  }

  private item(c: Conversation, active: boolean): HTMLElement {
    const li = h('li', { class: `conv-item${active ? ' is-active' : ''}`, 'data-conv': c.id });
    if (this.renamingId === c.id) {
      const input = h('input', { class: 'rename-input', type: 'text', maxlength: 200, 'aria-label': this.t('rename') }) as HTMLInputElement;
      input.value = c.title;
      let done = false;
      const finish = (save: boolean) => {
        if (done) return;
        done = true;
        this.renamingId = null;
        const title = input.value.trim();
        if (save && title && title !== c.title) this.actions.rename(c.id, title);
        else this.element.dispatchEvent(new CustomEvent('rerender'));
      };
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && !e.isComposing && e.keyCode !== 229) {
          e.preventDefault();
          finish(true);
        } else if (e.key === 'Escape') {
          e.preventDefault();
          finish(false);
        }
      });
      input.addEventListener('blur', () => finish(true));
      queueMicrotask(() => {
        input.focus();
        input.select();
      });
      li.appendChild(input);
      return li;
    }
    li.append(
      h('button', { type: 'button', class: 'conv-open', 'aria-current': active ? 'page' : null, title: c.title, onclick: () => this.actions.open(c.id) }, icon('chat', 16), h('span', { class: 'conv-title' }, c.title)),
      h(
        'div',
        { class: 'conv-actions' },
        h('button', { type: 'button', class: 'icon-btn small', 'aria-label': `${this.t('exportMarkdown')}: ${c.title}`, title: this.t('exportMarkdown'), 'data-testid': 'export-markdown', onclick: () => this.actions.exportMarkdown(c.id) }, icon('download', 15)),
        h('button', { type: 'button', class: 'icon-btn small', 'aria-label': `${this.t('rename')}: ${c.title}`, title: this.t('rename'), 'data-testid': 'rename', onclick: () => this.startRename(c.id) }, icon('edit', 15)),
        h('button', { type: 'button', class: 'icon-btn small danger', 'aria-label': `${this.t('delete')}: ${c.title}`, title: this.t('delete'), 'data-testid': 'delete', onclick: () => this.actions.remove(c.id) }, icon('trash', 15)),
      ),
    );
    return li;
  }

  private startRename(id: string): void {
    this.renamingId = id;
    this.element.dispatchEvent(new CustomEvent('rerender'));
  }
}
