// The conversation rules the page follows, kept free of the DOM so they can be tested alone.
import type { WireMessage } from '../api/chat';
import type { StoredMessage } from '../store/types';

// Typed alone as a message, these reset the conversation instead of being sent to the model.
const RESET_COMMANDS = new Set(['重新开始', '/reset']);

export function isResetCommand(text: string): boolean {
  return RESET_COMMANDS.has(text.trim());
}

// A conversation's title: its first line, whitespace folded, at most `max` characters
// (counted in code points so an emoji or CJK character is never cut in half).
export function titleFrom(text: string, max = 40): string {
  const line = text.trim().split(/\r?\n/, 1)[0].replace(/\s+/g, ' ').trim();
  const chars = Array.from(line);
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : line;
}

// The messages sent for a turn: the system prompt (when set) and the whole conversation so far.
// The server keeps the last rounds that fit and says how many it left out. Answers that failed
// before any text, or still have none, are left out so the history stays clean.
export function wireMessages(systemPrompt: string, history: StoredMessage[]): WireMessage[] {
  const out: WireMessage[] = [];
  if (systemPrompt.trim() !== '') out.push({ role: 'system', content: systemPrompt });
  for (const m of history) {
    if (m.role === 'assistant' && m.content.trim() === '') continue;
    out.push({ role: m.role, content: m.content });
  }
  return out;
}

// The history to send when (re)asking for the answer at `index` (an assistant message or the
// end of the list): everything before it.
export function historyBefore(messages: StoredMessage[], index: number): StoredMessage[] {
  return messages.slice(0, Math.max(0, index));
}
