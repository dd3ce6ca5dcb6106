/** Neural-network building blocks, as `torch.nn`. */
export * as functional from './functional.js';
