/**
 * The process group (torch.distributed's default group): `init()` joins the job through a
 * c10d TCPStore on rank 0, from the variables `torchrun` sets, and the collectives run on
 * libtorch's c10d backend (Gloo for CPU tensors, NCCL for CUDA ones when the build has it),
 * issued and waited for on a native thread of their own: each returns a promise, and the
 * JavaScript thread never waits on a peer.
 */
import { ArgumentError, DistributedError, TorchError } from '../errors.js';
import { handleOf, wrap, type Tensor } from '../tensor.js';
import { distNative, hasDistSupport } from './native_dist.js';

/** A c10d backend. */
export type DistBackend = 'gloo' | 'nccl';

/** How `init()` joins the job; each field defaults to its environment variable. */
export interface InitOptions {
  /** Backend: 'gloo' (CPU tensors, the default) or 'nccl' (CUDA tensors; CUDA builds with NCCL only). */
  backend?: DistBackend;
  /** Host of rank 0's store (`MASTER_ADDR`, default 127.0.0.1). */
  masterAddr?: string;
  /** Its port (`MASTER_PORT`, default 29500). */
  masterPort?: number;
  /** This process's rank (`RANK`). */
  rank?: number;
  /** Number of processes (`WORLD_SIZE`). */
  worldSize?: number;
  /**
   * How long the rendezvous and each collective may take before failing, in milliseconds
   * (default 30 minutes, PyTorch's). A dead or hung rank makes the others fail within it.
   */
  timeoutMs?: number;
}

/** A reduction of `allReduce`. Gloo has no average: 'mean' sums and divides by the world size. */
export type ReduceOp = 'sum' | 'mean' | 'product' | 'min' | 'max';

/**
 * @internal Runs a native distributed call: what c10d raised (a TorchError from the addon)
 * becomes a DistributedError with the same message.
 */
export async function distCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TorchError) throw new DistributedError(error.message, { cause: error });
    throw error;
  }
}

const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;
let configuredTimeout = DEFAULT_TIMEOUT_MS;

