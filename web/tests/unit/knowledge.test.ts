import { describe, expect, it } from 'vitest';
import { ApiError, streamChat } from '../../src/api/chat';
import { BadAnswerError, isBusy, knowledgeClient, parseCitations, parseDocument } from '../../src/api/knowledge';
import { translator } from '../../src/i18n';
import { parseImport } from '../../src/store/transfer';
import { citationLabel, linkCitationRefs } from '../../src/ui/citation-dialog';

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

// A fetch that records each request and answers with the next of `answers`.
function recorder(answers: Response[]): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetchImpl = (async (url: string, init: RequestInit = {}) => {
    sent.push({ url, method: init.method ?? 'GET', headers: (init.headers ?? {}) as Record<string, string>, body: init.body });
    return answers.shift()!;
  }) as unknown as typeof fetch;
  return { fetch: fetchImpl, sent };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('knowledge API client', () => {
  const client = (answers: Response[]) => {
    const r = recorder(answers);
    return { c: knowledgeClient((p) => `http://h/${p}`, (admin) => ({ Authorization: admin ? 'Bearer ADMIN' : 'Bearer K' }), r.fetch), sent: r.sent };
  };

  it('lists bases with the server default, and sends the API key', async () => {
    const { c, sent } = client([json({ object: 'list', default: '公司制度', data: [{ name: '公司制度', documents: 2, chunks: 9, bytes: 100, embedder: { name: 'e', dims: 8 } }, { name: 'b', documents: -1, embedder: null }] })]);
    const list = await c.listBases();
    expect(list.defaultBase).toBe('公司制度');
    expect(list.bases).toEqual([
      { name: '公司制度', documents: 2, chunks: 9, bytes: 100, embedder: { name: 'e', dims: 8 } },
      { name: 'b', documents: 0, chunks: 0, bytes: 0, embedder: null },
    ]);
    expect(sent[0].headers.Authorization).toBe('Bearer K');
  });

  it('percent-encodes base names and document ids in paths', async () => {
    const { c, sent } = client([json({ deleted: true }), json({ deleted: true }), json({ object: 'list', data: [] })]);
    await c.deleteBase('公司 制度/2');
    await c.deleteDocument('公司制度', '7');
    await c.listDocuments('a?b');
    // Deleting is an admin request: it carries the admin key's headers; reading the API key's.
    expect(sent.map((s) => s.headers.Authorization)).toEqual(['Bearer ADMIN', 'Bearer ADMIN', 'Bearer K']);
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      'DELETE http://h/v1/knowledge/%E5%85%AC%E5%8F%B8%20%E5%88%B6%E5%BA%A6%2F2',
      'DELETE http://h/v1/knowledge/%E5%85%AC%E5%8F%B8%E5%88%B6%E5%BA%A6/documents/7',
      'GET http://h/v1/knowledge/a%3Fb/documents',
    ]);
  });

  it('creates with a JSON body and reports a refusal with the server message', async () => {
    const { c, sent } = client([json({ error: { message: "the knowledge base '手册' exists", type: 'invalid_request_error', code: 'base_exists' } }, 409)]);
    const error = await c.createBase('手册').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(409);
    expect((error as ApiError).message).toBe("the knowledge base '手册' exists");
    expect(sent[0].method).toBe('POST');
    expect(sent[0].headers.Authorization).toBe('Bearer ADMIN');
    expect(JSON.parse(sent[0].body as string)).toEqual({ name: '手册' });
  });

  it('uploads every file as a part named "file" with its own (Chinese) name', async () => {
    const { c, sent } = client([json({ object: 'list', data: [{ id: 1, file: '报销制度.docx', status: 'queued', progress: 0 }] }, 202)]);
    const docs = await c.upload('制度', [new File(['a'], '报销制度.docx'), new File(['b'], '差旅.pdf')]);
    expect(docs).toEqual([{ id: '1', file: '报销制度.docx', status: 'queued', reason: null, chunks: 0, bytes: 0, progress: 0, updatedAt: 0 }]);
    const form = sent[0].body as FormData;
    expect(form.getAll('file').map((f) => (f as File).name)).toEqual(['报销制度.docx', '差旅.pdf']);
    // The browser sets the multipart Content-Type with its boundary itself.
    expect(sent[0].headers['Content-Type']).toBeUndefined();
  });

  it('refuses answers that are not what the contract says', async () => {
    await expect(client([json({ data: 'no' })]).c.listBases()).rejects.toBeInstanceOf(BadAnswerError);
    expect(() => parseDocument({ id: '1', file: 'a', status: 'done' })).toThrow(BadAnswerError);
    expect(() => parseDocument({ file: 'a', status: 'ready' })).toThrow(BadAnswerError);
    expect(parseDocument({ id: '2', file: 'a.doc', status: 'skipped', reason: 'legacy_format: save as .docx', progress: 7 })).toMatchObject({ status: 'skipped', reason: 'legacy_format: save as .docx', progress: 1 });
  });

  it('is busy while a document is queued or indexing', () => {
    const doc = (status: string) => parseDocument({ id: '1', file: 'a', status });
    expect(isBusy([doc('ready'), doc('skipped')])).toBe(false);
    expect(isBusy([doc('ready'), doc('queued')])).toBe(true);
    expect(isBusy([doc('indexing')])).toBe(true);
  });
});

