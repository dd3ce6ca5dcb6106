/** `serve` in this process: answers, bad bodies (400 JSON), a full queue (503 + Retry-After), timeouts (504), metrics, closing with requests in flight. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { DynamicBatcher, QueueFullError, resnet20, serve, type Server } from '../../lib/index.js';
import { noiseImages } from './images.js';
import { readFileSync } from 'node:fs';

const SCORE = (
  JSON.parse(readFileSync(new URL('../tolerances.json', import.meta.url), 'utf8')) as Record<
    string,
    { atol: number }
  >
)['servedScore']!;

let server: Server;
let images: Buffer[];
beforeAll(async () => {
  images = await noiseImages(4, 40, 36);
  server = await serve(resnet20(), { port: 0, maxBatch: 4, maxBodyBytes: 64 << 10, maxPixels: 100_000 });
}, 120_000);
afterAll(() => server.close());

const post = (payload: string | Buffer, type: string, url = '/v1/classify') =>
  server.app.inject({ method: 'POST', url, payload, headers: { 'content-type': type } });

describe('serve', () => {
  it('classifies an image body and JSON with base64 images, with the CIFAR-10 names of a 10-class resnet20', async () => {
    const one = await post(images[0]!, 'image/png', '/v1/classify?topk=2');
    expect(one.statusCode).toBe(200);
    const { predictions } = one.json() as {
      predictions: Array<{ label: string; index: number; score: number }>;
    };
    expect(predictions).toHaveLength(2);
    expect(predictions[0]!.score).toBeGreaterThanOrEqual(predictions[1]!.score);
    const json = await post(
      JSON.stringify({ images: images.map((b) => b.toString('base64')), topk: 2 }),
      'application/json',
    );
    expect(json.statusCode).toBe(200);
    const { results } = json.json() as { results: unknown[][] };
    expect(results).toHaveLength(4);
    // The same image alone and in a batch of four: the same classes, scores within rounding.
    const first = results[0] as typeof predictions;
    expect(first.map((p) => p.index)).toEqual(predictions.map((p) => p.index));
    first.forEach((p, i) =>
      expect(Math.abs(p.score - predictions[i]!.score)).toBeLessThanOrEqual(SCORE.atol),
    );
  });

  it('answers 400 with a JSON error for a wrong content type, not an image, too large, bad JSON, bad topk', async () => {
    const big = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const cases: Array<[Promise<{ statusCode: number; json(): unknown }>, string]> = [
      [post('hello', 'text/plain'), 'unsupported_content_type'],
      [post(Buffer.from('not an image at all'), 'image/jpeg'), 'not_an_image'],
      [post(big, 'image/png'), 'image_too_large'],
      [post(Buffer.alloc(70 << 10, 1), 'image/png'), 'body_too_large'],
      [post('{"images": 3}', 'application/json'), 'bad_json'],
      [post('{not json', 'application/json'), 'bad_json'],
      [post(images[0]!, 'image/png', '/v1/classify?topk=11'), 'bad_topk'],
    ];
    for (const [response, code] of cases) {
      const r = await response;
      expect(r.statusCode, code).toBe(400);
      expect((r.json() as { error: { code: string; message: string } }).error.code).toBe(code);
    }
  });

  it('reports health and Prometheus metrics', async () => {
    expect((await server.app.inject('/healthz')).json()).toEqual({ status: 'ok', queue: 0 });
    const text = (await server.app.inject('/metrics')).body;
    for (const name of [
      'resnet_native_requests_total{route="/v1/classify",status="200"}',
      'resnet_native_errors_total{code="not_an_image"}',
      'resnet_native_batch_size_count',
      'resnet_native_queue_length',
      'resnet_native_request_duration_seconds_bucket',
      'resnet_native_inference_duration_seconds_count',
    ])
      expect(text).toContain(name);
  });

  it('answers the requests in flight when closed, and listens no more', async () => {
    // A long batching wait keeps the six requests queued, in flight, when close() comes.
    const other = await serve(resnet20(), { port: 0, maxBatch: 8, maxWaitMs: 1000 });
    const inFlight = Array.from({ length: 6 }, (_, i) =>
      fetch(`${other.url}/v1/classify`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: images[i % 4]!,
      }),
    );
    while (((await other.app.inject('/healthz')).json() as { queue: number }).queue < 6)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const closing = other.close();
    const statuses = await Promise.all(inFlight.map(async (r) => (await r).status));
    await closing;
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    await expect(fetch(`${other.url}/healthz`)).rejects.toThrow();
  }, 120_000);
});

describe('serve under pressure', () => {
  it('answers 503 with Retry-After when the queue is full, and 504 past the request timeout', async () => {
    // The first image waits in the queue (1.5 s batching wait, longer than its 0.5 s timeout).
    const slow = await serve(resnet20(), {
      port: 0,
      maxBatch: 8,
      maxWaitMs: 1500,
      maxQueue: 1,
      timeoutMs: 500,
    });
    try {
      const send = () =>
        slow.app.inject({
          method: 'POST',
          url: '/v1/classify',
          payload: images[0]!,
          headers: { 'content-type': 'image/png' },
        });
      const first = send();
      while (((await slow.app.inject('/healthz')).json() as { queue: number }).queue < 1)
        await new Promise((resolve) => setTimeout(resolve, 10));
      const refused = await send();
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect((refused.json() as { error: { code: string } }).error.code).toBe('queue_full');
      const late = await first;
      expect(late.statusCode).toBe(504);
      expect((late.json() as { error: { code: string } }).error.code).toBe('timeout');
    } finally {
      await slow.close();
    }
  }, 120_000);
});

describe('DynamicBatcher', () => {
  it('batches what arrives together, refuses beyond the queue bound, and gives up on aborted inputs', async () => {
    const sizes: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const b = new DynamicBatcher<number, number>(
      async (xs) => {
        sizes.push(xs.length);
        await gate;
        return xs.map((x) => x * 2);
      },
      { maxBatch: 3, maxWaitMs: 5, maxQueue: 4 },
    );
    const first = b.submit(1); // runs alone after 5 ms, held by the gate
    await new Promise((resolve) => setTimeout(resolve, 20));
    const aborted = new AbortController();
    const queued = [b.submit(2), b.submit(3, aborted.signal), b.submit(4), b.submit(5)];
    await expect(b.submit(6)).rejects.toBeInstanceOf(QueueFullError);
    aborted.abort(new Error('gave up'));
    release();
    expect(await first).toBe(2);
    const settled = await Promise.allSettled(queued);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : 'rejected'))).toEqual([
      4,
      'rejected',
      8,
      10,
    ]);
    expect(sizes).toEqual([1, 3]);
  });
});
