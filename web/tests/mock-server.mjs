#!/usr/bin/env node
// A stand-in for `qwen-edge serve` that implements the web chat's server contract (web/README.md)
// with canned answers streamed slowly and deterministically. It serves the built page from dist/
// and records the requests it gets so tests can check what the page sent.
//
//   node tests/mock-server.mjs [--port 8080] [--host 127.0.0.1] [--dist dist] [--api-key KEY]
//   (with --api-key, /v1/* answers 401 unless sent "Authorization: Bearer KEY", as qwen-edge does;
//   with --admin-key KEY, creating, uploading and deleting knowledge answer 403 unless sent that key)
//   env: MOCK_TOKEN_MS (delay between tokens, default 35), MOCK_TTFT_MS (before the first, 150),
//        MOCK_LOADING_MS (answer /health with "loading" this long after start, 0),
//        MOCK_MAX_ACTIVE (streams at once before 429, 4), MOCK_KB_STEP_MS (a document's import
//        advances every this long: queued, indexing 0..100%, ready; 120),
//        MOCK_KB_DEFAULT (the base GET /v1/knowledge names as the server's default, none)
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const PORT = Number(arg('port', process.env.PORT ?? 8080));
const HOST = arg('host', '127.0.0.1');
const DIST = resolve(arg('dist', join(here, '..', 'dist')));
const TOKEN_MS = Number(process.env.MOCK_TOKEN_MS ?? 35);
const TTFT_MS = Number(process.env.MOCK_TTFT_MS ?? 150);
const LOADING_MS = Number(process.env.MOCK_LOADING_MS ?? 0);
const MAX_ACTIVE = Number(process.env.MOCK_MAX_ACTIVE ?? 4);
const API_KEY = arg('api-key', '');
const ADMIN_KEY = arg('admin-key', '');
const MODEL = 'qwen3-1.7b (mock)';
const MAX_BODY = 1 << 20;
const MAX_UPLOAD = 16 << 20; // the mock keeps uploads in memory
const KB_STEP_MS = Number(process.env.MOCK_KB_STEP_MS ?? 120);
const KB_DEFAULT = process.env.MOCK_KB_DEFAULT ?? '';
const started = Date.now();

const state = { requests: [], active: 0, aborted: 0, unauthorized: 0 };

// The models GET /v1/models lists: the served one first, a second downloaded chat model, a
// catalogue model not downloaded (which POST /v1/models/{name}/pull downloads: each later listing
// moves it 40% further, so tests see its progress without timing) and an embedding model. One chat
// model is loaded at a time, as a server whose memory budget holds one: answering with another
// unloads it.
const MODELS = [
  { id: MODEL, type: 'chat', bytes: 1_834_426_016, parameters: 1_700_000_000, downloaded: true, loaded: true, thinking: { supported: true, default: false } },
  { id: 'qwen2.5:1.5b', type: 'chat', bytes: 1_894_532_128, parameters: 1_540_000_000, downloaded: true, loaded: false, thinking: { supported: false, default: false } },
  { id: 'qwen2.5:0.5b', type: 'chat', bytes: null, parameters: 494_000_000, downloaded: false, loaded: false, thinking: { supported: false, default: false } },
  { id: 'qwen3-embedding:0.6b', type: 'embedding', bytes: 639_150_592, parameters: 600_000_000, downloaded: true, loaded: false },
];
const downloads = new Map(); // id -> bytes so far
let holdDownloads = false; // POST /__mock/hold-downloads?on=1: downloads stay at 10% until released

function listModels() {
  for (const [id, bytes] of downloads) {
    const m = MODELS.find((x) => x.id === id);
    const total = 531_000_000;
    const next = holdDownloads ? Math.max(bytes, 0.1 * total) : Math.min(total, bytes + 0.4 * total);
    if (bytes >= total) {
      downloads.delete(id);
      Object.assign(m, { downloaded: true, bytes: total });
      delete m.download;
    } else {
      downloads.set(id, next);
      m.download = { bytes: Math.round(next), total, bytes_per_second: 12_500_000 };
    }
  }
  return MODELS.map((m) => ({ object: 'model', created: Math.floor(started / 1000), owned_by: 'qwen-edge', capabilities: m.type === 'chat' ? ['chat', 'completion'] : [m.type === 'embedding' ? 'embedding' : 'rerank'], ...m }));
}