describe('citations', () => {
  it('keeps the passages and drops entries that are not', () => {
    expect(
      parseCitations([
        { index: 1, file: '报销制度.docx', page: null, heading: '第二章 > 材料', text: '发票', score: 0.5 },
        { index: 2, file: 'a.pdf', page: 3, text: 'x' },
        { index: 3, file: 'b' },
        'junk',
      ]),
    ).toEqual([
      { index: 1, file: '报销制度.docx', page: null, heading: '第二章 > 材料', text: '发票', score: 0.5 },
      { index: 2, file: 'a.pdf', page: 3, heading: '', text: 'x' },
    ]);
    expect(parseCitations({})).toEqual([]);
  });

  it('labels a chip with its number, file and page in the page language', () => {
    const c = { index: 1, file: '报销制度.docx', page: 3, heading: '', text: '' };
    expect(citationLabel(translator('zh'), c)).toBe('[1] 报销制度.docx · 第 3 页');
    expect(citationLabel(translator('en'), c)).toBe('[1] 报销制度.docx · p.3');
    expect(citationLabel(translator('en'), { ...c, page: null })).toBe('[1] 报销制度.docx');
  });

  it('turn the [n] of an answer into buttons, but not in code, links or unknown numbers', () => {
    const root = document.createElement('div');
    root.innerHTML = '<p>见[1]和[2]，[9]不是。</p><pre><code>a[1]</code></pre><p><a href="#x">[1]</a> <code>[2]</code></p>';
    const c = (index: number) => ({ index, file: 'f', page: null, heading: '', text: 't' });
    linkCitationRefs(root, { id: 'm1', role: 'assistant', content: '', createdAt: 0, citations: [c(1), c(2)] }, translator('en'));
    const refs = [...root.querySelectorAll<HTMLButtonElement>('.cite-ref')];
    expect(refs.map((b) => [b.textContent, b.dataset.cite, b.dataset.msg, b.dataset.action])).toEqual([
      ['[1]', '0', 'm1', 'cite'],
      ['[2]', '1', 'm1', 'cite'],
    ]);
    expect(root.querySelector('p')!.textContent).toBe('见[1]和[2]，[9]不是。');
    expect(root.querySelector('pre')!.innerHTML).toBe('<code>a[1]</code>');
  });

  it('come from the stream chunk before the first text', async () => {
    const events = [
      { choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
      { choices: [{ index: 0, delta: {}, citations: [{ index: 1, file: 'f.md', page: null, heading: 'h', text: 't', score: 1 }], finish_reason: null }] },
      { choices: [{ index: 0, delta: { content: '见[1]' }, finish_reason: null }] },
      { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
    ];
    const body = events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';
    const order: string[] = [];
    const result = await streamChat(
      { messages: [{ role: 'user', content: 'q' }], stream: true, stream_options: { include_usage: true }, max_tokens: 8, max_rounds: 3, knowledge: { base: 'b' } },
      {
        url: 'x',
        fetchImpl: async () => new Response(body, { status: 200 }),
        onCitations: (c) => order.push(`citations ${c.length}`),
        onDelta: (t) => order.push(`text ${t}`),
      },
    );
    expect(order).toEqual(['citations 1', 'text 见[1]']);
    expect(result.citations).toEqual([{ index: 1, file: 'f.md', page: null, heading: 'h', text: 't', score: 1 }]);
  });
});

describe('import of knowledge fields', () => {
  it('keeps a conversation base and its answers citations, checked', () => {
    const [c] = parseImport(
      JSON.stringify({
        knowledgeBase: '公司制度',
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'a [1]', citations: [{ index: 1, file: 'f.pdf', page: 2, heading: '', text: 'p' }, { file: 1 }] },
        ],
      }),
      [],
    );
    expect(c.knowledgeBase).toBe('公司制度');
    expect(c.messages[1].citations).toEqual([{ index: 1, file: 'f.pdf', page: 2, heading: '', text: 'p' }]);
    expect(() => parseImport(JSON.stringify({ messages: [{ role: 'assistant', content: 'a', citations: 'x' }] }), [])).toThrow(/citations/);
    const [long] = parseImport(JSON.stringify({ knowledgeBase: 'x'.repeat(65), messages: [] }), []);
    expect(long.knowledgeBase).toBeUndefined();
  });
});
