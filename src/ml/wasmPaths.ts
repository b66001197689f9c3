/// <reference types="vite/client" />
/**
 * Where the tf.js WASM binaries are served from: Vite copies them into the
 * build as hashed assets (and serves them from node_modules in dev), so the
 * app needs no CDN and works offline.
 *
 * Vite-only (`?url` imports): import this from worker code, never from code
 * that Node tests load (there `registerBackends` finds the binaries beside
 * the tfjs-backend-wasm package).
 */
import plainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/**
 * File map for `setWasmPaths` (pass it as `registerBackends({ wasmPaths })`):
 * binary name → URL on this origin. tf.js fetches one of the three, chosen
 * by the browser's SIMD and thread support.
 */
export const WASM_PATHS: Readonly<Record<string, string>> = Object.freeze({
  'tfjs-backend-wasm.wasm': plainUrl,
  'tfjs-backend-wasm-simd.wasm': simdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdUrl,
});
