/**
 * Loads the native addon (the file lib/addon_choice.ts chooses) and describes its functions. Nothing here
 * validates user input: lib/ does that before calling in, and the addon checks again.
 */
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chooseAddon, type AddonChoice, type Prebuilt } from './addon_choice.js';
import type { LibtorchCandidate } from './cli/doctor/libtorch.js';
import { nativeErrorClasses } from './errors.js';

/** An opaque handle to one at::Tensor, owned by a {@link Tensor}. */
export interface Handle {
  readonly __brand: 'TensorHandle';
}
type H = Handle;
/** An opaque handle to a captured program (native/capture.h). */
export interface ProgramHandle {
  readonly __brand: 'ProgramHandle';
}
type Opt = H | null;
type Ints = number[];
type Scalar = number | boolean;
type Num = H | Scalar;

interface NativeCore {
  init(errorClasses: object): void;
  // runtime
  manualSeed(seed: number): void;
  getRngState(): H;
  setRngState(state: H): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  cudaIsAvailable(): boolean;
  cudaDeviceCount(): number;
  cudaSynchronize(): void;
  setAllowTF32(allow: boolean): void;
  version(): { libtorch: string; cuda: number | null; cudnn: number | null };
  // devices (native/devices.cc, native/backends.cc; the cudaMemory* ones only in a CUDA build)
  checkDevice(device: string, name: string): string;
  noCudaMessage(subject: string): string;
  loadedLibtorch(): string;
  cudaSynchronizeDevice(index: number): void;
  cudaManualSeed(seed: number, index: number): void;
  cudaGetRngState(index: number): H;
  cudaSetRngState(state: H, index: number): void;
  cudaMemoryAllocated?(index: number): number;
  cudaMemoryReserved?(index: number): number;
  cudaEmptyCache?(): void;
  pinMemory(t: H): H;
  isPinned(t: H): boolean;
  backendFlags(): Record<
    | 'cudnnEnabled'
    | 'cudnnBenchmark'
    | 'cudnnDeterministic'
    | 'cudnnAllowTF32'
    | 'matmulAllowTF32'
    | 'deterministicAlgorithms'
    | 'deterministicWarnOnly',
    boolean
  >;
  setBackendFlag(name: string, value: boolean, warnOnly: boolean): void;
  cudaDevices(): Array<{
    index: number;
    name: string | null;
    totalMemory: number | null;
    capability: [number, number] | null;
  }>;
  memory(): { liveTensors: number; cpuBytes: number; cudaBytes: number; cpuCachedBytes: number };
  emptyCpuCache(): void;
  // creation and readback
  fromTypedArray(data: ArrayBufferView, shape: Ints, dtype: string): H;
  fromBytes(bytes: Uint8Array, shape: Ints, dtype: string): H;
  zeros(shape: Ints, dtype: string, device: string): H;
  ones(shape: Ints, dtype: string, device: string): H;
  empty(shape: Ints, dtype: string, device: string): H;
  full(shape: Ints, value: Scalar, dtype: string, device: string): H;
  randn(shape: Ints, dtype: string, device: string): H;
  rand(shape: Ints, dtype: string, device: string): H;
  randint(low: number, high: number, shape: Ints, dtype: string, device: string): H;
  randperm(n: number, dtype: string, device: string): H;
  arange(start: number, end: number, step: number, dtype: string, device: string): H;
  linspace(start: number, end: number, steps: number, dtype: string, device: string): H;
  eye(n: number, m: number, dtype: string, device: string): H;
  dataSync(t: H): ArrayBufferView;
  dataAsync(t: H): Promise<ArrayBufferView>;
  item(t: H): number | boolean;
  shape(t: H): number[];
  dtype(t: H): string;
  device(t: H): string;
  gradFnName(t: H): string | null;
  dispose(t: H): void;
  isDisposed(t: H): boolean;
  // elementwise (the unary ops are typed by UnaryName below)
  add(a: H, b: Num, alpha: Scalar | null): H;
  sub(a: H, b: Num, alpha: Scalar | null): H;
  mul(a: H, b: Num): H;
  div(a: H, b: Num): H;
  pow(a: H, b: Num): H;
  remainder(a: H, b: Num): H;
  eq(a: H, b: Num): H;
  ne(a: H, b: Num): H;
  lt(a: H, b: Num): H;
  le(a: H, b: Num): H;
  gt(a: H, b: Num): H;
  ge(a: H, b: Num): H;
  maximum(a: H, b: H): H;
  minimum(a: H, b: H): H;
  clamp(a: H, min: number | null, max: number | null): H;
  where(cond: H, a: Num, b: Num): H;
  maskedFill(a: H, mask: H, value: Scalar): H;
  isclose(a: H, b: H, rtol: number, atol: number, equalNan: boolean): H;
  allclose(a: H, b: H, rtol: number, atol: number, equalNan: boolean): boolean;
  add_(a: H, b: Num, alpha: Scalar | null): H;
  sub_(a: H, b: Num, alpha: Scalar | null): H;
  mul_(a: H, b: Num): H;
  div_(a: H, b: Num): H;
  copy_(a: H, src: H): H;
  fill_(a: H, value: Scalar): H;
  zero_(a: H): H;
  relu_(a: H): H;
  sqrt_(a: H): H;
  uniform_(a: H, from: number, to: number): H;
  normal_(a: H, mean: number, std: number): H;
  clamp_(a: H, min: number | null, max: number | null): H;
  addcmul_(a: H, t1: H, t2: H, value: number): H;
  addcdiv_(a: H, t1: H, t2: H, value: number): H;
  lerp_(a: H, end: H, weight: H | number): H;
  maximum_(a: H, b: H): H;
  // foreach (multi-tensor) ops: in place ones return their first list
  foreachAdd_(a: H[], b: H[], alpha: number): H[];
  foreachAdd(a: H[], b: H[], alpha: number): H[];
  foreachAddScalar_(a: H[], v: number): H[];
  foreachMul_(a: H[], v: number): H[];
  foreachMulList_(a: H[], b: H[]): H[];
  foreachMulList(a: H[], b: H[]): H[];
  foreachDivScalars_(a: H[], scalars: number[]): H[];
  foreachAddcmul_(a: H[], t1: H[], t2: H[], value: number): H[];
  foreachAddcmul(a: H[], t1: H[], t2: H[], value: number): H[];
  foreachAddcdiv_(a: H[], t1: H[], t2: H[], value: number): H[];
  foreachAddcdivScalars_(a: H[], t1: H[], t2: H[], scalars: number[]): H[];
  foreachMaximum_(a: H[], b: H[]): H[];
  foreachSqrt(a: H[]): H[];
  foreachSqrt_(a: H[]): H[];
  foreachNeg(a: H[]): H[];
  foreachNorm(a: H[], ord: number): H[];
  powNumber(base: number, exponent: number): number;
  // reductions
  sum(a: H, dims: Ints | null, keepdim: boolean): H;
  mean(a: H, dims: Ints | null, keepdim: boolean): H;
  prod(a: H, dim: number | null, keepdim: boolean): H;
  max(a: H): H;
  min(a: H): H;
  maxDim(a: H, dim: number, keepdim: boolean): [H, H];
  minDim(a: H, dim: number, keepdim: boolean): [H, H];
  argmax(a: H, dim: number | null, keepdim: boolean): H;
  argmin(a: H, dim: number | null, keepdim: boolean): H;
  topk(a: H, k: number, dim: number, largest: boolean, sorted: boolean): [H, H];
  sort(a: H, dim: number, descending: boolean): [H, H];
  argsort(a: H, dim: number, descending: boolean): H;
  std(a: H, dims: Ints | null, unbiased: boolean, keepdim: boolean): H;
  var(a: H, dims: Ints | null, unbiased: boolean, keepdim: boolean): H;
  norm(a: H, p: number, dims: Ints | null, keepdim: boolean): H;
  all(a: H): H;
  any(a: H): H;
  logsumexp(a: H, dims: Ints, keepdim: boolean): H;
  cumsum(a: H, dim: number): H;
  // shape
  reshape(a: H, shape: Ints): H;
  view(a: H, shape: Ints): H;
  flatten(a: H, start: number, end: number): H;
  permute(a: H, dims: Ints): H;
  transpose(a: H, d0: number, d1: number): H;
  contiguous(a: H): H;
  contiguousAs(a: H, memoryFormat: string): H;
  isChannelsLast(a: H): boolean;
  setData(t: H, source: H): void;
  squeeze(a: H, dim: number | null): H;
  unsqueeze(a: H, dim: number): H;
  expand(a: H, shape: Ints): H;
  narrow(a: H, dim: number, start: number, length: number): H;
  select(a: H, dim: number, index: number): H;
  slice(a: H, dim: number, start: number | null, end: number | null, step: number): H;
  indexSelect(a: H, dim: number, index: H): H;
  gather(a: H, dim: number, index: H): H;
  t(a: H): H;
  maskedSelect(a: H, mask: H): H;
  index(a: H, indices: H): H;
  nonzero(a: H): H;
  scatter(a: H, dim: number, index: H, src: Num): H;
  scatter_(a: H, dim: number, index: H, src: Num): H;
  flip(a: H, dims: Ints): H;
  repeat(a: H, repeats: Ints): H;
  clone(a: H): H;
  detach(a: H): H;
  toDType(a: H, dtype: string): H;
  toDevice(a: H, device: string, nonBlocking: boolean): H;
  oneHot(a: H, numClasses: number): H;
  pad(a: H, pad: Ints, mode: string, value: number): H;
  cat(ts: H[], dim: number): H;
  stack(ts: H[], dim: number): H;
  chunk(a: H, chunks: number, dim: number): H[];
  split(a: H, sizes: number | Ints, dim: number): H[];
  // nn
  conv2d(x: H, w: H, b: Opt, stride: Ints, padding: Ints, dilation: Ints, groups: number): H;
  batchNorm(
    x: H,
    runningMean: Opt,
    runningVar: Opt,
    weight: Opt,
    bias: Opt,
    training: boolean,
    momentum: number,
    eps: number,
  ): H;
  maxPool2d(x: H, k: Ints, s: Ints, p: Ints, d: Ints, ceil: boolean): H;
  avgPool2d(x: H, k: Ints, s: Ints, p: Ints, ceil: boolean, countIncludePad: boolean): H;
  adaptiveAvgPool2d(x: H, size: Ints): H;
  adaptiveMaxPool2d(x: H, size: Ints): H;
  linear(x: H, w: H, b: Opt): H;
  matmul(a: H, b: H): H;
  bmm(a: H, b: H): H;
  mm(a: H, b: H): H;
  softmax(x: H, dim: number): H;
  logSoftmax(x: H, dim: number): H;
  dropout(x: H, p: number, training: boolean): H;
  resizeBilinear(x: H, size: Ints, alignCorners: boolean, antialias: boolean): H;
  gridSample(x: H, grid: H, mode: number, paddingMode: number, alignCorners: boolean): H;
  crossEntropy(x: H, target: H, w: Opt, reduction: string, ignoreIndex: number, smoothing: number): H;
  nllLoss(x: H, target: H, w: Opt, reduction: string, ignoreIndex: number): H;
  mseLoss(x: H, target: H, reduction: string): H;
  binaryCrossEntropyWithLogits(x: H, t: H, w: Opt, posWeight: Opt, reduction: string): H;
  // capture and replay (native/capture*.cc, native/executor.cc)
  beginCapture(inputs: H[], numbers: number): void;
  endCapture(outputs: H[], numbers: number | null): ProgramHandle;
  abortCapture(): void;
  isCapturing(): boolean;
  programInfo(program: ProgramHandle): {
    steps: string[];
    constants: number;
    inputs: number;
    numbers: number;
  };
  disposeProgram(program: ProgramHandle): void;
  runCaptured(
    program: ProgramHandle,
    inputs: H[],
    numbers: number[],
    readItems: boolean,
  ): Promise<[Array<H | null>, number[] | null]>;
  setReplayNice(nice: number): void;
  getReplayNice(): number;
  strides(t: H): number[];
  // the inference fast path (native/fast_*.cc)
  prepareInference(program: ProgramHandle): ProgramHandle;
  runProgram(program: ProgramHandle, inputs: H[]): Array<H | null>;
  // distributed (native/distributed/; absent from a build without Gloo's headers)
  distInit?(
    addr: string,
    port: number,
    rank: number,
    world: number,
    backend: string,
    timeoutMs: number,
  ): Promise<void>;
  distHasBackend?(backend: string): boolean;
  distIsInitialized?(): boolean;
  distRank?(): number;
  distWorldSize?(): number;
  distAllReduce?(t: H, op: string, timeoutMs: number): Promise<void>;
  distBroadcast?(ts: H[], src: number, timeoutMs: number): Promise<void>;
  distBarrier?(timeoutMs: number): Promise<void>;
  distAllGather?(t: H, timeoutMs: number): Promise<H[]>;
  distDiagnose?(): Promise<string>;
  ddpCreate?(params: H[], buffers: H[], bucketCapBytes: number, firstBucketCapBytes: number): number;
  ddpDispose?(id: number): void;
  ddpSyncBuffers?(input: H, id: number): void;
  ddpPrepareForBackward?(output: H, id: number): void;
  randpermSeeded(n: number, seed: number): H;
  // autograd
  backward(t: H, grad: Opt, retainGraph: boolean, createGraph: boolean): void;
  grad(t: H): H | null;
  setGrad(t: H, grad: Opt): void;
  requiresGrad(t: H): boolean;
  setRequiresGrad(t: H, value: boolean): void;
  isLeaf(t: H): boolean;
  retainGrad(t: H): void;
  setGradEnabled(enabled: boolean): boolean;
  isGradEnabled(): boolean;
  // autocast and GradScaler (native/autocast.cc, native/ops/amp.cc)
  autocastEnter(deviceType: string, enabled: boolean, dtype: string): [number, number];
  autocastExit(deviceType: string, previousEnabled: boolean, previousDType: number): void;
  autocastState(): [boolean, string, boolean, string];
  autocastCpuDTypes(): string[];
  ampUnscale_(grads: H[], foundInf: H, invScale: H): void;
  ampUpdateScale_(
    scale: H,
    growthTracker: H,
    foundInf: H,
    growthFactor: number,
    backoffFactor: number,
    growthInterval: number,
  ): void;
  ampHasNativeKernels(like: H): boolean;
}

