/**
 * The public Tensor: a thin owner of one native handle. Every method calls straight into
 * libtorch through the addon; shapes are cached because they never change in place.
 */
import { type Handle, native } from './binding.js';
import {
  type DType,
  type Device,
  type TypedArrayOf,
  bfloat16ToNumber,
  halfToNumber,
  isDType,
  isDevice,
  isFloatingDType,
} from './dtype.js';
import { EDGE_ITEMS, formatTensor, summarizedDims } from './tensor_repr.js';
import { DTypeError } from './errors.js';
import { describe } from './describe.js';
import { track } from './scope.js';
import { withCallSite } from './call_site.js';
import { structureChanged } from './structure.js';
import { isDynamicNumber } from './dynamic_number.js';
import {
  checkBool,
  checkFloatingTensor,
  checkInt,
  checkNumber,
  checkOneOf,
  checkOptions,
  fail,
} from './validate.js';

// Symbol.dispose (explicit resource management) for consumers whose TypeScript lib predates it,
// declared as @types/node declares it.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

/** How a 4-D tensor is laid out in memory: row-major NCHW (`'contiguous'`) or NHWC (`'channels_last'`). */
export type MemoryFormat = 'contiguous' | 'channels_last';
const memoryFormats: readonly MemoryFormat[] = ['contiguous', 'channels_last'];

/** Options of `Tensor.to(device)`. */
export interface ToOptions {
  /** Let a copy onto a GPU from pinned memory run asynchronously (default false). */
  nonBlocking?: boolean;
}

/** A tensor or a plain number, for arithmetic. */
export type TensorOrNumber = Tensor | number;

/**
 * A multidimensional array of numbers in libtorch memory (CPU or CUDA), as `torch.Tensor`, with
 * autograd. Create one with `tensor()`, `zeros()`, `randn()` and the other factories. Free its native
 * memory promptly with `dispose()` (or `tidy()`, or `using`); the garbage collector frees a
 * forgotten tensor only eventually.
 * Elementwise, reduction and shape methods are declared in tensor_methods/*.ts.
 *
 * @property neg Elementwise -x.
 * @property exp Elementwise e^x.
 * @property log Elementwise natural logarithm.
 * @property log2 Elementwise base-2 logarithm.
 * @property log1p Elementwise log(1 + x), accurate for small x.
 * @property expm1 Elementwise e^x - 1, accurate for small x.
 * @property sqrt Elementwise square root.
 * @property rsqrt Elementwise 1 / sqrt(x).
 * @property abs Elementwise absolute value.
 * @property sign Elementwise sign: -1, 0 or 1.
 * @property sigmoid Elementwise logistic sigmoid 1 / (1 + e^-x).
 * @property tanh Elementwise hyperbolic tangent.
 * @property relu Elementwise max(x, 0).
 * @property floor Elementwise rounding down.
 * @property ceil Elementwise rounding up.
 * @property round Elementwise rounding to the nearest integer, halves to even (as PyTorch).
 * @property reciprocal Elementwise 1 / x.
 * @property square Elementwise x * x.
 * @property sin Elementwise sine.
 * @property cos Elementwise cosine.
 * @property tan Elementwise tangent.
 * @property atan Elementwise arctangent (in radians).
 * @property erf Elementwise Gauss error function.
 * @property isnan Elementwise test for NaN (a bool tensor).
 * @property isinf Elementwise test for ±infinity (a bool tensor).
 * @property isfinite Elementwise test for a finite value (a bool tensor).
 * @property logicalNot Elementwise logical not: true where x is zero (a bool tensor).
 */
export class Tensor<D extends DType = DType> {
  /** @internal The native handle; use only inside the library. */
  readonly _h: Handle;
  #shape: readonly number[] | undefined;

  /** @internal Tensors are created by the library's functions, not with `new`. */
  constructor(handle: Handle) {
    this._h = handle;
    track(this);
  }

  /** The size of each dimension. */
  get shape(): readonly number[] {
    return (this.#shape ??= Object.freeze(native.shape(this._h)));
  }
  /** The element type. */
  get dtype(): D {
    return native.dtype(this._h) as D;
  }
  /** Where the data lives: `'cpu'` or `'cuda:N'`. */
  get device(): Device {
    return native.device(this._h) as Device;
  }
  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }
  /** Number of elements. */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  /** Number of elements (same as `size`). */
  numel(): number {
    return this.size;
  }
  /** Number of dimensions (same as `ndim`). */
  dim(): number {
    return this.shape.length;
  }

