/**
 * A loopback load generator for the inference server: a server started as its own process
 * (the CLI), `count` classification requests in flight at once, and a /healthz probe running
 * throughout. Shared by the load test and bench/serve_load.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const PROBE = fileURLToPath(new URL('./healthz_probe.cjs', import.meta.url));

/** A server process and its address. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `resnet-native serve` on a free port with `args`; resolves once it listens. */
export function startServer(
  weights: string,
  args: string[] = [],
  timeoutMs = 120_000,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--weights', weights, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (m !== null) {
        clearTimeout(timer);
        resolve({
          url: m[1]!,
          child,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening:\n${output}`));
    });
  });
}

/** What a load run measured. */
export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  healthzMaxMs: number;
  healthzP90Ms: number;
  healthzProbes: number;
  /**
   * The server's own event-loop delay during the load (prom-client's, from /metrics): when it
   * is near `healthzMaxMs` the server's JavaScript thread was busy; when far below, the probe
   * waited elsewhere (for a core, on the socket).
   */
  serverEventLoopMaxMs: number;
  serverEventLoopP99Ms: number;
  /** The answers, by request (request i sent image i % images.length). */
  answers: unknown[];
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

/** A gauge of a /metrics text, in ms. */
function gaugeMs(text: string, name: string): number {
  const m = new RegExp(`^resnet_native_${name} ([\\d.e+-]+)$`, 'm').exec(text);
  return m === null ? Number.NaN : 1000 * Number(m[1]);
}

/** Sends `count` requests at once (image i % images.length each) while another process probes /healthz every 25 ms. */
export async function runLoad(url: string, images: readonly Buffer[], count: number): Promise<LoadResult> {
  // The probe runs in its own process, on its own kept-alive connection: only the server's delay counts.
  const prober = spawn(process.execPath, [PROBE, url], { stdio: ['pipe', 'pipe', 'inherit'] });
  let probeOutput = '';
  prober.stdout!.on('data', (d: Buffer) => (probeOutput += d.toString()));
  const proberExit = new Promise((resolve) => prober.once('exit', resolve));
  await new Promise((resolve) => setTimeout(resolve, 200)); // its first probes before the load
  await (await fetch(`${url}/metrics`)).text(); // prom-client resets its event-loop histogram at each scrape
  const latencies: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  const answers = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const start = performance.now();
      const r = await fetch(`${url}/v1/classify?topk=3`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: images[i % images.length]!,
      });
      const body: unknown = await r.json();
      latencies.push(performance.now() - start);
      if (r.status !== 200) errors++;
      return body;
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  // One scrape: prom-client resets its histogram after each, so both readings come from this one.
  const metrics = await (await fetch(`${url}/metrics`)).text();
  prober.stdin!.end();
  await proberExit;
  const probeTimes = JSON.parse(probeOutput) as number[];
  latencies.sort((a, b) => a - b);
  return {
    requests: count,
    errors,
    seconds,
    throughput: count / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    healthzMaxMs: Math.max(...probeTimes),
    healthzP90Ms: percentile(
      [...probeTimes].sort((a, b) => a - b),
      0.9,
    ),
    healthzProbes: probeTimes.length,
    serverEventLoopMaxMs: gaugeMs(metrics, 'nodejs_eventloop_lag_max_seconds'),
    serverEventLoopP99Ms: gaugeMs(metrics, 'nodejs_eventloop_lag_p99_seconds'),
    answers,
  };
}
