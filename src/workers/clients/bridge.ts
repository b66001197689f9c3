import type { WorkerError } from '../protocol';

/** A bug inside a worker, carried across as a plain error. */
export class WorkerFailure extends Error {
  readonly details: WorkerError;
  constructor(details: WorkerError) {
    super(details.message);
    this.name = details.name;
    this.details = details;
  }
}

type Message = { readonly type: string; readonly id: number };

interface Pending<Res> {
  resolve: (message: Res) => void;
  reject: (error: Error) => void;
  /** Messages of these types are progress: passed on, the request stays open. */
  onProgress?: (message: Res) => void;
}

/**
 * Matches a worker's replies to requests by id. Progress messages (the
 * `progressTypes`) go to the request's callback; `error` replies reject;
 * anything else resolves. A crashed worker rejects everything pending.
 */
export class WorkerBridge<Req extends Message, Res extends Message> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending<Res>>();

  constructor(
    private readonly worker: Worker,
    private readonly progressTypes: readonly Res['type'][],
  ) {
    worker.onmessage = (event: MessageEvent<Res>) => this.route(event.data);
    worker.onerror = (event) => {
      const error = new WorkerFailure({ name: 'WorkerError', message: event.message || 'A background worker stopped' });
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
  }

  private route(message: Res): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (this.progressTypes.includes(message.type)) {
      pending.onProgress?.(message);
      return;
    }
    this.pending.delete(message.id);
    if (message.type === 'error') pending.reject(new WorkerFailure((message as unknown as { error: WorkerError }).error));
    else pending.resolve(message);
  }

  /** Sends a request; `cancel` (if given) is sent when the signal aborts. */
  request(build: (id: number) => Req, options: { onProgress?: (message: Res) => void; transfer?: Transferable[]; signal?: AbortSignal; cancel?: (id: number) => Req } = {}): Promise<Res> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
      const { signal, cancel } = options;
      if (signal && cancel) signal.addEventListener('abort', () => this.worker.postMessage(cancel(id)), { once: true });
      this.worker.postMessage(build(id), options.transfer ?? []);
    });
  }

  /** A message that expects no reply routing (e.g. stop). */
  send(message: Req): void {
    this.worker.postMessage(message);
  }

  get newId(): number {
    return this.nextId++;
  }
}

/** Narrows a reply to the expected type, or throws (a protocol bug). */
export function expectReply<Res extends Message, T extends Res['type']>(message: Res, type: T): Extract<Res, { type: T }> {
  if (message.type !== type) throw new Error(`Unexpected reply ${message.type}, expected ${type}`);
  return message as Extract<Res, { type: T }>;
}
