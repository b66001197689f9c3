/// <reference lib="webworker" />
import { createDataHandler } from './handlers/dataHandler';
import type { DataRequest } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

const handle = createDataHandler((message, transfer) => self.postMessage(message, transfer ?? []));
self.onmessage = (event: MessageEvent<DataRequest>) => {
  void handle(event.data);
};
