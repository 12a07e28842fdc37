// Model output is untrusted: markup in it must never run. The answer is injected with a routed
// response so the test does not depend on what a model says.
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, lastAnswer, openChat, send, waitForAnswer, waitForServerReady } from './harness';

afterAll(closeBrowser);

const EVIL = [
  'Careful: <script>window.__pwned = 1</script> and <img src=x onerror="window.__pwned = 2"> here.',
  '',
  '<iframe src="javascript:window.__pwned=4"></iframe>',
  '',
  '[click me](javascript:window.__pwned=3) <a href="#" onclick="window.__pwned=5">x</a>',
  '',
  '```html',
  '<script>alert("inside a code block")</script>',
  '```',
].join('\n');

// The answer cut into small deltas, some mid-tag, the way a model would stream it.
function sseBody(text: string): string {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += 7) parts.push(text.slice(i, i + 7));
  const chunks = parts.map((p) => ({ choices: [{ index: 0, delta: { content: p }, finish_reason: null }] }));
  chunks.push({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] } as never);
  return chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + 'data: [DONE]\n\n';
}

describe('markdown sanitising', () => {
  it('shows script tags and handlers as text, keeps code, runs nothing', async () => {
    const s = await openChat();
    await waitForServerReady(s.page);
    await s.page.route('**/v1/chat/completions', (route) =>
      route.fulfill({ status: 200, headers: { 'Content-Type': 'text/event-stream' }, body: sseBody(EVIL) }),
    );
    await send(s.page, 'show me something nasty');
    expect(await waitForAnswer(s.page)).toBe('done');
    const answer = lastAnswer(s.page).locator('.md');
    expect(await answer.locator('script, img, iframe, [onerror], [onclick]').count()).toBe(0);
    expect(await answer.locator('a[href^="javascript"]').count()).toBe(0);
    const text = await answer.textContent();
    expect(text).toContain('<script>window.__pwned = 1</script>');
    // A raw HTML block is shown as HTML code; the fenced block keeps its text exactly.
    const blocks = await answer.locator('.code-block code').allTextContents();
    expect(blocks).toEqual(['<iframe src="javascript:window.__pwned=4"></iframe>', '<script>alert("inside a code block")</script>']);
    // Click what looks like links: nothing may run.
    for (const link of await answer.locator('a').all()) await link.click({ modifiers: [] }).catch(() => {});
    await s.page.waitForTimeout(300);
    expect(await s.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await s.close();
  });
});
