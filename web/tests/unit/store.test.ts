import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { IdbConversationStore, MemoryConversationStore } from '../../src/store/idb-store';
import { exportConversations, ImportError, parseImport } from '../../src/store/transfer';
import type { Conversation, ConversationStore } from '../../src/store/types';

function conversation(id: string, updatedAt: number, text = 'hello'): Conversation {
  return {
    id,
    title: `chat ${id}`,
    createdAt: updatedAt - 10,
    updatedAt,
    messages: [
      { id: `${id}-u`, role: 'user', content: text, createdAt: updatedAt - 10 },
      { id: `${id}-a`, role: 'assistant', content: `answer to ${text}`, createdAt: updatedAt - 5, status: 'done' },
    ],
  };
}

const stores: [string, () => Promise<ConversationStore>][] = [
  ['IndexedDB', () => IdbConversationStore.open(new IDBFactory(), 'test')],
  ['memory', async () => new MemoryConversationStore()],
];

describe.each(stores)('%s conversation store', (_name, open) => {
  it('lists conversations newest first and reads one back whole', async () => {
    const store = await open();
    await store.put(conversation('a', 100));
    await store.put(conversation('b', 300, '春天'));
    await store.put(conversation('c', 200));
    expect((await store.list()).map((c) => c.id)).toEqual(['b', 'c', 'a']);
    expect(await store.get('b')).toEqual(conversation('b', 300, '春天'));
    expect(await store.get('missing')).toBeUndefined();
  });

  it('replaces a conversation on put (rename, a growing answer) and deletes it', async () => {
    const store = await open();
    const c = conversation('a', 100);
    await store.put(c);
    c.title = 'renamed';
    c.messages[1].content += ' and more';
    c.updatedAt = 500;
    await store.put(c);
    const back = await store.get('a');
    expect(back?.title).toBe('renamed');
    expect(back?.messages[1].content).toBe('answer to hello and more');
    await store.delete('a');
    expect(await store.list()).toEqual([]);
  });

  it('stores copies: later changes to the caller object are not saved behind its back', async () => {
    const store = await open();
    const c = conversation('a', 100);
    await store.put(c);
    c.title = 'changed after put';
    expect((await store.get('a'))?.title).toBe('chat a');
  });
});

describe('IndexedDB persistence', () => {
  it('keeps conversations across a close and reopen (a page reload)', async () => {
    const factory = new IDBFactory();
    const first = await IdbConversationStore.open(factory, 'reload');
    await first.put(conversation('kept', 100));
    first.close();
    const second = await IdbConversationStore.open(factory, 'reload');
    expect((await second.list()).map((c) => c.id)).toEqual(['kept']);
  });
});

describe('export and import', () => {
  it('round-trips conversations through an export file', () => {
    const list = [conversation('a', 100), conversation('b', 200)];
    const text = exportConversations(list, new Date(0));
    const back = parseImport(text, []);
    expect(back.map((c) => [c.id, c.title, c.updatedAt])).toEqual([
      ['a', 'chat a', 100],
      ['b', 'chat b', 200],
    ]);
    expect(back[1].messages.map((m) => [m.role, m.content, m.status])).toEqual([
      ['user', 'hello', undefined],
      ['assistant', 'answer to hello', 'done'],
    ]);
  });

  it('never overwrites an existing conversation: a clashing id gets a new one', () => {
    const text = exportConversations([conversation('a', 100), conversation('a', 200)]);
    const back = parseImport(text, ['a']);
    const ids = back.map((c) => c.id);
    expect(ids).not.toContain('a');
    expect(new Set(ids).size).toBe(2);
  });

  it('accepts a bare array and a single conversation, drops system messages, titles untitled ones', () => {
    const single = JSON.stringify({
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: '  一首关于春天的诗\n请押韵' },
        { role: 'assistant', content: '春风…', status: 'streaming' },
      ],
    });
    const [c] = parseImport(single, []);
    expect(c.title).toBe('一首关于春天的诗');
    expect(c.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(c.messages[1].status).toBe('interrupted'); // a stream can't resume after import
    expect(parseImport(JSON.stringify([JSON.parse(single)]), [])).toHaveLength(1);
  });

  it('rejects files that are not conversations, saying where', () => {
    expect(() => parseImport('not json', [])).toThrow(ImportError);
    expect(() => parseImport('{"hello": 1}', [])).toThrow(/no conversations/);
    expect(() => parseImport('{"format": "other", "conversations": []}', [])).toThrow(/unknown format/);
    expect(() => parseImport('[{"messages": [{"role": "user", "content": 5}]}]', [])).toThrow(
      'conversations[0].messages[0].content must be a string',
    );
    expect(() => parseImport('[{"messages": [{"role": "tool", "content": ""}]}]', [])).toThrow(/role/);
    expect(() => parseImport('[{"messages": "x"}]', [])).toThrow(/messages must be an array/);
  });

  it('drops fields it does not know and bad timings', () => {
    const text = JSON.stringify([
      {
        id: 'x',
        evil: '<script>',
        messages: [
          { role: 'assistant', content: 'a', onload: 'x', timings: { ttftMs: 'fast' } },
          { role: 'assistant', content: 'b', timings: { ttftMs: 12, tokensPerSecond: 30, source: 'server' } },
        ],
      },
    ]);
    const [c] = parseImport(text, []);
    expect(c).not.toHaveProperty('evil');
    expect(c.messages[0]).not.toHaveProperty('onload');
    expect(c.messages[0].timings).toBeUndefined();
    expect(c.messages[1].timings).toEqual({ ttftMs: 12, tokensPerSecond: 30, source: 'server' });
  });
});
