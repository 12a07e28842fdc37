// The server state indicator: ready, loading, unreachable, and back by itself.
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, openChat, waitForServerReady } from './harness';

afterAll(closeBrowser);

const state = (s: Awaited<ReturnType<typeof openChat>>) => s.page.getByTestId('status').getAttribute('data-state');

describe('server state', () => {
  it('shows loading and unreachable, and reconnects when the server is back', async () => {
    const s = await openChat();
    await waitForServerReady(s.page);
    expect(await s.page.getByTestId('status').textContent()).toBe('Ready');

    await s.page.route('**/health', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: '{"status":"loading"}' }));
    await s.page.evaluate(() => window.dispatchEvent(new Event('online'))); // check now, not in 10 s
    await expect.poll(() => state(s)).toBe('loading');
    expect(await s.page.getByTestId('status').textContent()).toBe('Loading model');

    await s.page.unroute('**/health');
    await s.page.route('**/health', (route) => route.abort('connectionrefused'));
    // Loading polls every second: the refused connection shows without a nudge.
    await expect.poll(() => state(s), { timeout: 10_000 }).toBe('unreachable');

    await s.page.unroute('**/health');
    await expect.poll(() => state(s), { timeout: 15_000 }).toBe('ready');

    // A server whose slots are all taken by others: busy, and ready again when one frees.
    await s.page.route('**/health', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"status":"ok","slots":1,"active":1,"queued":0}' }));
    await s.page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect.poll(() => state(s)).toBe('full');
    expect(await s.page.getByTestId('status').textContent()).toBe('Server busy');
    await s.page.unroute('**/health');
    await expect.poll(() => state(s), { timeout: 10_000 }).toBe('ready');
    await s.close();
  });
});
