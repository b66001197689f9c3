import type { CellExample, TypedTable } from './types';

const MAX_EXAMPLES = 5;

/**
 * Finds rows identical to an earlier row in every column (missing equals
 * missing). Takes the typed table and each row's spreadsheet row number;
 * returns how many rows repeat an earlier one and the first 5 of them by row
 * (`value` names the first row they repeat). O(rows × columns): each row is
 * hashed, then looked up in a hash table of first occurrences.
 */
export function findDuplicateRows(table: TypedTable, rowNumbers: Int32Array): { count: number; examples: CellExample[] } {
  const n = table.rowCount;
  const h1 = new Uint32Array(n).fill(2166136261);
  const h2 = new Uint32Array(n).fill(5381);
  const scratch = new Float64Array(1);
  const bits = new Uint32Array(scratch.buffer);
  for (const column of table.columns) {
    const data = column.data;
    if (data.storage === 'coded') {
      const codes = data.codes;
      for (let i = 0; i < n; i++) {
        const lo = codes[i]! | 0;
        const hi = 0x9e3779b9;
        h1[i] = Math.imul(h1[i]! ^ lo, 16777619) ^ hi;
        h2[i] = (Math.imul(h2[i]!, 33) + (lo ^ Math.imul(hi, 2654435761))) >>> 0;
      }
    } else {
      const values = data.values;
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        // Hash what `same` compares: -0 is 0 and every NaN is one NaN.
        scratch[0] = v === 0 ? 0 : v !== v ? NaN : v;
        const lo = bits[0]!;
        const hi = bits[1]!;
        h1[i] = Math.imul(h1[i]! ^ lo, 16777619) ^ hi;
        h2[i] = (Math.imul(h2[i]!, 33) + (lo ^ Math.imul(hi, 2654435761))) >>> 0;
      }
    }
  }
  const same = (a: number, b: number): boolean =>
    table.columns.every(({ data }) => {
      if (data.storage === 'coded') return data.codes[a] === data.codes[b];
      const x = data.values[a]!;
      const y = data.values[b]!;
      return x === y || (x !== x && y !== y);
    });
  // Open addressing, load at most one half; a slot holds the first row of its kind.
  let size = 2;
  while (size < 2 * n) size *= 2;
  const slots = new Int32Array(size).fill(-1);
  const mask = size - 1;
  let count = 0;
  const examples: CellExample[] = [];
  for (let i = 0; i < n; i++) {
    let slot = (h1[i]! ^ Math.imul(h2[i]!, 0x27d4eb2d)) & mask;
    for (;;) {
      const first = slots[slot]!;
      if (first < 0) {
        slots[slot] = i;
        break;
      }
      if (h1[first] === h1[i] && h2[first] === h2[i] && same(i, first)) {
        count++;
        if (examples.length < MAX_EXAMPLES) examples.push({ row: rowNumbers[i]!, value: `same as row ${rowNumbers[first]!}` });
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  return { count, examples };
}
