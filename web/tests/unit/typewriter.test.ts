import { describe, expect, it } from 'vitest';
import { nextShown, safeCut, Typewriter } from '../../src/ui/typewriter';

// A frame scheduler the test steps by hand.
function frames() {
  const queue: (() => void)[] = [];
  return {
    schedule: (cb: () => void) => queue.push(cb),
    cancel: () => queue.splice(0),
    step: () => queue.shift()?.(),
    get pending() {
      return queue.length;
    },
  };
}

describe('typewriter pacing', () => {
  it('reveals a share of the backlog each frame, at least one character', () => {
    expect(nextShown(0, 1, false)).toBe(1);
    expect(nextShown(0, 80, false)).toBe(10);
    expect(nextShown(70, 80, false)).toBe(72);
    expect(nextShown(80, 80, false)).toBe(80);
    expect(nextShown(0, 80, true)).toBe(20); // catching up after the stream ended
  });

  it('never cuts an emoji in half', () => {
    const text = 'a🌸b';
    expect(safeCut(text, 2)).toBe(3);
    expect(safeCut(text, 1)).toBe(1);
    expect(safeCut(text, 3)).toBe(3);
  });

  it('shows text growing frame by frame and finishes with all of it', async () => {
    const f = frames();
    const drawn: [string, boolean][] = [];
    const tw = new Typewriter((v, complete) => drawn.push([v, complete]), f.schedule, f.cancel);
    tw.update('hello world, streaming');
    f.step();
    f.step();
    expect(drawn.length).toBe(2);
    expect(drawn[0][0].length).toBeLessThan(drawn[1][0].length);
    const done = tw.finish();
    while (f.pending) f.step();
    await done;
    expect(drawn.at(-1)).toEqual(['hello world, streaming', true]);
    expect(drawn.every(([v]) => 'hello world, streaming'.startsWith(v))).toBe(true);
  });

  it('flush shows everything at once and ends a pending finish', async () => {
    const f = frames();
    const drawn: string[] = [];
    const tw = new Typewriter((v) => drawn.push(v), f.schedule, f.cancel);
    tw.update('x'.repeat(500));
    const done = tw.finish();
    tw.flush();
    await done;
    expect(drawn.at(-1)).toHaveLength(500);
    expect(f.pending).toBe(0);
  });
});
