import { describe, expect, it } from 'vitest';
import {
  authHeaders,
  DEFAULT_SETTINGS,
  loadSettings,
  requestFields,
  sanitizeSettings,
  saveSettings,
  SETTINGS_KEY,
  validApiKey,
} from '../../src/settings';

class MemoryStorage {
  items = new Map<string, string>();
  getItem(k: string) {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.items.set(k, v);
  }
}

describe('settings', () => {
  it("defaults to the server's sampling and three context rounds", () => {
    const s = loadSettings(new MemoryStorage());
    expect(s).toEqual(DEFAULT_SETTINGS);
    expect(s.contextRounds).toBe(3);
    expect(s.temperature).toBeNull();
    expect(s.topP).toBeNull();
  });

  it("reads version 1's settings, its stored defaults becoming the server's", () => {
    const storage = new MemoryStorage();
    storage.setItem('qwen-edge.settings.v1', JSON.stringify({ ...DEFAULT_SETTINGS, temperature: 0.7, topP: 0.8, maxTokens: 99 }));
    expect(loadSettings(storage)).toMatchObject({ temperature: null, topP: null, maxTokens: 99 });
    storage.setItem('qwen-edge.settings.v1', JSON.stringify({ ...DEFAULT_SETTINGS, temperature: 0.3, topP: 0.8 }));
    expect(loadSettings(storage)).toMatchObject({ temperature: 0.3, topP: null });
  });

  it('survives a save and load (a reload of the page)', () => {
    const storage = new MemoryStorage();
    const changed = { ...DEFAULT_SETTINGS, systemPrompt: '用中文回答', temperature: 0.3, contextRounds: 1, topK: 40, language: 'en' as const };
    expect(saveSettings(storage, changed)).toBe(true);
    expect(loadSettings(storage)).toEqual(changed);
  });

  it('falls back per field on bad stored values', () => {
    const storage = new MemoryStorage();
    storage.setItem(
      SETTINGS_KEY,
      JSON.stringify({ temperature: 9, topP: 'abc', maxTokens: 2.5, contextRounds: -1, topK: null, minP: 0.05, language: 'fr', systemPrompt: 7 }),
    );
    const s = loadSettings(storage);
    expect(s.temperature).toBe(DEFAULT_SETTINGS.temperature);
    expect(s.topP).toBe(DEFAULT_SETTINGS.topP);
    expect(sanitizeSettings({ temperature: 0.3, topP: null }).temperature).toBe(0.3);
    expect(s.maxTokens).toBe(DEFAULT_SETTINGS.maxTokens);
    expect(s.contextRounds).toBe(DEFAULT_SETTINGS.contextRounds);
    expect(s.minP).toBe(0.05);
    expect(s.language).toBe('auto');
    expect(s.systemPrompt).toBe('');
  });

  it('falls back to defaults on unreadable storage', () => {
    const storage = new MemoryStorage();
    storage.setItem(SETTINGS_KEY, '{broken');
    expect(loadSettings(storage)).toEqual(DEFAULT_SETTINGS);
    const throwing = { getItem: () => { throw new Error('denied'); } };
    expect(loadSettings(throwing)).toEqual(DEFAULT_SETTINGS);
    expect(saveSettings({ setItem: () => { throw new Error('quota'); } }, DEFAULT_SETTINGS)).toBe(false);
  });

  it('maps to request fields, leaving server defaults out', () => {
    expect(requestFields(DEFAULT_SETTINGS)).toEqual({ max_tokens: 1024, max_rounds: 3 });
    expect(requestFields({ ...DEFAULT_SETTINGS, temperature: 0, topP: 0.9 })).toMatchObject({ temperature: 0, top_p: 0.9 });
    const s = sanitizeSettings({ ...DEFAULT_SETTINGS, topK: 20, minP: 0, repetitionPenalty: 1.1 });
    expect(requestFields(s)).toMatchObject({ top_k: 20, min_p: 0, repetition_penalty: 1.1 });
  });

  it('remembers the API key and sends it as a Bearer token', () => {
    const storage = new MemoryStorage();
    saveSettings(storage, { ...DEFAULT_SETTINGS, apiKey: 'sk-local_42' });
    const s = loadSettings(storage);
    expect(s.apiKey).toBe('sk-local_42');
    expect(authHeaders(s.apiKey)).toEqual({ Authorization: 'Bearer sk-local_42' });
    expect(authHeaders('')).toEqual({});
    expect(DEFAULT_SETTINGS.apiKey).toBe('');
  });

  it('remembers the knowledge admin key apart from the API key, checked the same way', () => {
    const storage = new MemoryStorage();
    saveSettings(storage, { ...DEFAULT_SETTINGS, apiKey: 'k1', adminKey: 'admin-2' });
    expect(loadSettings(storage)).toMatchObject({ apiKey: 'k1', adminKey: 'admin-2' });
    expect(DEFAULT_SETTINGS.adminKey).toBe('');
    expect(sanitizeSettings({ adminKey: '管理员' }).adminKey).toBe('');
  });

  it('refuses API keys a request header cannot carry', () => {
    expect(validApiKey('  abc  ')).toBe('abc');
    expect(validApiKey('')).toBe('');
    // A line break would split the header; non-ASCII makes fetch() throw before sending.
    for (const bad of ['a\nb', 'a b', '密钥', 'k\u0000', 'x'.repeat(1025), 7, null]) {
      expect(validApiKey(bad), JSON.stringify(bad)).toBeUndefined();
    }
    expect(sanitizeSettings({ apiKey: 'with space' }).apiKey).toBe('');
  });
});
