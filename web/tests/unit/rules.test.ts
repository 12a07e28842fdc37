import { describe, expect, it } from 'vitest';
import { isResetCommand, titleFrom, wireMessages } from '../../src/chat/rules';
import type { StoredMessage } from '../../src/store/types';

const msg = (role: 'user' | 'assistant', content: string, extra: Partial<StoredMessage> = {}): StoredMessage => ({
  id: Math.random().toString(36),
  role,
  content,
  createdAt: 0,
  ...extra,
});

describe('the 重新开始 rule', () => {
  it('resets only when 重新开始 (or /reset) is the whole message', () => {
    expect(isResetCommand('重新开始')).toBe(true);
    expect(isResetCommand('  重新开始 \n')).toBe(true);
    expect(isResetCommand('/reset')).toBe(true);
    expect(isResetCommand('重新开始吧')).toBe(false);
    expect(isResetCommand('请重新开始')).toBe(false);
    expect(isResetCommand('重新 开始')).toBe(false);
    expect(isResetCommand('')).toBe(false);
  });
});

describe('wireMessages', () => {
  it('puts the system prompt first and sends the whole history', () => {
    const history = [msg('user', 'q1'), msg('assistant', 'a1'), msg('user', 'q2')];
    expect(wireMessages('be kind', history)).toEqual([
      { role: 'system', content: 'be kind' },
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: 'a1' },
      { role: 'user', content: 'q2' },
    ]);
  });

  it('leaves out an empty system prompt and answers that never got text', () => {
    const history = [
      msg('user', 'q1'),
      msg('assistant', '', { status: 'error', error: { message: 'x', type: 'y', status: 0 } }),
      msg('user', 'q2'),
    ];
    expect(wireMessages('  ', history)).toEqual([
      { role: 'user', content: 'q1' },
      { role: 'user', content: 'q2' },
    ]);
  });

  it('keeps a stopped partial answer: it is what the user saw', () => {
    const history = [msg('user', 'q1'), msg('assistant', 'half an ans', { status: 'stopped' }), msg('user', 'go on')];
    expect(wireMessages('', history).map((m) => m.content)).toEqual(['q1', 'half an ans', 'go on']);
  });

  it('a new conversation carries no history', () => {
    expect(wireMessages('', [msg('user', 'fresh')])).toEqual([{ role: 'user', content: 'fresh' }]);
  });
});

describe('titleFrom', () => {
  it('takes the first line, folds spaces and never cuts a character in half', () => {
    expect(titleFrom('  hello   world \nsecond line')).toBe('hello world');
    expect(titleFrom('🌸'.repeat(50), 10)).toBe('🌸'.repeat(9) + '…');
    expect(titleFrom('一首关于春天的诗')).toBe('一首关于春天的诗');
  });
});
