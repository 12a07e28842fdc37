import { describe, expect, it } from 'vitest';
import { ApiError, parseRetryAfter, streamChat, type ChatRequest } from '../../src/api/chat';

const REQUEST: ChatRequest = {
  messages: [{ role: 'user', content: 'hi' }],
  stream: true,
  stream_options: { include_usage: true },
  temperature: 0.7,
  top_p: 0.8,
  max_tokens: 16,
  max_rounds: 3,
};

// A fetch that answers with `body` cut into the given byte chunks.
function fakeFetch(chunks: Uint8Array[], init: ResponseInit = {}): typeof fetch {
  return async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(c);
        controller.close();
      },
    });
    return new Response(stream, { status: 200, headers: { 'Content-Type': 'text/event-stream' }, ...init });
  };
}

function bytesOf(events: unknown[], tail = 'data: [DONE]\n\n'): Uint8Array {
  return new TextEncoder().encode(events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + tail);
}

function cutEvery(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

const delta = (content: string) => ({ choices: [{ index: 0, delta: { content }, finish_reason: null }] });

describe('streamChat', () => {
  it('reports deltas in order and returns the server timings and dropped rounds', async () => {
    const bytes = bytesOf([
      { choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }] },
      delta('你好'),
      delta('，世界'),
      {
        choices: [{ index: 0, delta: {}, finish_reason: 'length' }],
        timings: { ttft_ms: 42.5, tokens_per_second: 31.25, prompt_tokens: 9, cached_tokens: 4 },
        context: { dropped_rounds: 2 },
      },
      { choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } },
    ]);
    const seen: string[] = [];
    // 3-byte cuts split every Chinese character across chunks.
    const result = await streamChat(REQUEST, {
      url: '/v1/chat/completions',
      fetchImpl: fakeFetch(cutEvery(bytes, 3)),
      onDelta: (t) => seen.push(t),
    });
    expect(seen).toEqual(['你好', '，世界']);
    expect(result.finishReason).toBe('length');
    expect(result.droppedRounds).toBe(2);
    expect(result.timings).toEqual({
      ttftMs: 42.5,
      tokensPerSecond: 31.25,
      promptTokens: 9,
      cachedTokens: 4,
      completionTokens: 2,
      source: 'server',
    });
  });

  it('measures timings itself when the server sends none', async () => {
    let clock = 0;
    const now = () => (clock += 100); // every call is 100 ms later
    const result = await streamChat(REQUEST, {
      url: '/x',
      fetchImpl: fakeFetch([bytesOf([delta('a'), delta('b'), delta('c'), { choices: [{ delta: {}, finish_reason: 'stop' }] }])]),
      onDelta: () => {},
      now,
    });
    // started at 100, tokens at 200, 300, 400: TTFT 100 ms, 2 decode steps in 0.2 s.
    expect(result.timings.source).toBe('client');
    expect(result.timings.ttftMs).toBe(100);
    expect(result.timings.tokensPerSecond).toBeCloseTo(10);
    expect(result.finishReason).toBe('stop');
  });

  it('turns an OpenAI error response into an ApiError with Retry-After', async () => {
    const fetchImpl: typeof fetch = async () =>
      new Response(JSON.stringify({ error: { message: 'queue full', type: 'server_busy', code: 'busy' } }), {
        status: 429,
        headers: { 'Retry-After': '7', 'Content-Type': 'application/json' },
      });
    const err = await streamChat(REQUEST, { url: '/x', fetchImpl, onDelta: () => {} }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ message: 'queue full', status: 429, type: 'server_busy', retryAfterSeconds: 7 });
  });

  it('keeps the status line when the error body is not JSON', async () => {
    const fetchImpl: typeof fetch = async () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' });
    const err = await streamChat(REQUEST, { url: '/x', fetchImpl, onDelta: () => {} }).catch((e) => e);
    expect(err).toMatchObject({ status: 502, message: 'HTTP 502 Bad Gateway' });
  });

  it('fails on a stream that ends before the answer does', async () => {
    const seen: string[] = [];
    const err = await streamChat(REQUEST, {
      url: '/x',
      fetchImpl: fakeFetch([bytesOf([delta('partial')], '')]),
      onDelta: (t) => seen.push(t),
    }).catch((e) => e);
    expect(seen).toEqual(['partial']);
    expect(err).toMatchObject({ type: 'incomplete_stream' });
  });

  it('reports an error chunk sent mid-stream', async () => {
    const bytes = bytesOf([delta('x'), { error: { message: 'engine failed', type: 'server_error' } }]);
    const err = await streamChat(REQUEST, { url: '/x', fetchImpl: fakeFetch([bytes]), onDelta: () => {} }).catch((e) => e);
    expect(err).toMatchObject({ message: 'engine failed', type: 'server_error' });
  });

  it('reports a malformed chunk as a bad stream', async () => {
    const bytes = new TextEncoder().encode('data: {not json\n\n');
    const err = await streamChat(REQUEST, { url: '/x', fetchImpl: fakeFetch([bytes]), onDelta: () => {} }).catch((e) => e);
    expect(err).toMatchObject({ type: 'bad_stream' });
  });

  it('maps a refused connection to a network error', async () => {
    const fetchImpl: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    const err = await streamChat(REQUEST, { url: '/x', fetchImpl, onDelta: () => {} }).catch((e) => e);
    expect(err).toMatchObject({ status: 0, type: 'network_error' });
  });

  it('sends the request as JSON with the stream flags', async () => {
    let body: unknown;
    const fetchImpl: typeof fetch = async (_url, init) => {
      body = JSON.parse(String(init?.body));
      return fakeFetch([bytesOf([delta('ok')])])('/x');
    };
    await streamChat(REQUEST, { url: '/x', fetchImpl, onDelta: () => {} });
    expect(body).toEqual(REQUEST);
  });
  it('sends the extra headers (the API key) beside its own', async () => {
    let headers: Headers | undefined;
    const fetchImpl: typeof fetch = async (_url, init) => {
      headers = new Headers(init?.headers);
      return fakeFetch([bytesOf([delta('ok')])])('/x');
    };
    await streamChat(REQUEST, { url: '/x', fetchImpl, headers: { Authorization: 'Bearer k1' }, onDelta: () => {} });
    expect(headers?.get('authorization')).toBe('Bearer k1');
    expect(headers?.get('content-type')).toBe('application/json');
  });

  it('reports a refused API key as a 401 ApiError with the server message', async () => {
    const fetchImpl: typeof fetch = async () =>
      new Response(JSON.stringify({ error: { message: 'missing or wrong API key', type: 'invalid_request_error', code: 'invalid_api_key' } }), { status: 401 });
    const err = await streamChat(REQUEST, { url: '/x', fetchImpl, onDelta: () => {} }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(401);
    expect(err.message).toBe('missing or wrong API key');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores junk', () => {
    expect(parseRetryAfter('12')).toBe(12);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
