import { describe, expect, it } from 'vitest';
import { detectLanguage, resolveLanguage, translator } from '../../src/i18n';

describe('i18n', () => {
  it('follows the first Chinese or English browser language', () => {
    expect(detectLanguage(['zh-CN', 'en'])).toBe('zh');
    expect(detectLanguage(['zh-TW'])).toBe('zh');
    expect(detectLanguage(['en-US', 'zh-CN'])).toBe('en');
    expect(detectLanguage(['fr-FR', 'zh'])).toBe('zh');
    expect(detectLanguage(['de'])).toBe('en');
    expect(detectLanguage([])).toBe('en');
  });

  it('lets the user override the browser', () => {
    expect(resolveLanguage('en', ['zh-CN'])).toBe('en');
    expect(resolveLanguage('auto', ['zh-CN'])).toBe('zh');
  });

  it('fills parameters', () => {
    expect(translator('zh')('dropped', { n: 2 })).toBe('较早的 2 轮对话已不在上下文中');
    expect(translator('en')('errorBusy', { s: 5 })).toBe('The server is busy; try again in 5 s');
  });
});
