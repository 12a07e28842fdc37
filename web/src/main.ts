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

void main();
