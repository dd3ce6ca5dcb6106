/**
 * The residual blocks of torchvision's `models/resnet.py` (0.14), with its attribute names and
 * registration order, so state-dict keys and the order of random draws at construction are
 * torchvision's.
 */
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkInt, checkOptions, fail } from '../validate.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import { chain } from '../nn/chain.js';
import { Conv2d } from '../nn/conv2d.js';
import { Module } from '../nn/module.js';
import { int } from '../nn/options.js';
import { ReLU } from '../nn/relu.js';

/** 3×3 convolution with padding (= dilation), no bias: it always feeds a BatchNorm. */
export function conv3x3(inPlanes: number, outPlanes: number, stride = 1, groups = 1, dilation = 1): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 3, { stride, padding: dilation, groups, bias: false, dilation });
}

/** 1×1 convolution, no padding, no bias. */
export function conv1x1(inPlanes: number, outPlanes: number, stride = 1): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 1, { stride, bias: false });
}

/** Options of `BasicBlock` and `Bottleneck`, as torchvision's block constructors. */
export interface BlockOptions {
  /** Stride of the block's strided convolution (default 1). */
  stride?: number;
  /** Projection for the shortcut when the shape changes (torchvision: Sequential(conv1x1, bn)). */
  downsample?: Module | null;
  /** Groups of the 3×3 convolution (default 1; only Bottleneck supports more). */
  groups?: number;
  /** Channels per group (default 64; only Bottleneck supports other values). */
  baseWidth?: number;
  /** Dilation of the 3×3 convolution (default 1; only Bottleneck supports more). */
  dilation?: number;
}

interface ResolvedBlockOptions {
  stride: number;
  downsample: Module | null;
  groups: number;
  baseWidth: number;
  dilation: number;
}

function resolve(options: BlockOptions): ResolvedBlockOptions {
  const o = checkOptions('options', options);
  const downsample = o['downsample'] ?? null;
  if (downsample !== null && !(downsample instanceof Module))
    fail('downsample', 'an nn.Module or null', downsample);
  return {
    stride: int(o, 'stride', 1, 1),
    downsample,
    groups: int(o, 'groups', 1, 1),
    baseWidth: int(o, 'baseWidth', 64, 1),
    dilation: int(o, 'dilation', 1, 1),
  };
}

/** A block class as ResNet takes it: `expansion` and torchvision's constructor. */
export interface BlockClass {
  readonly expansion: number;
  new (inplanes: number, planes: number, options?: BlockOptions): Module;
}

/** Adds the shortcut to the residual branch in place and applies the final ReLU. */
function addShortcut(out: Tensor, x: Tensor, downsample: Module | null, relu: Module): Tensor {
  if (downsample === null) {
    out.add_(x);
  } else {
    const identity = downsample.forward(x);
    out.add_(identity);
    if (identity !== x) identity.dispose();
  }
  return relu.forward(out);
}

/** Two 3×3 convolutions (ResNet-18/34). */
export class BasicBlock extends Module {
  static readonly expansion: number = 1;
  readonly inplanes: number;
  readonly planes: number;
  readonly stride: number;

  constructor(inplanes: number, planes: number, options: BlockOptions = {}) {
    super();
    const o = resolve(options);
    this.inplanes = checkInt('inplanes', inplanes, 1);
    this.planes = checkInt('planes', planes, 1);
    if (o.groups !== 1 || o.baseWidth !== 64)
      throw new ArgumentError('BasicBlock only supports groups=1 and baseWidth=64');
    if (o.dilation > 1) throw new ArgumentError('Dilation > 1 not supported in BasicBlock');
    this.stride = o.stride;
    // Both conv1 and downsample reduce the resolution when stride != 1.
    this.registerModule('conv1', conv3x3(inplanes, planes, o.stride));
    this.registerModule('bn1', new BatchNorm2d(planes));
    this.registerModule('relu', new ReLU({ inplace: true }));
    this.registerModule('conv2', conv3x3(planes, planes));
    this.registerModule('bn2', new BatchNorm2d(planes));
    this.registerModule('downsample', o.downsample);
  }

  get conv1(): Conv2d {
    return this.child('conv1');
  }
  get bn1(): BatchNorm2d {
    return this.child('bn1');
  }
  get conv2(): Conv2d {
    return this.child('conv2');
  }
  get bn2(): BatchNorm2d {
    return this.child('bn2');
  }
  get downsample(): Module | null {
    return this.childOrNull('downsample');
  }

  forward(x: Tensor): Tensor {
    const relu = this.child('relu');
    const out = chain(x, [this.conv1, this.bn1, relu, this.conv2, this.bn2]);
    return addShortcut(out, x, this.downsample, relu);
  }
}

/**
 * 1×1 reduce, 3×3 (grouped, dilated), 1×1 expand ×4 (ResNet-50 and up). The stride sits on the
 * 3×3 conv2, not on conv1 as in the paper: torchvision's "ResNet v1.5".
 */
export class Bottleneck extends Module {
  static readonly expansion: number = 4;
  readonly inplanes: number;
  readonly planes: number;
  readonly stride: number;
  /** Channels of the inner convolutions: planes · baseWidth/64 · groups. */
  readonly width: number;

  constructor(inplanes: number, planes: number, options: BlockOptions = {}) {
    super();
    const o = resolve(options);
    this.inplanes = checkInt('inplanes', inplanes, 1);
    this.planes = checkInt('planes', planes, 1);
    this.stride = o.stride;
    const width = Math.trunc(planes * (o.baseWidth / 64.0)) * o.groups;
    if (width < 1)
      throw new ArgumentError(`Bottleneck width planes·baseWidth/64·groups must be >= 1 (got ${width})`);
    this.width = width;
    const out = planes * Bottleneck.expansion;
    this.registerModule('conv1', conv1x1(inplanes, width));
    this.registerModule('bn1', new BatchNorm2d(width));
    this.registerModule('conv2', conv3x3(width, width, o.stride, o.groups, o.dilation));
    this.registerModule('bn2', new BatchNorm2d(width));
    this.registerModule('conv3', conv1x1(width, out));
    this.registerModule('bn3', new BatchNorm2d(out));
    this.registerModule('relu', new ReLU({ inplace: true }));
    this.registerModule('downsample', o.downsample);
  }

  get conv1(): Conv2d {
    return this.child('conv1');
  }
  get bn1(): BatchNorm2d {
    return this.child('bn1');
  }
  get conv2(): Conv2d {
    return this.child('conv2');
  }
  get bn2(): BatchNorm2d {
    return this.child('bn2');
  }
  get conv3(): Conv2d {
    return this.child('conv3');
  }
  get bn3(): BatchNorm2d {
    return this.child('bn3');
  }
  get downsample(): Module | null {
    return this.childOrNull('downsample');
  }

  forward(x: Tensor): Tensor {
    const relu = this.child('relu');
    const out = chain(x, [this.conv1, this.bn1, relu, this.conv2, this.bn2, relu, this.conv3, this.bn3]);
    return addShortcut(out, x, this.downsample, relu);
  }
}
