// The conversation view: user bubbles on the right, answers on the left rendered from markdown,
// with per-message actions and the answer's timings underneath.
import type { Translate } from '../i18n';
import { ImeGuard } from '../ime';
import { renderMarkdown } from '../markdown';
import type { Conversation, StoredMessage } from '../store/types';
import { citationLabel, linkCitationRefs, openCitation } from './citation-dialog';
import { copyText } from './clipboard';
import { clear, h } from './dom';
import { icon, type IconName } from './icons';

export interface MessageActions {
  regenerate(message: StoredMessage): void;
  retry(message: StoredMessage): void;
  editAndResend(message: StoredMessage, text: string): void;
  toast(text: string): void;
  openSettings(): void;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

// The thinking block's title: "思考中…" while the model thinks, then how long it thought ("已思考
// 3.2 秒"), or that it was stopped while still thinking. Without a time (a page closed mid-way)
// it is just "思考过程".
export function thinkingTitle(t: Translate, m: StoredMessage, streaming: boolean): string {
  if (streaming && m.thinkingMs === undefined) return t('thinkingNow');
  if (m.thinkingMs === undefined) return t('thinkingProcess');
  const s = (m.thinkingMs / 1000).toFixed(1);
  return m.content === '' && m.status !== 'done' && !streaming ? t('thinkingStopped', { s }) : t('thoughtFor', { s });
}

// Decorates rendered markdown: a header with the language and a copy button on code blocks, and a
// scroll box around tables so wide ones don't stretch the page.
export function enhanceMarkdown(root: HTMLElement, t: Translate): void {
  for (const pre of Array.from(root.querySelectorAll('pre'))) {
    const code = pre.querySelector('code');
    const lang = code?.getAttribute('data-lang') || 'text';
    const copy = h('button', { type: 'button', class: 'code-copy', 'aria-label': t('copyCode') }, icon('copy', 15), h('span', {}, t('copy')));
    const block = h('div', { class: 'code-block' }, h('div', { class: 'code-head' }, h('span', { class: 'code-lang' }, lang), copy));
    pre.replaceWith(block);
    block.appendChild(pre);
  }
  for (const table of Array.from(root.querySelectorAll('table'))) {
    const wrap = h('div', { class: 'table-wrap' });
    table.replaceWith(wrap);
    wrap.appendChild(table);
  }
}

// Puts the blinking caret at the end of the last text, inside the last paragraph or list item.
function placeCaret(root: HTMLElement): void {
  let target: Element = root;
  while (target.lastElementChild && /^(P|UL|OL|LI|BLOCKQUOTE|DIV|PRE|CODE|H[1-6]|TABLE|TBODY|TR|TD)$/.test(target.lastElementChild.tagName)) {
    target = target.lastElementChild;
  }
  target.appendChild(h('span', { class: 'caret', 'aria-hidden': 'true' }));
}

export class MessageList {
  readonly element: HTMLElement;
  private readonly inner: HTMLElement;
  private editingId: string | null = null;
  private readonly htmlCache = new Map<string, { content: string; html: string }>();
  private stickToBottom = true;
  // Answers whose finished thinking block the user opened (they stay open across redraws).
  private readonly openThinking = new Set<string>();

  constructor(
    private t: Translate,
    private readonly actions: MessageActions,
  ) {
    this.inner = h('div', { class: 'messages-inner' });
    this.element = h('section', { class: 'messages', role: 'log', 'aria-live': 'polite', tabindex: '-1' }, this.inner);
    this.element.addEventListener('scroll', () => {
      const el = this.element;
      this.stickToBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    });
    this.element.addEventListener('click', (e) => this.onClick(e));
  }

  setTranslate(t: Translate): void {
    this.t = t;
  }

  get container(): HTMLElement {
    return this.inner;
  }

