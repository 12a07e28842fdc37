// Starts the server the browser tests talk to, as a child process in its own process group:
//   QE_SERVER_CMD='qwen-edge serve --model m.gguf --port $QE_PORT'   this shell command (QE_PORT
//                 holds a free port; the command must listen on 127.0.0.1 there)
//   otherwise     tests/mock-server.mjs serving dist/
// With `apiKey`, the server requires it (`--api-key KEY` is appended to either command); with
// `adminKey`, its knowledge bases' admin requests require that one (`--admin-key KEY`).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const webDir = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  url: string;
  kind: 'mock' | 'command';
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function waitReady(url: string, child: ChildProcess | null, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  child?.once('exit', (code) => (exited = code ?? -1));
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`the server exited (code ${exited}) before it was ready:\n${log()}`);
    try {
      const r = await fetch(new URL('health', url), { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the server at ${url} was not ready within ${timeoutMs} ms:\n${log()}`);
}

export const serverTimeoutMs = (): number => Number(process.env.QE_SERVER_TIMEOUT_MS ?? 120_000);

export async function startServer(options: { apiKey?: string; adminKey?: string } = {}): Promise<ServerProcess> {
  const port = await freePort();
  const keyArgs = [...(options.apiKey ? ['--api-key', options.apiKey] : []), ...(options.adminKey ? ['--admin-key', options.adminKey] : [])];
  let child: ChildProcess;
  let kind: 'mock' | 'command';
  if (process.env.QE_SERVER_CMD) {
    kind = 'command';
    // The key is a plain token (no shell quoting needed); the tests pick it.
    child = spawn([process.env.QE_SERVER_CMD, ...keyArgs].join(' '), {
      shell: true,
      detached: true, // its own process group, so the shell and the server stop together
      env: { ...process.env, QE_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } else {
    kind = 'mock';
    if (!existsSync(`${webDir}/dist/index.html`)) {
      throw new Error('dist/index.html is missing: run `npm run build` before `npm run test:browser`');
    }
    child = spawn(process.execPath, [`${webDir}/tests/mock-server.mjs`, '--port', String(port), ...keyArgs], {
      detached: true,
      env: { ...process.env, MOCK_TOKEN_MS: process.env.MOCK_TOKEN_MS ?? '30' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitReady(url, child, () => output, serverTimeoutMs());
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, kind, stop };
}
