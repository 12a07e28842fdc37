// The composer's "answer from documents" switch: off, or the knowledge base this conversation's
// questions are answered from. A native select, so that keyboards and screen readers get it free.
import type { Translate } from '../i18n';
import { h } from './dom';
import { icon } from './icons';

export class KnowledgeSwitch {
  readonly element: HTMLLabelElement;
  private readonly select: HTMLSelectElement;
  private readonly text = h('span', {});

  constructor(
    private t: Translate,
    onChange: (base: string | null) => void,
  ) {
    this.select = h('select', { class: 'kb-select', 'data-testid': 'knowledge-select' }) as HTMLSelectElement;
    this.select.addEventListener('change', () => onChange(this.select.value === '' ? null : this.select.value));
    this.element = h('label', { class: 'think-toggle kb-toggle', 'data-testid': 'knowledge-switch', hidden: true }, icon('book', 16), this.text, this.select) as HTMLLabelElement;
  }

  setTranslate(t: Translate): void {
    this.t = t;
  }

  // `bases`: the server's; `selected`: this conversation's (kept listed even when the server no
  // longer has it, so the choice in force is visible); null when off.
  render(available: boolean, bases: string[], defaultBase: string | null, selected: string | null): void {
    this.element.hidden = !available;
    this.element.classList.toggle('is-on', selected !== null);
    this.element.title = this.t('knowledgeSwitchHint');
    this.text.textContent = this.t('knowledgeSwitch');
    const names = selected !== null && !bases.includes(selected) ? [...bases, selected] : bases;
    this.select.replaceChildren(
      h('option', { value: '' }, this.t('knowledgeSwitchOff')),
      ...names.map((name) => h('option', { value: name }, name === defaultBase ? this.t('knowledgeDefault', { name }) : name)),
    );
    this.select.value = selected ?? '';
  }
}
