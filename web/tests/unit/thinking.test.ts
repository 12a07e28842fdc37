// Thinking (reasoning_content): the stream's thinking before its answer, the time it took, the
// enable_thinking switch in the request, and the thinking block's title.
import { describe, expect, it } from 'vitest';
import { streamChat, type ChatRequest } from '../../src/api/chat';
import { wireMessages } from '../../src/chat/rules';
import { translator } from '../../src/i18n';
import { parseImport } from '../../src/store/transfer';
import type { StoredMessage } from '../../src/store/types';
import { MessageList, thinkingTitle } from '../../src/ui/messages';

const REQUEST: ChatRequest = {
  messages: [{ role: 'user', content: '1+1=?' }],
  stream: true,
  stream_options: { include_usage: true },
  temperature: 0.6,
  top_p: 0.95,
  max_tokens: 64,
  max_rounds: 3,
  chat_template_kwargs: { enable_thinking: true },
};

const event = (delta: Record<string, string>, finish: string | null = null) => ({ choices: [{ index: 0, delta, finish_reason: finish }] });

function fetchOf(events: unknown[], tail = 'data: [DONE]\n\n', sink?: (body: unknown) => void): typeof fetch {
  const bytes = new TextEncoder().encode(events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + tail);
  return async (_url, init) => {
    sink?.(JSON.parse(String(init?.body)));
    // 5-byte cuts split the Chinese characters across reads.
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 5) c.enqueue(bytes.subarray(i, i + 5));
        c.close();
      },
    });
    return new Response(stream, { status: 200 });
  };
}

// A clock that moves 100 ms at every reading.
const ticking = () => {
  let clock = 0;
  return () => (clock += 100);
};

