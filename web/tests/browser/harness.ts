// Shared pieces of the browser tests: Debian's Chromium through playwright-core, a fresh profile
// per browser, and small page actions that rely on the page's test ids and classes only.
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type CDPSession, type Page } from 'playwright-core';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject } from 'vitest';
import { demoConversations } from './fixtures';

export const baseURL = (): string => inject('baseURL');
export const isMock = (): boolean => inject('serverKind') === 'mock';

const CHROMIUM = process.env.QE_CHROMIUM ?? '/usr/bin/chromium';

export interface ChatPage {
  context: BrowserContext;
  page: Page;
  chatRequests: ChatRequestBody[];
  foreignRequests: string[];
  pageErrors: string[];
  close(): Promise<void>;
}

export interface ChatRequestBody {
  messages: { role: string; content: string }[];
  temperature?: number;
  max_rounds?: number;
  stream?: boolean;
  [k: string]: unknown;
}

let browser: Browser | null = null;

// One headless Chromium per test file. Playwright's launch() starts it with a fresh temporary
// --user-data-dir of its own (it refuses one in `args`), removed when the browser closes; each
// test then gets a new context, so no storage carries over between tests.
export async function launch(): Promise<Browser> {
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-extensions',
      '--no-first-run',
      '--no-default-browser-check',
      '--mute-audio',
    ],
  });
  return browser;
}

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = null;
}

// A fresh context (its own storage) and page, recording every chat request the page sends and
// any request that would leave the server's origin. `url`: another server than the run's own.
export async function openChat(options: BrowserContextOptions = {}, url = baseURL()): Promise<ChatPage> {
  const b = await launch();
  const context = await b.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  const chatRequests: ChatRequestBody[] = [];
  const foreignRequests: string[] = [];
  const origin = new URL(url).origin;
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.origin !== origin) foreignRequests.push(r.url());
    if (url.pathname.endsWith('/v1/chat/completions') && r.method() === 'POST') {
      chatRequests.push(JSON.parse(r.postData() ?? '{}') as ChatRequestBody);
    }
  });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // The page's Content-Security-Policy must never have to block anything the page itself does.
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
  });
  await page.goto(url);
  await page.getByTestId('composer').waitFor();
  return {
    context,
    page,
    chatRequests,
    foreignRequests,
    pageErrors,
    close: async () => {
      expect(foreignRequests, 'requests that left the server').toEqual([]);
      expect(pageErrors, 'uncaught errors in the page').toEqual([]);
      await context.close();
    },
  };
}

// Throttles the page's downloads (Chromium's network emulation) so that an answer streams for a
// few seconds whatever the server: a real server on a tiny model answers in well under a second,
// too fast to stop or reload mid-way. `null` lifts the limit again.
const cdpSessions = new WeakMap<Page, CDPSession>();

export async function throttleDownloads(page: Page, bytesPerSecond: number | null): Promise<void> {
  let cdp = cdpSessions.get(page);
  if (!cdp) {
    cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    cdpSessions.set(page, cdp);
  }
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: bytesPerSecond ?? -1,
    uploadThroughput: -1,
  });
}

// The mock streams slowly by itself (and its counters check that Stop closes the connection, which
// Chromium's throttling would hide); any other server gets its answers slowed by the network.
export async function slowAnswers(page: Page): Promise<void> {
  if (!isMock()) await throttleDownloads(page, 2500);
}

export async function waitForServerReady(page: Page): Promise<void> {
  await expect.poll(() => page.getByTestId('status').getAttribute('data-state'), { timeout: 30_000 }).toBe('ready');
}

export async function send(page: Page, text: string): Promise<void> {
  const box = page.getByTestId('composer');
  await box.fill(text);
  await box.press('Enter');
}

export const lastAnswer = (page: Page) => page.locator('.msg-assistant').last();

// Waits until the last answer is no longer streaming; returns its final status.
export async function waitForAnswer(page: Page, timeout = 60_000): Promise<string> {
  await page.waitForFunction(
    () => {
      const all = document.querySelectorAll('.msg-assistant');
      const last = all[all.length - 1];
      return last && last.getAttribute('data-status') !== 'streaming';
    },
    undefined,
    { timeout },
  );
  return (await lastAnswer(page).getAttribute('data-status')) ?? '';
}

export async function answerText(page: Page): Promise<string> {
  return (await lastAnswer(page).locator('.md').textContent()) ?? '';
}

// Imports the fixed demo conversations through the page's own Import button.
export async function importDemo(s: ChatPage): Promise<void> {
  const file = join(tmpdir(), `qe-demo-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(demoConversations()));
  await s.page.locator('.sidebar input[type=file]').setInputFiles(file);
  await s.page.locator('.conv-item').nth(5).waitFor({ state: 'attached' });
}
