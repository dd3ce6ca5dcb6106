/**
 * Datasets, the DataLoader and batch transforms, as `torch.utils.data` + torchvision.
 *
 * @module
 */
export type { Dataset, TensorDataset, ItemDataset, Sample } from './dataset.js';
export { FashionMNIST, fashionMnistClasses, defaultFashionMnistRoot } from './fashion_mnist.js';
export { CIFAR10, cifar10Classes } from './cifar10.js';
export { ImageFolder } from './image_folder.js';
export type { ImageFolderOptions } from './image_folder.js';
export { DataLoader } from './dataloader.js';
export type { DataLoaderOptions, Batch } from './dataloader.js';
export { Rng } from './rng.js';
export * as transforms from './transforms/index.js';
