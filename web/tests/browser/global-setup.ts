// Starts the server the browser tests talk to, once for the whole run:
//   QE_SERVER_URL=http://127.0.0.1:8080   use a server that is already running
//   QE_SERVER_CMD='qwen-edge serve --model m.gguf --port $QE_PORT'   start this (a shell command;
//                 QE_PORT holds a free port and the command must listen on 127.0.0.1 there)
//   neither       start tests/mock-server.mjs serving dist/ (run `npm run build` first)
import type { TestProject } from 'vitest/node';
import { serverTimeoutMs, startServer, waitReady } from './server-process';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
    serverKind: 'mock' | 'command' | 'url';
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.QE_SERVER_URL) {
    const url = process.env.QE_SERVER_URL.replace(/\/?$/, '/');
    await waitReady(url, null, () => '', serverTimeoutMs());
    project.provide('baseURL', url);
    project.provide('serverKind', 'url');
    return async () => {};
  }
  const server = await startServer();
  project.provide('baseURL', server.url);
  project.provide('serverKind', server.kind);
  return server.stop;
}