  // ---- reading values ----
  /** Copies the values into a new TypedArray of this tensor's dtype (blocks on device work). */
  dataSync(): TypedArrayOf[D] {
    return native.dataSync(this._h) as TypedArrayOf[D];
  }
  /** Same as dataSync(), with the copy done off the JavaScript thread. */
  async data(): Promise<TypedArrayOf[D]> {
    return (await withCallSite('read-back', () => native.dataAsync(this._h))) as TypedArrayOf[D];
  }
  /** The value of a one-element tensor. */
  item(): number {
    return Number(native.item(this._h));
  }
  /**
   * Nested arrays of the values, for printing and small tests: numbers (float16 and bfloat16
   * decoded from their bits), bigints for int64, booleans for bool.
   */
  toArray(): unknown {
    const flat = values(this.dtype, this.dataSync());
    const nest = (offset: number, dim: number): unknown => {
      if (dim === this.shape.length) return flat[offset];
      const size = this.shape[dim] ?? 0;
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: size }, (_, i) => nest(offset + i * stride, dim + 1));
    };
    return nest(0, 0);
  }

  // ---- autograd ----
  /** Whether autograd records operations on this tensor (PyTorch's `requires_grad`); settable on leaves. */
  get requiresGrad(): boolean {
    return native.requiresGrad(this._h);
  }
  set requiresGrad(value: boolean) {
    // Only floating tensors have gradients (as PyTorch); say so in the library's words.
    if (checkBool('requiresGrad', value)) checkFloatingTensor('requiresGrad', this);
    native.setRequiresGrad(this._h, value);
    structureChanged();
  }
  /** Sets requiresGrad and returns this tensor (PyTorch's `requires_grad_`). */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }
  /** The gradient accumulated by backward(), or null. */
  get grad(): Tensor<D> | null {
    const h = native.grad(this._h);
    return h === null ? null : new Tensor<D>(h);
  }
  set grad(value: Tensor | null) {
    native.setGrad(this._h, value === null ? null : handleOf(value, 'grad'));
  }
  /** True for tensors not produced by a recorded operation (those requiring grad get `grad` from backward()). */
  get isLeaf(): boolean {
    return native.isLeaf(this._h);
  }
  /** Keeps `grad` for this non-leaf tensor after backward(), as PyTorch's `retain_grad`. */
  retainGrad(): void {
    native.retainGrad(this._h);
  }
  /** Computes gradients of this tensor (a scalar loss, or given `gradient`) w.r.t. graph leaves. */
  backward(gradient?: Tensor, options: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    const o = checkOptions('options', options);
    const createGraph = o['createGraph'] === undefined ? false : checkBool('createGraph', o['createGraph']);
    const retain = o['retainGraph'] === undefined ? createGraph : checkBool('retainGraph', o['retainGraph']);
    const g = gradient === undefined ? null : handleOf(gradient, 'gradient');
    native.backward(this._h, g, retain, createGraph);
  }
  /** A tensor sharing this one's data, outside the autograd graph. */
  detach(): Tensor<D> {
    return new Tensor<D>(native.detach(this._h));
  }

  // ---- conversion and copies ----
  /**
   * Converts to a dtype or moves to a device (`'cpu'`, `'cuda'`, `'cuda:N'`). With
   * `nonBlocking`, a copy onto a GPU from pinned memory (`pinMemory()`) overlaps with the work
   * already queued there, as PyTorch's `non_blocking=True`; copies back to the CPU always
   * complete before returning, so their values are ready to read.
   */
  to<T extends DType>(target: T): Tensor<T>;
  to(target: Device, options?: ToOptions): Tensor<D>;
  to(target: DType | Device, options: ToOptions = {}): Tensor {
    if (isDType(target)) return new Tensor(native.toDType(this._h, target));
    if (isDevice(target)) {
      const o = checkOptions('options', options);
      const nonBlocking = o['nonBlocking'] === undefined ? false : checkBool('nonBlocking', o['nonBlocking']);
      return new Tensor(native.toDevice(this._h, target, nonBlocking && target !== 'cpu'));
    }
    throw new DTypeError(
      `Expected a dtype or a device ('cpu', 'cuda', 'cuda:N') for target but received ${describe(target)}`,
    );
  }
  /**
   * A copy in page-locked (pinned) host memory, which a GPU copies from faster and, with
   * `to(device, { nonBlocking: true })`, asynchronously (PyTorch's `pin_memory`). A
   * DeviceError without a CUDA device, where there is nothing to pin for.
   */
  pinMemory(): Tensor<D> {
    return new Tensor<D>(native.pinMemory(this._h));
  }
  /** Whether this CPU tensor is in pinned memory (always false without a CUDA device). */
  get isPinned(): boolean {
    return native.isPinned(this._h);
  }
  /** Converts to float32 (`to('float32')`). */
  float(): Tensor<'float32'> {
    return this.to('float32');
  }
  /** Converts to float64 (`to('float64')`). */
  double(): Tensor<'float64'> {
    return this.to('float64');
  }
  /** Converts to int64 (`to('int64')`). */
  long(): Tensor<'int64'> {
    return this.to('int64');
  }
  /** Converts to int32 (`to('int32')`), as PyTorch's `int()`. */
  int(): Tensor<'int32'> {
    return this.to('int32');
  }
  /** Converts to float16 (`to('float16')`), as PyTorch's `half()`. */
  half(): Tensor<'float16'> {
    return this.to('float16');
  }
  /** Converts to bool (`to('bool')`): true where non-zero, as PyTorch's `bool()`. */
  bool(): Tensor<'bool'> {
    return this.to('bool');
  }
  /** This tensor on the CPU (`to('cpu')`; no copy when already there). */
  cpu(): Tensor<D> {
    return this.to('cpu');
  }
  /** This tensor on CUDA device `index` (default 0), as `to('cuda:N')`. */
  cuda(index = 0, options: ToOptions = {}): Tensor<D> {
    return this.to(`cuda:${checkInt('index', index, 0)}`, options);
  }
  /** A copy with its own storage, recorded by autograd, as PyTorch's `clone`. */
  clone(): Tensor<D> {
    return new Tensor<D>(native.clone(this._h));
  }
  /**
   * A tensor laid out contiguously, in row-major (NCHW) order or, with 'channels_last', in
   * NHWC order (what oneDNN's CPU convolutions run fastest on), as PyTorch's memory_format.
   */
  contiguous(memoryFormat: MemoryFormat = 'contiguous'): Tensor<D> {
    if (memoryFormat === 'contiguous') return new Tensor<D>(native.contiguous(this._h));
    return new Tensor<D>(
      native.contiguousAs(this._h, checkOneOf('memoryFormat', memoryFormat, memoryFormats)),
    );
  }
  /** True when this 4-D tensor is laid out channels-last (NHWC). */
  get isChannelsLast(): boolean {
    return native.isChannelsLast(this._h);
  }
  /** Replaces this tensor's data with `source`'s, keeping this tensor (PyTorch's `t.data = source`). */
  setData_(source: Tensor): this {
    native.setData(this._h, handleOf(source, 'source'));
    this.#shape = undefined;
    return this;
  }

  // ---- lifetime ----
  /** Frees the native memory now; later use throws DisposedError. */
  dispose(): void {
    native.dispose(this._h);
  }
  /** Same as `dispose()`, for `using` declarations. */
  [Symbol.dispose](): void {
    this.dispose();
  }
  /** True once the tensor has been disposed. */
  get isDisposed(): boolean {
    return native.isDisposed(this._h);
  }

  /**
   * The tensor as PyTorch prints it: `tensor([[1.5000, 2.0000]], dtype=torch.float64)`, with
   * the middle of dimensions longer than 6 left out above 1000 elements, the device unless
   * 'cpu', and grad_fn or requires_grad. During a capture, which cannot read values, a summary
   * without them.
   */
  toString(): string {
    if (this.isDisposed) return 'Tensor(disposed)';
    if (native.isCapturing()) {
      return `tensor(<values not readable during a capture>, shape=[${this.shape.join(', ')}], dtype=torch.${this.dtype}, device='${this.device}')`;
    }
    const shown = summarized(this);
    try {
      return formatTensor({
        shape: this.shape,
        dtype: this.dtype,
        device: this.device,
        floating: isFloatingDType(this.dtype),
        values: values(this.dtype, shown.dataSync()),
        gradFn: native.gradFnName(this._h),
        requiresGrad: this.requiresGrad,
      });
    } finally {
      shown.dispose();
    }
  }
  /** What `console.log(t)` and `util.inspect(t)` show: `toString()`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** The tensor's values as PyTorch's `tolist()` gives them (16-bit floats decoded, bool as booleans). */
