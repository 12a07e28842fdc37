// What a conversation looks like in the browser's storage and in export files.
import type { Timings } from '../api/chat';
import type { Citation } from '../api/knowledge';

// done: the answer ended normally; streaming: arriving now; stopped: the user pressed Stop;
// error: the request failed; interrupted: the page closed or reloaded mid-answer.
export type MessageStatus = 'done' | 'streaming' | 'stopped' | 'error' | 'interrupted';

export interface MessageError {
  message: string;
  type: string;
  status: number;
  retryAfterSeconds?: number;
}

export interface StoredMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  createdAt: number;
  // An answer's thinking (reasoning_content), shown apart and never sent back to the model, and
  // how long it took.
  reasoning?: string;
  thinkingMs?: number;
  status?: MessageStatus;
  finishReason?: string | null;
  error?: MessageError;
  timings?: Timings;
  droppedRounds?: number;
  // The knowledge-base passages the answer was given from, cited as [n] in its text.
  citations?: Citation[];
}

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  messages: StoredMessage[];
  // Thinking on or off for this conversation's requests (a model that can think); unset: the
  // model's default.
  thinking?: boolean;
  // The model this conversation's requests name (GET /v1/models id); unset: the server's default.
  model?: string;
  // The knowledge base this conversation answers from; unset: none.
  knowledgeBase?: string;
}

export interface ConversationStore {
  // Newest first.
  list(): Promise<Conversation[]>;
  get(id: string): Promise<Conversation | undefined>;
  put(conversation: Conversation): Promise<void>;
  delete(id: string): Promise<void>;
}

// Ids must work on plain-http LAN pages too, where crypto.randomUUID is not offered
// (it needs a secure context) but getRandomValues is.
export function makeId(): string {
  const bytes = new Uint8Array(12);
  if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function byNewest(a: Conversation, b: Conversation): number {
  return b.updatedAt - a.updatedAt || b.createdAt - a.createdAt;
}
