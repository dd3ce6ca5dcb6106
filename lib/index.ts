/**
 * resnet-native: train and serve ResNets from TypeScript on libtorch.
 * @packageDocumentation
 */
import './tensor_methods/math.js';
import './tensor_methods/reduce.js';
import './tensor_methods/shape.js';

export { Tensor } from './tensor.js';
export type { TensorOrNumber, ToOptions } from './tensor.js';
export type { ValuesIndices } from './tensor_methods/reduce.js';
export type { CloseOptions } from './tensor_methods/math.js';
export type { DType, Device, TypedArrayOf } from './dtype.js';
export {
  tensor, zeros, ones, empty, full, randn, rand, randint, randperm, arange, linspace, eye,
  zerosLike, onesLike, cat, stack, where,
} from './creation.js'; // prettier-ignore
export type { CreateOptions, TensorOptions, NestedArray } from './creation.js';
export {
  manualSeed, getRngState, setRngState, setNumThreads, getNumThreads, setReplayNice,
  getReplayNice, noGrad, enableGrad, isGradEnabled, setGradEnabled, tidy, memory, emptyCpuCache, cuda,
} from './runtime.js'; // prettier-ignore
export type { MemoryInfo } from './runtime.js';
export type { CudaDevice } from './cuda.js';
export { backends, useDeterministicAlgorithms, areDeterministicAlgorithmsEnabled } from './backends.js';
export type { CudnnBackend, CudaBackend } from './backends.js';
export { capture, CapturedProgram } from './capture.js';
export { autocast, isAutocastEnabled, GradScaler } from './amp/index.js';
export type {
  AutocastOptions,
  AutocastDeviceType,
  AutocastDType,
  GradScalerOptions,
  GradScalerStateDict,
} from './amp/index.js';
export * as amp from './amp/index.js';
export { version } from './version.js';
export type { VersionInfo } from './version.js';
export {
  ResnetNativeError, ArgumentError, ShapeError, DTypeError, DisposedError, DeviceError,
  TorchError, StateDictError, FormatError, DownloadError, ChecksumError, DistributedError,
} from './errors.js'; // prettier-ignore
export type { StateDictProblems, ShapeMismatch } from './errors.js';
export { load, save, readTrainCheckpointInfo } from './io/index.js';
export type { LoadOptions, StateDict, TrainCheckpointInfo } from './io/index.js';
export * as nn from './nn/index.js';
export {
  BasicBlock, Bottleneck, ResNet, resnet18, resnet34, resnet50, resnet101, resnet152, resnext50_32x4d,
  resnext101_32x8d, resnext101_64x4d, wide_resnet50_2, wide_resnet101_2, resnet20, resnet32, resnet44,
  resnet56, resnet110, resnet1202, CifarResNet,
} from './models/index.js'; // prettier-ignore
export type {
  ResNetOptions,
  CifarResNetOptions,
  BlockOptions,
  PretrainedOptions,
  ResNetFactory,
} from './models/index.js';
export { downloadWeights, cacheDir } from './download/index.js';
export type { WeightsDownloadOptions } from './download/index.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export * as dist from './distributed/index.js';
export { Trainer, TrainingDivergedError, saveCheckpoint, loadCheckpoint } from './train/index.js';
export type { TrainerOptions, EpochRecord, BatchEvent, TrainingState, PhaseMetrics } from './train/index.js';
export { ModelSummary, summarize } from './summary/index.js';
export type { LayerRow, BottleneckSaving, FormatOptions } from './summary/index.js';
export { saveModel, loadModel, readModelMetadata, modelMetadata } from './model_file/index.js';
export type {
  ModelInfo,
  LoadModelOptions,
  ModelMetadata,
  Preprocessing,
  ArchConfig,
} from './model_file/index.js';
export {
  classify, decodeImage, preprocess, preprocessImage, normalizeToChw, batchImages, imagenetEval, imagenetEvalV2,
  imagenetClassNames, ImageError,
} from './preprocess/index.js'; // prettier-ignore
export type {
  ClassifyOptions,
  Prediction,
  DecodeOptions,
  DecodedImage,
  ImageInput,
  ImageErrorReason,
} from './preprocess/index.js';
export { serve, DynamicBatcher, QueueFullError } from './serve/index.js';
export type { ServeOptions, Server, InjectableApp, InjectedResponse, BatcherOptions } from './serve/index.js';
export { exportOnnx, toOnnx } from './onnx/index.js';
export type { ExportOnnxOptions } from './onnx/index.js';
