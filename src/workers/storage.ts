/**
 * A tiny key-value store on IndexedDB for the session: usable from the page
 * and from workers (both have `indexedDB`). Values are structured-cloned, so
 * typed arrays and Blobs are kept as they are. Quota and availability
 * failures are values, never exceptions.
 */
import { fail, ok, type Result } from '../lib/result';

const DB_NAME = 'promocast';
const STORE = 'session';

export type StorageFailure = 'quota' | 'unavailable';

let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  opening ??= new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('IndexedDB is not available'));
      return;
    }
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB did not open'));
  });
  opening.catch(() => {
    opening = null;
  });
  return opening;
}

function run<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T> | null): Promise<T | undefined> {
  return open().then(
    (db) =>
      new Promise<T | undefined>((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const request = action(tx.objectStore(STORE));
        tx.oncomplete = () => resolve(request ? request.result : undefined);
        tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
        tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
      }),
  );
}

/** The stored value, or undefined (also when storage is unavailable). */
export async function loadValue<T>(key: string): Promise<T | undefined> {
  try {
    return (await run('readonly', (s) => s.get(key))) as T | undefined;
  } catch {
    return undefined;
  }
}

/** Stores a value; a full disk or a blocked database is a failure value. */
export async function saveValue(key: string, value: unknown): Promise<Result<void, StorageFailure>> {
  try {
    await run('readwrite', (s) => s.put(value, key));
    return ok(undefined);
  } catch (thrown) {
    const name = thrown instanceof DOMException || thrown instanceof Error ? thrown.name : '';
    return fail(name === 'QuotaExceededError' ? 'quota' : 'unavailable');
  }
}

export async function deleteValue(key: string): Promise<void> {
  try {
    await run('readwrite', (s) => s.delete(key));
  } catch {
    // Nothing stored, nothing to delete.
  }
}

/** Removes everything the session stored. */
export async function clearSession(): Promise<void> {
  try {
    await run('readwrite', (s) => s.clear());
  } catch {
    // Storage unavailable: there is nothing to clear.
  }
}
