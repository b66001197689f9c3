/** Test helpers: load a CSV through the real ingest and panel code (Node only). */
import { readFileSync } from 'node:fs';
import { ingestFile } from '../data/ingest';
import { buildPanel, type Panel } from '../data/panel';
import { suggestRoles } from '../data/roles';
import type { ColumnSummary, RoleMap } from '../data/types';

export async function loadPanel(csv: string | Buffer, roles?: Partial<Record<string, RoleMap[string]>>): Promise<{ panel: Panel; summaries: readonly ColumnSummary[]; roles: RoleMap }> {
  const bytes = typeof csv === 'string' ? new TextEncoder().encode(csv) : new Uint8Array(csv);
  const result = await ingestFile({ name: 'test.csv', size: bytes.length, read: async (a, b) => bytes.subarray(a, b) });
  if (!result.ok) throw new Error(result.reason.code);
  const { table, summaries } = result.data;
  const merged = { ...suggestRoles(summaries), ...roles } as RoleMap;
  return { panel: buildPanel(table, merged, summaries), summaries, roles: merged };
}

export function readSample(): Buffer {
  return readFileSync(new URL('../../public/samples/promotions.csv', import.meta.url));
}
