// A first start as a new user sees it: the server knows no model, so the page shows the default
// model's download (bytes, speed, time left), then turns into the chat.
//  - With any server: /health is answered by the test (a download in progress, a failed one),
//    then released to the real one.
//  - With QE_BINARY (scripts/test.sh sets it for the real-server run): the real qwen-edge, started
//    with an empty models folder against a local imitation of Hugging Face (HF_ENDPOINT) that
//    serves the golden model slowly and cuts the first transfer; the download resumes, is
//    verified, loads, and the page chats.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, openChat, send, waitForAnswer, waitForServerReady } from './harness';
import { freePort } from './server-process';

afterAll(closeBrowser);

const progressBody = (o: object) => JSON.stringify({ status: 'loading', model: 'qwen2.5-0.5b-instruct-q8_0.gguf', ...o });

describe('first start', () => {
  it('shows the download with its progress, a failure with what to do, then the chat', async () => {
    const s = await openChat();
    await waitForServerReady(s.page);
    const health = (status: number, body: string) =>
      s.page.route('**/health', (route) => route.fulfill({ status, contentType: 'application/json', body }));

    await health(503, progressBody({ state: 'downloading', bytes: 212_500_000, total: 675_700_000, bytes_per_second: 5_230_000, eta_seconds: 89 }));
    await s.page.evaluate(() => window.dispatchEvent(new Event('online')));
    const panel = s.page.getByTestId('download');
    await panel.waitFor();
    expect(await s.page.getByTestId('download-line').textContent()).toBe('212.5 MB of 675.7 MB · 5.2 MB/s · 1:29 left');
    expect(await s.page.getByTestId('download-bar').evaluate((b) => (b as HTMLProgressElement).value)).toBe(212_500_000);
    expect(await s.page.getByTestId('status').textContent()).toBe('Downloading model');

    await s.page.unroute('**/health');
    const help = 'Without a network: start with --model FILE.gguf, or copy the model file into /srv/models, or start with --demo.';
    await health(503, progressBody({ state: 'download_failed', bytes: 212_500_000, total: 675_700_000, error: 'cannot connect to huggingface.co', help, retry_in_seconds: 20 }));
    await expect.poll(() => panel.getAttribute('data-state'), { timeout: 10_000 }).toBe('download_failed');
    expect(await s.page.getByTestId('download-help').textContent()).toBe(help);
    expect(await s.page.getByTestId('status').textContent()).toBe('Download failed');

    await s.page.unroute('**/health');
    await waitForServerReady(s.page);
    await panel.waitFor({ state: 'hidden' });
    await s.close();
  });
});

// ---- the real thing ------------------------------------------------------------------------

const webDir = fileURLToPath(new URL('../..', import.meta.url));
const GOLDEN = join(webDir, '..', '..', 'shared', 'golden', 'g448-q8_0.gguf');
const FILE = 'qwen2.5-0.5b-instruct-q8_0.gguf';

// Hugging Face's /resolve/ redirect (with the digest) and a CDN that sends slowly, cuts its first
// answer after a third, and holds the resume until `release()`.
function startHub(model: Buffer): Promise<{ server: Server; url: string; ranges: string[]; release: () => void }> {
  const ranges: string[] = [];
  let release = () => {};
  const released = new Promise<void>((r) => (release = r));
  const sha = createHash('sha256').update(model).digest('hex');
  const trickle = async (res: ServerResponse, body: Buffer, cutAfter: number) => {
    for (let at = 0; at < body.length; at += 32768) {
      if (at >= cutAfter) {
        res.socket?.destroy(); // the cut
        return;
      }
      res.write(body.subarray(at, Math.min(at + 32768, body.length)));
      await new Promise((r) => setTimeout(r, 25));
    }
    res.end();
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      if (req.url === `/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/${FILE}`) {
        res.writeHead(302, { Location: `/cdn/${FILE}`, 'X-Linked-Etag': `"${sha}"`, 'X-Linked-Size': String(model.length) });
        res.end();
        return;
      }
      if (req.url !== `/cdn/${FILE}`) {
        res.writeHead(404).end();
        return;
      }
      const range = req.headers.range ?? '';
      ranges.push(range);
      const from = range.startsWith('bytes=') ? Number(range.slice(6, -1)) : 0;
      if (ranges.length > 1) await released;
      const headers: Record<string, string> = { 'Content-Length': String(model.length - from), 'Content-Type': 'application/octet-stream' };
      if (from > 0) headers['Content-Range'] = `bytes ${from}-${model.length - 1}/${model.length}`;
      res.writeHead(from > 0 ? 206 : 200, headers);
      await trickle(res, model.subarray(from), ranges.length === 1 ? Math.floor(model.length / 3) : Infinity);
    })();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    const port = typeof a === 'object' && a ? a.port : 0;
    resolve({ server, url: `http://127.0.0.1:${port}`, ranges, release: () => release() });
  }));
}

describe.skipIf(!process.env.QE_BINARY)('first start of the real server', () => {
  let child: ChildProcess | undefined;
  let hubServer: Server | undefined;
  const models = mkdtempSync(join(tmpdir(), 'qe-first-start-'));
  afterAll(async () => {
    if (child?.pid && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    hubServer?.close();
    rmSync(models, { recursive: true, force: true });
  });

  it('downloads the model with progress in the page, resumes a cut, then chats', async () => {
    const model = readFileSync(GOLDEN);
    const hub = await startHub(model);
    hubServer = hub.server;
    const port = await freePort();
    let log = '';
    child = spawn(process.env.QE_BINARY!, ['serve', '--host', '127.0.0.1', '--port', String(port), '--threads', '1'], {
      env: { ...process.env, QWEN_EDGE_MODELS: models, HF_ENDPOINT: hub.url, MODELSCOPE_ENDPOINT: 'http://127.0.0.1:1', QWEN_EDGE_SOURCE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const url = `http://127.0.0.1:${port}/`;
    await expect.poll(async () => (await fetch(new URL('health', url)).catch(() => null))?.status ?? 0, { timeout: 30_000 }).toBe(503);

    const s = await openChat({}, url);
    const line = s.page.getByTestId('download-line');
    // The first transfer is cut and the resume is held: the page shows what had arrived.
    await expect.poll(() => hub.ranges.length, { timeout: 30_000 }).toBe(2);
    await expect.poll(async () => (await line.isVisible()) && (await line.textContent())?.includes(' of 4.4 MB'), { timeout: 10_000 }).toBe(true);
    const shown = await s.page.getByTestId('download-bar').evaluate((b) => (b as HTMLProgressElement).value);
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(model.length);
    expect(await s.page.getByTestId('status').textContent()).toBe('Downloading model');

    hub.release();
    await expect.poll(() => s.page.getByTestId('status').getAttribute('data-state'), { timeout: 60_000 }).toBe('ready');
    expect(await s.page.getByTestId('download').isHidden()).toBe(true);
    expect(hub.ranges[0]).toBe('');
    expect(hub.ranges[1]).toMatch(/^bytes=[1-9]\d*-$/); // resumed, not started over
    expect(readFileSync(join(models, FILE)).equals(model)).toBe(true);
    expect(log).toContain('SHA-256 verified');

    await send(s.page, 'Hello');
    expect(await waitForAnswer(s.page)).toBe('done');
    await s.close();
  }, 120_000);
});
