import { describe, expect, it } from 'vitest';
import { applyRoleOverrides, type RoleOverride } from './roleOverrides';
import type { RoleMap } from './types';

const base: RoleMap = { date: 'time', store: 'series', units: 'target', price: 'lever', visits: 'covariate', note: 'ignore' };

describe('applyRoleOverrides', () => {
  it.each<[label: string, overrides: RoleOverride[], expected: RoleMap]>([
    ['no overrides: the same roles', [], base],
    ['a new target demotes the old one to ignore', [{ column: 'visits', role: 'target' }], { ...base, visits: 'target', units: 'ignore' }],
    ['a new time column demotes the old one to covariate', [{ column: 'visits', role: 'time' }], { ...base, visits: 'time', date: 'covariate' }],
    ['re-choosing the current target changes nothing', [{ column: 'units', role: 'target' }], base],
    ['re-choosing the current time changes nothing', [{ column: 'date', role: 'time' }], base],
    ['series keys add up', [{ column: 'note', role: 'series' }], { ...base, note: 'series' }],
    ['levers add up', [{ column: 'visits', role: 'lever' }], { ...base, visits: 'lever' }],
    ['moving the target elsewhere leaves no target', [{ column: 'units', role: 'covariate' }], { ...base, units: 'covariate' }],
    ['the time column can become the target (the old target is ignored)', [{ column: 'date', role: 'target' }], { ...base, date: 'target', units: 'ignore' }],
    [
      'several overrides apply in order',
      [
        { column: 'visits', role: 'target' },
        { column: 'note', role: 'time' },
        { column: 'price', role: 'series' },
      ],
      { date: 'covariate', store: 'series', units: 'ignore', price: 'series', visits: 'target', note: 'time' },
    ],
    [
      'the later of two targets wins; the first is demoted',
      [
        { column: 'visits', role: 'target' },
        { column: 'price', role: 'target' },
      ],
      { ...base, units: 'ignore', visits: 'ignore', price: 'target' },
    ],
    ['an unknown column is added', [{ column: 'extra', role: 'lever' }], { ...base, extra: 'lever' }],
  ])('%s', (_label, overrides, expected) => {
    expect(applyRoleOverrides(base, overrides)).toEqual(expected);
  });

  it('returns a new map and leaves the input unchanged', () => {
    const before = { ...base };
    const next = applyRoleOverrides(base, [{ column: 'visits', role: 'target' }]);
    expect(next).not.toBe(base);
    expect(base).toEqual(before);
  });
});
