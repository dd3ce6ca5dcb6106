/** The inference server, loaded on first use: importing the library loads neither fastify nor prom-client. */
import type { Module } from '../nn/module.js';
import type { ServeOptions, Server } from './server.js';

export type { ServeOptions, Server, InjectableApp, InjectedResponse } from './server.js';
export { DynamicBatcher, QueueFullError } from './batcher.js';
export type { BatcherOptions } from './batcher.js';

/**
 * Serves `model` over HTTP: `POST /v1/classify` (an image body, or JSON `{"image": base64}` /
 * `{"images": [base64, ...]}`) answers the top-k classes; `GET /healthz`; `GET /metrics`
 * (Prometheus). Concurrent requests are batched dynamically (`maxBatch`, `maxWaitMs`), the
 * queue is bounded (503 with Retry-After), each request has a timeout (504), bad bodies get
 * 400 with a JSON error. Resolves once it listens; `close()` (or SIGTERM with
 * `handleSignals`) stops accepting and answers the requests in flight.
 */
export async function serve(model: Module, options: ServeOptions = {}): Promise<Server> {
  const { serve: start } = await import('./server.js');
  return start(model, options);
}
