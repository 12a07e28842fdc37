import { describe, expect, it } from 'vitest';
import { checkHealth, HealthMonitor } from '../../src/api/health';

const respond = (status: number, body: unknown): typeof fetch => async () =>
  new Response(body === undefined ? null : JSON.stringify(body), { status });

describe('checkHealth', () => {
  it('maps the server answers to states', async () => {
    expect(await checkHealth('/health', respond(200, { status: 'ok' }))).toBe('ready');
    expect(await checkHealth('/health', respond(503, { status: 'loading' }))).toBe('loading');
    expect(await checkHealth('/health', respond(200, { status: 'loading' }))).toBe('loading');
    expect(await checkHealth('/health', respond(503, undefined))).toBe('loading');
    expect(await checkHealth('/health', respond(404, undefined))).toBe('unreachable');
    const refused: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect(await checkHealth('/health', refused)).toBe('unreachable');
  });

  it('reports a server whose slots are all taken, or that queues requests, as full', async () => {
    const ok = (load: object) => respond(200, { status: 'ok', ...load });
    expect(await checkHealth('/health', ok({ slots: 4, active: 3, queued: 0 }))).toBe('ready');
    expect(await checkHealth('/health', ok({ slots: 4, active: 4, queued: 0 }))).toBe('full');
    expect(await checkHealth('/health', ok({ slots: 4, active: 1, queued: 2 }))).toBe('full');
    // Missing or odd numbers are no evidence of load.
    expect(await checkHealth('/health', ok({ slots: 0, active: 0 }))).toBe('ready');
    expect(await checkHealth('/health', ok({ slots: '4', active: 9 }))).toBe('ready');
    expect(await checkHealth('/health', ok({ active: -1, queued: 1.5 }))).toBe('ready');
  });

  it('gives up on a server that does not answer in time', async () => {
    const hanging: typeof fetch = (_u, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    expect(await checkHealth('/health', hanging, 20)).toBe('unreachable');
  });
});

describe('HealthMonitor', () => {
  it('backs off while unreachable, up to a ceiling, and polls quickly while loading', () => {
    const m = new HealthMonitor({ url: '/health', onChange: () => {}, maxBackoffMs: 8000 });
    const delays: number[] = [];
    for (let i = 1; i <= 6; i++) {
      (m as unknown as { failures: number }).failures = i;
      delays.push(m.nextDelay('unreachable'));
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(m.nextDelay('loading')).toBe(1000);
    expect(m.nextDelay('ready')).toBe(10000);
    expect(m.nextDelay('full')).toBe(2000);
  });
});
