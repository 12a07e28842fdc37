// Enter sends, Shift+Enter makes a new line, and Enter that commits an input method's
// composition (Chinese pinyin, Japanese kana) must never send. Browsers disagree on the order of
// events: Chrome sends keydown(isComposing) then compositionend; Safari sends compositionend
// first and then a keydown with keyCode 229. The guard covers both.

export interface KeyLike {
  key: string;
  shiftKey: boolean;
  altKey?: boolean;
  isComposing?: boolean;
  keyCode?: number;
}

// keyCode 229 is "the IME is handling this key" in every engine that still sets keyCode.
const IME_KEY_CODE = 229;

export function isSendKey(e: KeyLike, composing: boolean): boolean {
  if (e.key !== 'Enter' || e.shiftKey || e.altKey) return false;
  if (composing || e.isComposing || e.keyCode === IME_KEY_CODE) return false;
  return true;
}

export class ImeGuard {
  private composing = false;
  // Set by compositionend until the key that ended it is released: Safari's commit Enter
  // arrives after compositionend and must still not send.
  private justEnded = false;
  private clearTimer: ReturnType<typeof setTimeout> | undefined;

  onCompositionStart(): void {
    this.composing = true;
    this.justEnded = false;
  }

  onCompositionEnd(): void {
    this.composing = false;
    this.justEnded = true;
    clearTimeout(this.clearTimer);
    // If no key ended it (a click, a candidate picked with the mouse), forget it soon.
    this.clearTimer = setTimeout(() => (this.justEnded = false), 100);
  }

  onKeyUp(): void {
    this.justEnded = false;
  }

  get isComposing(): boolean {
    return this.composing;
  }

  shouldSend(e: KeyLike): boolean {
    return isSendKey(e, this.composing || this.justEnded);
  }

  attach(el: HTMLElement): void {
    el.addEventListener('compositionstart', () => this.onCompositionStart());
    el.addEventListener('compositionend', () => this.onCompositionEnd());
    el.addEventListener('keyup', () => this.onKeyUp());
  }
}
