// A small modal question with Cancel and a (possibly dangerous) confirm button.
import { h } from './dom';

export function confirmDialog(options: { title: string; body: string; confirm: string; cancel: string; danger?: boolean }): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'dialog confirm-dialog', role: 'alertdialog', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-body' });
    let answer = false;
    const done = (yes: boolean) => {
      answer = yes;
      dialog.close();
    };
    const confirmBtn = h('button', { type: 'button', class: `btn ${options.danger ? 'btn-danger' : 'btn-primary'}`, 'data-testid': 'confirm', onclick: () => done(true) }, options.confirm);
    dialog.append(
      h(
        'div',
        { class: 'dialog-panel' },
        h('div', { class: 'dialog-body' }, h('h2', { id: 'confirm-title' }, options.title), h('p', { id: 'confirm-body' }, options.body)),
        h('footer', { class: 'dialog-foot dialog-foot-end' }, h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => done(false) }, options.cancel), confirmBtn),
      ),
    );
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    confirmBtn.focus();
  });
}
