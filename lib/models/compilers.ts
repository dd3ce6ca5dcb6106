/**
 * The native-program form of every built-in layer and model, for `forwardAsync`. Each
 * compiler mirrors its module's `forward` in inference (no gradient recording), with
 * training-mode batch norm refused because its statistics updates belong on the JS side.
 */
import { ArgumentError } from '../errors.js';
import { AdaptiveAvgPool2d } from '../nn/adaptive_avg_pool2d.js';
import { AvgPool2d } from '../nn/avg_pool2d.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import { Conv2d } from '../nn/conv2d.js';
import { Dropout } from '../nn/dropout.js';
import { Flatten } from '../nn/flatten.js';
import { Identity } from '../nn/identity.js';
import { Linear } from '../nn/linear.js';
import { MaxPool2d } from '../nn/max_pool2d.js';
import type { Module } from '../nn/module.js';
import { compile, registerCompiler, type ProgramBuilder } from '../nn/program.js';
import { ReLU } from '../nn/relu.js';
import { Sequential } from '../nn/sequential.js';
import { BasicBlock, Bottleneck } from './blocks.js';
import { CifarBasicBlock, CifarResNet, PadShortcut } from './cifar_resnet.js';
import { ResNet } from './resnet.js';

/** Compiles the named children of `m` one after the other. */
function series(m: Module, b: ProgramBuilder, x: number, names: readonly string[]): number {
  return names.reduce((r, n) => compile(m.getSubmodule(n), b, r), x);
}

function optionalChild(m: Module, name: string): Module | null {
  return m.namedChildren().find(([n]) => n === name)?.[1] ?? null;
}

/** relu(branch(x) + shortcut(x)): the residual join of every block. */
function residual(
  m: Module,
  b: ProgramBuilder,
  x: number,
  branch: readonly string[],
  shortcut: string,
): number {
  const out = series(m, b, x, branch);
  const sc = optionalChild(m, shortcut);
  if (sc === null && m instanceof CifarBasicBlock) return b.emit('relu', out); // plain network
  const identity = sc === null ? x : compile(sc, b, x);
  return b.emit('relu', b.emit('add', out, { src2: identity }));
}

registerCompiler(Conv2d, (m, b, x) => {
  const c = m as Conv2d;
  return b.emit('conv2d', x, {
    tensors: [c.weight, c.bias],
    ints: [c.stride, c.padding, c.dilation],
    scalars: [c.groups],
  });
});

registerCompiler(BatchNorm2d, (m, b, x) => {
  const bn = m as BatchNorm2d;
  const batchStats = bn.runningMean === null && bn.runningVar === null;
  if (bn.training && !batchStats) {
    throw new ArgumentError(
      'forwardAsync runs inference: call model.eval() first (training-mode batch norm updates its statistics)',
    );
  }
  return b.emit('batchNorm', x, {
    tensors: [bn.weight, bn.bias, bn.runningMean, bn.runningVar],
    scalars: [batchStats ? 1 : 0],
    numbers: [bn.eps, 0],
  });
});

registerCompiler(ReLU, (_m, b, x) => b.emit('relu', x));
registerCompiler(Identity, (_m, _b, x) => x);
registerCompiler(Dropout, (m, _b, x) => {
  if (m.training && (m as Dropout).p > 0)
    throw new ArgumentError('forwardAsync runs inference: call model.eval() first (dropout is active)');
  return x;
});
registerCompiler(MaxPool2d, (m, b, x) => {
  const p = m as MaxPool2d;
  return b.emit('maxPool2d', x, {
    ints: [p.kernelSize, p.stride, p.padding, p.dilation],
    scalars: [p.ceilMode ? 1 : 0],
  });
});
registerCompiler(AvgPool2d, (m, b, x) => {
  const p = m as AvgPool2d;
  return b.emit('avgPool2d', x, {
    ints: [p.kernelSize, p.stride, p.padding],
    scalars: [p.ceilMode ? 1 : 0, p.countIncludePad ? 1 : 0],
  });
});
registerCompiler(AdaptiveAvgPool2d, (m, b, x) =>
  b.emit('adaptiveAvgPool2d', x, { ints: [(m as AdaptiveAvgPool2d).outputSize] }),
);
registerCompiler(Flatten, (m, b, x) =>
  b.emit('flatten', x, { scalars: [(m as Flatten).startDim, (m as Flatten).endDim] }),
);
registerCompiler(Linear, (m, b, x) =>
  b.emit('linear', x, { tensors: [(m as Linear).weight, (m as Linear).bias] }),
);
registerCompiler(Sequential, (m, b, x) => (m as Sequential).children().reduce((r, c) => compile(c, b, r), x));

registerCompiler(BasicBlock, (m, b, x) =>
  residual(m, b, x, ['conv1', 'bn1', 'relu', 'conv2', 'bn2'], 'downsample'),
);
registerCompiler(Bottleneck, (m, b, x) =>
  residual(m, b, x, ['conv1', 'bn1', 'relu', 'conv2', 'bn2', 'relu', 'conv3', 'bn3'], 'downsample'),
);
registerCompiler(CifarBasicBlock, (m, b, x) =>
  residual(m, b, x, ['conv1', 'bn1', 'relu', 'conv2', 'bn2'], 'shortcut'),
);
registerCompiler(PadShortcut, (m, b, x) => {
  const p = m as PadShortcut;
  let r = x;
  // Subsample with the block's stride (slice to the end: libtorch clamps the bound).
  if (p.stride !== 1)
    for (const dim of [2, 3])
      r = b.emit('slice', r, { scalars: [dim, 0, Number.MAX_SAFE_INTEGER, p.stride] });
  return b.emit('pad', r, { ints: [[0, 0, 0, 0, p.padBefore, p.padAfter]], numbers: [0] });
});

const head = (m: Module, b: ProgramBuilder, r: number, fc: string) =>
  compile(m.getSubmodule(fc), b, b.emit('flatten', r, { scalars: [1, -1] }));
registerCompiler(ResNet, (m, b, x) =>
  head(
    m,
    b,
    series(m, b, x, ['conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2', 'layer3', 'layer4', 'avgpool']),
    'fc',
  ),
);
registerCompiler(CifarResNet, (m, b, x) =>
  head(m, b, series(m, b, x, ['conv1', 'bn1', 'relu', 'layer1', 'layer2', 'layer3', 'avgpool']), 'linear'),
);
