import { describe, expect, it } from 'vitest';
import { formatBytes, formatParameters, parseModels } from '../../src/api/models';

describe('parseModels', () => {
  it('reads what GET /v1/models says of each model', () => {
    const [chat, catalogue, embedding] = parseModels({
      data: [
        { id: 'g448-q8_0', type: 'chat', bytes: 12_801_856, downloaded: true, loaded: true, thinking: { supported: true, default: true } },
        { id: 'qwen3:1.7b', type: 'chat', bytes: null, parameters: 1.7e9, downloaded: false, loaded: false, download: { bytes: 10, total: 100, bytes_per_second: 5 } },
        { id: 'qwen3-embedding:0.6b', type: 'embedding', downloaded: true, loaded: false, download_error: 'HTTP 404' },
      ],
    });
    expect(chat).toMatchObject({ id: 'g448-q8_0', type: 'chat', bytes: 12_801_856, downloaded: true, loaded: true, download: null, thinking: { supported: true, default: true } });
    expect(catalogue).toMatchObject({ bytes: null, parameters: 1.7e9, downloaded: false, download: { bytes: 10, total: 100, bytesPerSecond: 5 } });
    expect(embedding).toMatchObject({ type: 'embedding', downloadError: 'HTTP 404', thinking: { supported: false, default: false } });
  });

  it('takes an older server entry (an id alone) as a chat model that is there, and skips junk', () => {
    const models = parseModels({ data: [{ id: 'm' }, null, { id: 3 }, 'x', { id: '' }] });
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ id: 'm', type: 'chat', downloaded: true, loaded: true, bytes: null });
    expect(parseModels({})).toEqual([]);
    expect(parseModels(null)).toEqual([]);
  });

  it('never lets "default" thinking on without support', () => {
    expect(parseModels({ data: [{ id: 'm', thinking: { supported: false, default: true } }] })[0].thinking.default).toBe(false);
  });
});

describe('sizes', () => {
  it('formats bytes in decimal units and parameters in B or M', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(12_345)).toBe('12.3 kB');
    expect(formatBytes(531_200_000)).toBe('531.2 MB');
    expect(formatBytes(1_200_000_000)).toBe('1.20 GB');
    expect(formatParameters(1.7e9)).toBe('1.7B');
    expect(formatParameters(494e6)).toBe('494M');
    expect(formatParameters(4e9)).toBe('4B');
  });
});
