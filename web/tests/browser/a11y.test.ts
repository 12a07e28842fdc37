// Keyboard and screen-reader basics: every control has a name, and the page can be used from the
// keyboard alone.
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, openChat, send, waitForAnswer, waitForServerReady } from './harness';

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
});
