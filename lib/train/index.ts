/** Training: the Trainer, checkpoints and metrics. */
export { Trainer, TrainingDivergedError } from './trainer.js';
export type { TrainerOptions, EpochRecord, BatchEvent } from './trainer.js';
export { saveCheckpoint, loadCheckpoint } from './checkpoint.js';
export type { TrainingState } from './checkpoint.js';
export { MetricsMeter } from './metrics.js';
export type { PhaseMetrics } from './metrics.js';
