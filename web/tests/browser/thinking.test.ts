// Thinking: the 深度思考 switch decides what each request of its conversation sends, and an
// answer's thinking streams into a block above it that closes with its time once the answer starts.
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, lastAnswer, openChat, send, waitForAnswer, waitForServerReady, type ChatPage } from './harness';

afterAll(closeBrowser);

// Waits until the page knows the model (GET /v1/models answered): the status's tooltip names it.
async function waitForModel(s: ChatPage): Promise<void> {
  await expect.poll(() => s.page.getByTestId('status').getAttribute('title'), { timeout: 30_000 }).toContain(' · ');
}

describe('thinking', () => {
  it('the switch follows the model: hidden, and nothing sent, for a model that cannot think', async () => {
    const s = await openChat();
    await waitForServerReady(s.page);
    await waitForModel(s);
    const models = await s.page.evaluate(async () => (await fetch('v1/models')).json());
    const thinking = models.data[0].thinking ?? { supported: false, default: false };
    const toggle = s.page.getByTestId('thinking-toggle');
    expect(await toggle.isVisible()).toBe(thinking.supported);
    if (thinking.supported) expect(await toggle.getAttribute('aria-pressed')).toBe(String(thinking.default));
    await send(s.page, 'hello');
    await waitForAnswer(s.page);
    const request = s.chatRequests.at(-1)!;
    if (thinking.supported) expect(request.chat_template_kwargs).toEqual({ enable_thinking: thinking.default });
    else expect(request).not.toHaveProperty('chat_template_kwargs');
    // Sampling left to the server, which picks it per model and per thinking mode.
    expect(request).not.toHaveProperty('temperature');
    expect(request).not.toHaveProperty('top_p');
    await s.close();
  });

  it('streams the thinking, closes it with its time, keeps the switch with the conversation', async (ctx) => {
    const s = await openChat();
    await waitForServerReady(s.page);
    await waitForModel(s);
    const toggle = s.page.getByTestId('thinking-toggle');
    if (!(await toggle.isVisible())) {
      await s.close();
      ctx.skip(); // the server's model cannot think
      return;
    }
    // Turn thinking on if the model's default has it off.
    if ((await toggle.getAttribute('aria-pressed')) === 'false') await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('true');

    // Record the thinking block's state and text length at every change while the answer streams.
    await s.page.evaluate(() => {
      const w = window as unknown as { seen: { state: string; open: boolean; len: number; answer: number }[] };
      w.seen = [];
      new MutationObserver(() => {
        const last = [...document.querySelectorAll('.msg-assistant')].at(-1);
        const block = last?.querySelector<HTMLDetailsElement>('[data-testid=thinking]');
        if (!last || !block || last.getAttribute('data-status') !== 'streaming') return;
        w.seen.push({ state: block.dataset.state ?? '', open: block.open, len: block.querySelector('.thinking-body')?.textContent?.length ?? 0, answer: last.querySelector('.md')?.textContent?.length ?? 0 });
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await send(s.page, 'What is recursion?');
    expect(s.chatRequests.at(-1)!.chat_template_kwargs).toEqual({ enable_thinking: true });
    const block = lastAnswer(s.page).getByTestId('thinking');
    await expect.poll(() => block.getAttribute('data-state'), { timeout: 20_000 }).toBe('thinking');
    expect(await block.locator('.thinking-title').textContent()).toBe('Thinking…');
    expect(await waitForAnswer(s.page)).toBe('done');

    const seen = await s.page.evaluate(() => (window as unknown as { seen: { state: string; open: boolean; len: number; answer: number }[] }).seen);
    const thinking = seen.filter((x) => x.state === 'thinking');
    // Open while thinking, its text growing, no answer text yet; then closed before the answer grows.
    expect(new Set(thinking.map((x) => x.len)).size).toBeGreaterThanOrEqual(3);
    expect(thinking.every((x) => x.open && x.answer === 0)).toBe(true);
    expect(seen.filter((x) => x.answer > 0).every((x) => x.state === 'done' && !x.open)).toBe(true);

    // Finished: closed above the answer, saying how long it thought; opening it shows the text.
    expect(await block.getAttribute('data-state')).toBe('done');
    expect(await block.evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
    expect(await block.locator('.thinking-title').textContent()).toMatch(/^Thought for \d+\.\d s$/);
    await block.locator('summary').click();
    expect(await block.evaluate((d: HTMLDetailsElement) => d.open)).toBe(true);
    const text = (await block.getByTestId('thinking-text').textContent()) ?? '';
    expect(text.length).toBeGreaterThan(10);
    expect(await block.getByTestId('thinking-text').locator('*').count()).toBe(0); // plain text, no markup
    expect((await lastAnswer(s.page).locator('.md').textContent())?.length).toBeGreaterThan(10);

    // The next request carries the answer, not its thinking; the switch off sends enable_thinking false.
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('false');
    await send(s.page, 'hello again');
    await waitForAnswer(s.page);
    const next = s.chatRequests.at(-1)!;
    expect(next.chat_template_kwargs).toEqual({ enable_thinking: false });
    expect(next.messages.map((m) => Object.keys(m).sort().join())).toEqual(['content,role', 'content,role', 'content,role']);
    expect(next.messages[1].content).not.toContain(text.slice(0, 10));
    expect(await lastAnswer(s.page).getByTestId('thinking').count()).toBe(0);

    // The switch is kept with the conversation (in the browser's storage): on again, it is still
    // on after a reload; a new chat starts with the model's default.
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('true');
    await s.page.waitForTimeout(300); // the conversation's write to IndexedDB
    await s.page.reload();
    await waitForModel(s);
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('true');
    // The finished thinking block came back too, closed, with its time.
    expect(await s.page.getByTestId('thinking').count()).toBe(1);
    expect(await s.page.getByTestId('thinking').locator('.thinking-title').textContent()).toMatch(/^Thought for \d+\.\d s$/);
    await s.page.locator('.sidebar .new-chat').click();
    const models = await s.page.evaluate(async () => (await fetch('v1/models')).json());
    expect(await toggle.getAttribute('aria-pressed')).toBe(String(models.data[0].thinking.default));
    await s.close();
  });
});
