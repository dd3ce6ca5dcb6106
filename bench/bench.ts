/**
 * `npm run bench`: resnet-native against its peers, in one run, with the same threads, in
 * alternating rounds (each round runs every engine once per case, in a rotating order, each in a
 * fresh process, so that machine noise hits them all). Engines: resnet-native (`forward`,
 * `optimizeForInference`, `forwardAsync`), PyTorch 1.13 (Debian's: eager, and for inference
 * frozen + optimize_for_inference), a pip PyTorch 2.x when BENCH_TORCH2_PYTHON names its python,
 * and onnxruntime-node on an ONNX file that bench/export_onnx.py exports from torchvision.
 * Prints medians, spreads, peak RSS and ratios; writes bench/results/bench-<date>.json.
 *
 * Run: npm run bench [-- --quick] [--case infer-resnet50-b1,tiny-add] [--rounds 3] [--threads 2]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    case: { type: 'string' },
    rounds: { type: 'string' },
    threads: { type: 'string', default: String(Math.min(cpus().length, 2)) },
  },
});
const quick = values.quick ?? false;
const rounds = Number(values.rounds ?? (quick ? 1 : 3));
const threads = Number(values.threads);

/** One engine variant: how to run a case in a fresh process. */
interface Engine {
  name: string;
  command: (caseName: string, iters: number) => [string, string[]];
}

const python = '/usr/bin/python3';
const torch2 = process.env['BENCH_TORCH2_PYTHON'];
const onnxFile = join(tmpdir(), 'resnet-native-bench', 'resnet50.onnx');
const node = (engine: string, variant: string): Engine => ({
  name: engine === 'resnet-native' ? `resnet-native ${variant}` : engine,
  command: (c, n) => [
    process.execPath,
    ['bench/cases/node_case.mjs', engine, variant, c, String(n), String(threads), onnxFile],
  ],
});
const torch = (label: string, exe: string, variant: string): Engine => ({
  name: `${label} ${variant}`,
  command: (c, n) => [exe, ['bench/cases/torch_case.py', variant, c, String(n), String(threads)]],
});
const torchEngines = (variants: string[]): Engine[] => [
  ...variants.map((v) => torch('pytorch-1.13', python, v)),
  ...(torch2 === undefined ? [] : variants.map((v) => torch('pytorch-2', torch2, v))),
];

interface Case {
  name: string;
  iters: number; // including the first, warm-up iteration
  unit: 'ms' | 'µs/call';
  engines: Engine[];
  reference: string; // the peer each engine is divided by
}
const trainEngines = [node('resnet-native', 'train'), ...torchEngines(['eager'])];
const inferEngines = [
  node('resnet-native', 'forward'),
  node('resnet-native', 'optimized'),
  node('resnet-native', 'forwardAsync'),
  node('onnxruntime-node', 'session'),
  ...torchEngines(['eager', 'frozen']),
];
const allCases: Case[] = [
  {
    name: 'tiny-add',
    iters: quick ? 6 : 11,
    unit: 'µs/call',
    engines: [node('resnet-native', 'sync'), ...torchEngines(['eager'])],
    reference: 'pytorch-1.13 eager',
  },
  ...['train-resnet20', 'train-resnet20-cl'].map((name) => ({
    name,
    iters: quick ? 4 : 8,
    unit: 'ms' as const,
    engines: trainEngines,
    reference: 'pytorch-1.13 eager',
  })),
  ...['train-resnet18', 'train-resnet50'].map((name) => ({
    name,
    iters: quick ? 3 : 5,
    unit: 'ms' as const,
    engines: trainEngines,
    reference: 'pytorch-1.13 eager',
  })),
  {
    name: 'infer-resnet50-b1',
    iters: quick ? 6 : 12,
    unit: 'ms',
    engines: inferEngines,
    reference: 'onnxruntime-node',
  },
  {
    name: 'infer-resnet50-b16',
    iters: quick ? 3 : 5,
    unit: 'ms',
    engines: inferEngines,
    reference: 'onnxruntime-node',
  },
];
const wanted = values.case?.split(',');
const cases = wanted === undefined ? allCases : allCases.filter((c) => wanted.includes(c.name));
if (cases.length === 0)
  throw new Error(`No case matches --case ${values.case}: ${allCases.map((c) => c.name).join(', ')}`);

