/** Image preprocessing: decoding, torchvision's eval presets, batching, classification. */
export { decodeImage } from './decode.js';
export type { DecodeOptions, DecodedImage, ImageInput } from './decode.js';
export { normalizeToChw, batchImages, preprocessImage, preprocess } from './to_tensor.js';
export { imagenetEval, imagenetEvalV2, imagenetClassNames, defaultPreprocessing } from './presets.js';
export { classify } from './classify.js';
export type { ClassifyOptions } from './classify.js';
export type { Prediction } from './topk.js';
export { ImageError } from './errors.js';
export type { ImageErrorReason } from './errors.js';
export { loadSharp } from './sharp_loader.js';
