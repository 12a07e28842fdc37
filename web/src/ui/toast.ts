// Short notices at the bottom of the screen, read out by screen readers.
import { h } from './dom';

export class Toasts {
  readonly element = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });

  show(text: string, ms = 2600): void {
    const toast = h('div', { class: 'toast' }, text);
    this.element.appendChild(toast);
    setTimeout(() => {
      toast.classList.add('is-leaving');
      setTimeout(() => toast.remove(), 250);
    }, ms);
  }
}
