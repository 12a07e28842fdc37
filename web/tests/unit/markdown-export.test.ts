import { describe, expect, it } from 'vitest';
import { conversationMarkdown, markdownFileName, type MarkdownLabels } from '../../src/store/markdown-export';
import type { Conversation } from '../../src/store/types';

const en: MarkdownLabels = { user: 'You', assistant: 'Assistant', thinking: 'Thinking', stopped: '(stopped)', failed: 'No answer' };
const zh: MarkdownLabels = { user: '你', assistant: '助手', thinking: '思考过程', stopped: '（已停止）', failed: '没有回答' };

const conversation: Conversation = {
  id: 'c1',
  title: '北京的天气\n怎么样',
  createdAt: Date.UTC(2026, 11, 6, 19, 30),
  updatedAt: Date.UTC(2026, 11, 6, 19, 31),
  messages: [
    { id: 'm1', role: 'user', content: '北京今天冷吗？', createdAt: 1 },
    { id: 'm2', role: 'assistant', content: '今天**很冷**，最低 -5°C。\n\n```\ncode\n```', reasoning: '用户问天气。\n\n先回答温度。', createdAt: 2, status: 'done' },
    { id: 'm3', role: 'user', content: 'Thanks', createdAt: 3 },
    { id: 'm4', role: 'assistant', content: 'You are', createdAt: 4, status: 'stopped' },
    { id: 'm5', role: 'user', content: 'Again?', createdAt: 5 },
    { id: 'm6', role: 'assistant', content: '', createdAt: 6, status: 'error', error: { message: 'server\nunreachable', type: 'network', status: 0 } },
  ],
};

describe('a conversation as Markdown', () => {
  it('writes the title, each turn under who spoke, thinking quoted, answers as they are', () => {
    expect(conversationMarkdown(conversation, zh)).toBe(
      [
        '# 北京的天气 怎么样',
        '*qwen-edge · 2026-12-06 19:30 UTC*',
        '## 你',
        '北京今天冷吗？',
        '## 助手',
        '> **思考过程**\n>\n> 用户问天气。\n>\n> 先回答温度。',
        '今天**很冷**，最低 -5°C。\n\n```\ncode\n```',
        '## 你',
        'Thanks',
        '## 助手',
        'You are',
        '*（已停止）*',
        '## 你',
        'Again?',
        '## 助手',
        '*没有回答: server unreachable*',
      ].join('\n\n') + '\n',
    );
  });

  it('uses the labels of the page language and survives an empty conversation', () => {
    const md = conversationMarkdown({ ...conversation, title: '', messages: [] }, en);
    expect(md).toBe('# qwen-edge\n\n*qwen-edge · 2026-12-06 19:30 UTC*\n');
    expect(conversationMarkdown(conversation, en)).toContain('## You\n\n北京今天冷吗？');
  });

  it('makes a file name file systems take, keeping Chinese', () => {
    expect(markdownFileName('北京的天气')).toBe('北京的天气.md');
    expect(markdownFileName('a/b\\c: "d"?')).toBe('a-b-c- -d.md');
    expect(markdownFileName('...')).toBe('conversation.md');
    expect(markdownFileName('x'.repeat(200))).toBe('x'.repeat(80) + '.md');
    expect(markdownFileName('😀'.repeat(100))).toBe('😀'.repeat(80) + '.md');
  });
});
