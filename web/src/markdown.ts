// Model output -> safe HTML. Markdown is rendered by marked, raw HTML in the output is shown as
// text (never as markup), code is highlighted by highlight.js, and the result goes through
// DOMPurify with a short allow-list as a second line of defence: model output is untrusted.
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import css from 'highlight.js/lib/languages/css';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import { Marked, type Tokens } from 'marked';

const LANGUAGES = { bash, c, cpp, css, java, javascript, json, python, sql, typescript, xml };
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);
hljs.registerAliases(['sh', 'shell', 'zsh', 'console'], { languageName: 'bash' });
hljs.registerAliases(['html', 'htm', 'svg', 'vue'], { languageName: 'xml' });

// Auto-detection is slow on long text and guesses badly on short text: bound it.
const AUTO_DETECT_MAX = 4000;

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

// Highlighted HTML for `code`, and the language name to show above it.
export function highlight(code: string, lang: string | undefined): { html: string; language: string } {
  const wanted = (lang ?? '').trim().toLowerCase().match(/^[\w+#.-]+/)?.[0] ?? '';
  try {
    if (wanted && hljs.getLanguage(wanted)) {
      return { html: hljs.highlight(code, { language: wanted, ignoreIllegals: true }).value, language: wanted };
    }
    if (!wanted && code.length <= AUTO_DETECT_MAX) {
      const auto = hljs.highlightAuto(code);
      if (auto.language && auto.relevance >= 5) return { html: auto.value, language: auto.language };
    }
  } catch {
    // A grammar that throws on odd input: fall back to plain text.
  }
  return { html: escapeHtml(code), language: wanted };
}

function codeBlock(code: string, lang: string | undefined): string {
  const { html, language } = highlight(code.replace(/\n$/, ''), lang);
  const cls = language ? ` language-${escapeHtml(language)}` : '';
  return `<pre><code class="hljs${cls}" data-lang="${escapeHtml(language)}">${html}</code></pre>\n`;
}

const marked = new Marked({
  gfm: true,
  // Chat answers (poems above all) use single newlines as line breaks.
  breaks: true,
  renderer: {
    code({ text, lang }: Tokens.Code) {
      return codeBlock(text, lang);
    },
    html({ text, block }: Tokens.HTML | Tokens.Tag) {
      // A block of raw HTML is almost always code the user asked for without a fence: show it as
      // HTML code. Inline tags are shown as the text they are.
      return block ? codeBlock(text, 'html') : escapeHtml(text);
    },
    image({ href, text }: Tokens.Image) {
      // Never load images named by model output (that would reach out of the machine): link them.
      return `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`;
    },
  },
});

const ALLOWED_TAGS = [
  'a', 'blockquote', 'br', 'code', 'del', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'input',
  'li', 'ol', 'p', 'pre', 's', 'span', 'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'th',
  'thead', 'tr', 'ul',
];
const ALLOWED_ATTR = ['href', 'title', 'class', 'align', 'start', 'type', 'checked', 'disabled', 'data-lang'];

let hooksInstalled = false;
function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName === 'A') {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
    // Only GFM task-list boxes may be inputs, and never editable ones.
    if (node.nodeName === 'INPUT') {
      if (node.getAttribute('type') !== 'checkbox') node.remove();
      else node.setAttribute('disabled', '');
    }
  });
}

export function sanitizeHtml(html: string): string {
  installHooks();
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOW_DATA_ATTR: false,
  }) as string;
}

export function renderMarkdown(source: string): string {
  return sanitizeHtml(marked.parse(source, { async: false }) as string);
}
