/**
 * A tensor's printout as PyTorch 1.13 writes it (torch/_tensor_str.py, default print options:
 * precision 4, threshold 1000, edgeitems 3, linewidth 80): `tensor([[1.5000, 2.0000]],
 * dtype=torch.float64)`. The values are formatted as Python's `format()` formats floats
 * (round half to even on the exact binary value), so the strings match PyTorch's character for
 * character.
 */
const PRECISION = 4;
const THRESHOLD = 1000;
const EDGE = 3;
const LINEWIDTH = 80;

/** What the printout needs of a tensor: its summarized values, already read. */
export interface ReprInput {
  /** The full shape. */
  shape: readonly number[];
  /** The dtype, as the library names it. */
  dtype: string;
  /** `'cpu'` or `'cuda:N'`. */
  device: string;
  /** Whether it is floating point (formatted as floats). */
  floating: boolean;
  /**
   * Row-major values of the summarized tensor: every dimension longer than 6 cut to its first
   * and last 3 entries when the tensor has more than 1000 elements (PyTorch's summary), the
   * full tensor otherwise.
   */
  values: readonly (number | bigint | boolean)[];
  /** The autograd node's name, or null. */
  gradFn: string | null;
  requiresGrad: boolean;
}

/**
 * The digits of `digits` but its last 30, rounded half to even on those 30: JavaScript's
 * toFixed and toExponential round ties up, Python's format rounds them to even.
 */
function roundDigits(digits: string): bigint {
  const head = BigInt(digits.slice(0, digits.length - 30) || '0');
  const tail = digits.slice(digits.length - 30);
  const half = '5'.padEnd(30, '0');
  if (tail > half || (tail === half && head % 2n === 1n)) return head + 1n;
  return head;
}

const negative = (x: number): boolean => x < 0 || Object.is(x, -0);

/** Python's `'{:.Nf}'.format(x)` for finite x below 1e21. */
export function pyFixed(x: number, decimals: number): string {
  const [int, frac = ''] = Math.abs(x)
    .toFixed(decimals + 30)
    .split('.');
  const n = roundDigits(`${int}${frac}`)
    .toString()
    .padStart(decimals + 1, '0');
  const body = decimals === 0 ? n : `${n.slice(0, n.length - decimals)}.${n.slice(n.length - decimals)}`;
  return (negative(x) ? '-' : '') + body;
}

