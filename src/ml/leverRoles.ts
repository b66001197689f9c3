import { matchesKeyword } from '../data/roles';
import type { OptimizerLevers } from './planOptimizer';
import type { FeatureSpec, LeverRange } from './types';

const PROMO_WORDS = ['promo_type', 'promotion', 'promo', 'type', 'offer', 'campaign', 'arm', '促销', '活动', '类型'];
const DISCOUNT_WORDS = ['discount', 'discount_pct', 'pct', 'off', 'markdown', '折扣', '优惠'];
const SPEND_WORDS = ['ad_spend', 'spend', 'spent', 'ads', 'ad', 'advertising', 'media', 'cost', 'budget', '广告', '投放', '花费'];

/**
 * Which levers play which part in a plan: the promotion type (a categorical
 * lever, by name), the discount (a numeric lever named like discount, in
 * percent — or in fractions, then `discountScale` is 0.01) and daily ad spend.
 */
export function identifyLevers(spec: Pick<FeatureSpec, 'levers'>, ranges: Readonly<Record<string, LeverRange>>): OptimizerLevers {
  const categorical = spec.levers.filter((l) => ranges[l]?.kind === 'category');
  const numeric = spec.levers.filter((l) => ranges[l]?.kind === 'numeric');
  const named = (list: string[], words: string[]) => list.find((l) => words.some((w) => matchesKeyword(l, w))) ?? null;
  const promoType = named(categorical, PROMO_WORDS) ?? categorical[0] ?? null;
  const discount = named(numeric, DISCOUNT_WORDS);
  const adSpend = named(numeric.filter((l) => l !== discount), SPEND_WORDS);
  const range = discount ? ranges[discount] : undefined;
  const discountScale = range?.kind === 'numeric' && range.max <= 1 ? 0.01 : 1;
  return { promoType, discount, discountScale, adSpend };
}
