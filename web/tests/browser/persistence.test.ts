// Nothing is lost on reload: conversations, a half-streamed answer, settings; plus rename,
// delete, export and import.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { answerText, closeBrowser, lastAnswer, openChat, send, slowAnswers, throttleDownloads, waitForAnswer, waitForServerReady } from './harness';

afterAll(closeBrowser);

describe('persistence', () => {
  it('reload keeps the conversation, its answers and their timings', async () => {
    const s = await openChat();
    await waitForServerReady(s.page);
    await send(s.page, 'remember this');
    await waitForAnswer(s.page);
    const answer = await answerText(s.page);
    await s.page.reload();
    await s.page.locator('.msg-assistant').first().waitFor();
    expect(await answerText(s.page)).toBe(answer);
    expect(await s.page.locator('.msg-user .bubble').first().textContent()).toBe('remember this');
    expect(await lastAnswer(s.page).locator('[data-meta=ttft]').count()).toBe(1);
    expect(await s.page.locator('.conv-item .conv-title').allTextContents()).toEqual(['remember this']);
    // The conversation goes on with its history after the reload.
    await send(s.page, 'and now?');
    await waitForAnswer(s.page);
    expect(s.chatRequests.at(-1)!.messages).toHaveLength(3);
    await s.close();
  });

  it('an answer cut by a reload is kept as far as it had come', async () => {
    const s = await openChat();
    await waitForServerReady(s.page);
    await slowAnswers(s.page); // still streaming at the reload, whatever the server
    await send(s.page, 'Write a long answer please');
    await expect.poll(async () => (await answerText(s.page)).length, { timeout: 20_000 }).toBeGreaterThan(80);
    await s.page.waitForTimeout(700); // the growing answer is saved a few times a second
    const before = await answerText(s.page);
    await throttleDownloads(s.page, null);
    await s.page.reload();
    await s.page.locator('.msg-assistant').first().waitFor();
    expect(await lastAnswer(s.page).getAttribute('data-status')).toBe('interrupted');
    const kept = await answerText(s.page);
    expect(kept.length).toBeGreaterThan(40);
    expect(before.startsWith(kept.slice(0, 40))).toBe(true);
    await s.close();
  });

  it('settings are remembered and sent with every request', async () => {
    const s = await openChat();
    await waitForServerReady(s.page);
    await s.page.getByTestId('settings-top').click();
    await s.page.locator('#setting-system').fill('Answer briefly.');
    await s.page.locator('#setting-temperature').fill('0.3');
    await s.page.locator('#setting-topP').fill('0.9');
    await s.page.locator('#setting-maxTokens').fill('256');
    await s.page.locator('#setting-contextRounds').fill('1');
    await s.page.getByTestId('settings-done').click();
    await s.page.reload();
    await s.page.getByTestId('composer').waitFor();
    await s.page.getByTestId('settings-top').click();
    expect(await s.page.locator('#setting-temperature').inputValue()).toBe('0.3');
    expect(await s.page.locator('#setting-system').inputValue()).toBe('Answer briefly.');
    await s.page.getByTestId('settings-done').click();

    await send(s.page, 'q1');
    await waitForAnswer(s.page);
    const r = s.chatRequests.at(-1)!;
    expect(r).toMatchObject({ temperature: 0.3, top_p: 0.9, max_tokens: 256, max_rounds: 1 });
    expect(r.messages[0]).toEqual({ role: 'system', content: 'Answer briefly.' });

    // With one round kept, the third question leaves the first round out, and the page says so.
    await send(s.page, 'q2');
    await waitForAnswer(s.page);
    expect(await s.page.locator('.notice').count()).toBe(0);
    await send(s.page, 'q3');
    await waitForAnswer(s.page);
    await expect.poll(() => s.page.locator('.notice').textContent()).toBe('1 earlier round(s) no longer in context');
    await s.close();
  });

  it('the language follows the browser and can be switched', async () => {
    const s = await openChat({ locale: 'zh-CN' });
    expect(await s.page.getByTestId('composer').getAttribute('placeholder')).toBe('输入消息…');
    await s.page.getByTestId('settings-top').click();
    await s.page.locator('#setting-language').selectOption('en');
    await s.page.getByTestId('settings-done').click();
    expect(await s.page.getByTestId('composer').getAttribute('placeholder')).toBe('Send a message…');
    await s.page.reload();
    await s.page.getByTestId('composer').waitFor();
    expect(await s.page.getByTestId('composer').getAttribute('placeholder')).toBe('Send a message…');
    expect(await s.page.evaluate(() => document.documentElement.lang)).toBe('en');
    await s.close();
  });

  it('rename, delete, export and import conversations', async () => {
    const s = await openChat();
    await waitForServerReady(s.page);
    await send(s.page, 'first chat');
    await waitForAnswer(s.page);
    await s.page.getByTestId('new-chat').click();
    await send(s.page, 'second chat');
    await waitForAnswer(s.page);

    const item = s.page.locator('.conv-item', { hasText: 'first chat' });
    await item.hover();
    await item.getByTestId('rename').click();
    await s.page.locator('.rename-input').fill('Renamed one');
    await s.page.locator('.rename-input').press('Enter');
    await expect.poll(() => s.page.locator('.conv-item .conv-title').allTextContents()).toEqual(['second chat', 'Renamed one']);

    const download = s.page.waitForEvent('download');
    await s.page.getByTestId('export').click();
    const file = await (await download).path();
    const exported = JSON.parse(readFileSync(file, 'utf8'));
    expect(exported.format).toBe('qwen-edge.conversations');
    expect(exported.conversations.map((c: { title: string }) => c.title)).toEqual(['second chat', 'Renamed one']);

    // One conversation as Markdown, in one click.
    const renamed = s.page.locator('.conv-item', { hasText: 'Renamed one' });
    await renamed.hover();
    const mdDownload = s.page.waitForEvent('download');
    await renamed.getByTestId('export-markdown').click();
    const md = await mdDownload;
    expect(md.suggestedFilename()).toBe('Renamed one.md');
    const text = readFileSync(await md.path(), 'utf8');
    expect(text.startsWith('# Renamed one\n')).toBe(true);
    expect(text).toContain('## You\n\nfirst chat\n\n## Assistant\n\n');

    for (const title of ['Renamed one', 'second chat']) {
      const row = s.page.locator('.conv-item', { hasText: title });
      await row.hover();
      await row.getByTestId('delete').click();
      await s.page.getByTestId('confirm').click();
    }
    await expect.poll(() => s.page.locator('.conv-item').count()).toBe(0);
    await s.page.reload();
    await s.page.getByTestId('composer').waitFor();
    expect(await s.page.locator('.conv-item').count()).toBe(0);

    await s.page.locator('.sidebar input[type=file]').setInputFiles(file);
    await expect.poll(() => s.page.locator('.conv-item .conv-title').allTextContents()).toEqual(['second chat', 'Renamed one']);
    await s.page.reload();
    await expect.poll(() => s.page.locator('.conv-item').count()).toBe(2);
    await s.page.locator('.conv-open', { hasText: 'Renamed one' }).click();
    expect(await s.page.locator('.msg-user .bubble').first().textContent()).toBe('first chat');
    await s.close();
  });
});
