/**
 * Soak of the inference server: `resnet-native serve` (its own process, ResNet-20) for ten
 * minutes under a bounded loopback load — a few clients, each sending one request at a time at a
 * fixed rate, PNG bodies and JSON base64 requests of two images mixed — while another process
 * probes /healthz every 25 ms and /metrics is read every 30 s. Records the server's RSS every
 * 5 s, every error, and /healthz latency (p50/p99/max, overall and per minute) in
 * bench/results/serve-soak-<time>.json. Passes when no request failed, RSS grew < 5 % from the
 * end of the second minute to the end, and /healthz answered within 20 ms throughout.
 * Run: npx tsup && npx vite-node bench/serve_soak.ts [--seconds 600 --clients 4 --rate 5]
 * (--rate: requests per second per client)
 */
import { spawn } from 'node:child_process';
import { readFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { saveModel } from '../lib/model_file/load_model.js';
import { resnet20 } from '../lib/models/index.js';
import { noiseImages } from '../test/serve/images.js';
import { startServer } from '../test/serve/load_client.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '600' },
    clients: { type: 'string', default: '4' },
    rate: { type: 'string', default: '5' },
    label: { type: 'string', default: '' },
  },
});
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const interval = 1000 / Number(values.rate);
/** Issue 12's bound on /healthz under load, and issue 15's on RSS growth. */
const HEALTHZ_BOUND_MS = 20;
const RSS_BOUND = 0.05;

const PROBE = fileURLToPath(new URL('../test/serve/healthz_probe.cjs', import.meta.url));
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
};
const summary = (v: number[]) => ({
  count: v.length,
  p50: percentile(v, 0.5),
  p99: percentile(v, 0.99),
  max: Math.max(...v),
});
const rssOf = (pid: number): number =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
/**
 * The server's JavaScript thread as the scheduler saw it (ms, cumulative): on a core, and
 * runnable but waiting for one. A slow /healthz with the thread mostly waiting is a machine
 * short of cores, not a blocked event loop; with the thread mostly running, it is work on it.
 */