function values(dtype: DType, data: ArrayLike<number | bigint>): (number | bigint | boolean)[] {
  if (dtype === 'float16') return Array.from(data as Uint16Array, halfToNumber);
  if (dtype === 'bfloat16') return Array.from(data as Uint16Array, bfloat16ToNumber);
  if (dtype === 'bool') return Array.from(data as Uint8Array, (v) => v !== 0);
  return Array.from(data);
}

/** The entries the printout shows: each cut dimension keeps its first and last few entries. */
function summarized(t: Tensor): Tensor {
  let out = new Tensor(native.detach(t._h));
  summarizedDims(t.shape).forEach((cut, dim) => {
    if (!cut) return;
    const head = native.slice(out._h, dim, 0, EDGE_ITEMS, 1);
    const tail = native.slice(out._h, dim, -EDGE_ITEMS, null, 1);
    const next = new Tensor(native.cat([head, tail], dim));
    for (const h of [head, tail, out._h]) native.dispose(h);
    out = next;
  });
  return out;
}

/** The native handle of `value`, or an ArgumentError naming `name`. */
export function handleOf(value: unknown, name: string): Handle {
  if (!(value instanceof Tensor)) fail(name, 'a Tensor', value);
  return value._h;
}

/** Handle of a tensor argument, or the number itself (for ops that take either). */
export function operand(value: unknown, name: string): Handle | number {
  if (typeof value === 'number' || isDynamicNumber(value)) return checkNumber(name, value);
  return handleOf(value, name);
}

export function optionalHandle(value: unknown, name: string): Handle | null {
  return value === undefined || value === null ? null : handleOf(value, name);
}

export function wrap<D extends DType = DType>(h: Handle): Tensor<D> {
  return new Tensor<D>(h);
}
