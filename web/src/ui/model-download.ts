// The first-start panel: while the server downloads its model, a progress bar with bytes, speed
// and time left; after a failed attempt, why and what to do instead (the server's own words).
import type { ModelProgress } from '../api/health';
import type { Translate } from '../i18n';
import { h } from './dom';

// "999 B", "12.3 kB", "531.2 MB", "1.20 GB": decimal units, as the server and the model hubs.
export function formatBytes(n: number): string {
  if (n < 1000) return `${Math.round(n)} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

// "0:07", "12:34", "1:02:03".
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const two = (v: number) => String(v).padStart(2, '0');
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  return hours > 0 ? `${hours}:${two(minutes)}:${two(s % 60)}` : `${minutes}:${two(s % 60)}`;
}

// One line: what has arrived, of how much, how fast, how long still.
export function progressLine(p: ModelProgress, t: Translate): string {
  const parts = [p.total > 0 ? t('downloadOf', { done: formatBytes(p.bytes), total: formatBytes(p.total) }) : formatBytes(p.bytes)];
  if (p.state === 'downloading' && p.bytesPerSecond > 0) parts.push(`${formatBytes(p.bytesPerSecond)}/s`);
  if (p.state === 'downloading' && p.etaSeconds !== null) parts.push(t('downloadLeft', { eta: formatDuration(p.etaSeconds) }));
  return parts.join(' · ');
}

export class DownloadPanel {
  readonly element = h('section', { class: 'download-panel', 'data-testid': 'download', hidden: true, 'aria-live': 'polite' });

  constructor(private t: Translate) {}

  setTranslate(t: Translate): void {
    this.t = t;
  }

  render(p: ModelProgress | null): void {
    this.element.hidden = p === null;
    if (!p) {
      this.element.replaceChildren();
      return;
    }
    const failed = p.state === 'download_failed';
    this.element.dataset.state = p.state;
    const bar = h('progress', { class: 'download-bar', 'data-testid': 'download-bar', max: p.total || 1 });
    if (p.total > 0) bar.value = p.bytes; // no value: an indeterminate bar until the size is known
    this.element.replaceChildren(
      h('h2', { class: 'download-title' }, this.t(failed ? 'downloadFailedTitle' : 'downloadTitle', { model: p.model })),
      h('p', { class: 'download-sub' }, this.t(failed ? 'downloadRetrying' : 'downloadFirstStart')),
      bar,
      h('p', { class: 'download-line', 'data-testid': 'download-line' }, progressLine(p, this.t)),
    );
    if (failed && p.error) this.element.append(h('p', { class: 'download-error' }, p.error));
    if (failed && p.help) this.element.append(h('p', { class: 'download-help', 'data-testid': 'download-help' }, p.help));
  }
}
