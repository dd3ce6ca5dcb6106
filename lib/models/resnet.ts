/**
 * torchvision's ResNet family (models/resnet.py of torchvision 0.14): the same modules under
 * the same names, built in the same order and initialized the same way, so that state-dict
 * keys are torchvision's and, after the same `manualSeed`, so are the initial weights.
 */
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkBool, checkInt, checkOptions, fail } from '../validate.js';
import { AdaptiveAvgPool2d } from '../nn/adaptive_avg_pool2d.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import { chain } from '../nn/chain.js';
import { Conv2d } from '../nn/conv2d.js';
import { constant_, kaimingNormal_ } from '../nn/init.js';
import { Linear } from '../nn/linear.js';
import { MaxPool2d } from '../nn/max_pool2d.js';
import { Module } from '../nn/module.js';
import { bool, int, option } from '../nn/options.js';
import { ReLU } from '../nn/relu.js';
import { Sequential } from '../nn/sequential.js';
import { BasicBlock, type BlockClass, Bottleneck, conv1x1 } from './blocks.js';
import { pretrainable, type ResNetFactory } from './pretrained.js';

/** Options of `ResNet` and the torchvision factories (`resnet18({ numClasses: 10 })`). */
export interface ResNetOptions {
  /** Outputs of the final linear classifier (default 1000, ImageNet's classes). */
  numClasses?: number;
  /** Start each residual branch at zero (its last BN weight 0), Goyal et al. 2017. */
  zeroInitResidual?: boolean;
  /** Groups of the 3×3 convolutions in bottleneck blocks (default 1; 32 or 64 for ResNeXt). */
  groups?: number;
  /** Channels per group of the bottleneck's inner convolutions (default 64; 128 for Wide ResNet). */
  widthPerGroup?: number;
  /** Per stage 2..4: dilate instead of striding (for dense prediction). */
  replaceStrideWithDilation?: readonly [boolean, boolean, boolean];
  /** Channels of the input images (3 for RGB, 1 for grayscale). */
  inChannels?: number;
}

/** What `makeLayer` threads from one stage to the next (torchvision keeps it on `self`). */
interface StageState {
  inplanes: number;
  dilation: number;
}

function makeLayer(
  block: BlockClass,
  state: StageState,
  planes: number,
  blocks: number,
  config: { stride: number; dilate: boolean; groups: number; baseWidth: number },
): Sequential {
  let stride = config.stride;
  const previousDilation = state.dilation;
  if (config.dilate) {
    state.dilation *= stride;
    stride = 1;
  }
  const out = planes * block.expansion;
  // Built before the block, as torchvision does: the order of random draws follows.
  const downsample =
    stride !== 1 || state.inplanes !== out
      ? new Sequential(conv1x1(state.inplanes, out, stride), new BatchNorm2d(out))
      : null;
  const { groups, baseWidth } = config;
  const layers = [
    new block(state.inplanes, planes, { stride, downsample, groups, baseWidth, dilation: previousDilation }),
  ];
  state.inplanes = out;
  for (let i = 1; i < blocks; i++) {
    layers.push(new block(state.inplanes, planes, { groups, baseWidth, dilation: state.dilation }));
  }
  return new Sequential(...layers);
}

function checkBlock(block: unknown): BlockClass {
  const ok =
    typeof block === 'function' &&
    block.prototype instanceof Module &&
    Number.isSafeInteger((block as { expansion?: unknown }).expansion);
  if (!ok) fail('block', 'a block class with an integer expansion (BasicBlock, Bottleneck)', block);
  return block as BlockClass;
}

function checkLayers(layers: unknown): [number, number, number, number] {
  if (!Array.isArray(layers) || layers.length !== 4)
    fail('layers', 'an array of 4 positive integers', layers);
  return layers.map((n, i) => checkInt(`layers[${i}]`, n, 1)) as [number, number, number, number];
}

