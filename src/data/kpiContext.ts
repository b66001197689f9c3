import { matchesKeyword } from './roles';
import type { Panel } from './panel';
import type { TypedTable } from './types';

/** What a target column means for KPIs: a conversion rate, orders, units, revenue, or something else. */
export type TargetMeaning = 'conversionRate' | 'orders' | 'units' | 'revenue' | 'other';

/** Recent per-series facts for KPIs; the analyst may edit AOV and margin. */
export interface SeriesKpiContext {
  /** Typical daily visitors (mean of the last {@link RECENT_STEPS} steps); null when no visitors column. */
  readonly visitorsPerDay: number | null;
  /** Revenue per order (Σ revenue / Σ orders over the recent steps), currency units. */
  readonly averageOrderValue: number | null;
  readonly unitsPerOrder: number | null;
  /** Gross margin share of revenue, in [0, 1]. */
  readonly margin: number;
}

export const RECENT_STEPS = 28;
export const DEFAULT_MARGIN = 0.3;

const VISITORS = ['visitors', 'visitor', 'visits', 'traffic', 'sessions', 'uv', 'pv', '访客', '流量', '访问'];
const ORDERS = ['orders', 'order', 'transactions', 'purchases', '订单', '订单数'];
const REVENUE = ['revenue', 'sales', 'gmv', 'spend', 'turnover', '销售额', '收入', '营收'];
const UNITS = ['units', 'unit', 'qty', 'quantity', 'items', '销量', '件数'];

function findColumn(table: TypedTable, words: readonly string[]): Float64Array | null {
  for (const column of table.columns) {
    if (column.data.storage !== 'numeric') continue;
    if (words.some((w) => matchesKeyword(column.name, w))) return column.data.values;
  }
  return null;
}

/** What the target means for KPIs, from its name and kind. */
export function targetMeaning(targetName: string, kind: string): TargetMeaning {
  if (kind === 'rate' && matchesAny(targetName, ['conversion', 'cvr', 'conversion_rate', '转化率', '转化'])) return 'conversionRate';
  if (matchesAny(targetName, ORDERS)) return 'orders';
  if (matchesAny(targetName, UNITS)) return 'units';
  if (matchesAny(targetName, REVENUE)) return 'revenue';
  return 'other';
}

function matchesAny(name: string, words: readonly string[]): boolean {
  return words.some((w) => matchesKeyword(name, w));
}

/**
 * Per series of the panel: typical visitors per step, revenue per order and
 * units per order over its last {@link RECENT_STEPS} rows, read from the
 * table's outcome columns (found by name: visitors, orders, revenue, units).
 */
export function kpiContexts(table: TypedTable, panel: Panel): SeriesKpiContext[] {
  const visitors = findColumn(table, VISITORS);
  const orders = findColumn(table, ORDERS);
  const revenue = findColumn(table, REVENUE.filter((w) => w !== 'spend'));
  const units = findColumn(table, UNITS);
  return panel.series.map((s) => {
    const from = Math.max(s.start, s.end - RECENT_STEPS);
    const sum = (values: Float64Array | null) => {
      if (!values) return null;
      let total = 0;
      let n = 0;
      for (let r = from; r < s.end; r++) {
        const v = values[panel.sourceRow[r]!]!;
        if (v === v) {
          total += v * (panel.rowsMerged[r] ?? 1);
          n++;
        }
      }
      return n > 0 ? { total, n } : null;
    };
    const v = sum(visitors);
    const o = sum(orders);
    const rev = sum(revenue);
    const u = sum(units);
    return {
      visitorsPerDay: v ? v.total / v.n : null,
      averageOrderValue: o && rev && o.total > 0 ? rev.total / o.total : null,
      unitsPerOrder: o && u && o.total > 0 ? u.total / o.total : null,
      margin: DEFAULT_MARGIN,
    };
  });
}
