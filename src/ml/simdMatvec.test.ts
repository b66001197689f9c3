import { describe, expect, it } from 'vitest';
import { matvecModuleBytes, matvecWithMemory } from './simdMatvec';
import { mulberry32 } from '../lib/random';

describe('the SIMD vector–matrix product', () => {
  it('is a valid WebAssembly module', () => {
    expect(WebAssembly.validate(matvecModuleBytes())).toBe(true);
  });

  it.each([
    [1, 16],
    [30, 256],
    [64, 256],
    [7, 48],
  ])('adds x · w to z for x of %i values and w %i wide, at unaligned offsets too', (n, width) => {
    const random = mulberry32(n * 1000 + width);
    const product = matvecWithMemory(4 * (n * width + n + width + 16))!;
    const f32 = new Float32Array(product.memory.buffer);
    // Offsets in floats: w first, then x, then z one float past a 16-byte boundary.
    const w = 0;
    const x = n * width;
    const z = x + n + 1;
    for (let i = 0; i < n * width; i++) f32[w + i] = random() - 0.5;
    for (let i = 0; i < n; i++) f32[x + i] = random() * 2;
    for (let g = 0; g < width; g++) f32[z + g] = g / 10;
    const expected = Array.from({ length: width }, (_, g) => {
      let sum = f32[z + g]!;
      for (let k = 0; k < n; k++) sum += f32[x + k]! * f32[w + k * width + g]!;
      return sum;
    });
    const guard = f32[z + width]!;
    product.mv(z * 4, x * 4, w * 4, n, width);
    expected.forEach((v, g) => expect(f32[z + g]).toBeCloseTo(v, 4));
    // Nothing past z is written.
    expect(f32[z + width]).toBe(guard);
  });
});
