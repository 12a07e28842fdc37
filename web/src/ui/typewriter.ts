// Reveals streamed text at a steady pace: tokens that arrive in bursts (a proxy's buffering, a
// batch of tokens in one network read) still appear as typing, and the display never falls far
// behind what has arrived.

// How many characters to show next, given how many are shown and how many have arrived.
// Reveals a fraction of the backlog per frame so the lag stays a few frames, whatever the speed;
// `finishing` (the stream ended) catches up faster.
export function nextShown(shown: number, arrived: number, finishing: boolean): number {
  const backlog = arrived - shown;
  if (backlog <= 0) return arrived;
  const step = Math.max(finishing ? 4 : 1, Math.ceil(backlog / (finishing ? 4 : 8)));
  return Math.min(arrived, shown + step);
}

// Moves `end` forward past a low surrogate so an emoji is never shown half.
export function safeCut(text: string, end: number): number {
  if (end > 0 && end < text.length) {
    const c = text.charCodeAt(end - 1);
    if (c >= 0xd800 && c <= 0xdbff) return end + 1;
  }
  return end;
}

export class Typewriter {
  private shown = 0;
  private text = '';
  private finishing = false;
  private frame = 0;
  private resolveDrain: (() => void) | null = null;

  constructor(
    private readonly draw: (visible: string, complete: boolean) => void,
    private readonly schedule: (cb: () => void) => number = (cb) => requestAnimationFrame(cb),
    private readonly cancel: (id: number) => void = (id) => cancelAnimationFrame(id),
  ) {}

  update(text: string): void {
    this.text = text;
    this.kick();
  }

  // Resolves when everything that arrived is shown.
  finish(): Promise<void> {
    this.finishing = true;
    if (this.shown >= this.text.length) return Promise.resolve();
    this.kick();
    return new Promise((resolve) => (this.resolveDrain = resolve));
  }

  // Shows everything at once (Stop, switching away).
  flush(): void {
    this.cancel(this.frame);
    this.frame = 0;
    this.shown = this.text.length;
    this.draw(this.text, true);
    this.resolveDrain?.();
    this.resolveDrain = null;
  }

  private kick(): void {
    if (this.frame !== 0) return;
    this.frame = this.schedule(() => this.tick());
  }

  private tick(): void {
    this.frame = 0;
    this.shown = safeCut(this.text, nextShown(this.shown, this.text.length, this.finishing));
    const complete = this.shown >= this.text.length;
    this.draw(this.text.slice(0, this.shown), complete && this.finishing);
    if (!complete) this.kick();
    else if (this.finishing) {
      this.resolveDrain?.();
      this.resolveDrain = null;
    }
  }
}
