import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ImeGuard, isSendKey } from '../../src/ime';

const enter = { key: 'Enter', shiftKey: false };

describe('isSendKey', () => {
  it('sends on Enter and not on Shift+Enter or other keys', () => {
    expect(isSendKey(enter, false)).toBe(true);
    expect(isSendKey({ ...enter, shiftKey: true }, false)).toBe(false);
    expect(isSendKey({ key: 'a', shiftKey: false }, false)).toBe(false);
  });

  it('never sends while an IME composes, however the browser says so', () => {
    expect(isSendKey({ ...enter, isComposing: true }, false)).toBe(false);
    expect(isSendKey({ ...enter, keyCode: 229 }, false)).toBe(false);
    expect(isSendKey(enter, true)).toBe(false);
  });
});

describe('ImeGuard', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('Chrome order: keydown(isComposing) then compositionend, then a real Enter sends', () => {
    const g = new ImeGuard();
    g.onCompositionStart();
    expect(g.shouldSend({ ...enter, isComposing: true, keyCode: 229 })).toBe(false);
    g.onCompositionEnd();
    g.onKeyUp();
    expect(g.shouldSend({ ...enter, keyCode: 13 })).toBe(true);
  });

  it('Safari order: compositionend first, then the committing Enter must not send', () => {
    const g = new ImeGuard();
    g.onCompositionStart();
    g.onCompositionEnd();
    // Safari's commit keydown may even come without isComposing and with a normal keyCode.
    expect(g.shouldSend({ ...enter, isComposing: false, keyCode: 13 })).toBe(false);
    g.onKeyUp();
    expect(g.shouldSend(enter)).toBe(true);
  });

  it('forgets a composition ended by the mouse after a moment', () => {
    const g = new ImeGuard();
    g.onCompositionStart();
    g.onCompositionEnd();
    expect(g.shouldSend(enter)).toBe(false);
    vi.advanceTimersByTime(200);
    expect(g.shouldSend(enter)).toBe(true);
  });

  it('tracks composition between start and end', () => {
    const g = new ImeGuard();
    expect(g.isComposing).toBe(false);
    g.onCompositionStart();
    expect(g.isComposing).toBe(true);
    expect(g.shouldSend(enter)).toBe(false);
    g.onCompositionEnd();
    expect(g.isComposing).toBe(false);
  });
});
