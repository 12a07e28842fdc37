// Screenshots of the page for the docs: desktop and phone, light and dark, made from the same
// imported conversations so they show the UI and not a particular server's answers.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePng, pixelsDifferent, saveScreenshot } from './png';
import { knowledgeConversation } from './fixtures';
import { closeBrowser, importDemo, openChat, send, waitForAnswer, waitForServerReady, type ChatPage } from './harness';

const OUT = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));

// Turns off the caret blink and transitions so the pictures are the same every run, once the page
// knows the model (the status's tooltip names it), which decides whether the thinking switch shows.
async function steady(s: ChatPage): Promise<void> {
  await expect.poll(() => s.page.getByTestId('status').getAttribute('title')).toContain(' · ');
  await s.page.addStyleTag({ content: '*,*::before,*::after{animation:none!important;transition:none!important;caret-color:transparent!important}.toasts{display:none!important}' });
  await s.page.mouse.move(0, 0);
}

afterAll(closeBrowser);

describe('screenshots', () => {
  mkdirSync(OUT, { recursive: true });

  for (const scheme of ['light', 'dark'] as const) {
    it(`desktop ${scheme}`, async () => {
      const s = await openChat({ colorScheme: scheme, locale: 'zh-CN', viewport: { width: 1280, height: 800 } });
      await importDemo(s);
      await s.page.locator('.conv-open', { hasText: '什么是递归' }).click();
      await s.page.locator('.code-block').first().waitFor();
      await waitForServerReady(s.page);
      await steady(s);
      saveScreenshot(join(OUT, `desktop-${scheme}.png`), await s.page.screenshot());
      await s.close();
    });

    it(`mobile ${scheme}`, async () => {
      const s = await openChat({ colorScheme: scheme, locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
      await importDemo(s);
      await s.page.locator('.menu-btn').click();
      await s.page.locator('.conv-open', { hasText: '一首关于春天的诗' }).click();
      await s.page.locator('.msg-assistant .md h2').waitFor();
      await waitForServerReady(s.page);
      await steady(s);
      saveScreenshot(join(OUT, `mobile-${scheme}.png`), await s.page.screenshot());
      await s.close();
    });
  }

  it('an answer from a knowledge base with its citations, then one passage open', async () => {
    const s = await openChat({ colorScheme: 'light', locale: 'zh-CN', viewport: { width: 1280, height: 800 } });
    const file = join(tmpdir(), `qe-knowledge-${process.pid}.json`);
    writeFileSync(file, JSON.stringify(knowledgeConversation()));
    await s.page.locator('.sidebar input[type=file]').setInputFiles(file);
    await s.page.locator('.conv-open', { hasText: '报销需要哪些材料' }).click();
    await waitForServerReady(s.page);
    await s.page.getByTestId('knowledge-switch').waitFor(); // the server has knowledge bases
    await steady(s);
    saveScreenshot(join(OUT, 'desktop-knowledge-light.png'), await s.page.screenshot());
    await s.page.getByTestId('citation-chip').nth(1).click();
    await s.page.getByTestId('citation-dialog').waitFor();
    saveScreenshot(join(OUT, 'desktop-citation-light.png'), await s.page.screenshot());
    await s.close();
  });

  it('empty screen with example prompts', async () => {
    const s = await openChat({ colorScheme: 'light', locale: 'zh-CN', viewport: { width: 1280, height: 800 } });
    await waitForServerReady(s.page);
    await expect.poll(() => s.page.getByTestId('example').count()).toBe(3);
    await steady(s);
    saveScreenshot(join(OUT, 'desktop-empty-light.png'), await s.page.screenshot());
    await s.close();
  });

  it('a live chat on a phone-sized viewport fits the screen', async () => {
    const s = await openChat({ colorScheme: 'light', locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await waitForServerReady(s.page);
    await send(s.page, '什么是递归？');
    expect(await waitForAnswer(s.page)).toBe('done');
    // Nothing wider than the screen: no sideways scrolling of the page itself.
    const overflow = await s.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // The side panel is a closed drawer; the menu button opens it.
    await expect.poll(() => s.page.locator('.sidebar').evaluate((el) => el.getBoundingClientRect().right)).toBeLessThanOrEqual(0);
    await s.page.locator('.menu-btn').click();
    await expect.poll(() => s.page.locator('.sidebar').evaluate((el) => el.getBoundingClientRect().left)).toBe(0);
    // The open drawer covers the left of the screen: its pixels differ from the closed view's.
    const shot = decodePng(await s.page.screenshot());
    expect(shot?.width).toBe(390);
    await s.page.locator('.scrim').click({ position: { x: 370, y: 400 } });
    await expect.poll(() => s.page.locator('.sidebar').evaluate((el) => el.getBoundingClientRect().right)).toBeLessThanOrEqual(0);
    const closed = decodePng(await s.page.screenshot());
    expect(pixelsDifferent(shot!, closed!)).toBeGreaterThan(10_000);
    await s.close();
  });
});
