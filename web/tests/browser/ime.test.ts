// Enter that commits an input method's composition must not send; Enter after it does.
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, openChat, waitForAnswer, waitForServerReady } from './harness';

afterAll(closeBrowser);

describe('IME composition', () => {
  it('a real composition (Chrome IME protocol): Enter commits, only the next Enter sends', async () => {
    const s = await openChat({ locale: 'zh-CN' });
    await waitForServerReady(s.page);
    const box = s.page.getByTestId('composer');
    await box.click();
    const cdp = await s.context.newCDPSession(s.page);
    // Log the key events the page sees, to prove the composition was real.
    await s.page.evaluate(() => {
      const w = window as unknown as { keys: string[] };
      w.keys = [];
      const el = document.querySelector('[data-testid=composer]')!;
      for (const type of ['compositionstart', 'compositionend']) el.addEventListener(type, () => w.keys.push(type));
      el.addEventListener('keydown', (e) => {
        const k = e as KeyboardEvent;
        if (k.key === 'Enter' || k.keyCode === 229) w.keys.push(`keydown:${k.key}:${k.isComposing}`);
      });
    });

    await cdp.send('Input.imeSetComposition', { text: 'ni', selectionStart: 2, selectionEnd: 2 });
    await cdp.send('Input.imeSetComposition', { text: 'nihao', selectionStart: 5, selectionEnd: 5 });
    await s.page.keyboard.press('Enter'); // while composing
    await cdp.send('Input.insertText', { text: '你好' }); // the IME commits its candidate
    await s.page.waitForTimeout(300);
    expect(s.chatRequests).toHaveLength(0);
    // A real IME swallows its commit Enter; the protocol's simulated one also reaches the
    // textarea as a newline. What matters: nothing was sent, the text is kept.
    expect((await box.inputValue()).trim()).toBe('你好');
    const keys = await s.page.evaluate(() => (window as unknown as { keys: string[] }).keys);
    expect(keys).toContain('compositionstart');
    expect(keys).toContain('keydown:Enter:true');

    await s.page.keyboard.press('Enter');
    await waitForAnswer(s.page);
    expect(s.chatRequests).toHaveLength(1);
    expect(s.chatRequests[0].messages).toEqual([{ role: 'user', content: '你好' }]);
    await s.close();
  });

  it('both browser event orders (Chrome and Safari) are held back', async () => {
    const s = await openChat({ locale: 'zh-CN' });
    await waitForServerReady(s.page);
    const box = s.page.getByTestId('composer');
    await box.fill('拼音');
    await box.evaluate((el) => {
      const key = (init: KeyboardEventInit & { keyCode?: number }) => {
        const e = new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true, ...init });
        if (init.keyCode !== undefined) Object.defineProperty(e, 'keyCode', { get: () => init.keyCode });
        el.dispatchEvent(e);
      };
      // Chrome: keydown with isComposing, then compositionend, then keyup.
      el.dispatchEvent(new CompositionEvent('compositionstart', { bubbles: true }));
      key({ isComposing: true, keyCode: 229 });
      el.dispatchEvent(new CompositionEvent('compositionend', { bubbles: true, data: '拼音' }));
      el.dispatchEvent(new KeyboardEvent('keyup', { key: 'Enter', bubbles: true }));
      // Safari: compositionend first, then a keydown that no longer says it composes.
      el.dispatchEvent(new CompositionEvent('compositionstart', { bubbles: true }));
      el.dispatchEvent(new CompositionEvent('compositionend', { bubbles: true, data: '拼音' }));
      key({ isComposing: false, keyCode: 229 });
      key({ isComposing: false, keyCode: 13 });
      el.dispatchEvent(new KeyboardEvent('keyup', { key: 'Enter', bubbles: true }));
    });
    await s.page.waitForTimeout(300);
    expect(s.chatRequests).toHaveLength(0);
    expect(await box.inputValue()).toBe('拼音');

    // Shift+Enter makes a new line and does not send either.
    await box.press('Shift+Enter');
    expect(s.chatRequests).toHaveLength(0);
    await box.press('Enter');
    await waitForAnswer(s.page);
    expect(s.chatRequests).toHaveLength(1);
    await s.close();
  });
});