describe('streaming a thinking answer', () => {
  it('reports the thinking, then the answer, and when the thinking ended', async () => {
    const order: string[] = [];
    let thinkingMs: number | undefined;
    const result = await streamChat(REQUEST, {
      url: '/x',
      now: ticking(),
      fetchImpl: fetchOf([
        event({ role: 'assistant', content: '' }),
        event({ reasoning_content: '用户问' }),
        event({ reasoning_content: '一加一。' }),
        event({ content: '等于' }),
        event({ content: ' 2。' }),
        event({}, 'stop'),
      ]),
      onReasoning: (t) => order.push(`think:${t}`),
      onThinkingDone: (ms) => {
        order.push('thought');
        thinkingMs = ms;
      },
      onDelta: (t) => order.push(`answer:${t}`),
    });
    expect(order).toEqual(['think:用户问', 'think:一加一。', 'thought', 'answer:等于', 'answer: 2。']);
    // Clock readings: start 100, thinking 200 and 300, the answer's first text 400 (and the end of
    // the thinking 500): 300 ms from the first thinking chunk.
    expect(thinkingMs).toBe(300);
    // The first token is the first thinking token, and thinking tokens count as tokens.
    expect(result.timings.source).toBe('client');
    expect(result.timings.ttftMs).toBe(100);
    expect(result.timings.completionTokens).toBe(4);
  });

  it('ends the thinking when the stream ends while still thinking (max_tokens reached)', async () => {
    const calls: number[] = [];
    const answer: string[] = [];
    const result = await streamChat(REQUEST, {
      url: '/x',
      now: ticking(),
      fetchImpl: fetchOf([event({ reasoning_content: 'hmm' }), event({ reasoning_content: ' more' }), event({}, 'length')]),
      onThinkingDone: (ms) => calls.push(ms),
      onDelta: (t) => answer.push(t),
    });
    expect(result.finishReason).toBe('length');
    expect(answer).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it('ends the thinking when the stream breaks mid-thought', async () => {
    const calls: number[] = [];
    const err = await streamChat(REQUEST, {
      url: '/x',
      now: ticking(),
      fetchImpl: fetchOf([event({ reasoning_content: 'hmm' })], ''),
      onThinkingDone: (ms) => calls.push(ms),
      onDelta: () => {},
    }).catch((e) => e);
    expect(err).toMatchObject({ type: 'incomplete_stream' });
    expect(calls).toHaveLength(1);
  });

  it('never calls onThinkingDone for an answer without thinking', async () => {
    let called = false;
    await streamChat(REQUEST, {
      url: '/x',
      fetchImpl: fetchOf([event({ content: 'hi' }), event({}, 'stop')]),
      onThinkingDone: () => (called = true),
      onDelta: () => {},
    });
    expect(called).toBe(false);
  });

  it('sends enable_thinking as a chat template variable', async () => {
    const bodies: unknown[] = [];
    for (const on of [true, false]) {
      await streamChat(
        { ...REQUEST, chat_template_kwargs: { enable_thinking: on } },
        { url: '/x', fetchImpl: fetchOf([event({ content: 'ok' })], 'data: [DONE]\n\n', (b) => bodies.push(b)), onDelta: () => {} },
      );
    }
    expect(bodies.map((b) => (b as ChatRequest).chat_template_kwargs)).toEqual([{ enable_thinking: true }, { enable_thinking: false }]);
  });
});

const answer = (extra: Partial<StoredMessage>): StoredMessage => ({ id: 'a', role: 'assistant', content: '等于 2。', createdAt: 0, reasoning: '用户问一加一。', ...extra });

describe('the thinking block title', () => {
  const zh = translator('zh');
  const en = translator('en');

  it('says it is thinking, then how long it thought, in seconds with one decimal', () => {
    expect(thinkingTitle(zh, answer({ content: '' }), true)).toBe('思考中…');
    expect(thinkingTitle(zh, answer({ thinkingMs: 3240 }), true)).toBe('已思考 3.2 秒');
    expect(thinkingTitle(zh, answer({ thinkingMs: 3240, status: 'done' }), false)).toBe('已思考 3.2 秒');
    expect(thinkingTitle(en, answer({ thinkingMs: 480, status: 'done' }), false)).toBe('Thought for 0.5 s');
  });

  it('says when the thinking was stopped, and has a plain title when its time is unknown', () => {
    expect(thinkingTitle(zh, answer({ content: '', thinkingMs: 1500, status: 'stopped' }), false)).toBe('思考已停止（1.5 秒）');
    expect(thinkingTitle(zh, answer({ content: '', status: 'interrupted' }), false)).toBe('思考过程');
  });
});

describe('thinking in the history', () => {
  it('is never sent back to the model: earlier answers go as their content only', () => {
    const history: StoredMessage[] = [
      { id: 'u', role: 'user', content: '1+1=?', createdAt: 0 },
      answer({ thinkingMs: 900, status: 'done' }),
      // Cut off while thinking: no answer text, so it is left out like any empty answer.
      { id: 'b', role: 'assistant', content: '', reasoning: 'hmm', createdAt: 0, status: 'stopped' },
      { id: 'v', role: 'user', content: '再说一遍', createdAt: 0 },
    ];
    expect(wireMessages('', history)).toEqual([
      { role: 'user', content: '1+1=?' },
      { role: 'assistant', content: '等于 2。' },
      { role: 'user', content: '再说一遍' },
    ]);
  });

  it('survives export and import with the conversation switch', () => {
    const file = JSON.stringify({
      conversations: [{ id: 'c', title: 't', thinking: false, messages: [{ role: 'user', content: 'q' }, { ...answer({ thinkingMs: 900 }), status: 'done' }] }],
    });
    const [c] = parseImport(file, []);
    expect(c.thinking).toBe(false);
    expect(c.messages[1]).toMatchObject({ reasoning: '用户问一加一。', thinkingMs: 900 });
  });
});

describe('the thinking block', () => {
  it('streams open as plain text, then closes with its time when the answer starts', () => {
    const list = new MessageList(translator('zh'), { regenerate() {}, retry() {}, editAndResend() {}, toast() {}, openSettings() {} });
    document.body.replaceChildren(list.element);
    const m: StoredMessage = { id: 'a1', role: 'assistant', content: '', createdAt: 0, status: 'streaming' };
    const c = { id: 'c', title: 't', createdAt: 0, updatedAt: 0, messages: [{ id: 'u', role: 'user' as const, content: 'q', createdAt: 0 }, m] };
    list.render(c, 'a1', () => document.createElement('div'));
    expect(document.querySelector('.thinking')).toBeNull(); // nothing until the first thinking

    m.reasoning = '先想想 <img src=x onerror="window.__pwned=1"> **不是粗体**';
    list.drawThinking(m);
    const block = document.querySelector<HTMLDetailsElement>('[data-testid=thinking]')!;
    expect(block.open).toBe(true);
    expect(block.dataset.state).toBe('thinking');
    expect(block.querySelector('.thinking-title')!.textContent).toBe('思考中…');
    expect(block.querySelector('.thinking-body')!.textContent).toBe(m.reasoning);
    expect(block.querySelector('img, strong')).toBeNull(); // text, never markup
    expect(block.closest('.msg-assistant')!.classList.contains('is-thinking')).toBe(true); // no waiting dots too

    m.thinkingMs = 3240;
    list.drawThinking(m);
    expect(block.open).toBe(false);
    expect(block.dataset.state).toBe('done');
    expect(block.closest('.msg-assistant')!.classList.contains('is-thinking')).toBe(false);
    expect(block.querySelector('.thinking-title')!.textContent).toBe('已思考 3.2 秒');

    // Once finished, the whole list is redrawn: the block stays closed, above the answer.
    m.content = '等于 2。';
    m.status = 'done';
    list.render(c, null, () => document.createElement('div'));
    const done = document.querySelector<HTMLDetailsElement>('[data-testid=thinking]')!;
    expect(done.open).toBe(false);
    expect(done.nextElementSibling?.classList.contains('bubble')).toBe(true);
    expect(done.querySelector('.thinking-title')!.textContent).toBe('已思考 3.2 秒');
  });
});