function envInt(name: string, value: number | undefined, min: number, fallback?: number): number {
  if (value !== undefined) {
    if (!Number.isInteger(value) || value < min)
      throw new ArgumentError(`Expected ${name} to be an integer >= ${min} but received ${String(value)}`);
    return value;
  }
  const raw = process.env[name];
  if (raw === undefined || raw === '') {
    if (fallback !== undefined) return fallback;
    throw new DistributedError(
      `Expected the environment variable ${name} (set by --nproc-per-node or torchrun) or the option to be set, but it is not`,
    );
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new ArgumentError(`Expected ${name} to be an integer >= ${min} but received "${raw}"`);
  return n;
}

function checkTimeout(timeoutMs: number | undefined): number {
  const t = timeoutMs ?? configuredTimeout;
  if (typeof t !== 'number' || !(t > 0) || !Number.isFinite(t))
    throw new ArgumentError(`Expected timeoutMs to be a positive number but received ${String(t)}`);
  return t;
}

/**
 * Joins the distributed job (torch.distributed's `init_process_group` with `env://`): rank 0
 * hosts a c10d TCPStore at `MASTER_ADDR:MASTER_PORT`, every rank connects to it, then the
 * backend connects the ranks to each other. Resolves once all `WORLD_SIZE` ranks joined;
 * rejects with a DistributedError when they do not within the timeout.
 */
export async function init(options: InitOptions = {}): Promise<void> {
  const backend = options.backend ?? 'gloo';
  if (backend !== 'gloo' && backend !== 'nccl')
    throw new ArgumentError(`Expected backend to be 'gloo' or 'nccl' but received ${String(backend)}`);
  const fns = distNative();
  if (!fns.distHasBackend(backend))
    throw new DistributedError(
      `The '${backend}' backend is not in this build: its libtorch has no NCCL (it needs a CUDA libtorch built with NCCL, and CUDA tensors); use 'gloo'`,
    );
  const addr = options.masterAddr ?? process.env.MASTER_ADDR ?? '127.0.0.1';
  const port = envInt('MASTER_PORT', options.masterPort, 1, 29500);
  const worldSize = envInt('WORLD_SIZE', options.worldSize, 1);
  const rank = envInt('RANK', options.rank, 0);
  if (rank >= worldSize)
    throw new ArgumentError(`Expected RANK to be below WORLD_SIZE (${worldSize}) but received ${rank}`);
  if (port > 65535) throw new ArgumentError(`Expected MASTER_PORT to be at most 65535 but received ${port}`);
  configuredTimeout = checkTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  await distCall(() => fns.distInit(addr, port, rank, worldSize, backend, configuredTimeout));
}

/** Whether `init()` has joined a job in this process. */
export function isInitialized(): boolean {
  return hasDistSupport() && distNative().distIsInitialized();
}

/** This process's rank (0 without a process group, as a one-process job). */
export function getRank(): number {
  return isInitialized() ? distNative().distRank() : 0;
}

/** The number of processes in the job (1 without a process group). */
export function getWorldSize(): number {
  return isInitialized() ? distNative().distWorldSize() : 1;
}

/** The local rank on this machine (`LOCAL_RANK`, 0 when unset): which GPU a process uses. */
export function getLocalRank(): number {
  const raw = process.env.LOCAL_RANK;
  const n = raw === undefined ? 0 : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/** @internal The timeout `init()` was given, for collectives without their own. */
export function defaultTimeoutMs(): number {
  return configuredTimeout;
}

/** Reduces `tensor` across all ranks in place (every rank ends with the result). */
export async function allReduce(
  tensor: Tensor,
  options: { op?: ReduceOp; timeoutMs?: number } = {},
): Promise<void> {
  const op = options.op ?? 'sum';
  if (!['sum', 'mean', 'product', 'min', 'max'].includes(op))
    throw new ArgumentError(
      `Expected op to be 'sum', 'mean', 'product', 'min' or 'max' but received ${String(op)}`,
    );
  const timeout = checkTimeout(options.timeoutMs);
  await distCall(() => distNative().distAllReduce(handleOf(tensor, 'tensor'), op, timeout));
}

/** Copies each of `tensors` from rank `src` (default 0) to every rank, in place. */
export async function broadcast(
  tensors: Tensor | readonly Tensor[],
  options: { src?: number; timeoutMs?: number } = {},
): Promise<void> {
  const list = Array.isArray(tensors) ? (tensors as readonly Tensor[]) : [tensors as Tensor];
  const src = options.src ?? 0;
  const world = getWorldSize();
  if (!Number.isInteger(src) || src < 0 || src >= world)
    throw new ArgumentError(`Expected src to be a rank in [0, ${world - 1}] but received ${String(src)}`);
  const handles = list.map((t, i) => handleOf(t, `tensors[${i}]`));
  const timeout = checkTimeout(options.timeoutMs);
  await distCall(() => distNative().distBroadcast(handles, src, timeout));
}

/** Resolves once every rank has reached it. */
export async function barrier(options: { timeoutMs?: number } = {}): Promise<void> {
  const timeout = checkTimeout(options.timeoutMs);
  await distCall(() => distNative().distBarrier(timeout));
}

/** Every rank's `tensor` (same shape and dtype everywhere), in rank order. */
export async function allGather(tensor: Tensor, options: { timeoutMs?: number } = {}): Promise<Tensor[]> {
  const input = handleOf(tensor, 'tensor');
  const timeout = checkTimeout(options.timeoutMs);
  const handles = await distCall(() => distNative().distAllGather(input, timeout));
  return handles.map((h) => wrap(h));
}

/**
 * @internal A failure seen outside the collectives (a backward whose bucket all-reduce failed
 * inside the Reducer) as a DistributedError naming the lost or hung rank.
 */
export async function explainFailure(error: unknown, during: string): Promise<DistributedError> {
  if (error instanceof DistributedError) return error;
  const cause = error instanceof Error ? error.message : String(error);
  // A collective of ours already named the rank (native/distributed/heartbeat.h).
  if (error instanceof TorchError && / failed on rank \d+: /.test(cause))
    return new DistributedError(`${during}: ${cause}`, { cause: error });
  const sentence = await distNative()
    .distDiagnose()
    .catch(() => 'the peers could not be checked');
  return new DistributedError(`${during} failed on rank ${getRank()}: ${sentence} (backend said: ${cause})`, {
    cause: error,
  });
}
