import { App } from './app';
import { IdbConversationStore, MemoryConversationStore } from './store/idb-store';
import type { ConversationStore } from './store/types';
import './styles/base.css';
import './styles/layout.css';
import './styles/messages.css';
import './styles/code.css';
import './styles/dialogs.css';
import './styles/knowledge.css';

async function openStore(): Promise<{ store: ConversationStore; persistent: boolean }> {
  try {
    if (!('indexedDB' in window)) throw new Error('no IndexedDB');
    return { store: await IdbConversationStore.open(window.indexedDB), persistent: true };
  } catch {
    return { store: new MemoryConversationStore(), persistent: false };
  }
}

async function main(): Promise<void> {
  const mount = document.getElementById('app');
  if (!mount) return;
  const { store, persistent } = await openStore();
  await new App(mount, store, persistent).start();
}

// Installable as an app: the service worker keeps the page (never API answers) so it opens
// without the network. Browsers offer it only in a secure context (localhost, or HTTPS).
function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register('./sw.js').catch(() => {
    // Not installable then; the page works the same.
  });
}

registerServiceWorker();
void main();
