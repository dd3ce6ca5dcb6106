/**
 * `serve`: an HTTP inference server (fastify) for a classification model. Concurrent requests
 * are batched dynamically; images are decoded on libuv's threads and the network runs off the
 * JavaScript thread, so `/healthz` and `/metrics` answer while it works.
 */
import Fastify from 'fastify';
import type { ModelMetadata } from '../model_file/metadata.js';
import { metadataFor, modelMetadata } from '../model_file/load_model.js';
import type { Module } from '../nn/module.js';
import { ImageError } from '../preprocess/errors.js';
import { preprocessImage } from '../preprocess/to_tensor.js';
import { topK, type Prediction } from '../preprocess/topk.js';
import { setReplayNice } from '../runtime.js';
import { checkInt } from '../validate.js';
import { DynamicBatcher, QueueFullError } from './batcher.js';
import { HttpError, fromFastifyError } from './errors.js';
import { PaddedInference } from './inference.js';
import { Limit } from './limit.js';
import { createMetrics } from './metrics.js';
import { parseClassifyRequest } from './request_body.js';

/** Options of `serve`. */
export interface ServeOptions {
  /** TCP port (default 8080; 0 picks a free one). */
  port?: number;
  /** Address to listen on (default 127.0.0.1; '0.0.0.0' for every interface). */
  host?: string;
  /** Most images per batch (default 16). */
  maxBatch?: number;
  /** Longest an image waits for others to batch with, in ms (default 5). */
  maxWaitMs?: number;
  /** Most images waiting; more get 503 with Retry-After (default 256). */
  maxQueue?: number;
  /** A request not answered in this many ms gets 504 (default 30000). */
  timeoutMs?: number;
  /** Largest request body in bytes (default 10 MiB). */
  maxBodyBytes?: number;
  /** Largest image in pixels, width × height (default 40 million). */
  maxPixels?: number;
  /** Most images in one JSON request (default 64). */
  maxImagesPerRequest?: number;
  /** Classes per image unless the request asks (default 5). */
  topk?: number;
  /** Preprocessing and class names (default: the model's from `loadModel`, else its architecture's defaults). */
  metadata?: ModelMetadata;
  /** Stop on SIGTERM and SIGINT: refuse new connections, answer those in flight, then resolve `closed` (default false; the CLI sets it). */
  handleSignals?: boolean;
  /**
   * Images decoded at once (default 2). Decoding runs on libuv's threads; bounding it keeps
   * those threads from crowding the JavaScript thread (and /healthz) off the cores.
   */
  decodeConcurrency?: number;
  /**
   * Niceness of the replay threads that run the network (default 10; see `setReplayNice`): they
   * give way to the JavaScript thread, so /healthz and new requests are answered while a batch
   * computes. Process-wide; 0 keeps them level with the JavaScript thread.
   */
  replayNice?: number;
  /** Seconds a 503 asks clients to wait (Retry-After, default 1). */
  retryAfterSeconds?: number;
}

/** An answer of `Server.app.inject`. */
export interface InjectedResponse {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  /** The body parsed as JSON. */
  json(): unknown;
}

/**
 * The part of the fastify instance that is public here: requests without a socket (tests).
 * Typed by hand so that the library's declarations need neither fastify's nor Node's types.
 */
export interface InjectableApp {
  /** Runs a request through the server's routes without a socket. */
  inject(
    request:
      | string
      | {
          method?: 'GET' | 'POST';
          url: string;
          payload?: string | Uint8Array;
          headers?: Record<string, string>;
        },
  ): Promise<InjectedResponse>;
}

/** A running server. */
export interface Server {
  /** `http://host:port`. */
  url: string;
  port: number;
  /** The fastify instance, for requests without a socket (`inject`). */
  app: InjectableApp;
  /** Stops accepting, finishes the requests in flight, then resolves. */
  close(): Promise<void>;
  /** Resolves once the server has closed (by `close` or a signal). */
  closed: Promise<void>;
}

const IMAGE_TYPES = /^(image\/[\w.+-]+|application\/octet-stream)$/i;

