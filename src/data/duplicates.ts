import type { CellExample, TypedTable } from './types';

/**
 * Finds rows identical to an earlier row in every column.
 * Takes the typed table and each row's spreadsheet row number; returns how
 * many rows repeat an earlier one and up to 5 examples (`value` names the
 * row it repeats). O(rows × columns) hashing plus a sort of the hashes.
 */
export function findDuplicateRows(table: TypedTable, rowNumbers: Int32Array): { count: number; examples: CellExample[] } {
  const n = table.rowCount;
  const h1 = new Uint32Array(n).fill(2166136261);
  const h2 = new Uint32Array(n).fill(5381);
  const scratch = new Float64Array(1);
  const bits = new Uint32Array(scratch.buffer);
  for (const column of table.columns) {
    const data = column.data;
    for (let i = 0; i < n; i++) {
      let lo: number;
      let hi: number;
      if (data.storage === 'coded') {
        lo = data.codes[i]! | 0;
        hi = 0x9e3779b9;
      } else {
        scratch[0] = data.values[i]!;
        lo = bits[0]!;
        hi = bits[1]!;
      }
      h1[i] = Math.imul(h1[i]! ^ lo, 16777619) ^ hi;
      h2[i] = (Math.imul(h2[i]!, 33) + (lo ^ Math.imul(hi, 2654435761))) >>> 0;
    }
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => h1[a]! - h1[b]! || h2[a]! - h2[b]! || a - b);
  const same = (a: number, b: number): boolean =>
    table.columns.every(({ data }) => {
      if (data.storage === 'coded') return data.codes[a] === data.codes[b];
      const x = data.values[a]!;
      const y = data.values[b]!;
      return x === y || (x !== x && y !== y);
    });
  let count = 0;
  const examples: CellExample[] = [];
  let runStart = 0;
  for (let k = 1; k <= n; k++) {
    const prev = order[k - 1]!;
    const cur = k < n ? order[k]! : -1;
    if (cur >= 0 && h1[cur] === h1[prev] && h2[cur] === h2[prev]) continue;
    // order[runStart..k) share a hash: compare each with the first of its kind.
    for (let a = runStart + 1; a < k; a++) {
      const row = order[a]!;
      for (let b = runStart; b < a; b++) {
        const earlier = order[b]!;
        if (same(row, earlier)) {
          count++;
          if (examples.length < 5) examples.push({ row: rowNumbers[row]!, value: `same as row ${rowNumbers[earlier]!}` });
          break;
        }
      }
    }
    runStart = k;
  }
  examples.sort((a, b) => a.row - b.row);
  return { count, examples };
}