// ---- canned answers -----------------------------------------------------------------------

const ANSWERS = [
  {
    match: /递归|recursion/i,
    text:
      '**Recursion** is when a function solves a problem by calling itself on a smaller piece of the same problem.\n\n' +
      'Every recursive function needs two parts:\n\n' +
      '1. A **base case** that stops the calls.\n' +
      '2. A **recursive step** that moves toward the base case.\n\n' +
      '```python\ndef factorial(n: int) -> int:\n    """n! = n × (n-1)!, and 0! = 1."""\n    if n == 0:          # base case\n        return 1\n    return n * factorial(n - 1)  # recursive step\n\nprint(factorial(5))  # 120\n```\n\n' +
      '| n | factorial(n) |\n|---|---:|\n| 3 | 6 |\n| 5 | 120 |\n\n' +
      'Without a base case the calls never end and the program runs out of stack.',
  },
  {
    match: /春|spring|poem|诗/i,
    text:
      '## 春日\n\n春风拂过柳梢头，\n细雨轻敲燕子楼。\n桃花含笑迎新客，\n一溪流水绕山流。\n\n' +
      '> 这首七言绝句写了春风、细雨、桃花与流水，描绘出春天万物复苏的景象。',
  },
  {
    match: /login|登录|表单|form/i,
    text:
      '下面是一个简洁的 HTML 登录表单：\n\n' +
      '```html\n<form action="/login" method="post">\n  <label for="user">用户名</label>\n  <input id="user" name="user" required>\n\n  <label for="pass">密码</label>\n  <input id="pass" name="pass" type="password" required>\n\n  <button type="submit">登录</button>\n</form>\n```\n\n' +
      '- `required` 让浏览器检查必填项\n- `type="password"` 隐藏输入的密码',
  },
  {
    match: /xss|<script|script tag/i,
    text:
      'Careful: <script>window.__pwned = 1</script> and <img src=x onerror="window.__pwned = 2"> are shown as text.\n\n' +
      '[click me](javascript:window.__pwned=3)\n\n' +
      '```html\n<script>alert("inside a code block is fine")</script>\n```',
  },
  {
    match: /long|长文/i,
    text: Array.from(
      { length: 8 },
      (_, i) =>
        `Paragraph ${i + 1}. This is a long answer that streams for a while so that a test can press Stop in the middle of it. ` +
        'It keeps going with more words, one token at a time, just like a model would.',
    ).join('\n\n'),
  },
];

function answerFor(text) {
  const hit = ANSWERS.find((a) => a.match.test(text));
  if (hit) return hit.text;
  return /[\u3400-\u9fff]/.test(text)
    ? `收到：「${text}」。这是模拟服务器的回答，用来测试界面。`
    : `You said: "${text}". This is the mock server's answer, made for testing the page. ` +
        'It arrives one word at a time, the way a model writes, so the page can show it growing.';
}

// The thinking streamed before the answer when a request asks for it (enable_thinking).
function thinkingFor(text) {
  return /[\u3400-\u9fff]/.test(text)
    ? `用户问的是「${text}」。先想一想：要回答得简短、清楚，\n再给一个例子。<b>这不是标签</b>`
    : `The user asked "${text}". Let me think: keep it short and clear,\nthen give an example. <b>not a tag</b>`;
}

// Token-like pieces: each CJK character alone, other words with their trailing space.
function tokens(text) {
  return text.match(/[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]|[^\s\u3400-\u9fff\u3000-\u303f\uff00-\uffef]+\s*|\s+/gu) ?? [];
}

// ---- helpers ------------------------------------------------------------------------------

function sendJson(res, status, body, headers = {}) {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), 'Cache-Control': 'no-store', ...headers });
  res.end(data);
}

function sendError(res, status, message, type, code = null, headers = {}) {
  const { param = null, ...rest } = headers;
  sendJson(res, status, { error: { message, type, code, param } }, rest);
}

function readBody(req, limit = MAX_BODY) {
  return readBytes(req, limit).then((b) => b.toString('utf8'));
}