/** torchvision's `ResNet`: a 7×7 stem, max pool, four stages of `block` (`layers[i]` blocks each), global average pooling and the `fc` classifier, with torchvision's module names and initialization. */
export class ResNet extends Module {
  readonly block: BlockClass;
  readonly layers: readonly [number, number, number, number];
  readonly numClasses: number;
  readonly groups: number;
  readonly baseWidth: number;
  readonly inChannels: number;
  readonly replaceStrideWithDilation: readonly [boolean, boolean, boolean];

  constructor(block: BlockClass, layers: readonly number[], options: ResNetOptions = {}) {
    super();
    const o = checkOptions('options', options);
    this.block = checkBlock(block);
    this.layers = checkLayers(layers);
    this.numClasses = int(o, 'numClasses', 1000, 1);
    this.groups = int(o, 'groups', 1, 1);
    this.baseWidth = int(o, 'widthPerGroup', 64, 1);
    this.inChannels = int(o, 'inChannels', 3, 1);
    const dilate = option<[boolean, boolean, boolean]>(
      o,
      'replaceStrideWithDilation',
      [false, false, false],
      (name, v) => {
        if (!Array.isArray(v) || v.length !== 3) fail(name, 'an array of 3 booleans', v);
        return v.map((b, i) => checkBool(`${name}[${i}]`, b)) as [boolean, boolean, boolean];
      },
    );
    this.replaceStrideWithDilation = dilate;

    const state: StageState = { inplanes: 64, dilation: 1 };
    const stage = (stride: number, d: boolean) => ({
      stride,
      dilate: d,
      groups: this.groups,
      baseWidth: this.baseWidth,
    });
    this.registerModule('conv1', new Conv2d(this.inChannels, 64, 7, { stride: 2, padding: 3, bias: false }));
    this.registerModule('bn1', new BatchNorm2d(64));
    this.registerModule('relu', new ReLU({ inplace: true }));
    this.registerModule('maxpool', new MaxPool2d(3, { stride: 2, padding: 1 }));
    this.registerModule('layer1', makeLayer(block, state, 64, this.layers[0], stage(1, false)));
    this.registerModule('layer2', makeLayer(block, state, 128, this.layers[1], stage(2, dilate[0])));
    this.registerModule('layer3', makeLayer(block, state, 256, this.layers[2], stage(2, dilate[1])));
    this.registerModule('layer4', makeLayer(block, state, 512, this.layers[3], stage(2, dilate[2])));
    this.registerModule('avgpool', new AdaptiveAvgPool2d([1, 1]));
    this.registerModule('fc', new Linear(512 * block.expansion, this.numClasses));

    for (const m of this.modules()) {
      if (m instanceof Conv2d) {
        kaimingNormal_(m.weight, { mode: 'fanOut', nonlinearity: 'relu' });
      } else if (m instanceof BatchNorm2d) {
        if (m.weight !== null) constant_(m.weight, 1);
        if (m.bias !== null) constant_(m.bias, 0);
      }
    }
    // Each residual block then starts as the identity (Goyal et al. 2017, +0.2~0.3% top-1).
    if (bool(o, 'zeroInitResidual', false)) {
      for (const m of this.modules()) {
        const lastBN = m instanceof Bottleneck ? m.bn3 : m instanceof BasicBlock ? m.bn2 : null;
        if (lastBN?.weight) constant_(lastBN.weight, 0);
      }
    }
  }

  get conv1(): Conv2d {
    return this.child('conv1');
  }
  get bn1(): BatchNorm2d {
    return this.child('bn1');
  }
  get layer1(): Sequential {
    return this.child('layer1');
  }
  get layer2(): Sequential {
    return this.child('layer2');
  }
  get layer3(): Sequential {
    return this.child('layer3');
  }
  get layer4(): Sequential {
    return this.child('layer4');
  }
  /** The classifier (replace it with `registerModule('fc', new nn.Linear(...))` to fine-tune). */
  get fc(): Module {
    return this.child('fc');
  }

  forward(x: Tensor): Tensor {
    const names = ['conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2', 'layer3', 'layer4', 'avgpool'];
    return chain(x, [...names.map((n) => this.child(n)), (t: Tensor) => t.flatten(1), this.fc]);
  }
}

