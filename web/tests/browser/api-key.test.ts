// A server started with --api-key: the page sends the key from its settings as a Bearer token on
// every API request, and a missing or wrong key is shown as such, pointing at the setting. Runs
// against a second server of the same kind as the run's own (the mock, or QE_SERVER_CMD with
// `--api-key KEY` appended).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeBrowser, lastAnswer, openChat, send, waitForAnswer } from './harness';
import { startServer, type ServerProcess } from './server-process';

const KEY = 'qe-test-key-7f3a';

// Which Authorization header each API request of the page carried.
function recordAuth(page: Page): { path: string; auth: string | undefined }[] {
  const seen: { path: string; auth: string | undefined }[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/v1/')) seen.push({ path, auth: r.headers()['authorization'] });
  });
  return seen;
}

async function setKey(page: Page, key: string): Promise<void> {
  await page.getByTestId('settings-top').click();
  await page.getByTestId('setting-api-key').fill(key);
  await page.getByTestId('settings-done').click();
}

// A server already running at QE_SERVER_URL cannot be restarted with a key, so only then is this
// skipped; the unit tests cover the header and the 401 handling without a server.
describe.skipIf(inject('serverKind') === 'url')('API key', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ apiKey: KEY });
  }, 130_000);
  afterAll(async () => {
    await closeBrowser();
    await server?.stop();
  });

  it('without the key, says so and points at the setting; with it, answers', async () => {
    const s = await openChat({}, server.url);
    const auth = recordAuth(s.page);
    // /health needs no key, /v1/models does: the status says the key is missing.
    await expect.poll(() => s.page.getByTestId('status').getAttribute('data-state'), { timeout: 30_000 }).toBe('locked');
    expect(await s.page.getByTestId('status').textContent()).toContain('API key needed');

    await send(s.page, 'hello');
    expect(await waitForAnswer(s.page)).toBe('error');
    const error = lastAnswer(s.page).locator('.msg-error');
    expect(await error.textContent()).toContain('The server needs an API key: enter it in Settings → API key');
    expect(auth.every((a) => a.auth === undefined)).toBe(true);

    // The error's own button opens the settings at the key.
    await error.locator('[data-action=settings]').click();
    await expect.poll(() => s.page.locator('dialog.settings-dialog').evaluate((d: HTMLDialogElement) => d.open)).toBe(true);
    await s.page.getByTestId('setting-api-key').fill('wrong-key');
    await s.page.getByTestId('settings-done').click();
    await error.locator('[data-action=retry]').click();
    expect(await waitForAnswer(s.page)).toBe('error');
    expect(await lastAnswer(s.page).locator('.msg-error').textContent()).toContain('The server refused the API key');
    expect(s.chatRequests).toHaveLength(2);

    await setKey(s.page, KEY);
    await expect.poll(() => s.page.getByTestId('status').getAttribute('data-state'), { timeout: 30_000 }).toBe('ready');
    await lastAnswer(s.page).locator('[data-action=retry]').click();
    expect(await waitForAnswer(s.page)).toBe('done');
    expect((await lastAnswer(s.page).locator('.md').textContent())?.length).toBeGreaterThan(0);
    const withKey = auth.slice(auth.findIndex((a) => a.auth === `Bearer ${KEY}`));
    expect(withKey.map((a) => a.path)).toEqual(expect.arrayContaining(['/v1/models', '/v1/chat/completions']));
    expect(withKey.every((a) => a.auth === `Bearer ${KEY}`)).toBe(true);

    // The key is remembered by the browser like the other settings.
    await s.page.reload();
    await s.page.getByTestId('composer').waitFor();
    await expect.poll(() => s.page.getByTestId('status').getAttribute('data-state'), { timeout: 30_000 }).toBe('ready');
    await send(s.page, 'and again');
    expect(await waitForAnswer(s.page)).toBe('done');
    expect(auth.at(-1)).toEqual({ path: '/v1/chat/completions', auth: `Bearer ${KEY}` });
    await s.close();
  });

  it('says it in Chinese too', async () => {
    const s = await openChat({ locale: 'zh-CN' }, server.url);
    await expect.poll(() => s.page.getByTestId('status').getAttribute('data-state'), { timeout: 30_000 }).toBe('locked');
    expect(await s.page.getByTestId('status').textContent()).toContain('需要 API 密钥');
    await send(s.page, '你好');
    expect(await waitForAnswer(s.page)).toBe('error');
    expect(await lastAnswer(s.page).locator('.msg-error').textContent()).toContain('服务器需要 API 密钥：请在“设置 → API 密钥”中填写');
    await s.close();
  });
});
