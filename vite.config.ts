/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// Cross-origin isolation lets the WASM backend use SharedArrayBuffer threads.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Makes threaded WASM survive minification. tfjs-backend-wasm builds the
 * script of its pthread workers by stringifying the Emscripten factory
 * (`wasmFactoryThreadedSimd.toString()` in dist/backend_wasm.js). The
 * minifier renames the factory's closure variable `_scriptDir` and turns its
 * `typeof _scriptDir !== "undefined"` guard into `e !== void 0`, so each of
 * the 8 pthread workers throws `ReferenceError: e is not defined` and the
 * backend waits for them forever (tfjs#4539 was the same breakage under
 * other minifiers). We hand the workers the package's original, self-contained
 * script text instead: string literals are never minified. The dev server
 * serves the package unminified, so only the build needs this.
 */
function tfjsWasmThreadsSurviveMinify(): Plugin {
  const stringified = /`var WasmBackendModuleThreadedSimd = `\s*\+\s*wasmFactoryThreadedSimd\.toString\(\)/;
  return {
    name: 'promocast:tfjs-wasm-threads-survive-minify',
    apply: 'build',
    transform(code, id) {
      if (!id.replace(/\\/g, '/').endsWith('/@tensorflow/tfjs-backend-wasm/dist/backend_wasm.js')) return null;
      if (!stringified.test(code)) this.error('tfjs-backend-wasm no longer stringifies its threaded factory: review tfjsWasmThreadsSurviveMinify in vite.config.ts.');
      const script = resolve(dirname(id), '../wasm-out/tfjs-backend-wasm-threaded-simd.js');
      this.addWatchFile(script);
      // The file defines `var WasmBackendModuleThreadedSimd`, as the worker expects.
      return { code: code.replace(stringified, () => JSON.stringify(readFileSync(script, 'utf8'))), map: null };
    },
  };
}

export default defineConfig({
  plugins: [react(), tfjsWasmThreadsSurviveMinify()],
  server: { headers: isolation, port: 5173 },
  preview: { headers: isolation, port: 4173 },
  // Worker bundles get their own plugin list; tf.js runs in the ml worker.
  worker: { format: 'es', plugins: () => [tfjsWasmThreadsSurviveMinify()] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
