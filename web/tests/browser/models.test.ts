// The model picker: it lists the server's models with size, type and whether each is downloaded;
// a conversation keeps the model chosen for it and names it in its requests; the server loads the
// model asked for and unloads the other (scripts/test.sh runs the real server with a memory budget
// that holds one of its two models); a model not downloaded downloads from the picker.
import { afterAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { closeBrowser, isMock, openChat, send, waitForAnswer, waitForServerReady, type ChatPage } from './harness';

afterAll(closeBrowser);

interface Listed {
  id: string;
  type: string;
  bytes: number | null;
  downloaded: boolean;
  loaded: boolean;
  download?: unknown;
}

const listModels = async (s: ChatPage): Promise<Listed[]> => s.page.evaluate(async () => (await (await fetch('v1/models')).json()).data);
const loaded = async (s: ChatPage, id: string): Promise<boolean> => (await listModels(s)).find((m) => m.id === id)?.loaded ?? false;

// Chooses in the picker the first chat model that is not downloaded; waits for its download
// button.
async function chooseMissingModel(s: ChatPage): Promise<{ id: string; picker: Locator; download: Locator }> {
  const missing = (await listModels(s)).find((m) => m.type === 'chat' && !m.downloaded);
  expect(missing).toBeDefined();
  const picker = s.page.getByTestId('model-picker');
  await expect.poll(() => picker.locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(1);
  await picker.selectOption(missing!.id);
  const download = s.page.getByTestId('model-download');
  await expect.poll(() => download.isVisible()).toBe(true);
  return { id: missing!.id, picker, download };
}

describe('model picker', () => {
  it('lists every model; each conversation keeps its model; the server loads the one asked for', async (ctx) => {
    const s = await openChat();
    await waitForServerReady(s.page);
    const listed = await listModels(s);
    const picker = s.page.getByTestId('model-picker');
    await expect.poll(() => picker.locator('option').count(), { timeout: 30_000 }).toBe(listed.length);
    for (const m of listed) {
      const option = picker.locator(`option[value="${m.id}"]`);
      const text = (await option.textContent()) ?? '';
      expect(text).toContain(m.id);
      expect(text).toContain(m.type === 'chat' ? 'chat' : m.type);
      if (!m.downloaded) expect(text).toContain('not downloaded');
      if (m.bytes !== null) expect(text).toMatch(/\d (B|kB|MB|GB)/);
      expect(await option.isDisabled()).toBe(m.type !== 'chat'); // only chat models answer chats
    }
    const first = listed[0].id;
    expect(await picker.inputValue()).toBe(first); // the server's default
    const other = listed.find((m) => m.type === 'chat' && m.downloaded && m.id !== first);
    if (!other) {
      await s.close();
      ctx.skip(); // a server with one chat model
      return;
    }

    await picker.selectOption(other.id);
    await send(s.page, 'hello');
    expect(await waitForAnswer(s.page)).toBe('done');
    expect(s.chatRequests.at(-1)!.model).toBe(other.id);
    expect(await loaded(s, other.id)).toBe(true);
    expect(await loaded(s, first)).toBe(false); // unloaded for the other's room

    // A new chat starts with the default again, which loads again.
    await s.page.getByTestId('new-chat').click();
    await expect.poll(() => picker.inputValue()).toBe(first);
    await send(s.page, 'and you?');
    expect(await waitForAnswer(s.page)).toBe('done');
    expect(s.chatRequests.at(-1)!.model).toBe(first);
    expect(await loaded(s, first)).toBe(true);
    expect(await loaded(s, other.id)).toBe(false);

    // The first conversation kept its model.
    await s.page.locator('.conv-item').nth(1).click();
    await expect.poll(() => picker.inputValue()).toBe(other.id);
    await s.close();
  });

  it('cancels a download it started, and the model can be downloaded again', async (ctx) => {
    if (!isMock()) {
      ctx.skip(); // a real server would download from Hugging Face: tested in api_models_test
      return;
    }
    const s = await openChat();
    await waitForServerReady(s.page);
    const hold = (on: boolean) => fetch(new URL(`__mock/hold-downloads?on=${on ? 1 : 0}`, s.page.url()), { method: 'POST' });
    await hold(true);
    try {
      const { id, picker, download } = await chooseMissingModel(s);
      const cancel = s.page.getByTestId('model-cancel-download');
      expect(await cancel.isVisible()).toBe(false);
      await download.click();
      const progress = s.page.getByTestId('model-progress');
      await expect.poll(() => progress.textContent(), { timeout: 10_000 }).toMatch(/downloading 10% · /);
      expect(await download.isVisible()).toBe(false);
      await cancel.click();
      await expect.poll(() => progress.textContent(), { timeout: 10_000 }).toBe('');
      expect(await cancel.isVisible()).toBe(false);
      expect(await download.isVisible()).toBe(true);
      expect(await picker.locator(`option[value="${id}"]`).textContent()).toMatch(/ · not downloaded$/);
      const stats = await (await fetch(new URL('__mock/stats', s.page.url()))).json();
      expect(stats.cancels).toContain(id);
    } finally {
      await hold(false);
      await s.close();
    }
  });

  it('downloads a model that is not there, showing its progress, then chats with it', async (ctx) => {
    if (!isMock()) {
      ctx.skip(); // a real server would download from Hugging Face: tested in api_models_test
      return;
    }
    const s = await openChat();
    await waitForServerReady(s.page);
    const { id, picker, download: button } = await chooseMissingModel(s);
    // Sending before the download is refused here, not sent to fail.
    const before = s.chatRequests.length;
    await send(s.page, 'hello');
    expect(s.chatRequests.length).toBe(before);

    await button.click();
    const progress = s.page.getByTestId('model-progress');
    await expect.poll(() => progress.textContent(), { timeout: 10_000 }).toMatch(/downloading \d+% · .* \/ .*\/s/);
    await expect.poll(() => picker.locator(`option[value="${id}"]`).textContent(), { timeout: 15_000 }).toMatch(/ · downloaded$/);
    expect(await progress.textContent()).toBe('');
    expect(await button.isVisible()).toBe(false);
    await send(s.page, 'hello');
    expect(await waitForAnswer(s.page)).toBe('done');
    expect(s.chatRequests.at(-1)!.model).toBe(id);
    await s.close();
  });
});
