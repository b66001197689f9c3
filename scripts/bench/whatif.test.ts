import { describe, expect, it } from 'vitest';
// @ts-expect-error: the bench is plain JavaScript (ES module) without types
import { dragFigures, frameOf, frameDragFigures } from './whatif.mjs';

describe('dragFigures', () => {
  it('measures each input to the next Prediction change, and the settling after the last input', () => {
    const figures = dragFigures({
      inputs: [0, 16, 32, 48],
      // A change 12 ms after the first input, one covering the next two, the final one 30 ms after the last.
      changes: [12, 40, 78],
      chartsIdle: [20, 130],
    });
    expect(figures).toEqual({
      inputs: 4,
      spanMs: 48,
      spacingP50Ms: 16,
      nextUpdateP50Ms: 18,
      nextUpdateP95Ms: 29.1,
      updatesDuringDrag: 2,
      lastInputToNumbersMs: 30,
      lastInputToCurvesMs: 82,
    });
  });

  it('reports what never came as null', () => {
    expect(dragFigures({ inputs: [0, 16], changes: [5], chartsIdle: [] })).toMatchObject({ lastInputToNumbersMs: null, lastInputToCurvesMs: null, nextUpdateP50Ms: 5 });
    expect(dragFigures({ inputs: [], changes: [], chartsIdle: [] })).toBeNull();
  });
});

describe('frameOf', () => {
  // Frames after an input at 0 ended (painted) at 9, 26, 42 ms.
  it.each([
    [5, 0], // drawn before the first frame's paint: the frame that moves the slider
    [9, 1], // at its end exactly: too late for it
    [30, 2],
    [50, null], // after every recorded frame
    [null, null],
  ])('a change at %s ms is in frame %s', (t, expected) => {
    expect(frameOf([9, 26, 42], t)).toBe(expected);
  });
});

describe('frameDragFigures', () => {
  it('counts the frames during the drag that showed answered numbers and curves, and the settling after it', () => {
    const frame = (t: number, numbers: boolean, curves: boolean, behind: number | null = curves ? 0 : 1) => ({ t, numbers, curves, behind });
    const figures = frameDragFigures({
      inputs: [10, 26, 42],
      frames: [frame(5, true, true), frame(20, true, false), frame(36, false, false, 3), frame(42, true, true), frame(58, true, false, 0), frame(75, true, true)],
    });
    expect(figures).toEqual({ inputs: 3, spanMs: 32, frames: 3, framesWithNumbers: 2, framesWithCurves: 1, framesWithAnyCurves: 1, framesCurvesAtMostOneBehind: 2, curvesBehindP50: 1, curvesBehindP95: 2.8, lastInputToNumbersMs: 16, lastInputToAnyCurvesMs: 16, lastInputToCurvesMs: 33 });
    expect(frameDragFigures({ inputs: [], frames: [] })).toBeNull();
  });
});
