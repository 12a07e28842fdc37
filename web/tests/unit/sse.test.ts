import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from '../../src/api/sse';

const enc = new TextEncoder();

// Feeds `bytes` cut at the given offsets and collects every event.
function parseSplit(bytes: Uint8Array, cuts: number[]): SseEvent[] {
  const p = new SseParser();
  const out: SseEvent[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(...p.feed(bytes.subarray(from, cut)));
    from = cut;
  }
  out.push(...p.end());
  return out;
}

const STREAM =
  ': ping\n\n' +
  'data: {"choices":[{"delta":{"content":"春天"}}]}\n\n' +
  'data: {"choices":[{"delta":{"content":"🌸 来了"}}]}\r\n\r\n' +
  'event: note\ndata: line one\ndata: line two\n\n' +
  'data:no-space\r\r' +
  'data: [DONE]\n\n';

const EXPECTED: SseEvent[] = [
  { event: 'message', data: '{"choices":[{"delta":{"content":"春天"}}]}' },
  { event: 'message', data: '{"choices":[{"delta":{"content":"🌸 来了"}}]}' },
  { event: 'note', data: 'line one\nline two' },
  { event: 'message', data: 'no-space' },
  { event: 'message', data: '[DONE]' },
];

describe('SseParser', () => {
  it('parses a whole stream with LF, CRLF and CR line ends, comments and multi-line data', () => {
    expect(parseSplit(enc.encode(STREAM), [])).toEqual(EXPECTED);
  });

  it('gives the same events however the bytes are cut into two chunks', () => {
    const bytes = enc.encode(STREAM);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(parseSplit(bytes, [cut]), `cut at byte ${cut}`).toEqual(EXPECTED);
    }
  });

  it('survives one byte per chunk (every multi-byte character split)', () => {
    const bytes = enc.encode(STREAM);
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(parseSplit(bytes, cuts)).toEqual(EXPECTED);
  });

  it('keeps a 4-byte emoji whole when its bytes arrive in three chunks', () => {
    const bytes = enc.encode('data: 🌸\n\n'); // the emoji is bytes 6..9
    expect(parseSplit(bytes, [7, 9])).toEqual([{ event: 'message', data: '🌸' }]);
  });

  it('treats CR then LF in the next chunk as one line end, not an empty line', () => {
    const p = new SseParser();
    expect(p.feed(enc.encode('data: a\r'))).toEqual([]);
    expect(p.feed(enc.encode('\ndata: b\r\n'))).toEqual([]);
    expect(p.feed(enc.encode('\r\n'))).toEqual([{ event: 'message', data: 'a\nb' }]);
  });

  it('flushes the last event of a stream cut without a blank line', () => {
    const p = new SseParser();
    expect(p.feed(enc.encode('data: tail'))).toEqual([]);
    expect(p.end()).toEqual([{ event: 'message', data: 'tail' }]);
  });

  it('ignores blank lines with no data and unknown fields', () => {
    expect(parseSplit(enc.encode('\n\nid: 7\nretry: 10\nfoo: bar\n\n'), [])).toEqual([]);
  });

  it('replaces invalid UTF-8 instead of throwing', () => {
    const bytes = new Uint8Array([...enc.encode('data: a'), 0xff, ...enc.encode('b\n\n')]);
    expect(parseSplit(bytes, [])).toEqual([{ event: 'message', data: 'a\ufffdb' }]);
  });
});
