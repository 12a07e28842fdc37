// The model picker above the message box: which model this conversation talks to. Each model shows
// its size, type and whether it is downloaded; one not downloaded can be downloaded from here,
// with its progress, and the download cancelled.
import { formatBytes, formatParameters, type ModelInfo } from '../api/models';
import type { Translate } from '../i18n';
import { h } from './dom';

export interface ModelPickerActions {
  choose: (id: string) => void;
  download: (id: string) => void;
  cancelDownload: (id: string) => void;
}

export class ModelPicker {
  readonly element: HTMLElement;
  private readonly select = h('select', { class: 'model-select', 'data-testid': 'model-picker' }) as HTMLSelectElement;
  private readonly downloadButton = h('button', { type: 'button', class: 'model-download', 'data-testid': 'model-download' }) as HTMLButtonElement;
  private readonly cancelButton = h('button', { type: 'button', class: 'model-download', 'data-testid': 'model-cancel-download' }) as HTMLButtonElement;
  private readonly progress = h('span', { class: 'model-progress', 'data-testid': 'model-progress', role: 'status' });
  private models: ModelInfo[] = [];
  private chosen = '';

  constructor(
    private t: Translate,
    private readonly actions: ModelPickerActions,
  ) {
    this.select.addEventListener('change', () => this.actions.choose(this.select.value));
    this.downloadButton.addEventListener('click', () => this.actions.download(this.chosen));
    this.cancelButton.addEventListener('click', () => this.actions.cancelDownload(this.chosen));
    this.element = h('div', { class: 'model-picker' }, this.select, this.downloadButton, this.progress, this.cancelButton);
  }

  setTranslate(t: Translate): void {
    this.t = t;
    this.render(this.models, this.chosen);
  }

  // "qwen3:0.6b · 639.4 MB · 对话 · 已加载", "qwen3:1.7b · 1.7B 参数 · 对话 · 未下载".
  private label(m: ModelInfo): string {
    const size = m.bytes !== null ? formatBytes(m.bytes) : m.parameters !== null ? this.t('modelParameters', { n: formatParameters(m.parameters) }) : '';
    const type = this.t(m.type === 'chat' ? 'modelTypeChat' : m.type === 'embedding' ? 'modelTypeEmbedding' : 'modelTypeReranker');
    const state = m.download ? this.t('modelDownloading') : !m.downloaded ? this.t('modelNotDownloaded') : m.loaded ? this.t('modelLoaded') : this.t('modelDownloaded');
    return [m.id, size, type, state].filter((s) => s !== '').join(' · ');
  }

  render(models: ModelInfo[], chosen: string): void {
    this.models = models;
    this.chosen = chosen;
    this.select.setAttribute('aria-label', this.t('modelPicker'));
    this.select.title = this.t('modelPicker');
    this.select.replaceChildren(
      ...models.map((m) => {
        // Only chat models answer a chat; the others are listed so the page shows what is there.
        const option = h('option', { value: m.id, disabled: m.type !== 'chat' }, this.label(m)) as HTMLOptionElement;
        option.selected = m.id === chosen;
        return option;
      }),
    );
    const model = models.find((m) => m.id === chosen);
    const canDownload = model !== undefined && !model.downloaded && model.download === null;
    this.downloadButton.hidden = !canDownload;
    this.downloadButton.textContent = this.t('modelDownload');
    this.cancelButton.hidden = !model?.download;
    this.cancelButton.textContent = this.t('modelCancelDownload');
    if (model?.download) {
      const d = model.download;
      const share = d.total > 0 ? `${Math.floor((100 * d.bytes) / d.total)}% · ` : '';
      const of = d.total > 0 ? ` / ${formatBytes(d.total)}` : '';
      const speed = d.bytesPerSecond > 0 ? ` · ${formatBytes(Math.round(d.bytesPerSecond))}/s` : '';
      this.progress.textContent = `${this.t('modelDownloading')} ${share}${formatBytes(d.bytes)}${of}${speed}`;
    } else if (model && !model.downloaded && model.downloadError) {
      this.progress.textContent = this.t('modelDownloadFailed', { reason: model.downloadError });
    } else {
      this.progress.textContent = '';
    }
    this.element.hidden = models.length < 2;
  }
}