  // Rebuilds the list (a conversation opened, a message added or finished).
  render(conversation: Conversation | null, streamingId: string | null, empty: () => HTMLElement): void {
    clear(this.inner);
    this.element.setAttribute('aria-busy', streamingId ? 'true' : 'false');
    const messages = conversation?.messages ?? [];
    if (messages.length === 0) {
      this.inner.appendChild(empty());
      this.element.classList.add('is-empty');
      return;
    }
    this.element.classList.remove('is-empty');
    const lastAssistant = [...messages].reverse().find((m) => m.role === 'assistant');
    for (const m of messages) {
      if (m.role === 'user') this.inner.appendChild(this.userRow(m, streamingId !== null));
      else {
        if (m.droppedRounds) {
          this.inner.appendChild(h('div', { class: 'notice', role: 'note' }, h('span', {}, this.t('dropped', { n: m.droppedRounds }))));
        }
        this.inner.appendChild(this.assistantRow(m, m.id === streamingId, m === lastAssistant && !streamingId));
      }
    }
    const ids = new Set(messages.map((m) => m.id));
    for (const id of this.htmlCache.keys()) if (!ids.has(id)) this.htmlCache.delete(id);
    for (const id of this.openThinking) if (!ids.has(id)) this.openThinking.delete(id);
  }

  // Redraws the streaming answer with the text revealed so far.
  drawStreaming(id: string, visible: string): void {
    const body = this.inner.querySelector<HTMLElement>(`[data-id="${id}"] .md`);
    if (!body) return;
    body.innerHTML = visible === '' ? '' : renderMarkdown(visible);
    enhanceMarkdown(body, this.t);
    const bubble = body.parentElement!;
    bubble.classList.toggle('is-waiting', visible === '');
    if (visible !== '') placeCaret(body);
    this.followBottom();
  }

  // Shows the thinking of the streaming answer `m` as it arrives: the block opens with a live
  // "thinking" title and the text growing; when the thinking ends it closes and says how long it
  // took. Plain text only: the thinking is never parsed as markdown or HTML.
  drawThinking(m: StoredMessage): void {
    const row = this.inner.querySelector<HTMLElement>(`[data-id="${m.id}"]`);
    if (!row || !m.reasoning) return;
    let block = row.querySelector<HTMLDetailsElement>('.thinking');
    if (!block) {
      block = this.thinkingBlock(m, true);
      row.querySelector('.msg-body')?.prepend(block);
    }
    const thinking = m.thinkingMs === undefined;
    row.classList.toggle('is-thinking', thinking);
    const text = block.querySelector<HTMLElement>('.thinking-body')!;
    if (text.textContent !== m.reasoning) {
      text.textContent = m.reasoning;
      if (thinking) text.scrollTop = text.scrollHeight;
    }
    if (block.dataset.state === 'thinking' && !thinking) {
      block.dataset.state = 'done';
      block.open = false;
    }
    block.querySelector('.thinking-title')!.textContent = thinkingTitle(this.t, m, true);
    this.followBottom();
  }

  private thinkingBlock(m: StoredMessage, streaming: boolean): HTMLDetailsElement {
    const thinking = streaming && m.thinkingMs === undefined;
    const block = h(
      'details',
      { class: 'thinking', 'data-testid': 'thinking', 'data-state': thinking ? 'thinking' : 'done' },
      h(
        'summary',
        { class: 'thinking-head' },
        h('span', { class: 'thinking-pulse', 'aria-hidden': 'true' }),
        h('span', { class: 'thinking-title' }, thinkingTitle(this.t, m, streaming)),
        icon('chevron', 14),
      ),
      h('div', { class: 'thinking-body', 'data-testid': 'thinking-text' }, m.reasoning ?? ''),
    ) as HTMLDetailsElement;
    block.open = thinking || this.openThinking.has(m.id);
    block.addEventListener('toggle', () => {
      if (block.dataset.state !== 'done') return;
      if (block.open) this.openThinking.add(m.id);
      else this.openThinking.delete(m.id);
    });
    return block;
  }

  followBottom(force = false): void {
    if (force) this.stickToBottom = true;
    if (this.stickToBottom) this.element.scrollTop = this.element.scrollHeight;
  }

  private markdown(m: StoredMessage): string {
    const hit = this.htmlCache.get(m.id);
    if (hit && hit.content === m.content) return hit.html;
    const html = renderMarkdown(m.content);
    this.htmlCache.set(m.id, { content: m.content, html });
    return html;
  }