function readBytes(req, limit) {
  return new Promise((resolvePromise, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        reject(Object.assign(new Error('body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolvePromise(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.txt': 'text/plain; charset=utf-8', '.json': 'application/json', '.png': 'image/png', '.webmanifest': 'application/manifest+json' };

function serveStatic(req, res, pathname) {
  const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
  const file = normalize(join(DIST, rel));
  if (!file.startsWith(DIST + sep) || !existsSync(file) || !statSync(file).isFile()) {
    sendError(res, 404, `no such path: ${pathname}`, 'not_found_error');
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
  createReadStream(file).pipe(res);
}

// Rounds before the final user message, and how many of them `max_rounds` leaves out.
function droppedRounds(messages, maxRounds) {
  const users = messages.filter((m) => m.role === 'user').length;
  const earlier = Math.max(0, users - 1);
  return Math.max(0, earlier - maxRounds);
}

// ---- /v1/knowledge -------------------------------------------------------------------------
// Bases in memory. An upload queues its files; one document at a time then goes queued ->
// indexing (progress in steps) -> ready, or skipped with a reason for a format the real server
// skips. A document's passages are its paragraphs (text formats) or one canned passage.

const kb = new Map(); // name -> { name, docs: Map(id -> doc), nextId }
const importQueue = [];
let importing = false;
const TEXT_TYPES = ['.txt', '.md', '.markdown', '.csv', '.html', '.htm'];
const BINARY_TYPES = ['.pdf', '.docx', '.pptx', '.xlsx', '.ofd'];
const LEGACY = { '.doc': '.docx', '.xls': '.xlsx', '.ppt': '.pptx', '.wps': '.docx' };

const baseJson = (b) => {
  const docs = [...b.docs.values()].filter((d) => d.status === 'ready');
  return { name: b.name, documents: docs.length, chunks: docs.reduce((n, d) => n + d.passages.length, 0), embedder: null, bytes: docs.reduce((n, d) => n + d.bytes, 0) };
};
const docJson = (d) => ({ id: String(d.id), file: d.file, status: d.status, reason: d.reason, chunks: d.status === 'ready' ? d.passages.length : 0, bytes: d.bytes, progress: d.progress, updated_at: d.updatedAt });

function validBaseName(name) {
  return typeof name === 'string' && name.trim() === name && [...name].length >= 1 && [...name].length <= 64 && !/[\/\\\x00-\x1f]/.test(name) && name !== '.' && name !== '..';
}

// Paragraphs of a text file, each with the heading above it.
function passagesOf(file, bytes) {
  const ext = extname(file).toLowerCase();
  if (BINARY_TYPES.includes(ext)) {
    return [{ heading: '', page: ext === '.pdf' ? 1 : null, text: `${file} 的模拟段落：报销需提交发票原件和付款凭证，经部门经理审批后交财务部。` }];
  }
  const text = bytes.toString('utf8').replace(/<[^>]*>/g, ' ');
  const out = [];
  let heading = '';
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.trim().split('\n');
    const body = [];
    for (const line of lines) {
      const m = line.match(/^#+\s*(.*)$/);
      if (m) heading = m[1].trim();
      else if (line.trim()) body.push(line.trim());
    }
    if (body.length > 0) out.push({ heading, page: null, text: body.join('\n') });
  }
  return out;
}

function skipReason(file, bytes) {
  const ext = extname(file).toLowerCase();
  if (LEGACY[ext]) return `legacy_format: an old Office file; save it as ${LEGACY[ext]} and add it again`;
  if (!TEXT_TYPES.includes(ext) && !BINARY_TYPES.includes(ext)) return `unsupported_format: no reader for '${ext || file}' files`;
  if (bytes.length === 0) return 'empty: the file holds no text';
  return null;
}

function advanceImports() {
  if (importing || importQueue.length === 0) return;
  importing = true;
  const doc = importQueue.shift();
  const step = () => {
    if (doc.deleted) {
      importing = false;
      return advanceImports();
    }
    doc.updatedAt = Math.floor(Date.now() / 1000);
    if (doc.status === 'queued') doc.status = 'indexing';
    else if (doc.progress < 1) doc.progress = Math.min(1, doc.progress + 0.25);
    if (doc.progress >= 1) {
      doc.status = 'ready';
      importing = false;
      return advanceImports();
    }
    setTimeout(step, KB_STEP_MS);
  };
  setTimeout(step, KB_STEP_MS);
}

// The parts named "file" of a multipart/form-data body: [{ filename, data }].
function multipartFiles(req, body) {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(req.headers['content-type'] ?? '');
  if (!m) return null;
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`);
  const files = [];
  let at = body.indexOf(boundary);
  while (at >= 0) {
    const start = at + boundary.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const headEnd = body.indexOf('\r\n\r\n', start);
    const next = body.indexOf(boundary, headEnd);
    if (headEnd < 0 || next < 0) return null;
    const head = body.subarray(start, headEnd).toString('utf8');
    const data = body.subarray(headEnd + 4, next - 2); // the part ends with CRLF before the boundary
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    if (name === 'file' && filename !== undefined) files.push({ filename, data });
    at = next;
  }
  return files;
}

// Passages of the base ranked by the characters they share with the question.
function searchBase(base, question, topK) {
  const wanted = new Set([...question.toLowerCase()].filter((c) => /[\p{L}\p{N}]/u.test(c)));
  const hits = [];
  for (const d of base.docs.values()) {
    if (d.status !== 'ready') continue;
    for (const p of d.passages) {
      const have = new Set([...p.text.toLowerCase()]);
      let score = 0;
      for (const c of wanted) if (have.has(c)) score++;
      if (score > 0) hits.push({ file: d.file, page: p.page, heading: p.heading, score, text: p.text });
    }
  }
  return hits.sort((a, b) => b.score - a.score).slice(0, topK);
}

async function knowledge(req, res, parts) {
  const [name, sub, id] = parts.map((p) => decodeURIComponent(p));
  if (name === undefined) {
    if (req.method === 'GET') return sendJson(res, 200, { object: 'list', data: [...kb.values()].map(baseJson), ...(KB_DEFAULT ? { default: KB_DEFAULT } : {}) });
    if (req.method !== 'POST') return sendError(res, 405, 'use GET or POST', 'invalid_request_error', 'method_not_allowed');
    let body;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return sendError(res, 400, 'the request body is not valid JSON', 'invalid_request_error', 'invalid_json');
    }
    if (!validBaseName(body?.name)) return sendError(res, 400, "'name' must be 1 to 64 characters, no slashes", 'invalid_request_error', 'invalid_value', { param: 'name' });
    if (kb.has(body.name)) return sendError(res, 409, `the knowledge base '${body.name}' exists`, 'invalid_request_error', 'base_exists');
    const base = { name: body.name, docs: new Map(), nextId: 1 };
    kb.set(base.name, base);
    return sendJson(res, 201, baseJson(base));
  }
  const base = kb.get(name);
  if (!base) return sendError(res, 404, `no knowledge base '${name}'`, 'not_found_error', 'base_not_found');
  if (sub === undefined) {
    if (req.method !== 'DELETE') return sendError(res, 405, 'use DELETE', 'invalid_request_error', 'method_not_allowed');
    for (const d of base.docs.values()) d.deleted = true;
    kb.delete(name);
    return sendJson(res, 200, { deleted: true, name });
  }
  if (sub === 'documents' && id === undefined) {
    if (req.method === 'GET') return sendJson(res, 200, { object: 'list', data: [...base.docs.values()].map(docJson) });
    if (req.method !== 'POST') return sendError(res, 405, 'use GET or POST', 'invalid_request_error', 'method_not_allowed');
    let files;
    try {
      files = multipartFiles(req, await readBytes(req, MAX_UPLOAD));
    } catch (e) {
      if (e.status === 413) return sendError(res, 413, 'the upload is too large', 'invalid_request_error', 'file_too_large');
      throw e;
    }
    if (!files || files.length === 0) return sendError(res, 400, "send multipart/form-data with one or more parts named 'file'", 'invalid_request_error', 'no_files');
    const added = files.map(({ filename, data }) => {
      // A file of the same name replaces the earlier one, as the real server's import does.
      for (const d of base.docs.values()) if (d.file === filename) (d.deleted = true), base.docs.delete(d.id);
      const reason = skipReason(filename, data);
      const doc = { id: base.nextId++, file: filename, status: reason ? 'skipped' : 'queued', reason, bytes: data.length, progress: 0, updatedAt: Math.floor(Date.now() / 1000), passages: reason ? [] : passagesOf(filename, data) };
      base.docs.set(doc.id, doc);
      if (!reason) importQueue.push(doc);
      return doc;
    });
    advanceImports();
    // Listed as the upload left them: each one queued (or skipped at once).
    return sendJson(res, 202, { object: 'list', data: added.map(docJson) });
  }
  if (sub === 'documents' && id !== undefined && parts.length === 3) {
    if (req.method !== 'DELETE') return sendError(res, 405, 'use DELETE', 'invalid_request_error', 'method_not_allowed');
    const doc = base.docs.get(Number(id));
    if (!doc || String(doc.id) !== id) return sendError(res, 404, `no document ${id} in '${name}'`, 'not_found_error', 'document_not_found');
    doc.deleted = true;
    base.docs.delete(doc.id);
    return sendJson(res, 200, { deleted: true, id });
  }
  if (sub === 'search' && parts.length === 2 && req.method === 'POST') {
    const body = JSON.parse(await readBody(req));
    return sendJson(res, 200, { object: 'list', data: searchBase(base, String(body.query ?? ''), body.top_k ?? 5) });
  }
  return sendError(res, 404, `no such endpoint: ${req.method} ${req.url}`, 'not_found_error');
}

// ---- /v1/chat/completions -----------------------------------------------------------------

async function chat(req, res) {
  let body;
  try {
    body = JSON.parse(await readBody(req));
  } catch (e) {
    if (e.status === 413) return sendError(res, 413, 'the request body is too large', 'invalid_request_error', 'body_too_large');
    return sendError(res, 400, 'the request body is not valid JSON', 'invalid_request_error', 'invalid_json');
  }
  if (typeof body !== 'object' || body === null || !Array.isArray(body.messages) || body.messages.length === 0) {
    return sendError(res, 400, "'messages' must be a non-empty array", 'invalid_request_error', 'invalid_type');
  }
  const record = { body, aborted: false, at: Date.now() };
  state.requests.push(record);
  if (state.requests.length > 50) state.requests.shift();
  if (Date.now() - started < LOADING_MS) {
    return sendError(res, 503, 'the model is loading', 'server_busy', 'loading', { 'Retry-After': '1' });
  }
  const model = body.model === undefined || body.model === 'default' ? MODEL : body.model;
  const known = MODELS.find((m) => m.id === model && m.type === 'chat');
  if (!known) return sendError(res, 404, `model '${model}' does not exist here; there are: ${MODELS.map((m) => m.id).join(', ')}`, 'invalid_request_error', 'model_not_found');
  if (!known.downloaded) return sendError(res, 404, `model '${model}' is not downloaded: POST /v1/models/${model}/pull downloads it`, 'invalid_request_error', 'model_not_found');
  for (const m of MODELS) if (m.type === 'chat') m.loaded = m === known;
  if (state.active >= MAX_ACTIVE) {
    return sendError(res, 429, 'too many requests at once', 'server_busy', 'queue_full', { 'Retry-After': '2' });
  }

  const last = [...body.messages].reverse().find((m) => m.role === 'user');
  const question = typeof last?.content === 'string' ? last.content : '';
  // Answering from a knowledge base: its best passages become the citations, cited as [n].
  let citations = null;
  if (body.knowledge !== undefined) {
    const k = body.knowledge;
    if (typeof k !== 'object' || k === null || typeof k.base !== 'string') return sendError(res, 400, "'knowledge.base' must be a string", 'invalid_request_error', 'invalid_type', { param: 'knowledge.base' });
    if (k.top_k !== undefined && !(Number.isInteger(k.top_k) && k.top_k >= 1 && k.top_k <= 20)) return sendError(res, 400, "'knowledge.top_k' must be an integer from 1 to 20", 'invalid_request_error', 'invalid_value', { param: 'knowledge.top_k' });
    const base = kb.get(k.base);
    if (!base) return sendError(res, 404, `no knowledge base '${k.base}'`, 'not_found_error', 'base_not_found');
    citations = searchBase(base, question, k.top_k ?? 5).map((h, i) => ({ index: i + 1, file: h.file, page: h.page, heading: h.heading, text: h.text, score: h.score }));
  }
  // The mock's model can think (see /v1/models); it does when the request turns thinking on.
  const thinks = body.chat_template_kwargs?.enable_thinking === true;
  const thought = thinks ? tokens(thinkingFor(question)) : [];
  const answer = citations === null ? answerFor(question) : citations.length === 0 ? '知识库中没有找到相关内容。' : `根据文档[1]：${citations[0].text.slice(0, 40)}`;
  const pieces = [...thought.map((t) => ({ reasoning_content: t })), ...tokens(answer).map((t) => ({ content: t }))];
  const maxTokens = Number.isInteger(body.max_tokens) && body.max_tokens > 0 ? body.max_tokens : Infinity;
  const out = pieces.slice(0, maxTokens);
  const finish = out.length < pieces.length ? 'length' : 'stop';
  const textOf = (key) => out.map((p) => p[key] ?? '').join('');
  const maxRounds = Number.isInteger(body.max_rounds) && body.max_rounds >= 0 ? body.max_rounds : 3;
  const context = { dropped_rounds: droppedRounds(body.messages, maxRounds) };
  const promptTokens = body.messages.reduce((n, m) => n + tokens(String(m.content ?? '')).length + 4, 0);
  const id = `chatcmpl-mock-${state.requests.length}`;
  const created = Math.floor(Date.now() / 1000);
  const usage = { prompt_tokens: promptTokens, completion_tokens: out.length, total_tokens: promptTokens + out.length };

  if (!body.stream) {
    const ttft = TTFT_MS;
    return sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message: { role: 'assistant', ...(thinks ? { reasoning_content: textOf('reasoning_content') } : {}), content: textOf('content') }, ...(citations ? { citations } : {}), finish_reason: finish }],
      usage,
      timings: { ttft_ms: ttft, tokens_per_second: 1000 / TOKEN_MS, prompt_tokens: promptTokens, cached_tokens: 0 },
      context,
    });
  }

  state.active++;
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no', Connection: 'keep-alive' });
  res.flushHeaders();
  const t0 = performance.now();
  let firstAt = 0;
  let i = 0;
  let timer;
  let closed = false;
  const finishUp = () => {
    if (closed) return;
    closed = true;
    state.active--;
    clearTimeout(timer);
  };
  res.on('close', () => {
    if (!res.writableEnded) {
      record.aborted = true;
      state.aborted++;
    }
    finishUp();
  });

  // Each event goes out in two writes cut mid-way, often inside a UTF-8 character, so the page's
  // stream decoder is exercised by real network reads.
  const send = (obj, then) => {
    const bytes = Buffer.from(typeof obj === 'string' ? obj : `data: ${JSON.stringify(obj)}\n\n`);
    const cut = Math.max(1, Math.floor(bytes.length / 2) + 1);
    res.write(bytes.subarray(0, cut));
    timer = setTimeout(() => {
      if (closed) return;
      res.write(bytes.subarray(cut));
      then?.();
    }, 2);
  };
  const chunk = (delta, finishReason = null, extra = {}) => ({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra });

  const step = () => {
    if (closed) return;
    if (i < out.length) {
      if (i === 0) firstAt = performance.now();
      send(chunk(out[i++]), () => (timer = setTimeout(step, TOKEN_MS)));
      return;
    }
    const end = performance.now();
    const timings = {
      ttft_ms: Math.round((firstAt - t0) * 10) / 10,
      tokens_per_second: out.length > 1 ? Math.round(((out.length - 1) / ((end - firstAt) / 1000)) * 10) / 10 : 0,
      prompt_tokens: promptTokens,
      cached_tokens: 0,
    };
    send(chunk({}, finish, { timings, context }), () => {
      const tail = body.stream_options?.include_usage ? `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n` : '';
      res.end(`${tail}data: [DONE]\n\n`);
      finishUp();
    });
  };
  const begin = () => (timer = setTimeout(step, TTFT_MS));
  const sendCitations = () => (citations ? send({ ...chunk({}), choices: [{ index: 0, delta: {}, citations, finish_reason: null }] }, begin) : begin());
  send(': mock stream\n\n', () => send(chunk({ role: 'assistant', content: '' }), sendCitations));
}

// ---- routing ------------------------------------------------------------------------------

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  try {
    if (path === '/health' && req.method === 'GET') {
      return Date.now() - started < LOADING_MS
        ? sendJson(res, 503, { status: 'loading' })
        : sendJson(res, 200, { status: 'ok', slots: MAX_ACTIVE, active: state.active, queued: 0 });
    }
    // The knowledge bases' admin requests carry the admin key instead, when there is one.
    const adminRequest = path.startsWith('/v1/knowledge') && (req.method === 'DELETE' || (req.method === 'POST' && !path.endsWith('/search')));
    if (adminRequest && ADMIN_KEY) {
      if (req.headers.authorization !== `Bearer ${ADMIN_KEY}`) {
        return sendError(res, 403, "this needs the admin key: send 'Authorization: Bearer <admin key>'", 'invalid_request_error', 'admin_required');
      }
    } else if (path.startsWith('/v1/') && API_KEY && req.headers.authorization !== `Bearer ${API_KEY}`) {
      state.unauthorized++;
      return sendError(res, 401, "missing or wrong API key: send 'Authorization: Bearer <key>'", 'invalid_request_error', 'invalid_api_key');
    }
    if (path === '/v1/models' && req.method === 'GET') {
      return sendJson(res, 200, { object: 'list', data: listModels() });
    }
    const pull = /^\/v1\/models\/([^/]+)\/pull$/.exec(path);
    if (pull && req.method === 'POST') {
      const id = decodeURIComponent(pull[1]);
      const m = MODELS.find((x) => x.id === id);
      if (!m) return sendError(res, 404, `model '${id}' is not in the catalogue`, 'invalid_request_error', 'model_not_found');
      state.pulls = [...(state.pulls ?? []), id];
      if (!m.downloaded && !downloads.has(id)) downloads.set(id, 0);
      return sendJson(res, 202, { id, object: 'model.download', status: m.downloaded ? 'done' : 'downloading' });
    }
    if (pull && req.method === 'DELETE') {
      const id = decodeURIComponent(pull[1]);
      if (!downloads.has(id)) return sendError(res, 404, `no download of '${id}' is running`, 'invalid_request_error', 'download_not_found');
      downloads.delete(id);
      delete MODELS.find((x) => x.id === id).download;
      state.cancels = [...(state.cancels ?? []), id];
      return sendJson(res, 200, { id, object: 'model.download', status: 'cancelled' });
    }
    if (path === '/v1/knowledge' || path.startsWith('/v1/knowledge/')) {
      return await knowledge(req, res, path.split('/').slice(3).filter((p) => p !== ''));
    }
    if (path === '/v1/chat/completions') {
      if (req.method !== 'POST') return sendError(res, 405, 'use POST', 'invalid_request_error', 'method_not_allowed');
      return await chat(req, res);
    }
    // Test hooks: what the page sent.
    if (path === '/__mock/last-request') {
      const last = state.requests.at(-1);
      return last ? sendJson(res, 200, last) : sendError(res, 404, 'no request yet', 'not_found_error');
    }
    if (path === '/__mock/stats') return sendJson(res, 200, { requests: state.requests.length, active: state.active, aborted: state.aborted, unauthorized: state.unauthorized, pulls: state.pulls ?? [], cancels: state.cancels ?? [] });
    if (path === '/__mock/hold-downloads' && req.method === 'POST') {
      holdDownloads = url.searchParams.get('on') === '1';
      return sendJson(res, 200, { hold: holdDownloads });
    }
    if (req.method === 'GET' || req.method === 'HEAD') return serveStatic(req, res, path);
    return sendError(res, 404, `no such endpoint: ${req.method} ${path}`, 'not_found_error');
  } catch (e) {
    if (!res.headersSent) sendError(res, 500, String(e?.message ?? e), 'server_error');
    else res.destroy();
  }
});

server.listen(PORT, HOST, () => {
  const { port } = server.address();
  console.log(`mock server listening on http://${HOST}:${port}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.closeAllConnections?.();
    server.close(() => process.exit(0));
  });
}
