import { LRUCache } from 'lru-cache';
import type { PersistedQueryCache } from './trusted-document.cache.js';

/** Bytes of document text the in-process store keeps, about what Apollo's own default cache holds. */
const MAX_BYTES = 32 * 1024 * 1024;

/** Automatic persisted queries in this process (no REDIS_URL): an LRU bounded by the documents' length. */
export class MemoryApqStore implements PersistedQueryCache {
  private readonly documents = new LRUCache<string, string>({
    maxSize: MAX_BYTES,
    sizeCalculation: (value, key) => value.length + key.length,
  });

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.documents.get(key));
  }

  set(key: string, value: string): Promise<void> {
    this.documents.set(key, value);
    return Promise.resolve();
  }

  delete(key: string): Promise<boolean> {
    return Promise.resolve(this.documents.delete(key));
  }
}
