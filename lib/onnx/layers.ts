/**
 * Each layer of the ResNet family as ONNX nodes: Conv (with its BatchNormalization, or that
 * folded into it), Relu, MaxPool, GlobalAveragePool, Flatten, Gemm, and the CIFAR option-A
 * shortcut (Slice, Pad). The weights are the module's own, read at export time.
 */
import { ArgumentError } from '../errors.js';
import { AdaptiveAvgPool2d } from '../nn/adaptive_avg_pool2d.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import { Conv2d } from '../nn/conv2d.js';
import { Linear } from '../nn/linear.js';
import { MaxPool2d } from '../nn/max_pool2d.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import type { OnnxGraph } from './graph.js';

const f32 = (t: Tensor): Float32Array => Float32Array.from(t.dataSync() as ArrayLike<number>);

/** What layer emitters share: the graph, and whether batch norm is folded into convolutions. */
export interface Emit {
  graph: OnnxGraph;
  foldBatchNorm: boolean;
}

/** BN's per-channel scale γ/√(var+ε) and shift β − mean·scale, in float64. */
function bnAffine(bn: BatchNorm2d): { scale: Float64Array; shift: Float64Array } {
  const mean = bn.runningMean;
  const variance = bn.runningVar;
  if (mean === null || variance === null)
    throw new ArgumentError(
      'Expected BatchNorm2d layers with running statistics (trackRunningStats) to export',
    );
  const [m, v] = [f32(mean), f32(variance)];
  const gamma = bn.weight === null ? undefined : f32(bn.weight);
  const beta = bn.bias === null ? undefined : f32(bn.bias);
  const scale = new Float64Array(m.length);
  const shift = new Float64Array(m.length);
  for (let c = 0; c < m.length; c++) {
    scale[c] = (gamma?.[c] ?? 1) / Math.sqrt(v[c]! + bn.eps);
    shift[c] = (beta?.[c] ?? 0) - m[c]! * scale[c]!;
  }
  return { scale, shift };
}

function convAttributes(conv: Conv2d) {
  const [ph, pw] = conv.padding;
  return {
    kernel_shape: [...conv.kernelSize],
    strides: [...conv.stride],
    pads: [ph, pw, ph, pw],
    dilations: [...conv.dilation],
    group: conv.groups,
  };
}

/** `conv` then `bn` (when given): two nodes, or one Conv with the batch norm folded into its weights. */
export function convBn(
  e: Emit,
  name: string,
  conv: Conv2d,
  bn: BatchNorm2d | null,
  x: string,
  bnName = name.replace(/conv(\d*)$/, 'bn$1'),
): string {
  const { graph } = e;
  const weight = f32(conv.weight);
  const dims = conv.weight.shape;
  const bias = conv.bias === null ? undefined : f32(conv.bias);
  if (bn !== null && e.foldBatchNorm) {
    const { scale, shift } = bnAffine(bn);
    const perOut = weight.length / conv.outChannels;
    const w = new Float32Array(weight.length);
    const b = new Float32Array(conv.outChannels);
    for (let o = 0; o < conv.outChannels; o++) {
      for (let i = 0; i < perOut; i++) w[o * perOut + i] = weight[o * perOut + i]! * scale[o]!;
      b[o] = (bias?.[o] ?? 0) * scale[o]! + shift[o]!;
    }
    const inputs = [x, graph.float(`${name}.weight`, w, dims), graph.float(`${name}.bias`, b, [b.length])];
    return graph.node('Conv', inputs, convAttributes(conv));
  }
  const inputs = [x, graph.float(`${name}.weight`, weight, dims)];
  if (bias !== undefined) inputs.push(graph.float(`${name}.bias`, bias, [bias.length]));
  const y = graph.node('Conv', inputs, convAttributes(conv));
  return bn === null ? y : batchNorm(e, bnName, bn, y);
}

function batchNorm(e: Emit, name: string, bn: BatchNorm2d, x: string): string {
  const { graph } = e;
  const n = bn.numFeatures;
  const ones = new Float32Array(n).fill(1);
  const param = (t: Tensor | null, key: string, fallback: Float32Array) =>
    graph.float(`${name}.${key}`, t === null ? fallback : f32(t), [n]);
  const inputs = [
    x,
    param(bn.weight, 'weight', ones),
    param(bn.bias, 'bias', new Float32Array(n)),
    param(bn.runningMean, 'running_mean', new Float32Array(n)),
    param(bn.runningVar, 'running_var', ones),
  ];
  return graph.node('BatchNormalization', inputs, { epsilon: { float: bn.eps } });
}

export const relu = (e: Emit, x: string): string => e.graph.node('Relu', [x]);

export function maxPool(e: Emit, pool: MaxPool2d, x: string): string {
  const [ph, pw] = pool.padding;
  return e.graph.node('MaxPool', [x], {
    kernel_shape: [...pool.kernelSize],
    strides: [...pool.stride],
    pads: [ph, pw, ph, pw],
    dilations: [...pool.dilation],
    ceil_mode: pool.ceilMode ? 1 : 0,
  });
}

/** Global average pooling, then Flatten and the classifier as Gemm (y = x·Wᵀ + b). */
export function head(e: Emit, name: string, pool: AdaptiveAvgPool2d, fc: Module, x: string): string {
  if (pool.outputSize[0] !== 1 || pool.outputSize[1] !== 1)
    throw new ArgumentError(
      `Expected adaptive average pooling to 1×1 but the model pools to ${pool.outputSize.join('×')}`,
    );
  if (!(fc instanceof Linear))
    throw new ArgumentError(
      `Expected the classifier ${name} to be an nn.Linear but it is a ${fc.constructor.name}`,
    );
  const { graph } = e;
  const flat = graph.node('Flatten', [graph.node('GlobalAveragePool', [x])], { axis: 1 });
  const inputs = [flat, graph.float(`${name}.weight`, f32(fc.weight), fc.weight.shape)];
  if (fc.bias !== null) inputs.push(graph.float(`${name}.bias`, f32(fc.bias), fc.bias.shape));
  return graph.node('Gemm', inputs, { transB: 1 }, 'logits');
}

/** The CIFAR option-A shortcut: x[:, :, ::s, ::s] with zero channels padded on both sides. */
export function padShortcut(e: Emit, stride: number, before: number, after: number, x: string): string {
  const { graph } = e;
  let y = x;
  if (stride !== 1) {
    const big = Number.MAX_SAFE_INTEGER;
    const args = [
      graph.int64('starts', [0, 0]),
      graph.int64('ends', [big, big]),
      graph.int64('axes', [2, 3]),
      graph.int64('steps', [stride, stride]),
    ];
    y = graph.node('Slice', [y, ...args]);
  }
  return graph.node('Pad', [y, graph.int64('pads', [0, before, 0, 0, 0, after, 0, 0])], {});
}

/** `module` is a `kind` or the export cannot go on. */
export function expect<M extends Module>(
  module: Module | null,
  kind: abstract new (...a: never[]) => M,
  name: string,
): M {
  if (!(module instanceof kind))
    throw new ArgumentError(
      `Expected ${name} to be a ${kind.name} but it is ${module === null ? 'absent' : module.constructor.name}`,
    );
  return module;
}

export { BatchNorm2d, Conv2d, MaxPool2d, AdaptiveAvgPool2d };
