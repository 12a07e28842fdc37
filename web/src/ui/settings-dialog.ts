// The settings panel. Every change applies at once and is remembered by the browser; the panel
// has no Save button to forget.
import type { MessageKey, Translate } from '../i18n';
import { DEFAULT_SETTINGS, LIMITS, MAX_API_KEY_LENGTH, validApiKey, validNumber, type LanguageChoice, type Settings } from '../settings';
import { clear, h } from './dom';
import { icon } from './icons';

type NumberKey = keyof typeof LIMITS;

export class SettingsDialog {
  readonly element: HTMLDialogElement;
  private settings: Settings = { ...DEFAULT_SETTINGS };
  private modelName = '';

  constructor(
    private t: Translate,
    private readonly onChange: (s: Settings) => void,
  ) {
    this.element = h('dialog', { class: 'dialog settings-dialog', 'aria-labelledby': 'settings-title' });
    // A click on the backdrop (outside the panel) closes it.
    this.element.addEventListener('click', (e) => {
      if (e.target === this.element) this.element.close();
    });
  }

  setTranslate(t: Translate): void {
    this.t = t;
    if (this.element.open) this.build();
  }

  setModel(name: string): void {
    this.modelName = name;
  }

  open(settings: Settings): void {
    this.settings = { ...settings };
    this.build();
    this.element.showModal();
  }

  private change(patch: Partial<Settings>): void {
    this.settings = { ...this.settings, ...patch };
    this.onChange(this.settings);
  }

  private numberField(key: NumberKey, label: MessageKey, opts: { slider?: boolean; optional?: boolean; hint?: MessageKey } = {}): HTMLElement {
    const limit = LIMITS[key];
    const id = `setting-${key}`;
    const value = this.settings[key];
    const input = h('input', {
      id,
      type: 'number',
      class: 'num-input',
      min: limit.min,
      max: limit.max,
      step: limit.step,
      inputmode: limit.integer ? 'numeric' : 'decimal',
      placeholder: opts.optional ? this.t('serverDefault') : null,
    }) as HTMLInputElement;
    input.value = value === null ? '' : String(value);
    let slider: HTMLInputElement | null = null;
    if (opts.slider) {
      slider = h('input', { type: 'range', class: 'slider', min: limit.min, max: limit.max, step: limit.step, 'aria-label': this.t(label) }) as HTMLInputElement;
      // Left to the server, the slider rests where most models' defaults are.
      slider.value = String(value ?? (key === 'temperature' ? 0.7 : key === 'topP' ? 0.8 : limit.min));
      slider.addEventListener('input', () => {
        input.value = slider!.value;
        this.change({ [key]: Number(slider!.value) });
      });
    }
    input.addEventListener('input', () => {
      if (opts.optional && input.value.trim() === '') {
        input.removeAttribute('aria-invalid');
        this.change({ [key]: null });
        return;
      }
      const n = validNumber(key, input.value);
      if (n === undefined) {
        input.setAttribute('aria-invalid', 'true');
        return;
      }
      input.removeAttribute('aria-invalid');
      if (slider) slider.value = String(n);
      this.change({ [key]: n });
    });
    // Leaving a field with an invalid value shows the value in force again.
    input.addEventListener('blur', () => {
      const v = this.settings[key];
      input.value = v === null ? '' : String(v);
      input.removeAttribute('aria-invalid');
    });
    return h(
      'div',
      { class: 'field' },
      h('div', { class: 'field-row' }, h('label', { for: id }, this.t(label)), input),
      slider,
      opts.hint ? h('p', { class: 'field-hint' }, this.t(opts.hint)) : null,
    );
  }

