import type * as tf from '@tensorflow/tfjs';
import { dataToken, holdsData } from './fastLstm';

/** The LSTM state (every layer's h and c) after one prefix, and the inputs it was computed from. */
export interface PrefixState {
  /** The prefix's inputs (steps × features), compared in full on a lookup. */
  readonly input: Float32Array;
  readonly h: readonly Float32Array[];
  readonly c: readonly Float32Array[];
}

/** At most this many prefix states are kept per model (oldest dropped first); ~3 KB each for the seed's shapes. */
export const PREFIX_STATES_KEPT = 2048;

/**
 * LSTM states after shared history prefixes, kept between what-if calls: a
 * slider move changes only the plan days, so the history before the plan
 * (the same series and start) need not run again. Valid for one set of
 * weights: every tf.js variable gets a new data id on each assign (an
 * optimiser step, restoring the best epoch, importing), and a call with other
 * ids than the stored ones empties the store. A hit also compares the whole
 * prefix input, so a hash collision cannot return another prefix's state.
 */
export class PrefixStates {
  private token: readonly object[] = [];
  private readonly entries = new Map<string, PrefixState>();
  /** Lookups answered and not answered since the weights last changed. */
  hits = 0;
  misses = 0;

  constructor(private readonly capacity = PREFIX_STATES_KEPT) {}

  /** Empties the store unless `variables` still hold the data they held at the last call. */
  validate(variables: readonly tf.Variable[]): void {
    if (holdsData(variables, this.token)) return;
    this.token = dataToken(variables);
    this.entries.clear();
    this.hits = 0;
    this.misses = 0;
  }

  /** Forgets every state (the bench times a first call at a new plan start with it). */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  get(input: Float32Array): PrefixState | undefined {
    const key = prefixKey(input);
    const found = this.entries.get(key);
    if (!found || !sameValues(found.input, input)) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Most recently used last: eviction takes the oldest first.
    this.entries.delete(key);
    this.entries.set(key, found);
    return found;
  }

  set(state: PrefixState): void {
    const key = prefixKey(state.input);
    this.entries.delete(key);
    this.entries.set(key, state);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** FNV-1a over the values' bits, two ways (64 bits of key), with the length. */
export function prefixKey(input: Float32Array): string {
  const bits = new Uint32Array(input.buffer, input.byteOffset, input.length);
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let k = 0; k < bits.length; k++) {
    const v = bits[k]!;
    a = Math.imul(a ^ v, 0x01000193);
    b = Math.imul(b ^ ((v >>> 16) | (v << 16)), 0x5bd1e995);
  }
  return `${input.length}:${(a >>> 0).toString(36)}:${(b >>> 0).toString(36)}`;
}

function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
  return true;
}
