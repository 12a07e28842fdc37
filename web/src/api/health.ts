// Watches the server's /health and tells the UI whether it is loading, ready or unreachable,
// polling faster while it is not ready so the UI reconnects by itself when the server returns.

// 'full': ready, but every slot is generating (for this page or others), so a request would queue.
export type HealthState = 'loading' | 'ready' | 'full' | 'unreachable';

interface HealthBody {
  status?: unknown;
  slots?: unknown;
  active?: unknown;
  queued?: unknown;
  state?: unknown;
  model?: unknown;
  bytes?: unknown;
  total?: unknown;
  bytes_per_second?: unknown;
  eta_seconds?: unknown;
  error?: unknown;
  help?: unknown;
}

// What a server that is not ready yet is doing (docs/API.md, GET /health): on a first start it
// downloads its model, or waits to try again after a failed download.
export interface ModelProgress {
  state: 'downloading' | 'download_failed';
  model: string;
  bytes: number;
  total: number; // 0: not known yet
  bytesPerSecond: number;
  etaSeconds: number | null;
  error: string;
  help: string;
}

const amount = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

// The download progress in a /health body; null when the server is not downloading.
export function parseProgress(body: HealthBody): ModelProgress | null {
  if (body.state !== 'downloading' && body.state !== 'download_failed') return null;
  const eta = body.eta_seconds;
  return {
    state: body.state,
    model: text(body.model),
    bytes: amount(body.bytes),
    total: amount(body.total),
    bytesPerSecond: amount(body.bytes_per_second),
    etaSeconds: typeof eta === 'number' && Number.isFinite(eta) && eta >= 0 ? eta : null,
    error: text(body.error),
    help: text(body.help),
  };
}

const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

// A server that reports its load (slots, active, queued) is full when no slot is free or
// requests wait; one that does not is simply ready.
export function isFull(body: HealthBody): boolean {
  const slots = count(body.slots);
  const active = count(body.active);
  const queued = count(body.queued) ?? 0;
  if (queued > 0) return true;
  return slots !== undefined && slots > 0 && active !== undefined && active >= slots;
}

export interface HealthReport {
  state: HealthState;
  progress: ModelProgress | null; // while loading: a first start's download
}

export async function checkHealthReport(
  url: string,
  fetchImpl: typeof fetch = fetch,
  timeoutMs = 4000,
): Promise<HealthReport> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetchImpl(url, { cache: 'no-store', signal: controller.signal });
    let body: HealthBody = {};
    try {
      const parsed: unknown = await response.json();
      if (parsed && typeof parsed === 'object') body = parsed as HealthBody;
    } catch {
      // No JSON: the status code decides.
    }
    if (body.status === 'loading') return { state: 'loading', progress: parseProgress(body) };
    if (response.ok) return { state: isFull(body) ? 'full' : 'ready', progress: null };
    // 503 without a body is a server that is up but not ready; anything else is not our server.
    return { state: response.status === 503 ? 'loading' : 'unreachable', progress: null };
  } catch {
    return { state: 'unreachable', progress: null };
  } finally {
    clearTimeout(timer);
  }
}

export async function checkHealth(url: string, fetchImpl: typeof fetch = fetch, timeoutMs = 4000): Promise<HealthState> {
  return (await checkHealthReport(url, fetchImpl, timeoutMs)).state;
}

export interface HealthMonitorOptions {
  url: string;
  onChange: (state: HealthState) => void;
  // After every check: the download progress while the server fetches its model, else null.
  onProgress?: (progress: ModelProgress | null) => void;
  fetchImpl?: typeof fetch;
  readyIntervalMs?: number;
  loadingIntervalMs?: number;
  fullIntervalMs?: number;
  maxBackoffMs?: number;
}

export class HealthMonitor {
  private state: HealthState | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private running = false;
  private inFlight = false;

  constructor(private readonly options: HealthMonitorOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.poll();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  // Checks now (after a failed request, or when the tab becomes visible again).
  poke(): void {
    if (!this.running || this.inFlight) return;
    clearTimeout(this.timer);
    void this.poll();
  }

  get current(): HealthState | null {
    return this.state;
  }

  // How long to wait before the next check, given the state just seen.
  nextDelay(state: HealthState): number {
    const o = this.options;
    if (state === 'ready') return o.readyIntervalMs ?? 10_000;
    // A full server frees a slot within seconds; look again soon so "busy" does not linger.
    if (state === 'full') return o.fullIntervalMs ?? 2_000;
    if (state === 'loading') return o.loadingIntervalMs ?? 1_000;
    return Math.min(o.maxBackoffMs ?? 10_000, 1000 * 2 ** Math.min(this.failures - 1, 4));
  }

  private async poll(): Promise<void> {
    this.inFlight = true;
    const { state, progress } = await checkHealthReport(this.options.url, this.options.fetchImpl);
    this.inFlight = false;
    if (!this.running) return;
    this.options.onProgress?.(progress);
    this.failures = state === 'unreachable' ? this.failures + 1 : 0;
    if (state !== this.state) {
      this.state = state;
      this.options.onChange(state);
    }
    this.timer = setTimeout(() => void this.poll(), this.nextDelay(state));
  }
}
