/**
 * resnet-native: train and serve ResNets from TypeScript on libtorch.
 * @packageDocumentation
 */
import './tensor_methods/math.js';
import './tensor_methods/reduce.js';
import './tensor_methods/shape.js';

export { Tensor } from './tensor.js';
export type { TensorOrNumber } from './tensor.js';
export type { ValuesIndices } from './tensor_methods/reduce.js';
export type { DType, Device, TypedArrayOf } from './dtype.js';
export {
  tensor, zeros, ones, empty, full, randn, rand, randint, randperm, arange, linspace, eye,
  zerosLike, onesLike, cat, stack, where,
} from './creation.js'; // prettier-ignore
export type { CreateOptions, TensorOptions, NestedArray } from './creation.js';
export {
  manualSeed, getRngState, setRngState, setNumThreads, getNumThreads, noGrad, enableGrad,
  isGradEnabled, setGradEnabled, tidy, memory, cuda,
} from './runtime.js'; // prettier-ignore
export type { MemoryInfo } from './runtime.js';
export { version } from './version.js';
export type { VersionInfo } from './version.js';
export {
  ResnetNativeError, ArgumentError, ShapeError, DTypeError, DisposedError, DeviceError,
  TorchError, StateDictError, FormatError,
} from './errors.js'; // prettier-ignore
export { load, save } from './io/index.js';
export type { LoadOptions, StateDict } from './io/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
