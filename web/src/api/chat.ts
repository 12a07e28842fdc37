// Streams one chat completion from the server (the contract is in web/README.md): POSTs the
// request, feeds the SSE body through the parser, reports the thinking and the text as they arrive
// and returns how the answer ended with its timings.
import { parseCitations, type Citation } from './knowledge';
import { SseParser } from './sse';

export interface WireMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  model?: string;
  messages: WireMessage[];
  stream: true;
  stream_options: { include_usage: true };
  temperature?: number;
  top_p?: number;
  max_tokens: number;
  max_rounds: number;
  top_k?: number;
  min_p?: number;
  repetition_penalty?: number;
  // Only for a model that can think (GET /v1/models says so): thinking on or off for this turn.
  chat_template_kwargs?: { enable_thinking: boolean };
  // Answer from this knowledge base's passages (the conversation's "answer from documents").
  knowledge?: { base: string; top_k?: number };
}

export interface Timings {
  ttftMs: number;
  tokensPerSecond: number;
  promptTokens?: number;
  cachedTokens?: number;
  completionTokens?: number;
  // "server" when the server measured them, "client" when measured here as a fallback.
  source: 'server' | 'client';
}

export type FinishReason = 'stop' | 'length' | 'repetition' | string;

export interface StreamResult {
  finishReason: FinishReason | null;
  timings: Timings;
  droppedRounds: number;
  citations: Citation[];
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number, // HTTP status; 0 for network failures and broken streams
    readonly type: string = 'api_error',
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface StreamOptions {
  url: string;
  signal?: AbortSignal;
  onDelta: (text: string) => void;
  // The model's thinking (delta.reasoning_content), which comes before the answer's text.
  onReasoning?: (text: string) => void;
  // Called once when the thinking ends: at the answer's first text, or when the stream ends,
  // breaks or is stopped while still thinking. ms runs from the first thinking chunk.
  onThinkingDone?: (ms: number) => void;
  // The passages of a knowledge-base answer (one chunk before its first text).
  onCitations?: (citations: Citation[]) => void;
  // Extra request headers (the API key's Authorization).
  headers?: Record<string, string>;
  fetchImpl?: typeof fetch;
  now?: () => number;
}

interface ChunkJson {
  choices?: { delta?: { content?: unknown; reasoning_content?: unknown }; finish_reason?: unknown; citations?: unknown }[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
  timings?: {
    ttft_ms?: unknown;
    tokens_per_second?: unknown;
    prompt_tokens?: unknown;
    cached_tokens?: unknown;
  };
  context?: { dropped_rounds?: unknown };
  error?: { message?: unknown; type?: unknown };
}

const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

// Parses a Retry-After header: seconds, or an HTTP date.
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

// Turns a non-2xx response into an ApiError carrying the server's own message when it sent one.
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let message = `HTTP ${response.status}`;
  let type = 'http_error';
  try {
    const body = (await response.json()) as ChunkJson;
    if (body && typeof body.error?.message === 'string') message = body.error.message;
    if (body && typeof body.error?.type === 'string') type = body.error.type;
  } catch {
    // Not JSON (a proxy's HTML page, say): keep the status line.
    if (response.statusText) message = `HTTP ${response.status} ${response.statusText}`;
  }
  return new ApiError(
    message,
    response.status,
    type,
    parseRetryAfter(response.headers.get('Retry-After')),
  );
}

export async function streamChat(request: ChatRequest, options: StreamOptions): Promise<StreamResult> {
  const fetchImpl = options.fetchImpl ?? fetch;
  const now = options.now ?? (() => performance.now());
  const started = now();
  let response: Response;
  try {
    response = await fetchImpl(options.url, {
      method: 'POST',
      headers: { ...options.headers, 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify(request),
      signal: options.signal,
    });
  } catch (e) {
    if (options.signal?.aborted) throw e;
    throw new ApiError('network', 0, 'network_error');
  }
  if (!response.ok) throw await errorFromResponse(response);
  if (!response.body) throw new ApiError('the server sent no response body', 0, 'bad_stream');

  const parser = new SseParser();
  const reader = response.body.getReader();
  let firstTokenAt: number | undefined;
  let lastTokenAt: number | undefined;
  let deltaCount = 0;
  let finishReason: FinishReason | null = null;
  let done = false;
  let droppedRounds = 0;
  let server: Partial<Timings> = {};
  let completionTokens: number | undefined;
  let thinkingFrom: number | undefined;
  const endThinking = () => {
    if (thinkingFrom === undefined) return;
    const ms = now() - thinkingFrom;
    thinkingFrom = undefined;
    options.onThinkingDone?.(ms);
  };
  let thinkingEnded = false;
  let citations: Citation[] = [];

  const handle = (data: string) => {
    if (data === '[DONE]') {
      done = true;
      return;
    }
    let chunk: ChunkJson;
    try {
      chunk = JSON.parse(data) as ChunkJson;
    } catch {
      throw new ApiError('the server sent a malformed stream chunk', 0, 'bad_stream');
    }
    if (chunk.error) {
      const message = typeof chunk.error.message === 'string' ? chunk.error.message : 'error';
      throw new ApiError(message, 0, typeof chunk.error.type === 'string' ? chunk.error.type : 'api_error');
    }
    const choice = chunk.choices?.[0];
    if (choice?.citations !== undefined) {
      citations = parseCitations(choice.citations);
      options.onCitations?.(citations);
    }
    const reasoning = choice?.delta?.reasoning_content;
    // Thinking that comes after the answer started (not what the server sends) is ignored: the
    // thinking block has ended by then.
    if (typeof reasoning === 'string' && reasoning.length > 0 && !thinkingEnded) {
      const t = now();
      firstTokenAt ??= t;
      lastTokenAt = t;
      thinkingFrom ??= t;
      deltaCount++;
      options.onReasoning?.(reasoning);
    }
    const content = choice?.delta?.content;
    if (typeof content === 'string' && content.length > 0) {
      const t = now();
      firstTokenAt ??= t;
      lastTokenAt = t;
      deltaCount++;
      thinkingEnded = true;
      endThinking();
      options.onDelta(content);
    }
    if (typeof choice?.finish_reason === 'string') finishReason = choice.finish_reason;
    const t = chunk.timings;
    if (t) {
      server = {
        ttftMs: num(t.ttft_ms) ?? server.ttftMs,
        tokensPerSecond: num(t.tokens_per_second) ?? server.tokensPerSecond,
        promptTokens: num(t.prompt_tokens) ?? server.promptTokens,
        cachedTokens: num(t.cached_tokens) ?? server.cachedTokens,
      };
    }
    completionTokens = num(chunk.usage?.completion_tokens) ?? completionTokens;
    server.promptTokens ??= num(chunk.usage?.prompt_tokens);
    const dropped = num(chunk.context?.dropped_rounds);
    if (dropped !== undefined) droppedRounds = dropped;
  };

  try {
    while (!done) {
      const { value, done: ended } = await reader.read();
      const events = ended ? parser.end() : parser.feed(value);
      for (const ev of events) {
        if (ev.event === 'message') handle(ev.data);
        if (done) break;
      }
      if (ended) break;
    }
  } catch (e) {
    if (options.signal?.aborted || e instanceof ApiError) throw e;
    throw new ApiError('the connection broke during the answer', 0, 'network_error');
  } finally {
    // Releases the connection when we stop early ([DONE] seen, an error chunk, a bad chunk).
    reader.cancel().catch(() => {});
    endThinking(); // an answer that was all thinking, or stopped while thinking
  }
  if (!done && finishReason === null) {
    throw new ApiError('the connection closed before the answer ended', 0, 'incomplete_stream');
  }

  const timings: Timings =
    server.ttftMs !== undefined && server.tokensPerSecond !== undefined
      ? { ...(server as Timings), completionTokens, source: 'server' }
      : clientTimings(started, firstTokenAt, lastTokenAt, completionTokens ?? deltaCount, server);
  return { finishReason, timings, droppedRounds, citations };
}

function clientTimings(
  started: number,
  first: number | undefined,
  last: number | undefined,
  tokens: number,
  server: Partial<Timings>,
): Timings {
  const ttftMs = first === undefined ? 0 : first - started;
  const decodeSeconds = first !== undefined && last !== undefined ? (last - first) / 1000 : 0;
  // The first token's time belongs to the prompt, so n tokens span n-1 decode steps.
  const tokensPerSecond = decodeSeconds > 0 && tokens > 1 ? (tokens - 1) / decodeSeconds : 0;
  return {
    ttftMs,
    tokensPerSecond,
    promptTokens: server.promptTokens,
    cachedTokens: server.cachedTokens,
    completionTokens: tokens,
    source: 'client',
  };
}
