/** Training: the Trainer, checkpoints and metrics. */
export { Trainer, TrainingDivergedError } from './trainer.js';
export type { TrainerOptions, EpochRecord, BatchEvent } from './trainer.js';
export { saveCheckpoint, loadCheckpoint } from './checkpoint.js';
export type { TrainingState } from './checkpoint.js';
export { MetricsMeter } from './metrics.js';
export type { PhaseMetrics } from './metrics.js';
export { EarlyStopping, BestCheckpoint, metricOf } from './callbacks.js';
export type { Callback, MonitorOptions } from './callbacks.js';
export { ExponentialMovingAverage, emaDecayFor } from './ema.js';
export { TensorBoardWriter, TensorBoardLogger } from './tensorboard.js';
export type { MetricFn } from './metrics.js';
