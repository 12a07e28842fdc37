// Conversations in IndexedDB: one record per conversation, messages inline. A conversation is
// small (text only), so whole-record writes stay cheap even while an answer streams in.
import { byNewest, type Conversation, type ConversationStore } from './types';

const STORE = 'conversations';

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function finished(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export class IdbConversationStore implements ConversationStore {
  private constructor(private readonly db: IDBDatabase) {}

  static open(factory: IDBFactory, name = 'qwen-edge'): Promise<IdbConversationStore> {
    return new Promise((resolve, reject) => {
      const request = factory.open(name, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: 'id' });
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another tab upgrading the schema: step aside instead of blocking it.
        db.onversionchange = () => db.close();
        resolve(new IdbConversationStore(db));
      };
      request.onerror = () => reject(request.error ?? new Error('cannot open IndexedDB'));
      request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
    });
  }

  async list(): Promise<Conversation[]> {
    const tx = this.db.transaction(STORE, 'readonly');
    const all = await promised(tx.objectStore(STORE).getAll() as IDBRequest<Conversation[]>);
    return all.sort(byNewest);
  }

  async get(id: string): Promise<Conversation | undefined> {
    const tx = this.db.transaction(STORE, 'readonly');
    return promised(tx.objectStore(STORE).get(id) as IDBRequest<Conversation | undefined>);
  }

  async put(conversation: Conversation): Promise<void> {
    const tx = this.db.transaction(STORE, 'readwrite');
    // A structured clone of plain data: strip anything a caller may have attached.
    tx.objectStore(STORE).put(JSON.parse(JSON.stringify(conversation)));
    await finished(tx);
  }

  async delete(id: string): Promise<void> {
    const tx = this.db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).delete(id);
    await finished(tx);
  }

  close(): void {
    this.db.close();
  }
}

// Used when the browser refuses IndexedDB (some private modes): the app still works, and says
// that nothing will be kept.
export class MemoryConversationStore implements ConversationStore {
  private readonly items = new Map<string, Conversation>();

  async list(): Promise<Conversation[]> {
    return [...this.items.values()].map((c) => structuredClone(c)).sort(byNewest);
  }
  async get(id: string): Promise<Conversation | undefined> {
    const c = this.items.get(id);
    return c && structuredClone(c);
  }
  async put(conversation: Conversation): Promise<void> {
    this.items.set(conversation.id, structuredClone(conversation));
  }
  async delete(id: string): Promise<void> {
    this.items.delete(id);
  }
}
