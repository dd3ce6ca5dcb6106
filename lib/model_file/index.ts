/** Self-describing model files. */
export { saveModel, loadModel, readModelMetadata, modelMetadata, metadataFor } from './load_model.js';
export type { ModelInfo, LoadModelOptions } from './load_model.js';
export type { ModelMetadata, Preprocessing, ArchConfig } from './metadata.js';