export const unaryOps = [
  'neg', 'exp', 'log', 'log2', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'abs', 'sign', 'sigmoid',
  'tanh', 'relu', 'floor', 'ceil', 'round', 'reciprocal', 'square', 'sin', 'cos', 'tan', 'atan', 'erf',
  'isnan', 'isinf', 'isfinite', 'logicalNot',
] as const; // prettier-ignore
export type UnaryName = (typeof unaryOps)[number];

export type NativeBinding = NativeCore & Record<UnaryName, (a: H) => H>;

// npm 11 skips a dependency's install script (the prebuilt check and source-build fallback,
// scripts/install.cjs) until the user approves it, so the remedy must not rely on it having run.
const SKIPPED_INSTALL =
  'npm 11 runs install scripts of dependencies only once approved, so its install script (which builds ' +
  'the addon when no prebuilt one fits) was likely skipped: approve it with ' +
  '`npm install-scripts approve resnet-native` and run `npm rebuild resnet-native`, or build now with ' +
  '`npx resnet-native doctor --build`.';
const DOCTOR =
  '`npx resnet-native doctor` lists the libtorch installations found and why the addon does not load.';

/** Where the loader looked for libtorch, and what it found there. */
function describeLibtorch(libtorch: LibtorchCandidate | null): string {
  if (libtorch === null)
    return 'No libtorch was found (LIBTORCH is not set, and /usr and /usr/local have no libtorch.so).';
  if (!libtorch.exists) return `LIBTORCH names ${libtorch.dir}, which does not exist.`;
  const what = libtorch.version === null ? 'a libtorch of unknown version' : `libtorch ${libtorch.version}`;
  const where =
    libtorch.source === 'LIBTORCH' ? `LIBTORCH (${libtorch.dir})` : `the system (${libtorch.dir})`;
  return `The libtorch found is ${what}${libtorch.cuda ? ' with CUDA' : ''}, from ${where}.`;
}

