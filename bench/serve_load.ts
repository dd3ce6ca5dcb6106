/**
 * The inference server under load on loopback: the same N concurrent classification requests
 * against `resnet-native serve` with dynamic batching (--max-batch 16) and one request at a
 * time (--max-batch 1), each server its own process. Writes throughput, p50/p99 latency and
 * the slowest /healthz to bench/results/serve_load.json.
 *
 *   npx tsup && npx vite-node bench/serve_load.ts [requests=500] [arch=resnet20]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as models from '../lib/models/index.js';
import { saveModel } from '../lib/model_file/load_model.js';
import { getNumThreads } from '../lib/runtime.js';
import { noiseImages } from '../test/serve/images.js';
import { runLoad, startServer } from '../test/serve/load_client.js';

const count = Number(process.argv[2] ?? 500);
const arch = process.argv[3] ?? 'resnet20';
const dir = mkdtempSync(join(tmpdir(), 'rn-bench-serve-'));
try {
  const weights = join(dir, 'model.safetensors');
  const make = (models as unknown as Record<string, () => Parameters<typeof saveModel>[0]>)[arch]!;
  await saveModel(make(), weights);
  const images = await noiseImages(16, 64, 48);
  const runs: Record<string, unknown> = {};
  for (const [name, maxBatch] of [
    ['one_at_a_time', 1],
    ['dynamic_batching', 16],
  ] as const) {
    const server = await startServer(weights, [
      '--max-batch',
      String(maxBatch),
      '--max-wait-ms',
      '5',
      '--max-queue',
      String(count),
    ]);
    try {
      await runLoad(server.url, images, 32); // warm connections and caches
      const r: Partial<Awaited<ReturnType<typeof runLoad>>> = await runLoad(server.url, images, count);
      delete r.answers; // the load test checks them; the record keeps the measurements
      runs[name] = { maxBatch, ...r };
      console.log(name, JSON.stringify(runs[name]));
    } finally {
      await server.stop();
    }
  }
  const ratio =
    (runs['dynamic_batching'] as { throughput: number }).throughput /
    (runs['one_at_a_time'] as { throughput: number }).throughput;
  console.log(`throughput ratio (dynamic batching / one at a time): ${ratio.toFixed(2)}`);
  mkdirSync(new URL('results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL('results/serve_load.json', import.meta.url),
    `${JSON.stringify({ date: new Date().toISOString(), arch, requests: count, threads: getNumThreads(), ratio, runs }, null, 2)}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
