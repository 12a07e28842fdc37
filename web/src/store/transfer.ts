// Export and import of conversations as JSON files. An imported file is untrusted input: every
// field is checked, unknown fields are dropped, and nothing in it can overwrite a conversation
// that is already here.
import type { Timings } from '../api/chat';
import { parseCitations } from '../api/knowledge';
import { titleFrom } from '../chat/rules';
import { makeId, type Conversation, type MessageStatus, type StoredMessage } from './types';

export const EXPORT_FORMAT = 'qwen-edge.conversations';
export const EXPORT_VERSION = 1;
const MAX_CONVERSATIONS = 10_000;
const MAX_MESSAGES = 10_000;
const MAX_CONTENT = 1_000_000; // characters per message
const MAX_CITATIONS = 100; // passages per answer (the server sends at most 20)

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

export function exportConversations(conversations: Conversation[], now = new Date()): string {
  return JSON.stringify(
    {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: now.toISOString(),
      conversations,
    },
    null,
    2,
  );
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const STATUSES: MessageStatus[] = ['done', 'stopped', 'error', 'interrupted'];

function parseTimings(v: unknown): Timings | undefined {
  if (!isObject(v) || !finite(v.ttftMs) || !finite(v.tokensPerSecond)) return undefined;
  const t: Timings = {
    ttftMs: v.ttftMs,
    tokensPerSecond: v.tokensPerSecond,
    source: v.source === 'client' ? 'client' : 'server',
  };
  if (finite(v.promptTokens)) t.promptTokens = v.promptTokens;
  if (finite(v.cachedTokens)) t.cachedTokens = v.cachedTokens;
  if (finite(v.completionTokens)) t.completionTokens = v.completionTokens;
  return t;
}

function parseMessage(v: unknown, where: string, now: number): StoredMessage | null {
  if (!isObject(v)) throw new ImportError(`${where} is not an object`);
  if (v.role === 'system') return null; // the system prompt is a setting here, not a message
  if (v.role !== 'user' && v.role !== 'assistant')
    throw new ImportError(`${where}.role must be "user" or "assistant"`);
  if (typeof v.content !== 'string') throw new ImportError(`${where}.content must be a string`);
  if (v.content.length > MAX_CONTENT) throw new ImportError(`${where}.content is too long`);
  const m: StoredMessage = {
    id: makeId(),
    role: v.role,
    content: v.content,
    createdAt: finite(v.createdAt) ? v.createdAt : now,
  };
  if (m.role === 'assistant') {
    // An answer that was streaming when exported can't be resumed: it was interrupted.
    m.status = v.status === 'streaming' ? 'interrupted' : STATUSES.find((s) => s === v.status) ?? 'done';
    if (typeof v.finishReason === 'string') m.finishReason = v.finishReason;
    if (typeof v.reasoning === 'string' && v.reasoning !== '') {
      if (v.reasoning.length > MAX_CONTENT) throw new ImportError(`${where}.reasoning is too long`);
      m.reasoning = v.reasoning;
      if (finite(v.thinkingMs) && v.thinkingMs >= 0) m.thinkingMs = v.thinkingMs;
    }
    const timings = parseTimings(v.timings);
    if (timings) m.timings = timings;
    if (finite(v.droppedRounds) && v.droppedRounds > 0) m.droppedRounds = Math.floor(v.droppedRounds);
    if (v.citations !== undefined) {
      if (!Array.isArray(v.citations) || v.citations.length > MAX_CITATIONS) throw new ImportError(`${where}.citations must be a list of at most ${MAX_CITATIONS}`);
      const citations = parseCitations(v.citations).filter((c) => c.text.length <= MAX_CONTENT);
      if (citations.length > 0) m.citations = citations;
    }
    if (isObject(v.error) && typeof v.error.message === 'string') {
      m.error = {
        message: v.error.message,
        type: typeof v.error.type === 'string' ? v.error.type : 'api_error',
        status: finite(v.error.status) ? v.error.status : 0,
      };
    }
  }
  return m;
}

function parseConversation(
  v: unknown,
  where: string,
  taken: Set<string>,
  now: number,
): Conversation {
  if (!isObject(v)) throw new ImportError(`${where} is not an object`);
  if (!Array.isArray(v.messages)) throw new ImportError(`${where}.messages must be an array`);
  if (v.messages.length > MAX_MESSAGES) throw new ImportError(`${where} has too many messages`);
  const messages = v.messages
    .map((m, i) => parseMessage(m, `${where}.messages[${i}]`, now))
    .filter((m): m is StoredMessage => m !== null);
  const firstUser = messages.find((m) => m.role === 'user');
  const title =
    typeof v.title === 'string' && v.title.trim() !== ''
      ? v.title.trim().slice(0, 200)
      : titleFrom(firstUser?.content ?? '');
  let id = typeof v.id === 'string' && /^[\w-]{1,64}$/.test(v.id) ? v.id : makeId();
  while (taken.has(id)) id = makeId();
  taken.add(id);
  const createdAt = finite(v.createdAt) ? v.createdAt : now;
  const conversation: Conversation = {
    id,
    title,
    createdAt,
    updatedAt: finite(v.updatedAt) ? v.updatedAt : createdAt,
    messages,
  };
  if (typeof v.thinking === 'boolean') conversation.thinking = v.thinking;
  if (typeof v.model === 'string' && v.model !== '' && v.model.length <= 200) conversation.model = v.model;
  if (typeof v.knowledgeBase === 'string' && v.knowledgeBase.length >= 1 && [...v.knowledgeBase].length <= 64) conversation.knowledgeBase = v.knowledgeBase;
  return conversation;
}

// Accepts our export format, a bare array of conversations, or one conversation object.
export function parseImport(text: string, existingIds: Iterable<string>, now = Date.now()): Conversation[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ImportError('the file is not valid JSON');
  }
  let list: unknown[];
  if (Array.isArray(data)) list = data;
  else if (isObject(data) && Array.isArray(data.conversations)) {
    if (data.format !== undefined && data.format !== EXPORT_FORMAT)
      throw new ImportError(`unknown format "${String(data.format)}"`);
    if (finite(data.version) && data.version > EXPORT_VERSION)
      throw new ImportError(`the file is format version ${data.version}; this page reads ${EXPORT_VERSION}`);
    list = data.conversations;
  } else if (isObject(data) && Array.isArray(data.messages)) list = [data];
  else throw new ImportError('no conversations found in the file');
  if (list.length > MAX_CONVERSATIONS) throw new ImportError('the file holds too many conversations');
  const taken = new Set(existingIds);
  return list.map((c, i) => parseConversation(c, `conversations[${i}]`, taken, now));
}