const mainThreadOf = (pid: number) => {
  const [run, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ').map(Number);
  return { runMs: run! / 1e6, waitMs: wait! / 1e6 };
};

const dir = mkdtempSync(join(tmpdir(), 'rn-soak-'));
const started = new Date();
const loadBefore = loadavg();
try {
  const weights = join(dir, 'model.safetensors');
  await saveModel(resnet20(), weights);
  const images = await noiseImages(16, 64, 48);
  const server = await startServer(weights, ['--max-batch', '16', '--max-wait-ms', '5']);
  const pid = server.child.pid!;
  const prober = spawn(process.execPath, [PROBE, server.url, '--at'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let probeOutput = '';
  prober.stdout!.on('data', (d: Buffer) => (probeOutput += d.toString()));
  const proberExit = new Promise((resolve) => prober.once('exit', resolve));

  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  const rss: Array<{ t: number; rss: number; runMs: number; waitMs: number }> = [];
  const errors: Array<{ t: number; what: string }> = [];
  const latencies: number[] = [];
  let requests = 0;
  const rssTimer = setInterval(() => rss.push({ t: elapsed(), rss: rssOf(pid), ...mainThreadOf(pid) }), 5000);
  const lags: Array<{ t: number; maxSeconds: number }> = [];
  const metricsTimer = setInterval(() => {
    void fetch(`${server.url}/metrics`)
      .then((r) => r.text())
      .then((text) => {
        const m = /^resnet_native_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text);
        lags.push({ t: elapsed(), maxSeconds: Number(m?.[1]) });
      })
      .catch((err: unknown) => errors.push({ t: elapsed(), what: `metrics: ${String(err)}` }));
  }, 30_000);

  async function client(c: number): Promise<void> {
    for (let i = 0; elapsed() < seconds; i++) {
      const next = performance.now() + interval;
      const image = images[(c * 7 + i) % images.length]!;
      const json = i % 4 === 3; // every fourth request: JSON with two base64 images
      const start = performance.now();
      try {
        const r = await fetch(`${server.url}/v1/classify?topk=3`, {
          method: 'POST',
          headers: { 'content-type': json ? 'application/json' : 'image/png' },
          body: json
            ? JSON.stringify({
                images: [image.toString('base64'), images[i % images.length]!.toString('base64')],
              })
            : image,
        });
        const body = (await r.json()) as { predictions?: unknown[]; results?: unknown[] };
        if (r.status !== 200 || (json ? body.results?.length !== 2 : body.predictions?.length !== 3))
          errors.push({ t: elapsed(), what: `${r.status} ${JSON.stringify(body).slice(0, 200)}` });
      } catch (err) {
        errors.push({ t: elapsed(), what: String(err) });
      }
      latencies.push(performance.now() - start);
      requests++;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
    }
  }
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  clearInterval(rssTimer);
  clearInterval(metricsTimer);
  prober.stdin!.end();
  await proberExit;
  const code = await server.stop();
  if (code !== 0) errors.push({ t: elapsed(), what: `server exited with ${code}` });

  const probe = JSON.parse(probeOutput) as { times: number[]; at: number[] };
  const probeStart = probe.at[0] ?? 0;
  const perMinute = Array.from({ length: Math.ceil(seconds / 60) }, (_, m) =>
    summary(probe.times.filter((_, i) => Math.floor((probe.at[i]! - probeStart) / 60_000) === m)),
  );
  const healthz = summary(probe.times);
  // Per minute, the JavaScript thread's time on a core and waiting for one (from the 5 s samples).
  const threadPerMinute = perMinute.map((_, m) => {
    const inMinute = rss.filter((r) => Math.floor((r.t - 0.001) / 60) === m);
    const first = rss[rss.indexOf(inMinute[0]!) - 1] ?? inMinute[0];
    const end = inMinute.at(-1);
    return first && end ? { runMs: end.runMs - first.runMs, waitMs: end.waitMs - first.waitMs } : undefined;
  });
  const settled = rss.find((s) => s.t >= Math.min(120, seconds / 5)) ?? rss[0]!;
  const last = rss.at(-1)!;
  const rssGrowth = (last.rss - settled.rss) / settled.rss;
  const ok = errors.length === 0 && rssGrowth < RSS_BOUND && healthz.max < HEALTHZ_BOUND_MS;
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  console.log(
    `[soak] ${ok ? 'ok' : 'FAIL'}: ${requests} requests in ${elapsed().toFixed(0)} s, ${errors.length} errors; ` +
      `RSS ${mib(settled.rss)} MiB at ${settled.t.toFixed(0)} s → ${mib(last.rss)} MiB (${(100 * rssGrowth).toFixed(2)} %); ` +
      `/healthz p50 ${healthz.p50.toFixed(1)} p99 ${healthz.p99.toFixed(1)} max ${healthz.max.toFixed(1)} ms (${healthz.count} probes)`,
  );
  mkdirSync(new URL('results/', import.meta.url), { recursive: true });
  const stamp = started.toISOString().slice(0, 16).replace(/[:]/g, '');
  const file = new URL(
    `results/serve-soak-${stamp}${values.label ? `-${values.label}` : ''}.json`,
    import.meta.url,
  );
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date: started.toISOString(),
        command: `npx vite-node bench/serve_soak.ts ${process.argv.slice(2).join(' ')}`.trim(),
        conditions: {
          seconds,
          clients,
          ratePerClient: Number(values.rate),
          arch: 'resnet20',
          maxBatch: 16,
          node: process.version,
        },
        loadBefore,
        loadAfter: loadavg(),
        ok,
        requests,
        errors,
        requestLatency: summary(latencies),
        healthz,
        healthzPerMinute: perMinute.map((h, m) => ({ ...h, mainThread: threadPerMinute[m] })),
        healthzBoundMs: HEALTHZ_BOUND_MS,
        rss: { settled, last, growth: rssGrowth, samples: rss },
        eventLoopLagMax: lags,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`[soak] wrote ${fileURLToPath(file)}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
