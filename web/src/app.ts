// The chat page: owns the state (conversations, the answer streaming now, settings, server
// state) and turns user actions into requests, storage writes and redraws.
import { ApiError, streamChat, type ChatRequest } from './api/chat';
import { HealthMonitor, type HealthState, type ModelProgress } from './api/health';
import { knowledgeClient, type BaseInfo } from './api/knowledge';
import { parseModels, pullModel, type ModelInfo } from './api/models';
import { isResetCommand, titleFrom, wireMessages } from './chat/rules';
import { resolveLanguage, translator, type Language, type MessageKey, type Translate } from './i18n';
import { ImeGuard } from './ime';
import { authHeaders, loadSettings, requestFields, saveSettings, type Settings } from './settings';
import { conversationMarkdown, markdownFileName } from './store/markdown-export';
import { exportConversations, ImportError, parseImport } from './store/transfer';
import { byNewest, makeId, type Conversation, type ConversationStore, type MessageError, type StoredMessage } from './store/types';
import { confirmDialog } from './ui/confirm-dialog';
import { h } from './ui/dom';
import { icon } from './ui/icons';
import { KnowledgePanel } from './ui/knowledge-panel';
import { KnowledgeSwitch } from './ui/knowledge-switch';
import { MessageList } from './ui/messages';
import { DownloadPanel } from './ui/model-download';
import { ModelPicker } from './ui/model-picker';
import { SettingsDialog } from './ui/settings-dialog';
import { Sidebar } from './ui/sidebar';
import { Toasts } from './ui/toast';
import { Typewriter } from './ui/typewriter';

const CURRENT_KEY = 'qwen-edge.current';
const SAVE_INTERVAL_MS = 400; // how often a growing answer is written to storage
const MAX_IMPORT_BYTES = 50 * 1024 * 1024;
const DOWNLOAD_POLL_MS = 1000; // how often a download's progress is asked for

interface ActiveStream {
  conversation: Conversation;
  message: StoredMessage;
  controller: AbortController;
  typewriter: Typewriter;
}

type DisplayState = HealthState | 'busy' | 'connecting' | 'locked';

// The server is up and answering requests (maybe after a wait for a slot).
const isUp = (state: HealthState | 'connecting'): boolean => state === 'ready' || state === 'full';

export function apiUrl(path: string): string {
  return new URL(path, document.baseURI).toString();
}

function safeLocalStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export class App {
  private conversations: Conversation[] = [];
  private current: Conversation | null = null;
  private active: ActiveStream | null = null;
  private settings: Settings;
  private language: Language;
  private t: Translate;
  private health: HealthState | 'connecting' = 'connecting';
  private model = ''; // the server's default chat model: the first of GET /v1/models
  private models: ModelInfo[] = [];
  // The model picked for a chat not started yet (null: the default).
  private draftModel: string | null = null;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  // What GET /v1/models says of the chosen model's thinking: whether it can, and whether a chat
  // starts with it on.
  private thinking = { supported: false, default: false };
  // The switch's position for a chat not started yet (null: the model's default).
  private draftThinking: boolean | null = null;
  // The server's knowledge bases (GET /v1/knowledge), and whether it has the API at all.
  private knowledge = { available: false, bases: [] as BaseInfo[], defaultBase: null as string | null };
  // The switch's choice for a chat not started yet (null: off; undefined: the server's default
  // base, `serve --kb`, or off when it has none).
  private draftKnowledge: string | null | undefined = undefined;
  // The API answered 401: the server wants an API key this page lacks (or has wrong).
  private locked = false;
  private storageWarned = false;
  private readonly storage = safeLocalStorage();
  private readonly monitor: HealthMonitor;

  private readonly root: HTMLElement;
  private readonly sidebar: Sidebar;
  private readonly list: MessageList;
  private readonly download: DownloadPanel;
  private readonly settingsDialog: SettingsDialog;
  private readonly toasts = new Toasts();
  private progress: ModelProgress | null = null; // a first start's download, from /health
  // Shown while the server cannot be reached (the installed app opened with the server down, or
  // the network gone): says so plainly instead of leaving a broken page.
  private readonly offline = h('section', { class: 'download-panel offline-panel', 'data-testid': 'offline', role: 'alert', hidden: true });
  private readonly title = h('h1', { class: 'top-title' });
  private readonly status = h('div', { class: 'status', role: 'status', 'data-testid': 'status' });
  private readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly hint = h('p', { class: 'composer-hint' });
  private readonly thinkingButton: HTMLButtonElement;
  private readonly picker: ModelPicker;
  private readonly knowledgeClient = knowledgeClient(apiUrl, (admin) => authHeaders(admin && this.settings.adminKey ? this.settings.adminKey : this.settings.apiKey));
  private readonly knowledgePanel: KnowledgePanel;
  private readonly knowledgeSwitch: KnowledgeSwitch;
  private readonly knowledgeButton: HTMLButtonElement;
  private readonly labelled: { el: HTMLElement; key: MessageKey; attr?: string }[] = [];

  constructor(
    mount: HTMLElement,
    private readonly store: ConversationStore,
    private readonly persistent: boolean,
  ) {
    this.settings = loadSettings(this.storage);
    this.language = resolveLanguage(this.settings.language, navigator.languages ?? [navigator.language]);
    this.t = translator(this.language);

    this.sidebar = new Sidebar(this.t, {
      newChat: () => this.newChat(),
      open: (id) => this.open(id),
      rename: (id, title) => void this.rename(id, title),
      remove: (id) => void this.remove(id),
      exportMarkdown: (id) => this.exportMarkdown(id),
      exportAll: () => this.exportAll(),
      importFile: (file) => void this.importFile(file),
      openSettings: () => this.settingsDialog.open(this.settings),
      close: () => this.setSidebar(false),
    });
    this.sidebar.element.addEventListener('rerender', () => this.renderSidebar());

    this.download = new DownloadPanel(this.t);
    this.list = new MessageList(this.t, {
      regenerate: (m) => this.regenerate(m),
      retry: (m) => this.regenerate(m),
      editAndResend: (m, text) => this.editAndResend(m, text),
      toast: (text) => this.toasts.show(text),
      openSettings: () => this.settingsDialog.open(this.settings),
    });
    this.list.element.addEventListener('rerender', () => this.renderMessages());

    this.settingsDialog = new SettingsDialog(this.t, (s) => this.applySettings(s));
    this.knowledgePanel = new KnowledgePanel(this.t, this.knowledgeClient, {
      basesChanged: (bases) => {
        this.knowledge.bases = bases;
        this.renderKnowledgeSwitch();
      },
      toast: (text) => this.toasts.show(text),
    });
    this.knowledgeSwitch = new KnowledgeSwitch(this.t, (base) => this.chooseKnowledge(base));
    this.knowledgeButton = h('button', { type: 'button', class: 'icon-btn', hidden: true, 'data-testid': 'knowledge-top', onclick: () => void this.knowledgePanel.open() }, icon('book', 19)) as HTMLButtonElement;

    this.input = h('textarea', { class: 'composer-input', rows: 1, 'data-testid': 'composer', enterkeyhint: 'send' }) as HTMLTextAreaElement;
    this.sendButton = h('button', { type: 'submit', class: 'send-btn', 'data-testid': 'send' }) as HTMLButtonElement;
    this.picker = new ModelPicker(this.t, { choose: (id) => this.chooseModel(id), download: (id) => void this.downloadModel(id), cancelDownload: (id) => void this.downloadModel(id, 'DELETE') });
    this.thinkingButton = h('button', { type: 'button', class: 'think-toggle', 'data-testid': 'thinking-toggle', onclick: () => this.toggleThinking() }) as HTMLButtonElement;
    this.root = this.buildShell();
    mount.replaceChildren(this.root, this.settingsDialog.element, this.knowledgePanel.element, this.toasts.element);

    this.monitor = new HealthMonitor({
      url: apiUrl('health'),
      onChange: (state) => {
        this.health = state;
        if (isUp(state) && !this.model) {
          void this.fetchModel();
          void this.fetchKnowledge();
        }
        this.renderStatus();
      },
      onProgress: (progress) => this.renderDownload(progress),
    });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState !== 'visible') return;
      this.monitor.poke();
      // Bases made or removed meanwhile (elsewhere) show in the switch.
      if (isUp(this.health)) void this.fetchKnowledge();
    });
    window.addEventListener('online', () => this.monitor.poke());
  }

  async start(): Promise<void> {
    this.applyLanguage();
    let stored: Conversation[] = [];
    try {
      stored = await this.store.list();
    } catch (e) {
      this.reportStorage(e);
    }
    // An answer still "streaming" in storage was cut off by a reload or a closed tab.
    for (const c of stored) {
      const cut = c.messages.filter((m) => m.status === 'streaming');
      for (const m of cut) m.status = 'interrupted';
      if (cut.length > 0) void this.save(c);
    }
    this.conversations = stored;
    const lastId = this.storage?.getItem(CURRENT_KEY);
    this.current = this.conversations.find((c) => c.id === lastId) ?? null;
    this.renderAll();
    this.list.followBottom(true);
    if (!this.persistent) this.toasts.show(this.t('storageUnavailable'), 6000);
    this.monitor.start();
    // On a phone, focusing would pop the keyboard up over the page at once.
    if (window.matchMedia?.('(pointer: fine)').matches) this.input.focus();
  }

  // ---- building the page -------------------------------------------------------------------

  private label<T extends HTMLElement>(el: T, key: MessageKey, attr?: string): T {
    this.labelled.push({ el, key, attr });
    return el;
  }

  private buildShell(): HTMLElement {
    const guard = new ImeGuard();
    guard.attach(this.input);
    this.input.addEventListener('keydown', (e) => {
      if (guard.shouldSend(e)) {
        e.preventDefault();
        if (!this.active) this.submit();
      }
    });
    this.input.addEventListener('input', () => this.autosize());

    const form = h('form', { class: 'composer', 'data-testid': 'composer-form' }, this.input, this.sendButton);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (this.active) this.stop();
      else this.submit();
    });

    const menu = this.label(h('button', { type: 'button', class: 'icon-btn menu-btn', 'aria-controls': 'sidebar', onclick: () => this.setSidebar(true) }, icon('menu', 20)), 'openMenu', 'aria-label');
    const newChat = this.label(h('button', { type: 'button', class: 'icon-btn top-new', 'data-testid': 'new-chat-top', onclick: () => this.newChat() }, icon('compose', 19)), 'newChat', 'aria-label');
    this.label(this.knowledgeButton, 'knowledgeManage', 'aria-label');
    this.label(this.knowledgeButton, 'knowledgeManage', 'title');
    const settings = this.label(h('button', { type: 'button', class: 'icon-btn', 'data-testid': 'settings-top', onclick: () => this.settingsDialog.open(this.settings) }, icon('settings', 19)), 'settings', 'aria-label');
    this.label(this.input, 'composerPlaceholder', 'placeholder');
    this.label(this.input, 'composerLabel', 'aria-label');
    this.label(this.hint, 'composerHint');

    const scrim = h('div', { class: 'scrim', 'aria-hidden': 'true', onclick: () => this.setSidebar(false) });
    const main = h(
      'main',
      { class: 'main' },
      h('header', { class: 'topbar' }, menu, this.title, this.status, newChat, this.knowledgeButton, settings),
      this.download.element,
      this.offline,
      this.list.element,
      h('div', { class: 'composer-wrap' }, h('div', { class: 'composer-tools', hidden: true }, this.picker.element, this.thinkingButton, this.knowledgeSwitch.element), form, this.hint),
    );
    const root = h('div', { class: 'app' }, this.sidebar.element, scrim, main);
    root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        if (root.classList.contains('sidebar-open')) this.setSidebar(false);
        else if (this.active && e.target === this.input) this.stop();
      }
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'o') {
        e.preventDefault();
        this.newChat();
      }
    });
    return root;
  }

  private autosize(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 220)}px`;
  }

  private setSidebar(open: boolean): void {
    this.root.classList.toggle('sidebar-open', open);
    if (open) this.sidebar.element.querySelector<HTMLElement>('.new-chat')?.focus();
  }

  private emptyState = (): HTMLElement => {
    const examples: [MessageKey, MessageKey][] = [
      ['example1Title', 'example1'],
      ['example2Title', 'example2'],
      ['example3Title', 'example3'],
    ];
    return h(
      'div',
      { class: 'empty' },
      h('div', { class: 'empty-logo', 'aria-hidden': 'true' }, 'Q'),
      h('h2', { class: 'empty-title' }, this.t('emptyTitle')),
      h('p', { class: 'empty-sub' }, this.t('emptySubtitle')),
      h(
        'div',
        { class: 'examples' },
        ...examples.map(([title, prompt]) =>
          h('button', { type: 'button', class: 'example', 'data-testid': 'example', onclick: () => this.sendText(this.t(prompt)) }, h('span', { class: 'example-title' }, this.t(title)), h('span', { class: 'example-text' }, this.t(prompt))),
        ),
      ),
    );
  };

  // ---- drawing -----------------------------------------------------------------------------

  private applyLanguage(): void {
    document.documentElement.lang = this.language === 'zh' ? 'zh-CN' : 'en';
    for (const { el, key, attr } of this.labelled) {
      if (attr) el.setAttribute(attr, this.t(key));
      else el.textContent = this.t(key);
    }
    this.sidebar.setTranslate(this.t);
    this.list.setTranslate(this.t);
    this.download.setTranslate(this.t);
    this.renderDownload(this.progress);
    this.settingsDialog.setTranslate(this.t);
    this.picker.setTranslate(this.t);
    this.knowledgePanel.setTranslate(this.t);
    this.knowledgeSwitch.setTranslate(this.t);
  }

  private renderAll(): void {
    this.renderSidebar();
    this.renderMessages();
    this.renderChrome();
  }

  private renderSidebar(): void {
    this.sidebar.render(this.conversations, this.current?.id ?? null);
  }

  private renderMessages(): void {
    this.list.conversation = this.current;
    const streamingId = this.active && this.active.conversation === this.current ? this.active.message.id : null;
    this.list.render(this.current, streamingId, this.emptyState);
    if (streamingId) this.list.drawStreaming(streamingId, this.active!.message.content);
  }

  private renderChrome(): void {
    this.title.textContent = this.current?.title ?? this.t('newChat');
    document.title = this.current ? `${this.current.title} · qwen-edge` : 'qwen-edge';
    const busy = this.active !== null;
    this.sendButton.replaceChildren(icon(busy ? 'stop' : 'send', 20));
    this.sendButton.classList.toggle('is-stop', busy);
    this.sendButton.setAttribute('aria-label', this.t(busy ? 'stop' : 'send'));
    this.sendButton.title = this.t(busy ? 'stop' : 'send');
    this.renderStatus();
    this.renderThinkingToggle();
    this.renderKnowledgeSwitch();
  }

  // The row above the message box shows when one of its switches does.
  private renderComposerTools(): void {
    this.thinkingButton.hidden = !this.thinking.supported;
    this.thinkingButton.parentElement?.toggleAttribute('hidden', !this.thinking.supported && !this.knowledge.available && this.picker.element.hidden);
  }

  // The "answer from documents" switch: shown when the server has knowledge bases.
  private renderKnowledgeSwitch(): void {
    this.knowledgeButton.hidden = !this.knowledge.available;
    this.knowledgeSwitch.render(this.knowledge.available, this.knowledge.bases.map((b) => b.name), this.knowledge.defaultBase, this.knowledgeOf(this.current));
    this.renderComposerTools();
  }

  // The base the questions of `c` (null: the chat not started yet) are answered from; null: none.
  private knowledgeOf(c: Conversation | null): string | null {
    if (c) return c.knowledgeBase ?? null;
    return this.draftKnowledge === undefined ? this.knowledge.defaultBase : this.draftKnowledge;
  }

  private chooseKnowledge(base: string | null): void {
    if (this.current) {
      if (base === null) delete this.current.knowledgeBase;
      else this.current.knowledgeBase = base;
      void this.save(this.current);
    } else {
      this.draftKnowledge = base;
    }
    this.renderKnowledgeSwitch();
  }

  // The 深度思考 switch: shown only for a model that can think; pressed when this chat thinks.
  private renderThinkingToggle(): void {
    const b = this.thinkingButton;
    this.renderComposerTools();
    const on = this.thinkingOn(this.current);
    b.setAttribute('aria-pressed', String(on));
    b.classList.toggle('is-on', on);
    b.title = this.t(on ? 'thinkingToggleOn' : 'thinkingToggleOff');
    b.replaceChildren(icon('bulb', 16), h('span', {}, this.t('thinkingToggle')));
  }

  // Whether requests of `c` (null: the chat not started yet) ask the model to think.
  private thinkingOn(c: Conversation | null): boolean {
    return (c ? c.thinking : this.draftThinking) ?? this.thinking.default;
  }

  private toggleThinking(): void {
    const on = !this.thinkingOn(this.current);
    if (this.current) {
      this.current.thinking = on;
      void this.save(this.current);
    } else {
      this.draftThinking = on;
    }
    this.renderThinkingToggle();
  }

  // A first start: the download's progress above the (empty) chat, until the model is ready.
  private renderDownload(progress: ModelProgress | null): void {
    this.progress = progress;
    this.download.render(progress);
    this.root.classList.toggle('downloading', progress !== null);
    this.renderStatus();
  }

  private renderStatus(): void {
    const state: DisplayState =
      this.active && this.health !== 'unreachable' ? 'busy' : this.locked && isUp(this.health) ? 'locked' : this.health;
    const key: Record<DisplayState, MessageKey> = {
      connecting: 'statusConnecting',
      loading: 'statusLoading',
      ready: 'statusReady',
      busy: 'statusBusy',
      unreachable: 'statusUnreachable',
      full: 'statusFull',
      locked: 'statusLocked',
    };
    const label = state === 'loading' && this.progress ? (this.progress.state === 'downloading' ? 'statusDownloading' : 'statusDownloadFailed') : key[state];
    this.status.dataset.state = state;
    this.offline.hidden = this.health !== 'unreachable';
    if (!this.offline.hidden) {
      this.offline.replaceChildren(
        h('h2', { class: 'download-title' }, this.t('offlineTitle')),
        h('p', { class: 'download-sub' }, this.t('offlineBody', { address: location.host })),
      );
    }
    this.status.replaceChildren(h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { class: 'status-label' }, this.t(label)));
    this.status.title = this.model ? `${this.model} · ${this.t(label)}` : this.t(label);
  }

  // ---- conversation actions ----------------------------------------------------------------

  private submit(): void {
    const text = this.input.value;
    if (text.trim() === '' || this.refuseUndownloaded()) return;
    this.input.value = '';
    this.autosize();
    this.sendText(text);
  }

  private sendText(raw: string): void {
    const text = raw.trim();
    if (text === '' || this.active) return;
    if (isResetCommand(text)) {
      this.newChat();
      this.toasts.show(this.t('resetDone'));
      return;
    }
    if (this.refuseUndownloaded()) return;
    let conversation = this.current;
    if (!conversation) {
      const now = Date.now();
      conversation = { id: makeId(), title: titleFrom(text), createdAt: now, updatedAt: now, messages: [] };
      if (this.thinking.supported) conversation.thinking = this.thinkingOn(null);
      if (this.draftModel) conversation.model = this.draftModel;
      const base = this.knowledgeOf(null);
      if (base !== null) conversation.knowledgeBase = base;
      this.draftThinking = null;
      this.draftModel = null;
      this.draftKnowledge = undefined;
      this.conversations.unshift(conversation);
      this.setCurrent(conversation);
    }
    conversation.messages.push({ id: makeId(), role: 'user', content: text, createdAt: Date.now() });
    this.ask(conversation);
    this.input.focus();
  }

  // Adds an empty answer to the conversation and streams the model's reply into it.
  private ask(conversation: Conversation): void {
    const message: StoredMessage = { id: makeId(), role: 'assistant', content: '', createdAt: Date.now(), status: 'streaming' };
    conversation.messages.push(message);
    this.touch(conversation);
    void this.save(conversation);
    void this.stream(conversation, message);
  }

  private async stream(conversation: Conversation, message: StoredMessage): Promise<void> {
    const controller = new AbortController();
    const typewriter = new Typewriter((visible) => {
      if (this.current === conversation) this.list.drawStreaming(message.id, visible);
    });
    this.active = { conversation, message, controller, typewriter };
    this.renderAll();
    this.list.followBottom(true);

    const history = conversation.messages.slice(0, conversation.messages.indexOf(message));
    const model = this.chosenModel(conversation);
    const request: ChatRequest = {
      ...(model ? { model } : {}),
      messages: wireMessages(this.settings.systemPrompt, history),
      stream: true,
      stream_options: { include_usage: true },
      ...requestFields(this.settings),
      ...(this.thinking.supported ? { chat_template_kwargs: { enable_thinking: this.thinkingOn(conversation) } } : {}),
      ...(conversation.knowledgeBase !== undefined ? { knowledge: { base: conversation.knowledgeBase } } : {}),
    };
    let lastSave = Date.now();
    try {
      const result = await streamChat(request, {
        url: apiUrl('v1/chat/completions'),
        signal: controller.signal,
        headers: authHeaders(this.settings.apiKey),
        onReasoning: (text) => {
          message.reasoning = (message.reasoning ?? '') + text;
          if (this.current === conversation) this.list.drawThinking(message);
          if (Date.now() - lastSave >= SAVE_INTERVAL_MS) {
            lastSave = Date.now();
            void this.save(conversation);
          }
        },
        onCitations: (citations) => {
          if (citations.length > 0) message.citations = citations;
          else delete message.citations;
          if (this.current === conversation) this.renderMessages();
        },
        onThinkingDone: (ms) => {
          message.thinkingMs = ms;
          if (this.current === conversation) this.list.drawThinking(message);
        },
        onDelta: (text) => {
          message.content += text;
          typewriter.update(message.content);
          // The answer is saved as it grows: a reload or a crash keeps what arrived.
          if (Date.now() - lastSave >= SAVE_INTERVAL_MS) {
            lastSave = Date.now();
            void this.save(conversation);
          }
        },
      });
      message.status = 'done';
      message.finishReason = result.finishReason;
      message.timings = result.timings;
      if (result.droppedRounds > 0) message.droppedRounds = result.droppedRounds;
      if (!isUp(this.health)) this.health = 'ready';
      this.locked = false;
      this.monitor.poke(); // the slot this answer held is free again: show the load as it is now
      await typewriter.finish();
    } catch (e) {
      typewriter.flush();
      if (controller.signal.aborted) {
        message.status = 'stopped';
      } else {
        message.status = 'error';
        message.error = this.describeError(e);
        this.monitor.poke();
      }
    }
    if (this.active?.message === message) this.active = null;
    this.touch(conversation);
    await this.save(conversation);
    this.renderAll();
    this.list.followBottom();
  }

  private describeError(e: unknown): MessageError {
    if (!(e instanceof ApiError)) {
      return { message: this.t('errorGeneric', { msg: e instanceof Error ? e.message : String(e) }), type: 'client_error', status: 0 };
    }
    const base = { type: e.type, status: e.status, retryAfterSeconds: e.retryAfterSeconds };
    if (e.type === 'network_error' && e.status === 0) {
      return { ...base, message: this.t(e.message === 'network' ? 'errorNetwork' : 'errorIncomplete') };
    }
    if (e.type === 'incomplete_stream') return { ...base, message: this.t('errorIncomplete') };
    if (e.status === 401) {
      this.locked = true;
      return { ...base, message: this.t(this.settings.apiKey ? 'errorAuthWrong' : 'errorAuthMissing') };
    }
    if (e.status === 503 && this.health === 'loading') return { ...base, message: this.t('errorLoading') };
    if (e.status === 429 || e.status === 503) {
      return { ...base, message: e.retryAfterSeconds !== undefined ? this.t('errorBusy', { s: e.retryAfterSeconds }) : this.t('errorBusyNoTime') };
    }
    return { ...base, message: this.t('errorGeneric', { msg: e.message }) };
  }

  private stop(): void {
    if (!this.active) return;
    this.active.controller.abort();
    this.active.typewriter.flush();
  }

  private newChat(): void {
    this.stop();
    this.setCurrent(null);
    this.draftThinking = null; // a new chat starts with the model's default
    this.draftModel = null;
    this.draftKnowledge = undefined; // and with the server's default knowledge base, if any
    this.setSidebar(false);
    this.renderAll();
    this.input.focus();
  }

  private open(id: string): void {
    const c = this.conversations.find((x) => x.id === id);
    if (!c) return;
    if (this.current !== c) this.stop();
    this.setCurrent(c);
    this.setSidebar(false);
    this.renderAll();
    this.list.followBottom(true);
  }

  private regenerate(m: StoredMessage): void {
    const c = this.current;
    if (!c || this.active) return;
    const index = c.messages.indexOf(m);
    if (index < 0 || m.role !== 'assistant') return;
    c.messages.splice(index);
    this.ask(c);
  }

  private editAndResend(m: StoredMessage, text: string): void {
    const c = this.current;
    if (!c) return;
    this.stop();
    const index = c.messages.indexOf(m);
    if (index < 0) return;
    m.content = text;
    c.messages.splice(index + 1);
    if (index === 0) c.title = titleFrom(text);
    this.ask(c);
  }

  private async rename(id: string, title: string): Promise<void> {
    const c = this.conversations.find((x) => x.id === id);
    if (!c) return;
    c.title = title;
    await this.save(c);
    this.renderSidebar();
    this.renderChrome();
  }

  private async remove(id: string): Promise<void> {
    const c = this.conversations.find((x) => x.id === id);
    if (!c) return;
    const yes = await confirmDialog({ title: this.t('deleteTitle'), body: this.t('deleteBody', { title: c.title }), confirm: this.t('delete'), cancel: this.t('cancel'), danger: true });
    if (!yes) return;
    if (this.active?.conversation === c) this.stop();
    this.conversations = this.conversations.filter((x) => x !== c);
    if (this.current === c) this.setCurrent(null);
    try {
      await this.store.delete(id);
    } catch (e) {
      this.reportStorage(e);
    }
    this.renderAll();
  }

  private exportMarkdown(id: string): void {
    const c = this.conversations.find((x) => x.id === id);
    if (!c) return;
    const labels = { user: this.t('mdUser'), assistant: this.t('mdAssistant'), thinking: this.t('mdThinking'), stopped: this.t('mdStopped'), failed: this.t('mdFailed') };
    this.saveFile(conversationMarkdown(c, labels), 'text/markdown;charset=utf-8', markdownFileName(c.title));
  }

  private exportAll(): void {
    if (this.conversations.length === 0) {
      this.toasts.show(this.t('nothingToExport'));
      return;
    }
    const day = new Date().toISOString().slice(0, 10);
    this.saveFile(exportConversations(this.conversations), 'application/json', `qwen-edge-conversations-${day}.json`);
  }

  // Hands `text` to the browser as a download named `name`.
  private saveFile(text: string, type: string, name: string): void {
    const blob = new Blob([text], { type });
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  private async importFile(file: File): Promise<void> {
    try {
      if (file.size > MAX_IMPORT_BYTES) throw new ImportError('> 50 MB');
      const imported = parseImport(await file.text(), this.conversations.map((c) => c.id));
      for (const c of imported) await this.store.put(c);
      this.conversations = [...this.conversations, ...imported].sort(byNewest);
      this.renderSidebar();
      this.toasts.show(this.t('imported', { n: imported.length }));
    } catch (e) {
      this.toasts.show(this.t('importFailed', { reason: e instanceof Error ? e.message : String(e) }), 5000);
    }
  }

  private applySettings(s: Settings): void {
    const languageBefore = this.settings.language;
    const keyBefore = this.settings.apiKey;
    this.settings = s;
    saveSettings(this.storage, s);
    if (s.apiKey !== keyBefore) {
      this.locked = false;
      this.renderStatus();
      if (isUp(this.health)) {
        void this.fetchModel();
        void this.fetchKnowledge();
      }
    }
    if (s.language !== languageBefore) {
      this.language = resolveLanguage(s.language, navigator.languages ?? [navigator.language]);
      this.t = translator(this.language);
      this.applyLanguage();
      this.renderAll();
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  private setCurrent(c: Conversation | null): void {
    this.current = c;
    this.syncModel(c);
    try {
      if (c) this.storage?.setItem(CURRENT_KEY, c.id);
      else this.storage?.removeItem(CURRENT_KEY);
    } catch {
      // Remembering the open conversation is a convenience only.
    }
  }

  private touch(c: Conversation): void {
    c.updatedAt = Date.now();
    this.conversations.sort(byNewest);
  }

  private async save(c: Conversation): Promise<void> {
    if (!this.conversations.includes(c)) return; // deleted meanwhile
    try {
      await this.store.put(c);
    } catch (e) {
      this.reportStorage(e);
    }
  }

  private reportStorage(e: unknown): void {
    if (this.storageWarned) return;
    this.storageWarned = true;
    const quota = e instanceof DOMException && e.name === 'QuotaExceededError';
    this.toasts.show(this.t('storageFailed', { reason: quota ? this.t('saveFailedQuota') : e instanceof Error ? e.message : String(e) }), 6000);
  }

  // Whether the server has knowledge bases, and which: a server without the API (404) hides the
  // panel and the switch; any other failure leaves them as they were.
  private async fetchKnowledge(): Promise<void> {
    try {
      const list = await this.knowledgeClient.listBases();
      this.knowledge = { available: true, bases: list.bases, defaultBase: list.defaultBase };
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 405)) this.knowledge = { available: false, bases: [], defaultBase: null };
    }
    this.renderKnowledgeSwitch();
  }

  private async fetchModel(): Promise<void> {
    clearTimeout(this.pollTimer);
    try {
      const key = this.settings.apiKey;
      const response = await fetch(apiUrl('v1/models'), { cache: 'no-store', headers: authHeaders(key) });
      if (key !== this.settings.apiKey) return; // the key changed meanwhile; its own check runs
      this.locked = response.status === 401;
      this.renderStatus();
      if (!response.ok) return;
      const before = this.models;
      this.models = parseModels(await response.json());
      for (const m of this.models) {
        const was = before.find((x) => x.id === m.id);
        if (was?.download && m.downloaded) this.toasts.show(this.t('modelReady', { name: m.id }));
      }
      const first = this.models[0];
      if (first) {
        this.model = first.id;
        this.settingsDialog.setModel(first.id);
      }
      this.syncModel(this.current);
      this.renderStatus();
      // A download running: its progress is asked for again shortly.
      if (this.models.some((m) => m.download)) this.pollTimer = setTimeout(() => void this.fetchModel(), DOWNLOAD_POLL_MS);
    } catch {
      // The model list is for choosing and information only.
    }
  }

  // The model requests of `c` (null: the chat not started yet) go to.
  private chosenModel(c: Conversation | null): string {
    return (c ? c.model : this.draftModel) ?? this.model;
  }

  // The picker and the thinking switch follow the model `c` talks to.
  private syncModel(c: Conversation | null): void {
    const chosen = this.chosenModel(c);
    const info = this.models.find((m) => m.id === chosen);
    this.thinking = info ? info.thinking : { supported: false, default: false };
    this.picker.render(this.models, chosen);
    this.renderThinkingToggle();
  }

  // A model not downloaded cannot answer: the page says so instead of sending (the text stays).
  private refuseUndownloaded(): boolean {
    const chosen = this.models.find((m) => m.id === this.chosenModel(this.current));
    if (!chosen || chosen.downloaded) return false;
    this.toasts.show(this.t('modelNeedsDownload'));
    return true;
  }

  private chooseModel(id: string): void {
    if (this.current) {
      this.current.model = id;
      void this.save(this.current);
    } else {
      this.draftModel = id;
      this.draftThinking = null; // the new model's default
    }
    this.syncModel(this.current);
  }

  // Starts (POST) or cancels (DELETE) the download of a model the picker shows.
  private async downloadModel(id: string, method: 'POST' | 'DELETE' = 'POST'): Promise<void> {
    try {
      // The name's ':' stays as it is: it is allowed in a path.
      const name = encodeURIComponent(id).replace(/%3A/gi, ':');
      await pullModel(apiUrl(`v1/models/${name}/pull`), authHeaders(this.settings.apiKey), method);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      this.toasts.show(this.t(method === 'POST' ? 'modelDownloadFailed' : 'modelCancelFailed', { reason }), 6000);
    }
    await this.fetchModel();
  }
}