  private actionButton(name: IconName, label: string, action: string, m: StoredMessage): HTMLButtonElement {
    return h('button', { type: 'button', class: 'msg-action', 'data-action': action, 'data-msg': m.id, 'aria-label': label, title: label }, icon(name, 16));
  }

  private userRow(m: StoredMessage, busy: boolean): HTMLElement {
    const row = h('article', { class: 'msg msg-user', 'data-id': m.id, 'aria-label': this.t('you') });
    if (this.editingId === m.id) {
      row.appendChild(this.editor(m));
      return row;
    }
    row.appendChild(h('div', { class: 'bubble' }, m.content));
    const actions = h('div', { class: 'msg-actions' }, this.actionButton('copy', this.t('copy'), 'copy', m));
    if (!busy) actions.appendChild(this.actionButton('edit', this.t('edit'), 'edit', m));
    row.appendChild(actions);
    return row;
  }

  private editor(m: StoredMessage): HTMLElement {
    const area = h('textarea', { class: 'edit-area', rows: 3, 'aria-label': this.t('edit') }) as HTMLTextAreaElement;
    area.value = m.content;
    const guard = new ImeGuard();
    guard.attach(area);
    const save = () => {
      const text = area.value.trim();
      if (!text) return;
      this.editingId = null;
      this.actions.editAndResend(m, text);
    };
    const cancel = () => {
      this.editingId = null;
      this.element.dispatchEvent(new CustomEvent('rerender'));
    };
    area.addEventListener('keydown', (e) => {
      if (guard.shouldSend(e)) {
        e.preventDefault();
        save();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        cancel();
      }
    });
    queueMicrotask(() => {
      area.focus();
      area.setSelectionRange(area.value.length, area.value.length);
      area.style.height = `${Math.min(area.scrollHeight + 2, 320)}px`;
    });
    return h(
      'div',
      { class: 'editor' },
      area,
      h(
        'div',
        { class: 'editor-buttons' },
        h('button', { type: 'button', class: 'btn btn-ghost', onclick: cancel }, this.t('cancel')),
        h('button', { type: 'button', class: 'btn btn-primary', onclick: save }, this.t('saveAndSend')),
      ),
    );
  }