/** The message when there is no file to load: no local build and no prebuilt addon for this libtorch. */
function explainNoAddon(libtorch: LibtorchCandidate | null, prebuilts: Prebuilt[]): Error {
  const shipped =
    prebuilts.length === 0
      ? `This package has no prebuilt addon for ${process.platform}-${process.arch}.`
      : `The prebuilt addons fit CPU libtorch ${prebuilts.map((p) => p.libtorch).join(' and ')} only.`;
  const remedy =
    libtorch === null
      ? 'Install libtorch (Debian 12: `apt-get install libtorch-dev`) or set LIBTORCH to a libtorch folder ' +
        "(a pip PyTorch's torch/ folder works), then build the addon:"
      : 'Build the addon against it:';
  return new Error(
    `resnet-native: could not load its native addon. ${describeLibtorch(libtorch)} ${shipped} ${remedy} ` +
      `\`npx resnet-native doctor --build\`. ${SKIPPED_INSTALL} In a clone of resnet-native: \`npm run setup\`. ${DOCTOR}`,
  );
}

function explainLoadFailure(error: unknown, choice: AddonChoice): Error {
  const message = error instanceof Error ? error.message : String(error);
  let remedy: string;
  const wanted = /lib(?:torch|c10)[a-z_]*\.so(?:\.(\d+\.\d+))?/.exec(message);
  if (choice.kind === 'chosen') {
    remedy =
      `RESNET_NATIVE_ADDON names ${choice.file}, which did not load: it must be a resnet_native.node built ` +
      'with cmake-js (scripts/cuda_variant.sh builds build-cuda/Release/resnet_native.node), with its ' +
      "libtorch's libraries present. Unset it to load the default addon.";
  } else if (choice.kind === 'prebuilt' && wanted !== null) {
    remedy =
      `The prebuilt addon ${choice.file} needs ${wanted[0]}, which did not load. ${describeLibtorch(choice.libtorch)} ` +
      "Build against your libtorch (LIBTORCH, a pip PyTorch or the system's): " +
      '`npx resnet-native doctor --build [--libtorch <dir>]`.';
  } else if (/libtorch|libc10|libtorch_cpu/.test(message)) {
    remedy =
      'libtorch could not be loaded. Install it (Debian/Ubuntu: `apt-get install libtorch-dev`) or point ' +
      'LIBTORCH at a libtorch folder, then rebuild: `npx resnet-native doctor --build`.';
  } else if (/NODE_MODULE_VERSION|invalid ELF|wrong ELF class/.test(message)) {
    remedy =
      'The addon was built for another Node.js or platform: rebuild with `npx resnet-native doctor --build`.';
  } else {
    remedy = 'Rebuild the addon with `npx resnet-native doctor --build`; see the cause below.';
  }
  return new Error(`resnet-native: could not load its native addon. ${remedy} ${DOCTOR}\nCause: ${message}`, {
    cause: error,
  });
}