/** Python's `'{:.Ne}'.format(x)` for finite x: `1.2346e+05`. */
export function pyExp(x: number, decimals: number): string {
  const a = Math.abs(x);
  const [mant, exp] = a.toExponential(decimals + 30).split('e');
  let e = Number(exp);
  let n = roundDigits(mant!.replace('.', ''))
    .toString()
    .padStart(decimals + 1, '0');
  if (n.length > decimals + 1) {
    n = n.slice(0, decimals + 1); // 9.99995 rounded up to 10.0000: one more power of ten
    e += 1;
  }
  if (a === 0) e = 0;
  const m = decimals === 0 ? n : `${n[0]}.${n.slice(1)}`;
  const es = `${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return `${negative(x) ? '-' : ''}${m}e${es}`;
}

const special = (x: number): string | null =>
  Number.isNaN(x) ? 'nan' : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : null;

/** PyTorch's _Formatter: one width and one mode (integer, fixed or scientific) for all values. */
class Formatter {
  private intMode = true;
  private sciMode = false;
  width = 1;

  constructor(
    private readonly floating: boolean,
    values: readonly (number | bigint | boolean)[],
  ) {
    if (!floating) {
      for (const v of values) this.width = Math.max(this.width, this.plain(v).length);
      return;
    }
    const finite = (values as number[]).filter((v) => Number.isFinite(v) && v !== 0);
    if (finite.length === 0) return;
    const abs = finite.map(Math.abs);
    const min = Math.min(...abs);
    const max = Math.max(...abs);
    this.intMode = finite.every((v) => v === Math.ceil(v));
    if (this.intMode) {
      this.sciMode = max / min > 1000 || max > 1e8;
      for (const v of finite) {
        this.width = Math.max(
          this.width,
          this.sciMode ? pyExp(v, PRECISION).length : pyFixed(v, 0).length + 1,
        );
      }
    } else {
      this.sciMode = max / min > 1000 || max > 1e8 || min < 1e-4;
      for (const v of finite) {
        const s = this.sciMode ? pyExp(v, PRECISION) : pyFixed(v, PRECISION);
        this.width = Math.max(this.width, s.length);
      }
    }
  }

  private plain(v: number | bigint | boolean): string {
    return typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
  }

  format(v: number | bigint | boolean): string {
    let s: string;
    if (!this.floating) s = this.plain(v);
    else {
      const x = v as number;
      s =
        special(x) ??
        (this.sciMode ? pyExp(x, PRECISION) : this.intMode ? `${pyFixed(x, 0)}.` : pyFixed(x, PRECISION));
    }
    return s.padStart(this.width);
  }
}

/** The bracketed values, as _tensor_str_with_formatter lays them out. */
function body(input: ReprInput, indent: number): string {
  const { shape, values } = input;
  const summarize = shape.reduce((a, b) => a * b, 1) > THRESHOLD;
  // The shape of the summarized values: each long dimension keeps 2 * EDGE entries.
  const kept = shape.map((s) => (summarize && s > 2 * EDGE ? 2 * EDGE : s));
  const f = new Formatter(input.floating, values);
  const strides = kept.map((_, d) => kept.slice(d + 1).reduce((a, b) => a * b, 1));
  const rows = (dim: number): number[] => {
    const n = kept[dim]!;
    const all = Array.from({ length: n }, (_, i) => i);
    return summarize && shape[dim]! > 2 * EDGE ? [...all.slice(0, EDGE), -1, ...all.slice(n - EDGE)] : all;
  };
  const walk = (dim: number, offset: number, ind: number): string => {
    if (dim === shape.length) return f.format(values[offset]!);
    if (dim === shape.length - 1) {
      const perLine = Math.max(1, Math.floor((LINEWIDTH - ind) / (f.width + 2)));
      const data = rows(dim).map((i) => (i < 0 ? ' ...' : f.format(values[offset + i]!)));
      const lines: string[] = [];
      for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(', '));
      return `[${lines.join(`,\n${' '.repeat(ind + 1)}`)}]`;
    }
    const slices = rows(dim).map((i) => (i < 0 ? '...' : walk(dim + 1, offset + i * strides[dim]!, ind + 1)));
    const rank = shape.length - dim;
    return `[${slices.join(`,${'\n'.repeat(rank - 1)}${' '.repeat(ind + 1)}`)}]`;
  };
  return walk(0, 0, indent);
}

/** The whole printout: `tensor(` values, then PyTorch's suffixes. */
export function formatTensor(input: ReprInput): string {
  const prefix = 'tensor(';
  const indent = prefix.length;
  const numel = input.shape.reduce((a, b) => a * b, 1);
  const dtype = `dtype=torch.${input.dtype}`;
  const suffixes: string[] = [];
  if (input.device !== 'cpu') suffixes.push(`device='${input.device}'`);
  let text: string;
  if (numel === 0) {
    if (input.shape.length !== 1) suffixes.push(`size=(${input.shape.join(', ')})`);
    if (input.dtype !== 'float32') suffixes.push(dtype);
    text = '[]';
  } else {
    if (!['float32', 'int64', 'bool'].includes(input.dtype)) suffixes.push(dtype);
    text = body(input, indent);
  }
  if (input.gradFn !== null) suffixes.push(`grad_fn=<${input.gradFn}>`);
  else if (input.requiresGrad) suffixes.push('requires_grad=True');
  let out = prefix + text;
  let lastLine = out.length - out.lastIndexOf('\n') + 1;
  for (const s of suffixes) {
    if (lastLine + s.length + 2 > LINEWIDTH) {
      out += `,\n${' '.repeat(indent)}${s}`;
      lastLine = indent + s.length;
    } else {
      out += `, ${s}`;
      lastLine += s.length + 2;
    }
  }
  return `${out})`;
}

/** For each dimension, whether the printout cuts it (PyTorch summarizes above 1000 elements). */
export function summarizedDims(shape: readonly number[]): boolean[] {
  const summarize = shape.reduce((a, b) => a * b, 1) > THRESHOLD;
  return shape.map((s) => summarize && s > 2 * EDGE);
}
export const EDGE_ITEMS = EDGE;
