import { describe, expect, it } from 'vitest';
import { changedOnlyStorage } from './prefsStorage';

/** A Storage that counts its writes (and can refuse them). */
function memoryStorage() {
  const items = new Map<string, string>();
  const counts = { writes: 0 };
  let refuse = false;
  const storage = {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    key: (i: number) => [...items.keys()][i] ?? null,
    getItem: (k: string) => items.get(k) ?? null,
    removeItem: (k: string) => void items.delete(k),
    setItem: (k: string, v: string) => {
      if (refuse) throw new DOMException('full', 'QuotaExceededError');
      counts.writes++;
      items.set(k, v);
    },
  } satisfies Storage;
  return { storage, counts, items, refuse: (on: boolean) => (refuse = on) };
}

describe('changedOnlyStorage', () => {
  const roles = { a: ['x'] };

  it('writes the first value, skips the same values, writes a changed one', () => {
    const m = memoryStorage();
    const prefs = changedOnlyStorage<{ locale: string; roles: object }>(() => m.storage);
    const steps: [{ locale: string; roles: object }, number][] = [
      [{ locale: 'en', roles }, 1],
      [{ locale: 'en', roles }, 1], // a new object with the same fields: no write
      [{ locale: 'zh-CN', roles }, 2],
      [{ locale: 'zh-CN', roles: { a: ['x'] } }, 3], // an equal but new object counts as a change
    ];
    for (const [state, writes] of steps) {
      void prefs.setItem('p', { state, version: 1 });
      expect(m.counts.writes).toBe(writes);
    }
    expect(JSON.parse(m.items.get('p')!)).toEqual({ state: { locale: 'zh-CN', roles: { a: ['x'] } }, version: 1 });
  });

  it('writes again after a version change or a removal', () => {
    const m = memoryStorage();
    const prefs = changedOnlyStorage<{ locale: string }>(() => m.storage);
    const state = { locale: 'en' };
    void prefs.setItem('p', { state, version: 1 });
    void prefs.setItem('p', { state, version: 2 });
    expect(m.counts.writes).toBe(2);
    void prefs.removeItem('p');
    void prefs.setItem('p', { state, version: 2 });
    expect(m.counts.writes).toBe(3);
    expect(prefs.getItem('p')).toEqual({ state, version: 2 });
  });

  it('tries a refused write again on the next change', () => {
    const m = memoryStorage();
    const prefs = changedOnlyStorage<{ locale: string }>(() => m.storage);
    const state = { locale: 'en' };
    m.refuse(true);
    expect(() => prefs.setItem('p', { state, version: 1 })).toThrow();
    m.refuse(false);
    void prefs.setItem('p', { state, version: 1 });
    expect(m.counts.writes).toBe(1);
  });
});
