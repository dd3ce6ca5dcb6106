/**
 * Neural-network building blocks, as `torch.nn`.
 *
 * @module
 */
export * as functional from './functional.js';
export * as init from './init.js';
export { Module } from './module.js';
export type { LoadStateDictResult, ShapeMismatch, StateDictInput } from './module.js';
export type { ForwardAsyncOptions } from './captured_forward.js';
export { Conv2d } from './conv2d.js';
export type { Conv2dOptions } from './conv2d.js';
export { BatchNorm2d } from './batchnorm.js';
export type { BatchNorm2dOptions } from './batchnorm.js';
export { ReLU } from './relu.js';
export { MaxPool2d } from './max_pool2d.js';
export type { MaxPool2dOptions } from './max_pool2d.js';
export { AvgPool2d } from './avg_pool2d.js';
export type { AvgPool2dOptions } from './avg_pool2d.js';
export { AdaptiveAvgPool2d } from './adaptive_avg_pool2d.js';
export { Linear } from './linear.js';
export { Sequential } from './sequential.js';
export { Identity } from './identity.js';
export { Flatten } from './flatten.js';
export { Dropout } from './dropout.js';
export { chain } from './chain.js';
export type { Step } from './chain.js';