/** torchvision's `_ovewrite_named_param`: a factory's fixed option may be repeated, not changed. */
function fixed(
  options: ResNetOptions,
  values: Partial<Record<'groups' | 'widthPerGroup', number>>,
): ResNetOptions {
  const o = checkOptions('options', options);
  for (const [key, value] of Object.entries(values)) {
    if (o[key] !== undefined && o[key] !== value) {
      throw new ArgumentError(
        `The parameter '${key}' expected value ${value} but got ${String(o[key])} instead.`,
      );
    }
  }
  return { ...o, ...values } as ResNetOptions;
}

const build = (block: BlockClass, layers: readonly number[], options: ResNetOptions, fix = {}): ResNet =>
  new ResNet(block, layers, fixed(options, fix));

/**
 * ResNet-18 (BasicBlock, [2, 2, 2, 2]), as `torchvision.models.resnet18`; randomly initialized,
 * or, with `{ weights: 'IMAGENET1K_V1' }` (any name of torchvision's `ResNet18_Weights`, or
 * 'DEFAULT'), a Promise of the model with those weights (downloaded into the cache once). The
 * same holds for every factory below.
 */
export const resnet18: ResNetFactory = pretrainable('resnet18', (o) => build(BasicBlock, [2, 2, 2, 2], o));
/** ResNet-34 (BasicBlock, [3, 4, 6, 3]), as `torchvision.models.resnet34`. */
export const resnet34: ResNetFactory = pretrainable('resnet34', (o) => build(BasicBlock, [3, 4, 6, 3], o));
/** ResNet-50 (Bottleneck, [3, 4, 6, 3]), as `torchvision.models.resnet50`; `{ weights: 'IMAGENET1K_V2' }` loads torchvision's. */
export const resnet50: ResNetFactory = pretrainable('resnet50', (o) => build(Bottleneck, [3, 4, 6, 3], o));
/** ResNet-101 (Bottleneck, [3, 4, 23, 3]), as `torchvision.models.resnet101`. */
export const resnet101: ResNetFactory = pretrainable('resnet101', (o) => build(Bottleneck, [3, 4, 23, 3], o));
/** ResNet-152 (Bottleneck, [3, 8, 36, 3]), as `torchvision.models.resnet152`. */
export const resnet152: ResNetFactory = pretrainable('resnet152', (o) => build(Bottleneck, [3, 8, 36, 3], o));
/** ResNeXt-50 32×4d (Bottleneck, [3, 4, 6, 3], 32 groups of width 4), as torchvision's. */
export const resnext50_32x4d: ResNetFactory = pretrainable('resnext50_32x4d', (o) =>
  build(Bottleneck, [3, 4, 6, 3], o, { groups: 32, widthPerGroup: 4 }),
);
/** ResNeXt-101 32×8d (Bottleneck, [3, 4, 23, 3], 32 groups of width 8), as torchvision's. */
export const resnext101_32x8d: ResNetFactory = pretrainable('resnext101_32x8d', (o) =>
  build(Bottleneck, [3, 4, 23, 3], o, { groups: 32, widthPerGroup: 8 }),
);
/** ResNeXt-101 64×4d (Bottleneck, [3, 4, 23, 3], 64 groups of width 4), as torchvision's. */
export const resnext101_64x4d: ResNetFactory = pretrainable('resnext101_64x4d', (o) =>
  build(Bottleneck, [3, 4, 23, 3], o, { groups: 64, widthPerGroup: 4 }),
);
/** Wide ResNet-50-2 (Bottleneck, [3, 4, 6, 3], inner width doubled), as torchvision's. */
export const wide_resnet50_2: ResNetFactory = pretrainable('wide_resnet50_2', (o) =>
  build(Bottleneck, [3, 4, 6, 3], o, { widthPerGroup: 64 * 2 }),
);
/** Wide ResNet-101-2 (Bottleneck, [3, 4, 23, 3], inner width doubled), as torchvision's. */
export const wide_resnet101_2: ResNetFactory = pretrainable('wide_resnet101_2', (o) =>
  build(Bottleneck, [3, 4, 23, 3], o, { widthPerGroup: 64 * 2 }),
);
