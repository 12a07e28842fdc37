// One conversation as a Markdown document, for "download as Markdown": the title, then each turn
// under a heading of who spoke; an answer's thinking as a quote before it. The answers are
// Markdown already and go in as they are.
import type { Conversation, StoredMessage } from './types';

export interface MarkdownLabels {
  user: string;
  assistant: string;
  thinking: string;
  stopped: string;
  failed: string;
}

const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ').trim();

function quote(text: string): string {
  return text
    .trim()
    .split('\n')
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n');
}

function turn(m: StoredMessage, labels: MarkdownLabels): string {
  const parts = [`## ${m.role === 'user' ? labels.user : labels.assistant}`];
  if (m.role === 'assistant' && m.reasoning?.trim()) parts.push(`> **${labels.thinking}**\n>\n${quote(m.reasoning)}`);
  if (m.content.trim()) parts.push(m.content.trim());
  if (m.status === 'stopped' || m.status === 'interrupted') parts.push(`*${labels.stopped}*`);
  if (m.status === 'error') parts.push(`*${labels.failed}${m.error?.message ? `: ${oneLine(m.error.message)}` : ''}*`);
  return parts.join('\n\n');
}

export function conversationMarkdown(c: Conversation, labels: MarkdownLabels): string {
  const date = new Date(c.createdAt).toISOString().slice(0, 16).replace('T', ' ');
  const head = `# ${oneLine(c.title) || 'qwen-edge'}\n\n*qwen-edge · ${date} UTC*`;
  return [head, ...c.messages.map((m) => turn(m, labels))].join('\n\n') + '\n';
}

// A file name from the title: what file systems refuse (/ \ : * ? " < > | and control characters)
// becomes '-', Chinese and other letters stay, at most 80 characters.
export function markdownFileName(title: string): string {
  // eslint-disable-next-line no-control-regex
  const base = oneLine(title).replace(/[/\\:*?"<>|\u0000-\u001f\u007f]+/g, '-').replace(/^[.\s-]+|[.\s-]+$/g, '');
  return `${Array.from(base || 'conversation').slice(0, 80).join('')}.md`;
}