/** Starts serving `model`: POST /v1/classify, GET /healthz, GET /metrics. Resolves once it listens (after warm-up). */
export async function serve(model: Module, options: ServeOptions = {}): Promise<Server> {
  const maxBatch = checkInt('maxBatch', options.maxBatch ?? 16, 1);
  const maxQueue = checkInt('maxQueue', options.maxQueue ?? 256, 1);
  const timeoutMs = checkInt('timeoutMs', options.timeoutMs ?? 30_000, 1);
  const defaultTopk = checkInt('topk', options.topk ?? 5, 1);
  const maxPixels = checkInt('maxPixels', options.maxPixels ?? 40_000_000, 1);
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  const metadata = options.metadata ?? modelMetadata(model) ?? metadataFor(model);
  const metrics = createMetrics(maxBatch);
  const decodes = new Limit(checkInt('decodeConcurrency', options.decodeConcurrency ?? 2, 1));
  setReplayNice(checkInt('replayNice', options.replayNice ?? 10, 0));
  const inference = new PaddedInference(model, metadata, maxBatch);
  await inference.warmUp();
  const batcher = new DynamicBatcher<Float32Array, Float32Array>(
    async (inputs) => {
      const stop = metrics.inference.startTimer();
      try {
        return await inference.run(inputs);
      } finally {
        stop();
      }
    },
    { maxBatch, maxWaitMs: options.maxWaitMs ?? 5, maxQueue },
    { onBatch: (n) => metrics.batchSize.observe(n), onQueue: (n) => metrics.queueLength.set(n) },
  );

  const app = Fastify({
    logger: false,
    bodyLimit: options.maxBodyBytes ?? 10 << 20,
    return503OnClosing: true,
  });
  app.removeContentTypeParser('text/plain'); // only images and JSON are bodies here
  app.addContentTypeParser(IMAGE_TYPES, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err, _req, reply) => {
    const e = err instanceof HttpError ? err : fromFastifyError(err as { code?: string; message: string });
    metrics.errors.inc({ code: e.code });
    void reply.code(e.status).headers(e.headers).send(e.body());
  });
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unknown';
    metrics.requests.inc({ route, status: String(reply.statusCode) });
    metrics.latency.observe({ route }, reply.elapsedTime / 1000);
    done();
  });

  /** One image's top-k: decoded, queued for a batch, answered, or given up after the timeout. */
  async function classifyOne(image: Buffer, k: number, signal: AbortSignal): Promise<Prediction[]> {
    let chw: Float32Array;
    try {
      chw = await decodes.run(() => preprocessImage(image, metadata, maxPixels));
    } catch (err) {
      if (err instanceof ImageError) throw new HttpError(400, err.reason, err.message);
      throw err;
    }
    try {
      const logits = await batcher.submit(chw, signal);
      return topK(logits, 1, k, metadata.classNames)[0]!;
    } catch (err) {
      if (err instanceof QueueFullError)
        throw new HttpError(503, 'queue_full', err.message, { 'retry-after': retryAfter });
      throw err;
    }
  }

  app.post('/v1/classify', async (req) => {
    const r = parseClassifyRequest(req.body, req.query as Record<string, unknown>, {
      maxImages: options.maxImagesPerRequest ?? 64,
      maxTopk: metadata.numClasses,
    });
    const k = Math.min(r.topk ?? defaultTopk, metadata.numClasses);
    const timeout = AbortSignal.timeout(timeoutMs);
    const timedOut = new Promise<never>((_, reject) =>
      timeout.addEventListener('abort', () =>
        reject(new HttpError(504, 'timeout', `Not answered within ${timeoutMs} ms`)),
      ),
    );
    const work = Promise.all(r.images.map((im) => classifyOne(im, k, timeout)));
    work.catch(() => undefined); // answered through the race; a late rejection is not unhandled
    const results = await Promise.race([work, timedOut]);
    return r.single ? { predictions: results[0] } : { results };
  });
  app.get('/healthz', async () => ({ status: 'ok', queue: batcher.queueLength }));
  app.get('/metrics', async (_req, reply) => {
    void reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  await app.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 8080);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  const onSignal = () => void close();
  function close(): Promise<void> {
    closing ??= (async () => {
      // app.close() stops accepting and waits for the requests in flight; connections that
      // finish their request meanwhile would stay open until the keep-alive timeout (72 s)
      // unless closed as they become idle.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
      try {
        await app.close();
      } finally {
        clearInterval(sweep);
      }
      await batcher.drained();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolveClosed();
    })();
    return closing;
  }
  if (options.handleSignals === true) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    app: app as unknown as InjectableApp,
    close,
    closed,
  };
}
