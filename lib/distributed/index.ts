/**
 * Distributed data-parallel training on libtorch's c10d (PyTorch's `torch.distributed`):
 * `init()` joins a job launched like `torchrun` (`resnet-native train --nproc-per-node N`, or
 * `MASTER_ADDR`/`MASTER_PORT`/`RANK`/`WORLD_SIZE` set by hand on each machine), the
 * collectives run on Gloo (CPU) or NCCL (CUDA), `DistributedDataParallel` averages gradients
 * with PyTorch's Reducer and `DistributedSampler` shards the data as PyTorch does.
 * @module
 */
export {
  init,
  isInitialized,
  getRank,
  getWorldSize,
  getLocalRank,
  allReduce,
  broadcast,
  barrier,
  allGather,
} from './process_group.js';
export type { InitOptions, DistBackend, ReduceOp } from './process_group.js';
export { DistributedDataParallel } from './ddp.js';
export type { DistributedDataParallelOptions } from './ddp.js';
export { DistributedSampler } from './sampler.js';
export type { DistributedSamplerOptions } from './sampler.js';
export { hasDistSupport } from './native_dist.js';
