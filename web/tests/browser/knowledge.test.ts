// The knowledge panel and answers from documents: a base created, files uploaded by the picker and
// by drag and drop (Chinese names; a .docx and a .pdf made by the test), their status followed
// until ready, a skipped file with its reason, a document deleted; then a conversation switched to
// the base, its question answered with citation chips that open the quoted passage. The same test
// runs against the mock and, with QE_SERVER_CMD, the real server (where the answer's words are a
// tiny model's noise, but the passages come from the real import and search).
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDocx, makePdf } from './documents';
import { closeBrowser, isMock, lastAnswer, openChat, send, waitForAnswer, waitForServerReady, type ChatPage, type ChatRequestBody } from './harness';

afterAll(closeBrowser);

// A base name no other test (or earlier run against the same server) has used.
const uniqueName = (stem: string) => `${stem}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

const REIMBURSEMENT = makeDocx('第二章 报销材料', ['报销时须提交费用报销单、合规发票原件及付款凭证。', '审批通过后十个工作日内付款到工资卡。']);
const TRAVEL = makePdf('Travel policy 2026', '出差住宿标准：北京上海每晚不超过六百元。');
const LEAVE_MD = '# 请假制度\n\n## 年假\n\n员工工作满一年后每年享有五天带薪年假。\n';

async function openPanel(page: Page): Promise<void> {
  await page.getByTestId('knowledge-top').click();
  await page.getByTestId('knowledge-panel').waitFor();
}

async function createBase(page: Page, name: string): Promise<void> {
  await page.getByTestId('knowledge-new-name').fill(name);
  await page.getByTestId('knowledge-create').click();
  await page.locator(`[data-testid=knowledge-base][data-name="${name}"]`).waitFor();
}

const documentRow = (page: Page, file: string) => page.locator(`[data-testid=knowledge-document][data-file="${file}"]`);

// Records every status each document row shows, so a test sees the states it passed through.
async function recordStatuses(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { statuses: Record<string, string[]> };
    w.statuses = {};
    const note = () => {
      for (const row of document.querySelectorAll<HTMLElement>('[data-testid=knowledge-document]')) {
        const file = row.dataset.file ?? '';
        const seen = (w.statuses[file] ??= []);
        const status = `${row.dataset.status}${row.querySelector('progress') ? '+progress' : ''}`;
        if (seen.at(-1) !== status) seen.push(status);
      }
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
}

// Sends a question and returns the chat request it made.
async function ask(s: ChatPage, text: string): Promise<ChatRequestBody> {
  const before = s.chatRequests.length;
  await send(s.page, text);
  await expect.poll(() => s.chatRequests.length).toBe(before + 1);
  return s.chatRequests[before];
}

const statusesSeen = (page: Page, file: string) =>
  page.evaluate((f) => (window as unknown as { statuses: Record<string, string[]> }).statuses[f] ?? [], file);

describe('knowledge', () => {
  it('creates a base, uploads, follows the import, answers with citations that open their passage', async () => {
    const s = await openChat({ locale: 'zh-CN' });
    const { page } = s;
    await waitForServerReady(page);
    await page.getByTestId('knowledge-top').waitFor();
    await openPanel(page);
    const base = uniqueName('公司制度');
    await createBase(page, base);
    await page.locator(`[data-testid=knowledge-base][data-name="${base}"] .kb-open`).click();
    await page.getByTestId('knowledge-drop').waitFor();
    await recordStatuses(page);

    // The file picker: a .docx, a .pdf and a legacy .doc the server skips.
    await page.getByTestId('knowledge-file-input').setInputFiles([
      { name: '报销制度.docx', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', buffer: REIMBURSEMENT },
      { name: '差旅标准.pdf', mimeType: 'application/pdf', buffer: TRAVEL },
      { name: '旧版合同.doc', mimeType: 'application/msword', buffer: Buffer.from('\xd0\xcf\x11\xe0 an old Word file', 'latin1') },
    ]);
    // Each file is listed as soon as it is uploaded, as the server answered.
    for (const file of ['报销制度.docx', '差旅标准.pdf', '旧版合同.doc']) await documentRow(page, file).waitFor();
    // Drag and drop: a Markdown file dropped on the zone.
    const dropped = await page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], '请假制度.md', { type: 'text/markdown' }));
      return dt;
    }, LEAVE_MD);
    await page.getByTestId('knowledge-drop').dispatchEvent('drop', { dataTransfer: dropped });

    // The list follows the background import by itself until every document is ready. The
    // picker's files were first shown queued, with a progress bar (the dropped one may be listed
    // ready at once: a real server can import it before a refresh of the others' list returns).
    for (const file of ['报销制度.docx', '差旅标准.pdf', '请假制度.md']) {
      await expect.poll(() => documentRow(page, file).getAttribute('data-status'), { timeout: 30_000 }).toBe('ready');
      const seen = await statusesSeen(page, file);
      if (file !== '请假制度.md') expect(seen[0], `${file}: ${seen.join(' → ')}`).toMatch(/^(queued|indexing)\+progress$/);
      expect(seen.at(-1)).toBe('ready');
    }
    await expect.poll(() => documentRow(page, '旧版合同.doc').getAttribute('data-status')).toBe('skipped');
    const reason = await documentRow(page, '旧版合同.doc').getByTestId('knowledge-document-status').textContent();
    expect(reason).toMatch(/^已跳过：.+/);
    expect(reason).toContain('docx'); // what to save it as

    // A document deleted (after a confirmation) leaves the list.
    await documentRow(page, '旧版合同.doc').getByTestId('knowledge-delete-document').click();
    await page.getByTestId('confirm').click();
    await expect.poll(() => documentRow(page, '旧版合同.doc').count()).toBe(0);

    // The list of bases counts the three ready documents.
    await page.getByTestId('knowledge-back').click();
    await expect.poll(() => page.locator(`[data-testid=knowledge-base][data-name="${base}"] .kb-meta`).textContent()).toMatch(/^3 个文档/);
    await page.keyboard.press('Escape');

    // The conversation's switch: off by default, then this base.
    const select = page.getByTestId('knowledge-select');
    expect(await page.getByTestId('knowledge-switch').textContent()).toContain('从知识库回答');
    expect(await select.inputValue()).toBe('');
    await select.selectOption(base);
    expect((await ask(s, '报销需要提交哪些材料？')).knowledge).toEqual({ base });
    expect(await waitForAnswer(page)).toBe('done');

    // Citation chips under the answer; the reimbursement passage is among them.
    const chips = lastAnswer(page).getByTestId('citation-chip');
    await expect.poll(() => chips.count()).toBeGreaterThan(0);
    const labels = await chips.allTextContents();
    expect(labels[0]).toMatch(/^\[1\] /);
    const i = labels.findIndex((l) => l.includes('报销制度.docx'));
    expect(i, labels.join(' | ')).toBeGreaterThanOrEqual(0);
    await chips.nth(i).click();
    const dialog = page.getByTestId('citation-dialog');
    await dialog.waitFor();
    expect(await dialog.getByTestId('citation-file').textContent()).toBe('报销制度.docx');
    expect(await dialog.getByTestId('citation-text').textContent()).toContain('发票');
    if (await dialog.getByTestId('citation-heading').count()) expect(await dialog.getByTestId('citation-heading').textContent()).toContain('报销材料');
    await dialog.getByTestId('citation-close').click();
    await expect.poll(() => page.getByTestId('citation-dialog').count()).toBe(0);
    // The mock's answer cites [1] in its text: that opens the first passage too (a real tiny
    // model's words cite nothing in particular).
    if (isMock()) {
      await lastAnswer(page).locator('.md .cite-ref').first().click();
      await page.getByTestId('citation-dialog').waitFor();
      expect(await page.getByTestId('citation-dialog').locator('h2').textContent()).toBe(`[1] ${labels[0].replace(/^\[1\] /, '').replace(/ · .*$/, '')}`);
      await page.keyboard.press('Escape');
      await expect.poll(() => page.getByTestId('citation-dialog').count()).toBe(0);
    }

    // The choice and the citations stay with the conversation across a reload; a new chat starts off.
    await page.reload();
    await lastAnswer(page).getByTestId('citation-chip').first().waitFor();
    await expect.poll(() => page.getByTestId('knowledge-select').inputValue()).toBe(base);
    await page.locator('.sidebar .new-chat').click();
    expect(await page.getByTestId('knowledge-select').inputValue()).toBe('');

    // A page citation names its page: ask about the PDF.
    await page.getByTestId('knowledge-select').selectOption(base);
    await send(page, '出差住宿标准是多少？');
    expect(await waitForAnswer(page)).toBe('done');
    const pdfChip = lastAnswer(page).getByTestId('citation-chip').filter({ hasText: '差旅标准.pdf' });
    await expect.poll(() => pdfChip.count()).toBeGreaterThan(0);
    expect(await pdfChip.first().textContent()).toMatch(/差旅标准\.pdf · 第 1 页$/);

    // Deleting the base (after a confirmation) removes it from the panel and the switch.
    await openPanel(page);
    await page.locator(`[data-testid=knowledge-base][data-name="${base}"] [data-testid=knowledge-delete-base]`).click();
    await page.getByTestId('confirm').click();
    await expect.poll(() => page.locator(`[data-testid=knowledge-base][data-name="${base}"]`).count()).toBe(0);
    await s.close();
  });

  it('a base name that exists and a file too large are refused; a server default base starts new chats on; English labels', async () => {
    const s = await openChat();
    const { page } = s;
    await waitForServerReady(page);
    await page.getByTestId('knowledge-top').waitFor();
    expect(await page.getByTestId('knowledge-switch').textContent()).toContain('Answer from documents');
    await openPanel(page);
    const base = uniqueName('Handbook');
    await createBase(page, base);
    await page.getByTestId('knowledge-new-name').fill(base);
    await page.getByTestId('knowledge-create').click();
    await page.getByTestId('knowledge-error').waitFor();
    expect(await page.getByTestId('knowledge-error').textContent()).toMatch(/^Knowledge base error: .+/);

    // Each file is its own upload: one refused (a 413 injected here, as any server's size limit
    // answers) is named, and the other goes in.
    await page.locator(`[data-testid=knowledge-base][data-name="${base}"] .kb-open`).click();
    await s.context.route('**/documents', async (route) => {
      if (route.request().method() === 'POST' && (route.request().postData() ?? '').includes('filename="huge.txt"')) {
        return route.fulfill({ status: 413, json: { error: { message: 'the upload is over the 64 MiB limit', type: 'invalid_request_error', code: 'too_large', param: null } } });
      }
      return route.continue();
    });
    await page.getByTestId('knowledge-file-input').setInputFiles([
      { name: 'huge.txt', mimeType: 'text/plain', buffer: Buffer.from('pretend this is big') },
      { name: 'handbook.md', mimeType: 'text/markdown', buffer: Buffer.from('# Handbook\n\nBadges are worn at all times.\n') },
    ]);
    await expect.poll(() => documentRow(page, 'handbook.md').getAttribute('data-status'), { timeout: 30_000 }).toBe('ready');
    expect(await page.getByTestId('knowledge-error').textContent()).toBe('Knowledge base error: huge.txt: the upload is over the 64 MiB limit');
    expect(await documentRow(page, 'huge.txt').count()).toBe(0);
    await s.context.unroute('**/documents');
    await page.keyboard.press('Escape');

    // A server that names a default base (serve --kb): a new chat starts with it on. The list
    // is rewritten here, so this holds for any server.
    await s.context.route('**/v1/knowledge', async (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...(await response.json()), default: base } });
    });
    await page.reload();
    const select = page.getByTestId('knowledge-select');
    await expect.poll(() => select.inputValue()).toBe(base);
    expect(await select.locator('option:checked').textContent()).toBe(`${base} (default)`);
    expect((await ask(s, 'What does the handbook say?')).knowledge).toEqual({ base });
    await waitForAnswer(page);
    // Off for this conversation: its next question goes without.
    await select.selectOption('');
    expect(await ask(s, 'And without it?')).not.toHaveProperty('knowledge');
    await waitForAnswer(page);
    await s.context.unroute('**/v1/knowledge');
    await openPanel(page);
    await page.locator(`[data-testid=knowledge-base][data-name="${base}"] [data-testid=knowledge-delete-base]`).click();
    await page.getByTestId('confirm').click();
    await expect.poll(() => page.locator(`[data-testid=knowledge-base][data-name="${base}"]`).count()).toBe(0);
    await s.close();
  });
});