  private assistantRow(m: StoredMessage, streaming: boolean, isLast: boolean): HTMLElement {
    const md = h('div', { class: 'md' });
    const bubble = h('div', { class: 'bubble' }, md);
    if (streaming) {
      bubble.classList.add('is-streaming');
      if (m.content === '') bubble.classList.add('is-waiting');
      bubble.appendChild(h('span', { class: 'typing', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')));
    } else if (m.content !== '') {
      md.innerHTML = this.markdown(m);
      enhanceMarkdown(md, this.t);
      linkCitationRefs(md, m, this.t);
    } else {
      bubble.classList.add('is-empty');
    }

    const body = h('div', { class: 'msg-body' }, bubble);
    if (m.reasoning) body.prepend(this.thinkingBlock(m, streaming));
    if (m.citations && m.citations.length > 0) {
      body.appendChild(
        h(
          'nav',
          { class: 'citations', 'aria-label': this.t('citations'), 'data-testid': 'citations' },
          ...m.citations.map((c, i) =>
            h('button', { type: 'button', class: 'cite-chip', 'data-action': 'cite', 'data-msg': m.id, 'data-cite': i, 'data-testid': 'citation-chip', title: this.t('citationOpen', { n: c.index }) }, citationLabel(this.t, c)),
          ),
        ),
      );
    }
    if (m.status === 'error' && m.error) {
      body.appendChild(
        h(
          'div',
          { class: 'msg-error', role: 'alert' },
          h('span', {}, m.error.message),
          // A refused API key is fixed in the settings; a retry alone would fail the same way.
          m.error.status === 401
            ? h('button', { type: 'button', class: 'btn btn-small', 'data-action': 'settings', 'data-msg': m.id }, icon('settings', 15), this.t('openSettings'))
            : null,
          h('button', { type: 'button', class: 'btn btn-small', 'data-action': 'retry', 'data-msg': m.id }, icon('refresh', 15), this.t('retry')),
        ),
      );
    }
    if (!streaming) {
      const foot = h('div', { class: 'msg-foot' });
      const meta = h('span', { class: 'meta' });
      if (m.timings && m.timings.ttftMs > 0) {
        const { promptTokens, cachedTokens, completionTokens } = m.timings;
        if (promptTokens !== undefined) {
          meta.title = this.t('tokenDetail', { prompt: promptTokens, cached: cachedTokens ?? 0, answer: completionTokens ?? '?' });
        }
        meta.append(
          h('span', { class: 'meta-item', 'data-meta': 'ttft' }, this.t('ttft', { v: formatMs(m.timings.ttftMs) })),
          h('span', { class: 'meta-item', 'data-meta': 'speed' }, this.t('speed', { v: m.timings.tokensPerSecond.toFixed(1) })),
        );
      }
      const finish = this.finishLabel(m);
      if (finish) meta.appendChild(h('span', { class: 'meta-item finish', 'data-finish': m.status ?? '' }, finish));
      foot.appendChild(meta);
      const actions = h('div', { class: 'msg-actions' });
      if (m.content !== '') actions.appendChild(this.actionButton('copy', this.t('copy'), 'copy', m));
      if (isLast && m.status !== 'error') actions.appendChild(this.actionButton('refresh', this.t('regenerate'), 'regenerate', m));
      foot.appendChild(actions);
      body.appendChild(foot);
    }
    return h(
      'article',
      { class: `msg msg-assistant${streaming && m.reasoning && m.thinkingMs === undefined ? ' is-thinking' : ''}`, 'data-id': m.id, 'data-status': streaming ? 'streaming' : (m.status ?? 'done'), 'aria-label': this.t('assistant') },
      h('div', { class: 'avatar', 'aria-hidden': 'true' }, 'Q'),
      body,
    );
  }

  private finishLabel(m: StoredMessage): string | null {
    if (m.status === 'stopped') return this.t('stopped');
    if (m.status === 'interrupted') return this.t('interrupted');
    if (m.finishReason === 'length') return this.t('finishLength');
    if (m.finishReason === 'repetition') return this.t('finishRepetition');
    return null;
  }

  private findMessage(id: string | null, conversation: Conversation | null): StoredMessage | undefined {
    return conversation?.messages.find((m) => m.id === id);
  }

  // The current conversation, handed in by the app for click handling.
  conversation: Conversation | null = null;

  private async onClick(e: Event): Promise<void> {
    const target = e.target as HTMLElement;
    const codeCopy = target.closest<HTMLButtonElement>('.code-copy');
    if (codeCopy) {
      const code = codeCopy.closest('.code-block')?.querySelector('code')?.textContent ?? '';
      await this.flashCopied(codeCopy, await copyText(code));
      return;
    }
    const button = target.closest<HTMLButtonElement>('[data-action]');
    if (!button) return;
    const m = this.findMessage(button.getAttribute('data-msg'), this.conversation);
    if (!m) return;
    switch (button.getAttribute('data-action')) {
      case 'copy':
        await this.flashCopied(button, await copyText(m.content));
        break;
      case 'edit':
        this.editingId = m.id;
        this.element.dispatchEvent(new CustomEvent('rerender'));
        break;
      case 'regenerate':
        this.actions.regenerate(m);
        break;
      case 'retry':
        this.actions.retry(m);
        break;
      case 'settings':
        this.actions.openSettings();
        break;
      case 'cite': {
        const c = m.citations?.[Number(button.getAttribute('data-cite'))];
        if (c) openCitation(this.t, c);
        break;
      }
    }
  }

  private async flashCopied(button: HTMLButtonElement, ok: boolean): Promise<void> {
    if (!ok) {
      this.actions.toast(this.t('copyFailed'));
      return;
    }
    button.classList.add('is-copied');
    const label = button.querySelector('span');
    const old = label?.textContent;
    if (label) label.textContent = this.t('copied');
    const svg = button.querySelector('svg');
    svg?.replaceWith(icon('check', button.classList.contains('code-copy') ? 15 : 16));
    setTimeout(() => {
      button.classList.remove('is-copied');
      if (label && old) label.textContent = old;
      button.querySelector('svg')?.replaceWith(icon('copy', button.classList.contains('code-copy') ? 15 : 16));
    }, 1500);
  }
}