if (cases.some((c) => c.name.startsWith('infer-')) && !existsSync(onnxFile)) {
  mkdirSync(join(tmpdir(), 'resnet-native-bench'), { recursive: true });
  console.log(`exporting torchvision's resnet50 to ${onnxFile}`);
  execFileSync(python, ['bench/export_onnx.py', onnxFile], { stdio: 'inherit' });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Run {
  times: number[];
  rssMb: number;
}
const runs = new Map<string, Run[]>(); // `${case}|${engine}`
const failures: string[] = [];
const loads: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const c of cases) {
    // Rotate the order each round so no engine always runs right after another's.
    const order = c.engines.map((_, i) => c.engines[(i + r) % c.engines.length]!);
    for (const e of order) {
      const [exe, args] = e.command(c.name, c.iters);
      loads.push(loadavg()[0]!);
      try {
        const out = execFileSync(exe, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        const run = JSON.parse(out.trim().split('\n').at(-1)!) as Run;
        run.times = run.times.slice(1); // warm-up (and the capture, for forwardAsync/optimized)
        const key = `${c.name}|${e.name}`;
        runs.set(key, [...(runs.get(key) ?? []), run]);
        console.log(`round ${r + 1} ${c.name} ${e.name}: ${median(run.times).toFixed(2)} ${c.unit}`);
      } catch (error) {
        const message = String((error as { stderr?: string }).stderr ?? error)
          .split('\n')
          .slice(-3)
          .join(' ');
        failures.push(`${c.name} ${e.name}: ${message}`);
        console.log(`round ${r + 1} ${c.name} ${e.name}: failed (${message})`);
      }
    }
  }
}

interface Summary {
  median: number;
  spread: [number, number]; // lowest and highest round median
  rssMb: number; // highest peak RSS over the rounds
  ratio: number | null; // median / the reference's median
}
const results: Record<string, Record<string, Summary>> = {};
const lines: string[] = [];
for (const c of cases) {
  const ref = runs.get(`${c.name}|${c.reference}`);
  const refMedian = ref === undefined ? null : median(ref.map((r) => median(r.times)));
  results[c.name] = {};
  lines.push(`\n${c.name} (${c.unit}; ratio = engine / ${c.reference}, below 1 is faster)`);
  for (const e of c.engines) {
    const rs = runs.get(`${c.name}|${e.name}`);
    if (rs === undefined) continue;
    const medians = rs.map((r) => median(r.times));
    const m = median(medians);
    const s: Summary = {
      median: m,
      spread: [Math.min(...medians), Math.max(...medians)],
      rssMb: Math.max(...rs.map((r) => r.rssMb)),
      ratio: refMedian === null ? null : m / refMedian,
    };
    results[c.name]![e.name] = s;
    lines.push(
      `  ${e.name.padEnd(28)} ${m.toFixed(2).padStart(10)}  [${s.spread.map((v) => v.toFixed(2)).join(' - ')}]` +
        `  rss ${s.rssMb.toFixed(0).padStart(5)} MB  ratio ${s.ratio === null ? '-' : s.ratio.toFixed(3)}`,
    );
  }
}
console.log(lines.join('\n'));
if (failures.length > 0) console.log(`\nfailed:\n  ${failures.join('\n  ')}`);

const date = new Date().toISOString();
const summary = {
  date,
  command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
  conditions: {
    threads,
    rounds,
    quick,
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    loadAverage: { min: Math.min(...loads), max: Math.max(...loads) },
    torch2: torch2 ?? null,
    note: 'each engine and case in a fresh process; first iteration dropped; medians of round medians',
  },
  results,
  failures,
  raw: Object.fromEntries(runs),
};
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/bench-${date.slice(0, 16).replace(':', '')}.json`;
writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
console.log(
  `\nwrote ${file} (load average ${summary.conditions.loadAverage.min.toFixed(1)}-${summary.conditions.loadAverage.max.toFixed(1)})`,
);
