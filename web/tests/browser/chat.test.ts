// Sending, streaming, stopping, regenerating, editing and resetting, as a person would.
import { afterAll, describe, expect, it } from 'vitest';
import { answerText, closeBrowser, isMock, lastAnswer, openChat, send, slowAnswers, throttleDownloads, waitForAnswer, waitForServerReady } from './harness';

afterAll(closeBrowser);

describe('chat', () => {
  it('streams: the answer grows over time before it ends, then shows its timings', async () => {
    const s = await openChat();
    await waitForServerReady(s.page);
    // Record the answer's length at every change of the page while it streams.
    await s.page.evaluate(() => {
      const w = window as unknown as { lengths: number[] };
      w.lengths = [];
      new MutationObserver(() => {
        const all = document.querySelectorAll('.msg-assistant');
        const last = all[all.length - 1];
        if (last?.getAttribute('data-status') === 'streaming') w.lengths.push(last.querySelector('.md')?.textContent?.length ?? 0);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await send(s.page, 'Tell me about the weather');
    await expect.poll(() => s.page.getByTestId('status').getAttribute('data-state')).toBe('busy');
    await expect.poll(() => s.page.getByTestId('send').getAttribute('class')).toContain('is-stop');
    expect(await waitForAnswer(s.page)).toBe('done');

    const lengths = await s.page.evaluate(() => (window as unknown as { lengths: number[] }).lengths);
    const seen = [...new Set(lengths.filter((n) => n > 0))];
    expect(seen.length, `lengths seen while streaming: ${seen.join(',')}`).toBeGreaterThanOrEqual(5);
    if (isMock()) expect(seen).toEqual([...seen].sort((a, b) => a - b)); // plain growth, never jumps back
    expect((await answerText(s.page)).length).toBeGreaterThan(seen[0]);

    await expect.poll(() => lastAnswer(s.page).locator('[data-meta=ttft]').textContent()).toMatch(/first token \d/);
    await expect.poll(() => lastAnswer(s.page).locator('[data-meta=speed]').textContent()).toMatch(/[\d.]+ tokens\/s/);
    await expect.poll(() => s.page.getByTestId('status').getAttribute('data-state')).toBe('ready');

    const request = s.chatRequests.at(-1)!;
    expect(request.stream).toBe(true);
    expect(request.max_rounds).toBe(3);
    expect(request.messages).toEqual([{ role: 'user', content: 'Tell me about the weather' }]);
    await s.close();
  });

  it('Stop ends the answer mid-way and keeps what arrived', async () => {
    const s = await openChat();
    await waitForServerReady(s.page);
    await slowAnswers(s.page); // still streaming when Stop is pressed, whatever the server
    await send(s.page, 'Write a long answer please');
    await expect.poll(async () => (await answerText(s.page)).length, { timeout: 20_000 }).toBeGreaterThan(40);
    await s.page.getByTestId('send').click(); // the send button is Stop while answering
    expect(await waitForAnswer(s.page)).toBe('stopped');
    const atStop = await answerText(s.page);
    await s.page.waitForTimeout(800);
    expect(await answerText(s.page)).toBe(atStop); // nothing more arrives
    expect(atStop.length).toBeGreaterThan(40);
    await expect(lastAnswer(s.page).locator('[data-finish=stopped]').textContent()).resolves.toBe('Stopped');
    await expect.poll(() => s.page.getByTestId('send').getAttribute('class')).not.toContain('is-stop');
    if (isMock()) {
      const stats = await (await fetch(new URL('__mock/stats', s.page.url()))).json();
      expect(stats.aborted).toBeGreaterThanOrEqual(1);
    }
    // The stopped part is history for the next turn.
    await throttleDownloads(s.page, null);
    await send(s.page, 'go on');
    await waitForAnswer(s.page);
    expect(s.chatRequests.at(-1)!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(s.chatRequests.at(-1)!.messages[1].content.length).toBeGreaterThanOrEqual(atStop.length - 2);
    await s.close();
  });

  it('Esc in the message box stops the answer too', async () => {
    const s = await openChat();
    await waitForServerReady(s.page);
    await slowAnswers(s.page); // still streaming when Stop is pressed, whatever the server
    await send(s.page, 'Write a long answer please');
    await expect.poll(async () => (await answerText(s.page)).length, { timeout: 20_000 }).toBeGreaterThan(10);
    await s.page.getByTestId('composer').press('Escape');
    expect(await waitForAnswer(s.page)).toBe('stopped');
    await s.close();
  });

  it('follow-ups carry the history; New chat starts with none', async () => {
    const s = await openChat();
    await waitForServerReady(s.page);
    await send(s.page, 'first question');
    await waitForAnswer(s.page);
    await send(s.page, 'a follow-up');
    await waitForAnswer(s.page);
    expect(s.chatRequests.at(-1)!.messages.map((m) => m.content.slice(0, 14))).toEqual(['first question', expect.any(String), 'a follow-up']);

    await s.page.getByTestId('new-chat').click();
    await expect.poll(() => s.page.getByTestId('example').count()).toBe(3);
    await send(s.page, 'fresh start');
    await waitForAnswer(s.page);
    expect(s.chatRequests.at(-1)!.messages).toEqual([{ role: 'user', content: 'fresh start' }]);
    // The earlier conversation is still listed.
    await expect.poll(() => s.page.locator('.conv-item').count()).toBe(2);
    await s.close();
  });

  it('typing 重新开始 alone resets instead of being sent', async () => {
    const s = await openChat({ locale: 'zh-CN' });
    await waitForServerReady(s.page);
    await send(s.page, '你好');
    await waitForAnswer(s.page);
    const before = s.chatRequests.length;
    await send(s.page, '重新开始');
    await expect.poll(() => s.page.getByTestId('example').count()).toBe(3);
    await s.page.waitForTimeout(300);
    expect(s.chatRequests.length).toBe(before); // nothing went to the model
    await expect.poll(() => s.page.locator('.toast').first().textContent()).toBe('已开始新对话');
    await send(s.page, '再来一次');
    await waitForAnswer(s.page);
    expect(s.chatRequests.at(-1)!.messages).toEqual([{ role: 'user', content: '再来一次' }]);
    await s.close();
  });

  it('Regenerate asks again with the same history and replaces the answer', async () => {
    const s = await openChat();
    await waitForServerReady(s.page);
    await send(s.page, 'tell me something');
    await waitForAnswer(s.page);
    await lastAnswer(s.page).locator('[data-action=regenerate]').click();
    expect(await waitForAnswer(s.page)).toBe('done');
    expect(s.chatRequests).toHaveLength(2);
    expect(s.chatRequests[1].messages).toEqual(s.chatRequests[0].messages);
    expect(await s.page.locator('.msg-assistant').count()).toBe(1);
    await s.close();
  });

  it('Edit and resend replaces the question and drops what followed it', async () => {
    const s = await openChat();
    await waitForServerReady(s.page);
    await send(s.page, 'first version');
    await waitForAnswer(s.page);
    await send(s.page, 'second message');
    await waitForAnswer(s.page);
    const firstUser = s.page.locator('.msg-user').first();
    await firstUser.hover();
    await firstUser.locator('[data-action=edit]').click();
    const editor = s.page.locator('.edit-area');
    await editor.fill('edited version');
    await s.page.getByRole('button', { name: 'Save & send' }).click();
    await waitForAnswer(s.page);
    expect(s.chatRequests.at(-1)!.messages).toEqual([{ role: 'user', content: 'edited version' }]);
    expect(await s.page.locator('.msg').count()).toBe(2);
    await s.close();
  });

  it('copies an answer and a code block', async () => {
    const s = await openChat();
    await s.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await waitForServerReady(s.page);
    await s.page.route('**/v1/chat/completions', (route) =>
      route.fulfill({
        status: 200,
        headers: { 'Content-Type': 'text/event-stream' },
        body: `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'Code:\n\n```python\nprint("hi")\n```' }, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`,
      }),
    );
    await send(s.page, 'code please');
    await waitForAnswer(s.page);
    await lastAnswer(s.page).locator('.code-copy').click();
    await expect.poll(() => s.page.evaluate(() => navigator.clipboard.readText())).toBe('print("hi")');
    await lastAnswer(s.page).locator('[data-action=copy]').click();
    await expect.poll(() => s.page.evaluate(() => navigator.clipboard.readText())).toBe('Code:\n\n```python\nprint("hi")\n```');
    await s.close();
  });

  it('shows a busy server as an error with Retry, and Retry works', async () => {
    const s = await openChat();
    await waitForServerReady(s.page);
    await s.page.route('**/v1/chat/completions', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'Content-Type': 'application/json', 'Retry-After': '3' },
        body: JSON.stringify({ error: { message: 'queue full', type: 'server_busy', code: 'queue_full' } }),
      }),
    );
    await send(s.page, 'hello there');
    expect(await waitForAnswer(s.page)).toBe('error');
    await expect(lastAnswer(s.page).locator('.msg-error').textContent()).resolves.toContain('try again in 3 s');
    await s.page.unroute('**/v1/chat/completions');
    await lastAnswer(s.page).getByRole('button', { name: 'Retry' }).click();
    expect(await waitForAnswer(s.page)).toBe('done');
    expect(await s.page.locator('.msg-assistant').count()).toBe(1);
    await s.close();
  });
});
