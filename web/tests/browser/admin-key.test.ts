// A server started with --admin-key: creating, uploading to and deleting knowledge bases need that
// key, which the page sends from its own setting on those requests only (reading needs none here).
// Runs against a second server of the same kind as the run's own (the mock, or QE_SERVER_CMD with
// `--admin-key KEY` appended).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeBrowser, openChat, waitForServerReady } from './harness';
import { startServer, type ServerProcess } from './server-process';

const ADMIN_KEY = 'qe-admin-key-51c9';

// A server already running at QE_SERVER_URL cannot be restarted with a key.
describe.skipIf(inject('serverKind') === 'url')('knowledge admin key', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ adminKey: ADMIN_KEY });
  }, 130_000);
  afterAll(async () => {
    await closeBrowser();
    await server?.stop();
  });

  it('creating is refused without the admin key and works with it; only admin requests carry it', async () => {
    const s = await openChat({}, server.url);
    const { page } = s;
    const auth: { method: string; path: string; auth: string | undefined }[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/v1/knowledge')) auth.push({ method: r.method(), path, auth: r.headers()['authorization'] });
    });
    await waitForServerReady(page);
    await page.getByTestId('knowledge-top').click();
    const name = `Admin-${Date.now().toString(36)}`;
    await page.getByTestId('knowledge-new-name').fill(name);
    await page.getByTestId('knowledge-create').click();
    await page.getByTestId('knowledge-error').waitFor();
    expect(await page.getByTestId('knowledge-error').textContent()).toMatch(/admin key/);
    await page.keyboard.press('Escape');

    await page.getByTestId('settings-top').click();
    await page.getByTestId('setting-admin-key').fill(ADMIN_KEY);
    await page.getByTestId('settings-done').click();
    await page.getByTestId('knowledge-top').click();
    await page.getByTestId('knowledge-new-name').fill(name);
    await page.getByTestId('knowledge-create').click();
    const row = page.locator(`[data-testid=knowledge-base][data-name="${name}"]`);
    await row.waitFor();
    expect(await page.getByTestId('knowledge-error').count()).toBe(0);
    await row.getByTestId('knowledge-delete-base').click();
    await page.getByTestId('confirm').click();
    await expect.poll(() => row.count()).toBe(0);

    const admin = auth.filter((a) => a.method !== 'GET');
    expect(admin.map((a) => a.auth)).toEqual([undefined, `Bearer ${ADMIN_KEY}`, `Bearer ${ADMIN_KEY}`]);
    expect(auth.filter((a) => a.method === 'GET').every((a) => a.auth === undefined)).toBe(true);
    await s.close();
  });
});
