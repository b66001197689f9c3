/**
 * A 128-bit SIMD vector–matrix product in WebAssembly, written out here
 * (about 200 bytes): the host-side what-if kernel's LSTM steps are one row at
 * a time, where plain JavaScript reaches 0.3–0.7 GMAC/s on this machine and
 * this 6.0 GMAC/s (64 × 256 products in Node, timed once while writing it; the
 * bench's "(a) numbers in the UI from the kernel" shows the effect end to end).
 *
 * `mv(z, x, w, n, width)` adds x · w to z: x is `n` float32 values at byte
 * offset `x`, w is `[n × width]` float32 row by row at `w`, z is `width`
 * float32 at `z`; `width` a multiple of 16. Four f32x4 accumulators per block
 * of 16 outputs stay in registers over the whole row walk.
 */

const I32 = 0x7f;
const V128 = 0x7b;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** A section: its id, then its contents with their length. */
const section = (id: number, contents: number[]): number[] => [id, ...uleb(contents.length), ...contents];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (text: string): number[] => [...uleb(text.length), ...Array.from(text, (ch) => ch.charCodeAt(0))];

// Instructions (https://webassembly.github.io/spec/core/binary/instructions.html).
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32 = (v: number) => [0x41, ...uleb(v)]; // small non-negative constants only (their signed LEB is the same below 64)
const I32_ADD = 0x6a;
const I32_SHL = 0x74;
const I32_GE_U = 0x4f;
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const END = 0x0b;
const brIf = (depth: number) => [0x0d, depth];
const br = (depth: number) => [0x0c, depth];
/** memarg: alignment 2^2 (a hint: the arrays need only float alignment), byte offset. */
const memarg = (offset: number) => [2, ...uleb(offset)];
const f32Load = [0x2a, ...memarg(0)];
const v128Load = (offset: number) => [0xfd, 0x00, ...memarg(offset)];
const v128Store = (offset: number) => [0xfd, 0x0b, ...memarg(offset)];
const F32X4_SPLAT = [0xfd, 0x13];
const F32X4_ADD = [0xfd, 0xe4, 0x01];
const F32X4_MUL = [0xfd, 0xe6, 0x01];

/** The module's bytes: one function "mv" over an imported memory "m"."mem". */
export function matvecModuleBytes(): Uint8Array<ArrayBuffer> {
  // Locals: params z 0, x 1, w 2, n 3, width 4; g 5, k 6, p 7 (i32); a0..a3 8..11, v 12 (v128); zp 13 (i32).
  const [Z, X, W, N, WIDTH, G, K, P, A0, V, ZP] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 13];
  const accumulators = [0, 1, 2, 3];
  const body = [
    ...BLOCK,
    ...LOOP,
    // while (g < width)
    ...get(G), ...get(WIDTH), I32_GE_U, ...brIf(1),
    // zp = z + 4g; a_i = z[g + 4i ..]
    ...get(Z), ...get(G), ...i32(2), I32_SHL, I32_ADD, ...set(ZP),
    ...accumulators.flatMap((i) => [...get(ZP), ...v128Load(16 * i), ...set(A0 + i)]),
    // p = w + 4g; k = 0
    ...get(W), ...get(G), ...i32(2), I32_SHL, I32_ADD, ...set(P),
    ...i32(0), ...set(K),
    ...BLOCK,
    ...LOOP,
    // while (k < n)
    ...get(K), ...get(N), I32_GE_U, ...brIf(1),
    // v = splat(x[k])
    ...get(X), ...get(K), ...i32(2), I32_SHL, I32_ADD, ...f32Load, ...F32X4_SPLAT, ...set(V),
    // a_i += v × w[k][g + 4i ..]
    ...accumulators.flatMap((i) => [...get(A0 + i), ...get(V), ...get(P), ...v128Load(16 * i), ...F32X4_MUL, ...F32X4_ADD, ...set(A0 + i)]),
    // p += 4 width; k++
    ...get(P), ...get(WIDTH), ...i32(2), I32_SHL, I32_ADD, ...set(P),
    ...get(K), ...i32(1), I32_ADD, ...set(K),
    ...br(0),
    END,
    END,
    ...accumulators.flatMap((i) => [...get(ZP), ...get(A0 + i), ...v128Store(16 * i)]),
    // g += 16
    ...get(G), ...i32(16), I32_ADD, ...set(G),
    ...br(0),
    END,
    END,
    END,
  ];
  const locals = vec([
    [3, I32],
    [5, V128],
    [1, I32],
  ]);
  const code = [...locals, ...body];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])]])),
    ...section(2, vec([[...name('m'), ...name('mem'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('mv'), 0x00, 0]])),
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ];
  return Uint8Array.from(bytes);
}

/** The product over one memory: `mv` as above, on byte offsets into `memory`. */
export interface Matvec {
  readonly memory: WebAssembly.Memory;
  readonly mv: (z: number, x: number, w: number, n: number, width: number) => void;
}

let compiled: WebAssembly.Module | null | undefined;

/**
 * The product over a fresh memory of at least `bytes` bytes; null where
 * WebAssembly or its SIMD is missing (the caller then leaves the work to the
 * worker). The module is compiled once, synchronously (it is tiny).
 */
export function matvecWithMemory(bytes: number): Matvec | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(matvecModuleBytes());
    } catch {
      compiled = null;
    }
  }
  if (compiled === null) return null;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65_536)) });
  const instance = new WebAssembly.Instance(compiled, { m: { mem: memory } });
  return { memory, mv: instance.exports['mv'] as Matvec['mv'] };
}
