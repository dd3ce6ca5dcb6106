/**
 * Downloads: torchvision's weights by name and the datasets' files, verified, into a cache.
 *
 * @module
 */
export { cacheDir } from './cache.js';
export { downloadWeights } from './weights.js';
export type { WeightsDownloadOptions } from './weights.js';
