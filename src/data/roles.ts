/**
 * Role suggestion: from column names (English and Chinese) and inferred types,
 * guess how the analyst will use each column (time, series key, target,
 * lever, covariate or ignore). The analyst confirms or edits the result; the
 * keyword tables are exported so the UI can show why a role was suggested.
 *
 * Pure TypeScript: takes {@link ColumnSummary} values, never the table.
 */
import type { ColumnSummary, ColumnType, Role, RoleMap } from './types';

// ---------------------------------------------------------------------------
// Name matching

/**
 * Splits a column name into lower-case word tokens: separators, camelCase,
 * and letter/digit boundaries split; CJK runs are kept whole.
 * `"SalesInThousands"` → `["sales","in","thousands"]`,
 * `"Channel0_spend"` → `["channel","0","spend"]`, `"WEEK_END_DATE"` → `["week","end","date"]`.
 */
export function nameTokens(name: string): string[] {
  const spaced = name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .replace(/(\d)([A-Za-z])/g, '$1 $2');
  return spaced
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0);
}

/** Lower-case name with every separator removed: `"Approved_Conversion"` → `"approvedconversion"`. */
function compactName(name: string): string {
  return name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

const CJK = /[\u3400-\u9fff]/;

/** A token equals a keyword token, allowing an English plural (`orders` ~ `order`). */
function tokenEquals(token: string, keyword: string): boolean {
  return token === keyword || token === `${keyword}s` || token === `${keyword}es` || `${token}s` === keyword;
}

/**
 * Does `name` match `keyword`? Chinese keywords match as substrings of the
 * name; English keywords (`snake_case` for several words) match a run of
 * consecutive name tokens, plural-tolerant.
 */
export function matchesKeyword(name: string, keyword: string): boolean {
  if (CJK.test(keyword)) return name.includes(keyword);
  const tokens = nameTokens(name);
  const kw = nameTokens(keyword);
  if (kw.length === 0) return false;
  for (let i = 0; i + kw.length <= tokens.length; i++) {
    let all = true;
    for (let j = 0; j < kw.length; j++) {
      if (!tokenEquals(tokens[i + j] ?? '', kw[j] ?? '')) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

/** The first keyword of `keywords` that `name` matches, or null. */
export function firstKeyword(name: string, keywords: readonly string[]): string | null {
  for (const k of keywords) if (matchesKeyword(name, k)) return k;
  return null;
}

// ---------------------------------------------------------------------------
// Keyword tables (exported so the UI can explain a suggestion)

/** Names of a date column that make it the time axis (only `date` columns qualify). */
export const TIME_KEYWORDS: readonly string[] = [
  'week_end_date', 'date', 'day', 'week', 'time', 'ds', 'dt', 'period', 'month', 'timestamp',
  '日期', '时间', '星期', '周', '月份', '日',
];

/**
 * Name parts of a date column that describe an entity rather than the
 * observation time (a customer's sign-up or birth date): never the time axis.
 */
export const ENTITY_DATE_KEYWORDS: readonly string[] = [
  'customer', 'birth', 'dob', 'signup', 'sign_up', 'registration', 'register', 'registered', 'enrol',
  'enroll', 'enrolment', 'enrollment', 'join', 'joined', 'created', 'first', 'last', 'since', 'expiry',
  'expire', 'open', 'opened', '注册', '出生', '生日', '开店',
];

/** Series keys of a long-format panel (used only when there is a time column). */
export const SERIES_KEYWORDS: readonly string[] = [
  'category', 'segment', 'store', 'store_num', 'upc', 'sku', 'product', 'item', 'geo', 'region', 'channel',
  'market', 'city', 'country', 'state', 'province', 'brand', 'shop', 'location', 'dma', 'cohort',
  '品类', '类目', '分群', '人群', '门店', '地区', '区域', '渠道', '商品', '店铺', '城市', '省份', '品牌',
];

/**
 * Target candidates, best first. `exact` lists compact names (lower case,
 * separators removed) that match the whole column name; a column whose tokens
 * merely contain one of them ranks 10 tiers lower. Chinese entries match as substrings.
 */
export const TARGET_TIERS: readonly { readonly tier: number; readonly exact: readonly string[] }[] = [
  { tier: 1, exact: ['conversionrate', 'conversion', 'cvr', 'convrate', 'conversionratio', '转化率'] },
  { tier: 2, exact: ['orders', 'order', 'ordercount', 'numorders', 'ordernum', '订单', '订单数', '订单量'] },
  { tier: 3, exact: ['units', 'unitssold', 'unitsales', 'quantity', 'qty', '销量'] },
  {
    tier: 4,
    exact: ['revenue', 'sales', 'salesinthousands', 'gmv', 'spend', '销售额', '营收', '成交额'],
  },
  { tier: 5, exact: ['conversions', 'response', 'approvedconversion', 'purchased', 'converted', '转化数', '转化量'] },
  { tier: 6, exact: ['totalconversion', 'visit', 'purchase', 'buy', 'bought'] },
];

/** Tokens of a target name when it only contains them (ranked tier + 10). */
const TARGET_TOKENS: readonly { readonly tier: number; readonly keywords: readonly string[] }[] = [
  { tier: 11, keywords: ['conversion_rate', 'cvr', '转化率'] },
  { tier: 12, keywords: ['orders', '订单'] },
  { tier: 13, keywords: ['units', 'quantity', '销量'] },
  { tier: 14, keywords: ['revenue', 'sales', 'gmv', '销售额', '营收'] },
  { tier: 15, keywords: ['conversion', 'response'] },
];

/**
 * Outcomes measured at the same time as the target (visitors, clicks, the
 * other sales measures): as inputs they would leak the answer into the model,
 * so a column matching these (and every target keyword) but not chosen as
 * target is suggested as `ignore`.
 */
export const OUTCOME_KEYWORDS: readonly string[] = [
  'conversion', 'cvr', 'orders', 'units', 'quantity', 'qty', 'revenue', 'sales', 'gmv', 'response',
  'visitors', 'visitor', 'visits', 'visit', 'sessions', 'pageviews', 'views', 'clicks', 'click', 'ctr',
  'impressions', 'impression', 'hhs', 'households', 'buyers', 'transactions', 'baskets', 'uv', 'pv',
  '转化', '订单', '销量', '销售', '营收', '成交', '访客', '访问', '点击', '曝光', '浏览',
];

/** Known context: calendar, weather, competition, customer history. Checked before levers. */
export const COVARIATE_KEYWORDS: readonly string[] = [
  'holiday', 'is_holiday', 'festival', 'weekend', 'weather', 'temperature', 'temp', 'rain', 'precipitation',
  'competitor', 'competition', 'population', 'base_price', 'regular_price', 'list_price', 'original_price',
  'msrp', 'control', 'season', 'weekday', 'dow', 'day_of_week', 'month', 'income', 'age', 'history',
  'recency', 'tenure', 'inflation', 'cpi', 'gdp', 'sentiment', 'trend',
  '节假日', '节日', '假期', '假日', '天气', '气温', '温度', '竞品', '竞争', '人口', '原价', '基准价',
  '季节', '年龄',
];

/** What the analyst controls. */
export const LEVER_KEYWORDS: readonly string[] = [
  'discount', 'discount_pct', 'disc', 'markdown', 'promo', 'promotion', 'promo_type', 'coupon', 'voucher',
  'rebate', 'cashback', 'threshold', 'bundle', 'bogo', 'deal', 'price', 'feature', 'display', 'tpr', 'ad',
  'ads', 'advert', 'advertising', 'marketing', 'media', 'budget', 'bid', 'campaign', 'treatment', 'variant',
  'offer', 'email', 'mail', 'sms', 'push',
  '折扣', '优惠', '优惠券', '促销', '满减', '广告', '投放', '营销', '推广', '价格', '售价', '券', '红包', '门槛',
];

/**
 * Levers only in a cross-section (no time column): there the e-mail arm
 * `segment` or the sales `channel` is a treatment, while in a panel it is a series key.
 */
export const CROSS_SECTION_LEVER_KEYWORDS: readonly string[] = ['segment', 'channel', '分群', '人群', '渠道'];

/**
 * Spend columns. `spent` or a qualified spend (`ad_spend`, `Channel0_spend`)
 * is the advertiser's spend (a lever); a bare `spend` / `total_spend` is what
 * customers spent (an outcome, as SPEND in the dunnhumby data).
 */
export const SPEND_KEYWORDS: readonly string[] = ['spend', 'spent', 'spending', '花费', '消耗'];

/** Tokens that keep a spend column an outcome (customer spend), not ad spend. */
const CUSTOMER_SPEND_QUALIFIERS: readonly string[] = [
  'total', 'customer', 'amount', 'avg', 'mean', 'sum', 'sales', 'in', 'per', 'monthly', 'weekly', 'daily',
];

/**
 * Lever keywords that still make an identifier a lever (`xyz_campaign_id`
 * names the campaign run); any other id (`ad_id`, `store_id`) is a key, not a lever.
 */
export const ID_LEVER_KEYWORDS: readonly string[] = [
  'campaign', 'promo', 'promotion', 'promo_type', 'coupon', 'voucher', 'offer', 'treatment', 'variant', 'deal',
  '促销', '优惠券', '券', '活动',
];

/** Names the parser gives unnamed columns, and names of index columns written by pandas or R. */
const INDEX_NAME = /^(column[ _]?\d+|unnamed(:?[ _]?\d+)?|index|idx|row|rownames|row_?id|#|_?c\d+|_\d*)$/i;

// ---------------------------------------------------------------------------
// Explanations

/** Why a role was suggested; `keyword` is the matching keyword where there is one. */
export type RoleReason =
  | 'timeKeyword' // a date column named like a time axis
  | 'onlyDate' // the only date column, no time-like name
  | 'extraDate' // a second date column (only one time axis)
  | 'entityDate' // a date describing an entity (customer sign-up), not the observation time
  | 'seriesKeyword' // named like a series key (store, category, …) and there is a time column
  | 'seriesKey' // a category or id column in a panel
  | 'targetKeyword' // the best-ranked outcome name
  | 'leverKeyword'
  | 'adSpend' // spent / ad_spend / Channel0_spend
  | 'crossSectionLever' // segment / channel without a time column
  | 'covariateKeyword'
  | 'outcomeLeak' // another outcome measured with the target
  | 'allMissing'
  | 'constant'
  | 'text'
  | 'indexColumn' // 0..n-1 or 1..n row numbers, or an unnamed column
  | 'identifier' // id with (almost) one value per row
  | 'numericContext' // other numeric column: covariate by default
  | 'categoricalContext'; // other category: covariate by default

/** One column's suggestion with its reason. */
export interface RoleSuggestion {
  readonly column: string;
  readonly role: Role;
  readonly reason: RoleReason;
  /** The keyword that matched, when the reason is a keyword. */
  readonly keyword?: string;
}

// ---------------------------------------------------------------------------
// Column predicates

const NUMERICISH: readonly ColumnType[] = ['integer', 'number', 'percent', 'currency', 'boolean'];

function nonMissing(s: ColumnSummary): number {
  return Math.max(0, s.rowCount - s.missingCount - s.unparseableCount);
}

function isAllMissing(s: ColumnSummary): boolean {
  return s.type === 'empty' || nonMissing(s) === 0;
}

function isConstant(s: ColumnSummary): boolean {
  return !s.distinctCapped && s.distinctCount <= 1;
}

/** True for identifier names: last word `id` / `uuid` / `guid` / `key` (`ad_id`, `MarketID`), or `编号`. */
export function isIdentifierName(name: string): boolean {
  return hasIdName(name);
}

function hasIdName(name: string): boolean {
  const tokens = nameTokens(name);
  const last = tokens[tokens.length - 1] ?? '';
  return ['id', 'uuid', 'guid', 'key'].includes(last) || name.includes('编号');
}

/** An integer 0..n-1 or 1..n with one value per row, or a column the parser had to name. */
function isIndexColumn(s: ColumnSummary): boolean {
  const unnamed = s.originalName !== undefined && s.originalName.trim() === '';
  const genericName = INDEX_NAME.test(s.name.trim());
  if (unnamed && s.type !== 'integer') return nonMissing(s) > 0 && s.distinctCount >= nonMissing(s);
  if (s.type !== 'integer' || s.min === undefined || s.max === undefined) return false;
  const sequence =
    (s.min === 0 || s.min === 1) &&
    s.max - s.min === s.rowCount - 1 &&
    s.distinctCount === s.rowCount &&
    s.missingCount === 0;
  return sequence && (unnamed || genericName || hasIdName(s.name) || s.rowCount >= 100);
}

/** Identifier with (almost) one value per row: not a usable input. */
function isHighCardinalityId(s: ColumnSummary): boolean {
  const n = nonMissing(s);
  if (n < 10) return false;
  const many = s.distinctCapped || s.distinctCount > 0.5 * n;
  if (!many) return false;
  return s.type === 'id' || s.type === 'category' || (s.type === 'integer' && hasIdName(s.name));
}

function isAdSpend(name: string): boolean {
  if (CJK.test(name)) return name.includes('广告') && (name.includes('花费') || name.includes('消耗'));
  const tokens = nameTokens(name);
  if (tokens.includes('spent')) return true;
  const i = tokens.findIndex((t) => t === 'spend' || t === 'spending');
  if (i < 0) return false;
  const others = tokens.filter((t, j) => j !== i && !/^\d+$/.test(t));
  return others.length > 0 && !others.some((t) => CUSTOMER_SPEND_QUALIFIERS.includes(t));
}

/** Lever keywords (ad spend is decided earlier); null when none matches. */
function leverKeyword(name: string, hasTime: boolean, type: ColumnType): string | null {
  const k = firstKeyword(name, hasIdName(name) ? ID_LEVER_KEYWORDS : LEVER_KEYWORDS);
  if (k !== null) return k;
  if (!hasTime && (type === 'category' || type === 'id' || type === 'boolean' || type === 'integer')) {
    return firstKeyword(name, CROSS_SECTION_LEVER_KEYWORDS);
  }
  return null;
}

/**
 * The outcome keyword a name matches, or null. A name whose last word is a
 * lever (`unit_price`) is a lever, while `promo_orders` is an outcome.
 */
function isOutcomeName(name: string): string | null {
  const k = firstKeyword(name, OUTCOME_KEYWORDS);
  if (k !== null) {
    const last = nameTokens(name).at(-1) ?? '';
    if (!CJK.test(name) && firstKeyword(last, LEVER_KEYWORDS) !== null) return null;
    return k;
  }
  // A bare `spend` / `total_spend` is customer spend: an outcome.
  if (!isAdSpend(name) && firstKeyword(name, ['spend', 'spending']) !== null) return 'spend';
  return null;
}

/** Structural reason to ignore a column whatever its name, or null. */
function structuralIgnore(s: ColumnSummary): RoleReason | null {
  if (isAllMissing(s)) return 'allMissing';
  if (isConstant(s)) return 'constant';
  if (s.type === 'text') return 'text';
  if (isIndexColumn(s)) return 'indexColumn';
  if (isHighCardinalityId(s)) return 'identifier';
  return null;
}

// ---------------------------------------------------------------------------
// Time and target

function timeScore(s: ColumnSummary): { score: number; keyword?: string } | null {
  if (s.type !== 'date' || isAllMissing(s)) return null;
  if (firstKeyword(s.name, ENTITY_DATE_KEYWORDS) !== null) return null;
  const k = firstKeyword(s.name, TIME_KEYWORDS);
  if (k !== null) {
    // Exact names beat names that merely contain a time word.
    const exact = compactName(s.name) === compactName(k);
    return { score: exact ? 3 : 2, keyword: k };
  }
  return { score: 1 };
}

/**
 * The time axis: the best-named `date` column (exact time names such as
 * `date`, `week_end_date`, `日期` first, then names containing them, then any
 * date column that does not describe an entity such as `Dt_Customer`).
 * Takes all column summaries; returns the column name or null.
 */
export function suggestTime(summaries: readonly ColumnSummary[]): string | null {
  let best: string | null = null;
  let bestScore = 0;
  for (const s of summaries) {
    const t = timeScore(s);
    if (t !== null && t.score > bestScore) {
      best = s.name;
      bestScore = t.score;
    }
  }
  return best;
}

/** Target rank of a column name (lower is better), or null when it is not an outcome name. */
export function targetTier(name: string): number | null {
  const compact = compactName(name);
  let best: number | null = null;
  for (const t of TARGET_TIERS) {
    if (t.exact.includes(compact) && (best === null || t.tier < best)) best = t.tier;
  }
  if (best !== null) return best;
  for (const t of TARGET_TOKENS) {
    if (firstKeyword(name, t.keywords) !== null) return t.tier;
  }
  return null;
}

function canBeTarget(s: ColumnSummary): boolean {
  if (!NUMERICISH.includes(s.type) || structuralIgnore(s) !== null) return false;
  if (firstKeyword(s.name, COVARIATE_KEYWORDS) !== null) return false;
  if (isAdSpend(s.name) || firstKeyword(s.name, LEVER_KEYWORDS) !== null) return false;
  return true;
}

/**
 * The column to predict: the numeric (or yes/no) column with the best
 * outcome name, in this order: conversion rate (`conversion_rate`,
 * `conversion`, `cvr`, `转化率`), orders (`订单`), units (`销量`), money
 * (`revenue`, `sales`, a bare `spend`, `SalesInThousands`, `销售额`, `GMV`),
 * then `conversions`, `Response`, `Approved_Conversion`, then `visit`. Never a
 * lever or a covariate. Ties go to the earlier column. Returns null when no
 * column is named like an outcome (the analyst picks one).
 */
export function suggestTarget(summaries: readonly ColumnSummary[]): string | null {
  let best: string | null = null;
  let bestTier = Infinity;
  for (const s of summaries) {
    if (!canBeTarget(s)) continue;
    const tier = targetTier(s.name);
    if (tier !== null && tier < bestTier) {
      best = s.name;
      bestTier = tier;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------
// All roles

/**
 * Suggests a role for every column, with the reason.
 *
 * Order of decisions per column:
 * 1. at most one `time` column ({@link suggestTime}); other date columns are ignored;
 * 2. one `target` ({@link suggestTarget});
 * 3. `ignore` for all-missing, constant, free-text, index and identifier columns;
 * 4. `covariate` for context keywords (holiday, base price, weather, competitor, …), checked
 *    before levers so that `BASE_PRICE` is context while `PRICE` is a lever;
 * 5. `lever` for ad spend (`spent`, `ad_spend`, `Channel0_spend`);
 * 6. `ignore` for other outcomes measured with the target (orders, units, revenue,
 *    visitors, clicks, impressions, a bare `spend` …): they are only known after the
 *    fact, so feeding them to the model would leak the target (a what-if would need them
 *    as inputs, which the analyst cannot set);
 * 7. with a time column, `series` for category/id columns named like keys (store, UPC, geo,
 *    category, segment, channel, 品类, 人群 …);
 * 8. `lever` for lever keywords (discount, promo, coupon, threshold, price, feature,
 *    display, TPR, 广告 …); without a time column also `segment` / `channel` (treatment arms);
 * 9. with a time column, other category/id columns are series keys; the rest are covariates,
 *    except low-information ids in a cross-section (more than 20 values), which are ignored.
 *
 * Takes the column summaries in file order; returns one suggestion per column, same order.
 */
export function explainRoles(summaries: readonly ColumnSummary[]): RoleSuggestion[] {
  const time = suggestTime(summaries);
  const hasTime = time !== null;
  const target = suggestTarget(summaries);
  return summaries.map((s): RoleSuggestion => {
    const column = s.name;
    if (column === time) {
      const t = timeScore(s);
      return t?.keyword !== undefined
        ? { column, role: 'time', reason: 'timeKeyword', keyword: t.keyword }
        : { column, role: 'time', reason: 'onlyDate' };
    }
    if (column === target) {
      const k = firstKeyword(s.name, [...OUTCOME_KEYWORDS, 'spend']);
      return k !== null
        ? { column, role: 'target', reason: 'targetKeyword', keyword: k }
        : { column, role: 'target', reason: 'targetKeyword' };
    }
    const structural = structuralIgnore(s);
    if (structural !== null) return { column, role: 'ignore', reason: structural };
    if (s.type === 'date') {
      return timeScore(s) === null && !isAllMissing(s)
        ? { column, role: 'ignore', reason: 'entityDate' }
        : { column, role: 'ignore', reason: 'extraDate' };
    }
    const cov = firstKeyword(s.name, COVARIATE_KEYWORDS);
    if (cov !== null) return { column, role: 'covariate', reason: 'covariateKeyword', keyword: cov };
    if (isAdSpend(s.name)) {
      return { column, role: 'lever', reason: 'adSpend', keyword: firstKeyword(s.name, SPEND_KEYWORDS) ?? 'spend' };
    }
    const outcome = isOutcomeName(s.name);
    if (outcome !== null) return { column, role: 'ignore', reason: 'outcomeLeak', keyword: outcome };
    const keyLike = s.type === 'category' || s.type === 'id' || (s.type === 'integer' && hasIdName(s.name));
    if (hasTime) {
      const sk = firstKeyword(s.name, SERIES_KEYWORDS);
      if (sk !== null && (keyLike || s.type === 'integer')) {
        return { column, role: 'series', reason: 'seriesKeyword', keyword: sk };
      }
    }
    const lk = leverKeyword(s.name, hasTime, s.type);
    if (lk !== null) {
      const crossOnly = !hasTime && CROSS_SECTION_LEVER_KEYWORDS.includes(lk) && !LEVER_KEYWORDS.includes(lk);
      return { column, role: 'lever', reason: crossOnly ? 'crossSectionLever' : 'leverKeyword', keyword: lk };
    }
    if (hasTime && keyLike) return { column, role: 'series', reason: 'seriesKey' };
    if (!hasTime && (s.type === 'id' || hasIdName(s.name)) && s.distinctCount > 20) {
      return { column, role: 'ignore', reason: 'identifier' };
    }
    return NUMERICISH.includes(s.type)
      ? { column, role: 'covariate', reason: 'numericContext' }
      : { column, role: 'covariate', reason: 'categoricalContext' };
  });
}

/**
 * Suggests a role for every column (see {@link explainRoles} for the rules).
 * Takes the column summaries; returns column name → role, with an entry for
 * every column. At most one `time` and one `target`; `series` only when there is a time column.
 */
export function suggestRoles(summaries: readonly ColumnSummary[]): RoleMap {
  const out: Record<string, Role> = {};
  for (const s of explainRoles(summaries)) out[s.column] = s.role;
  return out;
}
