/// <reference lib="webworker" />
import * as tf from '@tensorflow/tfjs';
import { defaultWasmThreads, registerBackends, selfTestBackends, wasmThreadCount, type BackendName } from '../ml/backends';
import { WASM_PATHS } from '../ml/wasmPaths';
import { createMlHandler, type BackendEnv, type CheckpointStore } from './handlers/mlHandler';
import { loadValue, saveValue } from './storage';
import type { MlRequest } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

let registered: Promise<BackendName[]> | null = null;

const env: BackendEnv = {
  // setWasmPaths must run in every worker that uses the WASM backend: this one.
  available: () => (registered ??= registerBackends({ wasmPaths: WASM_PATHS, threads: defaultWasmThreads(self.navigator.hardwareConcurrency) })),
  selfTest: (candidates, shapes) => selfTestBackends({ candidates, ...shapes }),
  use: async (backend) => {
    if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`The ${backend} backend did not start`);
    await tf.ready();
  },
  threads: () => wasmThreadCount() ?? 1,
};

const store: CheckpointStore = { save: saveValue, load: loadValue };

const handle = createMlHandler((message, transfer) => self.postMessage(message, transfer ?? []), env, store);
self.onmessage = (event: MessageEvent<MlRequest>) => {
  void handle(event.data);
};
