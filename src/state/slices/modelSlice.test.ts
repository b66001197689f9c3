import { describe, expect, it } from 'vitest';
import { holdoutStart } from './modelSlice';

describe('holdoutStart', () => {
  it.each([
    { first: 100, last: 130, start: 122, why: '31 new days: the last 9 (30 %)' },
    { first: 100, last: 106, start: 100, why: 'a week: all of it' },
    { first: 100, last: 102, start: 100, why: 'fewer days than a week: never before the first new day' },
    { first: 100, last: 119, start: 113, why: '20 days: at least a week' },
  ])('$why', ({ first, last, start }) => {
    expect(holdoutStart(first, last)).toBe(start);
  });
});
