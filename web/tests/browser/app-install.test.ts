// The web chat as an app: a manifest and a service worker that keeps the page (never API answers),
// so it opens with the server down and says plainly that the server cannot be reached.
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, openChat, send, waitForAnswer, waitForServerReady } from './harness';

afterAll(closeBrowser);

describe('installable app', () => {
  it('has a manifest, keeps the page for offline use, never an API answer', async () => {
    const s = await openChat();
    await waitForServerReady(s.page);
    const manifest = await s.page.evaluate(async () => {
      const link = document.querySelector<HTMLLinkElement>('link[rel=manifest]');
      const r = await fetch(link!.href);
      return { type: r.headers.get('content-type'), body: await r.json() };
    });
    expect(manifest.type).toContain('application/manifest+json');
    expect(manifest.body.display).toBe('standalone');
    expect(manifest.body.start_url).toBe('./');
    expect(manifest.body.icons.length).toBeGreaterThan(0);

    // 127.0.0.1 is a secure context: the worker installs and takes the page.
    expect(await s.page.evaluate(() => window.isSecureContext)).toBe(true);
    await s.page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await s.page.reload();
    await s.page.getByTestId('composer').waitFor();
    await expect.poll(() => s.page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await send(s.page, 'Hello');
    expect(await waitForAnswer(s.page)).toBe('done');

    const cached = await s.page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys()) urls.push(new URL(r.url).pathname);
      return urls;
    });
    expect(cached).toContain('/');
    expect(cached.some((u) => u.startsWith('/assets/') && u.endsWith('.js'))).toBe(true);
    expect(cached.filter((u) => u.startsWith('/v1/') || u === '/health' || u === '/metrics')).toEqual([]);

    // The server gone: the app still opens, and says what is wrong.
    await s.context.setOffline(true);
    await s.page.reload();
    await s.page.getByTestId('composer').waitFor();
    const offline = s.page.getByTestId('offline');
    await offline.waitFor({ timeout: 15_000 });
    expect(await offline.textContent()).toContain('The qwen-edge server cannot be reached');
    expect(await s.page.getByTestId('status').getAttribute('data-state')).toBe('unreachable');

    await s.context.setOffline(false);
    await s.page.evaluate(() => window.dispatchEvent(new Event('online')));
    await waitForServerReady(s.page);
    await offline.waitFor({ state: 'hidden' });
    await s.close();
  });
});
