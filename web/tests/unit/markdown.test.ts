import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/markdown';

function dom(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

describe('renderMarkdown', () => {
  it('strips script tags and event handlers from raw HTML, showing it as text', () => {
    const el = dom(renderMarkdown('Hi <script>alert(1)</script> and <img src=x onerror="alert(2)"> there'));
    expect(el.querySelector('script')).toBeNull();
    expect(el.querySelector('img')).toBeNull();
    expect(el.querySelector('[onerror]')).toBeNull();
    expect(el.textContent).toContain('<script>alert(1)</script>');
  });

  it('never executes a block of raw HTML: it becomes an HTML code block', () => {
    const el = dom(renderMarkdown('<div onclick="x()">\n<script>steal()</script>\n</div>'));
    expect(el.querySelector('script, div[onclick]')).toBeNull();
    const code = el.querySelector('pre code');
    expect(code?.getAttribute('data-lang')).toBe('html');
    expect(code?.textContent).toContain('<script>steal()</script>');
  });

  it('keeps code blocks, highlighted, with the script text intact inside', () => {
    const el = dom(renderMarkdown('```html\n<form><script>alert(1)</script></form>\n```'));
    const code = el.querySelector('pre code.hljs.language-html');
    expect(code).not.toBeNull();
    expect(code?.textContent).toBe('<form><script>alert(1)</script></form>');
    expect(code?.querySelector('span[class^="hljs-"]')).not.toBeNull();
    expect(el.querySelector('script, form')).toBeNull();
  });

  it('highlights the listed languages by name and alias', () => {
    for (const lang of ['python', 'py', 'sql', 'bash', 'sh', 'json', 'c', 'cpp', 'java', 'css', 'js', 'ts', 'typescript', 'html']) {
      const el = dom(renderMarkdown('```' + lang + '\nx = 1 # "s"\n```'));
      expect(el.querySelector('pre code.hljs'), lang).not.toBeNull();
      expect(el.querySelector('pre code')?.getAttribute('data-lang')).toBe(lang);
    }
  });

  it('removes javascript: links and opens others in a new tab', () => {
    const el = dom(renderMarkdown('[bad](javascript:alert(1)) [good](https://example.org)'));
    const links = [...el.querySelectorAll('a')];
    expect(links.some((a) => (a.getAttribute('href') ?? '').startsWith('javascript'))).toBe(false);
    const good = links.find((a) => a.textContent === 'good');
    expect(good?.getAttribute('target')).toBe('_blank');
    expect(good?.getAttribute('rel')).toContain('noopener');
  });

  it('does not load images named by the model', () => {
    const el = dom(renderMarkdown('![tracker](http://203.0.113.1/pixel.png)'));
    expect(el.querySelector('img')).toBeNull();
    expect(el.querySelector('a')?.textContent).toBe('tracker');
  });

  it('renders tables, lists and line breaks', () => {
    const el = dom(renderMarkdown('| a | b |\n|---|:-:|\n| 1 | 2 |\n\n- one\n- two\n\n1. x\n2. y\n\n春风\n桃花'));
    expect(el.querySelectorAll('table th')).toHaveLength(2);
    expect(el.querySelector('td[align="center"]')?.textContent).toBe('2');
    expect(el.querySelectorAll('ul li')).toHaveLength(2);
    expect(el.querySelectorAll('ol li')).toHaveLength(2);
    expect(el.querySelector('p br')).not.toBeNull();
  });

  it('renders an unclosed fence (mid-stream) as code so far', () => {
    const el = dom(renderMarkdown('Here:\n```python\ndef f():\n    return 1'));
    expect(el.querySelector('pre code')?.textContent).toContain('def f():');
  });
});
