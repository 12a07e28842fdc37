// Keyboard and screen-reader basics: every control has a name, and the page can be used from the
// keyboard alone.
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, importDemo, openChat, send, waitForAnswer, waitForServerReady } from './harness';

afterAll(closeBrowser);

describe('accessibility', () => {
  it('every button and field has an accessible name', async () => {
    const s = await openChat();
    await waitForServerReady(s.page);
    await send(s.page, 'hello');
    await waitForAnswer(s.page);
    await s.page.getByTestId('settings-top').click();
    const unnamed = await s.page.evaluate(() =>
      [...document.querySelectorAll('button, textarea, input:not([type=file]), select')]
        .filter((el) => {
          const label = el.getAttribute('aria-label') || el.textContent?.trim() || (el.id && document.querySelector(`label[for="${el.id}"]`)?.textContent);
          return !label;
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unnamed).toEqual([]);
    await s.close();
  });

  it('can be driven from the keyboard: type, send, reach the answer actions, open settings', async () => {
    const s = await openChat();
    await waitForServerReady(s.page);
    await s.page.keyboard.type('keyboard only');
    await s.page.keyboard.press('Enter');
    await waitForAnswer(s.page);
    // Tab from the message box walks to the send button.
    await s.page.getByTestId('composer').focus();
    await s.page.keyboard.press('Tab');
    expect(await s.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('send');
    // The answer's actions are reachable and visible when focused.
    await s.page.locator('.msg-assistant [data-action=copy]').focus();
    expect(await s.page.locator('.msg-assistant .msg-actions').evaluate((el) => getComputedStyle(el).opacity)).toBe('1');
    // Settings open with Enter on the button and close with Escape.
    await s.page.getByTestId('settings-top').focus();
    await s.page.keyboard.press('Enter');
    await expect.poll(() => s.page.locator('.settings-dialog').evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
    await s.page.keyboard.press('Escape');
    await expect.poll(() => s.page.locator('.settings-dialog').evaluate((d) => (d as HTMLDialogElement).open)).toBe(false);
    await s.close();
  });

  // WCAG 2 AA: 4.5:1 for text, 3:1 for large text (24 px, or 18.7 px bold). Every visible text of a
  // conversation with code, a table, the side list and the settings panel, in both themes.
  for (const scheme of ['light', 'dark'] as const) {
    it(`text has readable contrast (WCAG AA), ${scheme}`, async () => {
      const s = await openChat({ colorScheme: scheme, locale: 'zh-CN' });
      await importDemo(s);
      await s.page.locator('.conv-open', { hasText: '什么是递归' }).click();
      await s.page.locator('.code-block').first().waitFor();
      await waitForServerReady(s.page);
      await s.page.addStyleTag({ content: '*,*::before,*::after{transition:none!important;animation:none!important}' });
      const failures: string[] = [];
      for (const view of ['chat', 'settings'] as const) {
        if (view === 'settings') await s.page.getByTestId('settings-top').click();
        failures.push(...(await s.page.evaluate(lowContrastTexts, view === 'settings' ? '.settings-dialog' : 'body')));
      }
      expect(failures).toEqual([]);
      await s.close();
    });
  }
});

// Runs in the page: the texts under `rootSelector` whose contrast with what is behind them is below
// AA. Backgrounds are composited up the ancestors; texts over images or gradients are skipped.
function lowContrastTexts(rootSelector: string): string[] {
  type Rgba = [number, number, number, number];
  const parse = (c: string): Rgba => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top: Rgba, under: Rgba): Rgba => {
    const a = top[3] + under[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    const mix = (i: number) => (top[i] * top[3] + under[i] * under[3] * (1 - top[3])) / a;
    return [mix(0), mix(1), mix(2), a];
  };
  const luminance = ([r, g, b]: Rgba) => {
    const lin = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const backgroundOf = (el: Element): Rgba | null => {
    const layers: Rgba[] = [];
    for (let e: Element | null = el; e; e = e.parentElement) {
      const st = getComputedStyle(e);
      if (st.backgroundImage !== 'none') return null;
      const c = parse(st.backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let bg: Rgba = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const root = document.querySelector(rootSelector);
  const out: string[] = [];
  if (!root) return ['no ' + rootSelector];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const seen = new Set<Element>();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || seen.has(el) || !n.textContent?.trim()) continue;
    seen.add(el);
    if (el.closest('[aria-hidden="true"], .toasts')) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    const st = getComputedStyle(el);
    if (st.visibility !== 'visible') continue;
    let opacity = 1;
    for (let e: Element | null = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
    if (opacity < 0.05) continue; // not shown (e.g. actions that appear on hover or focus)
    const bg = backgroundOf(el);
    if (!bg) continue;
    const fg = parse(st.color);
    fg[3] *= opacity;
    const text = over(fg, bg);
    const [l1, l2] = [luminance(text), luminance(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(st.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(st.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) out.push(`${ratio.toFixed(2)} ${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${n.textContent.trim().slice(0, 30)}"`);
  }
  return out;
}