  // A secret typed once and kept in this browser: the API key or the knowledge admin key.
  private keyField(name: 'apiKey' | 'adminKey', testid: string, hint: MessageKey): HTMLElement {
    const id = `setting-${name}`;
    const key = h('input', {
      id,
      type: 'password',
      class: 'text-input',
      autocomplete: 'off',
      spellcheck: 'false',
      maxlength: MAX_API_KEY_LENGTH,
      placeholder: this.t('apiKeyPlaceholder'),
      'aria-describedby': `${id}-hint`,
      'data-testid': testid,
    }) as HTMLInputElement;
    key.value = this.settings[name];
    key.addEventListener('input', () => {
      const valid = validApiKey(key.value);
      if (valid === undefined) {
        key.setAttribute('aria-invalid', 'true');
        return;
      }
      key.removeAttribute('aria-invalid');
      this.change({ [name]: valid });
    });
    return h(
      'div',
      { class: 'field' },
      h('label', { for: id, class: 'block-label' }, this.t(name)),
      key,
      h('p', { class: 'field-hint', id: `${id}-hint` }, this.t(hint)),
    );
  }

  private build(): void {
    clear(this.element);
    const prompt = h('textarea', { id: 'setting-system', rows: 3, placeholder: this.t('systemPromptPlaceholder') }) as HTMLTextAreaElement;
    prompt.value = this.settings.systemPrompt;
    prompt.addEventListener('input', () => this.change({ systemPrompt: prompt.value }));

    const lang = h('select', { id: 'setting-language' }) as HTMLSelectElement;
    for (const [value, text] of [
      ['auto', this.t('languageAuto')],
      ['zh', '中文'],
      ['en', 'English'],
    ] as const) {
      lang.appendChild(h('option', { value, selected: this.settings.language === value }, text));
    }
    lang.addEventListener('change', () => this.change({ language: lang.value as LanguageChoice }));

    const advanced = h(
      'details',
      { class: 'advanced' },
      h('summary', {}, this.t('advanced')),
      this.numberField('topK', 'topK', { optional: true }),
      this.numberField('minP', 'minP', { optional: true }),
      this.numberField('repetitionPenalty', 'repetitionPenalty', { optional: true }),
    );
    if (this.settings.topK !== null || this.settings.minP !== null || this.settings.repetitionPenalty !== null) advanced.open = true;

    const apiKey = this.keyField('apiKey', 'setting-api-key', 'apiKeyHint');
    const adminKey = this.keyField('adminKey', 'setting-admin-key', 'adminKeyHint');

    const close = () => this.element.close();
    this.element.append(
      h(
        'form',
        { method: 'dialog', class: 'dialog-panel', onsubmit: (e: Event) => e.preventDefault() },
        h('header', { class: 'dialog-head' }, h('h2', { id: 'settings-title' }, this.t('settings')), h('button', { type: 'button', class: 'icon-btn', 'aria-label': this.t('done'), onclick: close }, icon('close'))),
        h(
          'div',
          { class: 'dialog-body' },
          h('div', { class: 'field' }, h('div', { class: 'field-row' }, h('label', { for: 'setting-language' }, this.t('language')), lang)),
          h('div', { class: 'field' }, h('label', { for: 'setting-system', class: 'block-label' }, this.t('systemPrompt')), prompt),
          this.numberField('temperature', 'temperature', { slider: true, optional: true, hint: 'temperatureHint' }),
          this.numberField('topP', 'topP', { slider: true, optional: true }),
          this.numberField('maxTokens', 'maxTokens'),
          this.numberField('contextRounds', 'contextRounds', { hint: 'contextRoundsHint' }),
          advanced,
          apiKey,
          adminKey,
        ),
        h(
          'footer',
          { class: 'dialog-foot' },
          h('div', { class: 'dialog-foot-info' }, this.modelName ? h('span', { class: 'model-name' }, this.modelName) : null, h('a', { href: './THIRD_PARTY_NOTICES.txt', target: '_blank', rel: 'noopener' }, this.t('licenses'))),
          h(
            'div',
            { class: 'dialog-foot-buttons' },
            h('button', {
              type: 'button',
              class: 'btn btn-ghost',
              onclick: () => {
                // The language and the key are not sampling settings: a reset keeps them.
                this.settings = { ...DEFAULT_SETTINGS, language: this.settings.language, apiKey: this.settings.apiKey, adminKey: this.settings.adminKey };
                this.onChange(this.settings);
                this.build();
              },
            }, this.t('resetDefaults')),
            h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'settings-done', onclick: close }, this.t('done')),
          ),
        ),
      ),
    );
  }
}
