/** The server's Prometheus metrics (prom-client), in a registry of its own per server. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The metrics one server records. */
export interface ServerMetrics {
  registry: Registry;
  requests: Counter<'route' | 'status'>;
  errors: Counter<'code'>;
  batchSize: Histogram;
  queueLength: Gauge;
  latency: Histogram<'route'>;
  inference: Histogram;
}

/** A fresh registry with the server's metrics and Node's process metrics. */
export function createMetrics(maxBatch: number): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'resnet_native_' });
  const batchBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256].filter((b) => b < maxBatch).concat(maxBatch);
  return {
    registry,
    requests: new Counter({
      name: 'resnet_native_requests_total',
      help: 'HTTP requests answered, by route and status code',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'resnet_native_errors_total',
      help: 'Requests answered with an error, by error code',
      labelNames: ['code'],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'resnet_native_batch_size',
      help: 'Images per batch run by the network (before padding)',
      buckets: batchBuckets,
      registers: [registry],
    }),
    queueLength: new Gauge({
      name: 'resnet_native_queue_length',
      help: 'Images waiting for a batch',
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'resnet_native_request_duration_seconds',
      help: 'Time from request to response, by route',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    inference: new Histogram({
      name: 'resnet_native_inference_duration_seconds',
      help: 'Time the network takes per batch',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}
