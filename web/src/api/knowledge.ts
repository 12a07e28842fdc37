// The knowledge bases' HTTP API (web/README.md, "Knowledge bases"): list, create and delete bases,
// list, upload and delete their documents. Every answer is checked before use; an error answer
// becomes an ApiError carrying the server's own message.
import { errorFromResponse } from './chat';

export interface EmbedderInfo {
  name: string;
  dims: number;
}

export interface BaseInfo {
  name: string;
  documents: number;
  chunks: number;
  bytes: number;
  embedder: EmbedderInfo | null;
}

export type DocumentStatus = 'queued' | 'indexing' | 'ready' | 'skipped';

export interface DocumentEntry {
  id: string;
  file: string;
  status: DocumentStatus;
  reason: string | null; // why a skipped file was skipped
  chunks: number;
  bytes: number;
  progress: number; // 0..1 while queued or indexing
  updatedAt: number; // Unix seconds
}

// A passage an answer was given from: `citations` of a chat answer.
export interface Citation {
  index: number; // the [n] the answer cites it by
  file: string;
  page: number | null;
  heading: string;
  text: string;
  score?: number;
}

export interface BaseList {
  bases: BaseInfo[];
  defaultBase: string | null; // the server's default (`serve --kb NAME`), when it has one
}

export interface KnowledgeClient {
  listBases(): Promise<BaseList>;
  createBase(name: string): Promise<BaseInfo>;
  deleteBase(name: string): Promise<void>;
  listDocuments(base: string): Promise<DocumentEntry[]>;
  upload(base: string, files: File[]): Promise<DocumentEntry[]>;
  deleteDocument(base: string, id: string): Promise<void>;
}

const STATUSES: DocumentStatus[] = ['queued', 'indexing', 'ready', 'skipped'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

export class BadAnswerError extends Error {
  constructor(what: string) {
    super(`the server's answer is not what the page expects: ${what}`);
    this.name = 'BadAnswerError';
  }
}

function parseBase(v: unknown): BaseInfo {
  if (!isObject(v) || typeof v.name !== 'string') throw new BadAnswerError('a base without a name');
  const e = v.embedder;
  return {
    name: v.name,
    documents: count(v.documents),
    chunks: count(v.chunks),
    bytes: count(v.bytes),
    embedder: isObject(e) && typeof e.name === 'string' ? { name: e.name, dims: count(e.dims) } : null,
  };
}

export function parseDocument(v: unknown): DocumentEntry {
  if (!isObject(v) || (typeof v.id !== 'string' && typeof v.id !== 'number') || typeof v.file !== 'string')
    throw new BadAnswerError('a document without an id or file');
  const status = STATUSES.find((s) => s === v.status);
  if (!status) throw new BadAnswerError(`document status "${String(v.status)}"`);
  return {
    id: String(v.id),
    file: v.file,
    status,
    reason: typeof v.reason === 'string' ? v.reason : null,
    chunks: count(v.chunks),
    bytes: count(v.bytes),
    progress: Math.min(1, count(v.progress)),
    updatedAt: count(v.updated_at),
  };
}

// The citations of a chat answer, as sent in `choices[0].citations`; entries that are not
// passages are left out.
export function parseCitations(v: unknown): Citation[] {
  if (!Array.isArray(v)) return [];
  const out: Citation[] = [];
  for (const c of v) {
    if (!isObject(c) || typeof c.file !== 'string' || typeof c.text !== 'string') continue;
    out.push({
      index: typeof c.index === 'number' && Number.isInteger(c.index) ? c.index : out.length + 1,
      file: c.file,
      page: typeof c.page === 'number' && Number.isInteger(c.page) ? c.page : null,
      heading: typeof c.heading === 'string' ? c.heading : '',
      text: c.text,
      ...(typeof c.score === 'number' && Number.isFinite(c.score) ? { score: c.score } : {}),
    });
  }
  return out;
}

function listOf(body: unknown): unknown[] {
  if (!isObject(body) || !Array.isArray(body.data)) throw new BadAnswerError('no "data" list');
  return body.data;
}

// Talks to the server at `url(path)` (relative to the page) with the key headers of the moment:
// `headers(true)` for the admin requests (create, upload, delete), `headers(false)` for reading.
export function knowledgeClient(url: (path: string) => string, headers: (admin: boolean) => Record<string, string>, fetchImpl: typeof fetch = (...a) => fetch(...a)): KnowledgeClient {
  const call = async (path: string, init: RequestInit = {}, admin = false): Promise<unknown> => {
    const response = await fetchImpl(url(path), { cache: 'no-store', ...init, headers: { ...headers(admin), ...(init.headers as Record<string, string> | undefined) } });
    if (!response.ok) throw await errorFromResponse(response);
    return response.json();
  };
  const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const basePath = (name: string) => `v1/knowledge/${encodeURIComponent(name)}`;
  return {
    async listBases() {
      const body = await call('v1/knowledge');
      const defaultBase = isObject(body) && typeof body.default === 'string' && body.default !== '' ? body.default : null;
      return { bases: listOf(body).map(parseBase), defaultBase };
    },
    async createBase(name) {
      return parseBase(await call('v1/knowledge', json('POST', { name }), true));
    },
    async deleteBase(name) {
      await call(basePath(name), { method: 'DELETE' }, true);
    },
    async listDocuments(base) {
      return listOf(await call(`${basePath(base)}/documents`)).map(parseDocument);
    },
    async upload(base, files) {
      const form = new FormData();
      for (const f of files) form.append('file', f, f.name);
      return listOf(await call(`${basePath(base)}/documents`, { method: 'POST', body: form }, true)).map(parseDocument);
    },
    async deleteDocument(base, id) {
      await call(`${basePath(base)}/documents/${encodeURIComponent(id)}`, { method: 'DELETE' }, true);
    },
  };
}

// Whether a document list still changes by itself (the panel polls it while so).
export const isBusy = (docs: DocumentEntry[]): boolean => docs.some((d) => d.status === 'queued' || d.status === 'indexing');

// "报销制度.docx · p.3": a citation's source as its chip and its dialog name it.
export function citationSource(c: Citation, pageLabel: (n: number) => string): string {
  return c.page === null ? c.file : `${c.file} · ${pageLabel(c.page)}`;
}
