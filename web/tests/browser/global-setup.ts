// Starts the server the browser tests talk to, once for the whole run:
//   QE_SERVER_URL=http://127.0.0.1:8080   use a server that is already running
//   QE_SERVER_CMD='qwen-edge serve --model m.gguf --port $QE_PORT'   start this (a shell command;
//                 QE_PORT holds a free port and the command must listen on 127.0.0.1 there)
//   neither       start tests/mock-server.mjs serving dist/ (run `npm run build` first)
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
    serverKind: 'mock' | 'command' | 'url';
  }
}

const webDir = fileURLToPath(new URL('../..', import.meta.url));

function freePort(): Promise<number> {
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

async function waitReady(url: string, child: ChildProcess | null, log: () => string, timeoutMs: number): Promise<void> {
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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const timeoutMs = Number(process.env.QE_SERVER_TIMEOUT_MS ?? 120_000);
  if (process.env.QE_SERVER_URL) {
    const url = process.env.QE_SERVER_URL.replace(/\/?$/, '/');
    await waitReady(url, null, () => '', timeoutMs);
    project.provide('baseURL', url);
    project.provide('serverKind', 'url');
    return async () => {};
  }

  const port = await freePort();
  let child: ChildProcess;
  let kind: 'mock' | 'command';
  if (process.env.QE_SERVER_CMD) {
    kind = 'command';
    child = spawn(process.env.QE_SERVER_CMD, {
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
    child = spawn(process.execPath, [`${webDir}/tests/mock-server.mjs`, '--port', String(port)], {
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
    if (child.exitCode !== null || child.pid === undefined) return;
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
    await waitReady(url, child, () => output, timeoutMs);
  } catch (e) {
    await stop();
    throw e;
  }
  project.provide('baseURL', url);
  project.provide('serverKind', kind);
  return stop;
}
