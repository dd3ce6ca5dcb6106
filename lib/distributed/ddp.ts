/**
 * DistributedDataParallel, as PyTorch's: the wrapped module's parameters and buffers are
 * broadcast from rank 0 when it is made; each training forward takes rank 0's buffers (batch
 * norm's running statistics) and arms PyTorch's own c10d Reducer, which all-reduces the
 * gradients in buckets while backward runs and leaves their average in every `.grad`. Its
 * native steps are ordinary ops, so the Trainer's captured training step replays them off the
 * JavaScript thread.
 */
import { Module } from '../nn/module.js';
import { ArgumentError } from '../errors.js';
import { isGradEnabled } from '../runtime.js';
import { handleOf, type Tensor } from '../tensor.js';
import { distNative } from './native_dist.js';
import { broadcast, getWorldSize } from './process_group.js';

/** Options of `DistributedDataParallel.create`, PyTorch's names in camelCase. */
export interface DistributedDataParallelOptions {
  /** Bucket size in MiB (default 25, PyTorch's); the first bucket is 1 MiB so that reduction starts early. */
  bucketCapMB?: number;
  /** Take rank 0's buffers before each training forward (default true, PyTorch's `broadcast_buffers`). */
  broadcastBuffers?: boolean;
}

const MiB = 1024 * 1024;

/** A module replicated across the ranks of the process group, its gradients averaged over them. */
export class DistributedDataParallel extends Module {
  readonly #id: number;
  readonly #broadcastBuffers: boolean;
  #closed = false;

  private constructor(
    /** The wrapped module (PyTorch's `ddp.module`): save and load its state dict. */
    readonly module: Module,
    id: number,
    broadcastBuffers: boolean,
  ) {
    super();
    this.registerModule('module', module);
    this.#id = id;
    this.#broadcastBuffers = broadcastBuffers;
  }

  /**
   * Wraps `module` once `dist.init()` has joined a job: every rank calls it with the same
   * architecture; the parameters and buffers of rank 0 are copied to all.
   */
  static async create(
    module: Module,
    options: DistributedDataParallelOptions = {},
  ): Promise<DistributedDataParallel> {
    if (!(module instanceof Module))
      throw new ArgumentError(`Expected module to be an nn.Module but received ${typeof module}`);
    const bucketCapMB = options.bucketCapMB ?? 25;
    if (typeof bucketCapMB !== 'number' || !(bucketCapMB > 0))
      throw new ArgumentError(
        `Expected bucketCapMB to be a positive number but received ${String(bucketCapMB)}`,
      );
    const fns = distNative();
    getWorldSize();
    const state = [...module.parameters(), ...module.buffers()];
    await broadcast(state, { src: 0 });
    const params = module.parameters().filter((p) => p.requiresGrad);
    const buffers = module.buffers();
    const id = fns.ddpCreate(
      params.map((p, i) => handleOf(p, `parameters[${i}]`)),
      buffers.map((b, i) => handleOf(b, `buffers[${i}]`)),
      Math.round(bucketCapMB * MiB),
      MiB,
    );
    return new DistributedDataParallel(module, id, options.broadcastBuffers ?? true);
  }

  /** The wrapped module's forward; with gradients on, bracketed by the buffer broadcast and the Reducer's arming. */
  forward(x: Tensor): Tensor {
    const fns = distNative();
    const syncing = isGradEnabled() && !this.#closed;
    if (syncing && this.#broadcastBuffers) fns.ddpSyncBuffers(handleOf(x, 'input'), this.#id);
    const out = this.module.forward(x);
    if (syncing) fns.ddpPrepareForBackward(handleOf(out, 'output'), this.#id);
    return out;
  }

  /** Frees the Reducer; the wrapped module is kept (later forwards no longer synchronize). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    distNative().ddpDispose(this.#id);
  }

  /** Frees the Reducer and the wrapped module's tensors. */
  override dispose(): void {
    this.close();
    super.dispose();
  }
}
