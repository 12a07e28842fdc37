import { describe, expect, it } from 'vitest';
import { checkHealthReport, parseProgress, type ModelProgress } from '../../src/api/health';
import { translator } from '../../src/i18n';
import { formatBytes, formatDuration, progressLine } from '../../src/ui/model-download';

const respond = (status: number, body: unknown): typeof fetch => async () => new Response(JSON.stringify(body), { status });

const downloading: ModelProgress = {
  state: 'downloading',
  model: 'qwen2.5-0.5b-instruct-q8_0.gguf',
  bytes: 212_500_000,
  total: 675_710_816,
  bytesPerSecond: 5_230_000,
  etaSeconds: 89,
  error: '',
  help: '',
};

describe('a first start in /health', () => {
  it('reads the download progress of a server that is not ready', async () => {
    const body = {
      status: 'loading',
      state: 'downloading',
      model: 'm.gguf',
      bytes: 10,
      total: 100,
      bytes_per_second: 5,
      eta_seconds: 18,
    };
    const report = await checkHealthReport('/health', respond(503, body));
    expect(report.state).toBe('loading');
    expect(report.progress).toEqual({ state: 'downloading', model: 'm.gguf', bytes: 10, total: 100, bytesPerSecond: 5, etaSeconds: 18, error: '', help: '' });
    expect((await checkHealthReport('/health', respond(200, { status: 'ok' }))).progress).toBeNull();
    expect((await checkHealthReport('/health', respond(503, { status: 'loading', state: 'loading' }))).progress).toBeNull();
  });

  it('takes odd fields as unknown rather than trusting them', () => {
    const p = parseProgress({ state: 'download_failed', bytes: -5, total: '9', eta_seconds: null, error: 'offline', help: 7 });
    expect(p).toEqual({ state: 'download_failed', model: '', bytes: 0, total: 0, bytesPerSecond: 0, etaSeconds: null, error: 'offline', help: '' });
    expect(parseProgress({ state: 'exploding' })).toBeNull();
  });
});

describe('the download panel text', () => {
  it('formats sizes and durations as the terminal does', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(12_345)).toBe('12.3 kB');
    expect(formatBytes(531_200_000)).toBe('531.2 MB');
    expect(formatBytes(1_200_000_000)).toBe('1.20 GB');
    expect(formatDuration(7)).toBe('0:07');
    expect(formatDuration(754)).toBe('12:34');
    expect(formatDuration(3723)).toBe('1:02:03');
  });

  it('says bytes, speed and time left in both languages', () => {
    expect(progressLine(downloading, translator('en'))).toBe('212.5 MB of 675.7 MB · 5.2 MB/s · 1:29 left');
    expect(progressLine(downloading, translator('zh'))).toBe('212.5 MB / 675.7 MB · 5.2 MB/s · 剩余 1:29');
    // Before the size and speed are known; and after a failure, no speed or estimate.
    expect(progressLine({ ...downloading, total: 0, bytesPerSecond: 0, etaSeconds: null }, translator('en'))).toBe('212.5 MB');
    expect(progressLine({ ...downloading, state: 'download_failed' }, translator('en'))).toBe('212.5 MB of 675.7 MB');
  });
});
