import { createJSONStorage, type PersistStorage } from 'zustand/middleware';

/**
 * JSON in a Storage, written only when a value changed (compared field by
 * field, by identity): zustand's persist middleware calls setItem after every
 * state change, slider inputs and training progress included, and each write
 * serialises every preference.
 */
export function changedOnlyStorage<S extends object>(storage: () => Storage): PersistStorage<S> {
  const json = createJSONStorage<S>(storage)!;
  let written: { state: S; version: number | undefined } | null = null;
  return {
    getItem: (name) => json.getItem(name),
    removeItem: (name) => {
      written = null;
      return json.removeItem(name);
    },
    setItem: (name, value) => {
      const last = written;
      if (last !== null && last.version === value.version && (Object.keys(value.state) as (keyof S)[]).every((k) => last.state[k] === value.state[k])) return;
      json.setItem(name, value);
      // Only after the write went through: a refused write is tried again on the next change.
      written = { state: value.state, version: value.version };
    },
  };
}