/** The package folder (lib/ in development, dist/ when installed, both one level down). */
const packageRoot = fileURLToPath(new URL('..', import.meta.url));

// Not in os.constants.dlopen, but glibc's value on Linux: the library stays loaded even though
// process.dlopen unloads what registers no Node module.
const RTLD_NODELETE = 0x1000;

/**
 * Loads a shared library by path so that a later addon's NEEDED entry (by soname) finds it.
 * process.dlopen throws "did not self-register" for a library that is not a Node addon; with
 * RTLD_NODELETE the library stays loaded all the same. Any other error is real.
 */
function preloadLibrary(file: string): void {
  const { RTLD_NOW, RTLD_GLOBAL } = constants.dlopen;
  try {
    process.dlopen({ exports: {} }, file, (RTLD_NOW ?? 2) | (RTLD_GLOBAL ?? 256) | RTLD_NODELETE);
  } catch (error) {
    if (!(error instanceof Error && /did not self-register/.test(error.message))) throw error;
  }
}

/** Loads the file lib/addon_choice.ts chooses (see there for the order), explaining any failure. */
function load(): NativeBinding {
  const require = createRequire(import.meta.url);
  const choice = chooseAddon(packageRoot);
  if (choice.kind === 'none') throw explainNoAddon(choice.libtorch, choice.prebuilts);
  let addon: NativeBinding;
  try {
    for (const library of choice.preload) preloadLibrary(library);
    addon = require(choice.file) as NativeBinding;
  } catch (error) {
    throw explainLoadFailure(error, choice);
  }
  addon.init(nativeErrorClasses);
  return addon;
}

/** The addon, loaded once per thread (worker_threads each load their own instance). */
export const native: NativeBinding = load();
