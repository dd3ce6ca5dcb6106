/**
 * The CIFAR-10 ResNets of He et al. 2015, section 4.2: a 3×3 stem with 16 filters, three stages
 * of n basic blocks with 16/32/64 filters on 32/16/8 maps (stride 2 at the first block of stages
 * 2 and 3), global average pooling and a linear classifier: 6n+2 weighted layers.
 *
 * Names, construction order and initialization follow the implementation most CIFAR
 * checkpoints come from (github.com/akamaster/pytorch_resnet_cifar10): `conv1`, `bn1`,
 * `layer1..3`, `linear`, and per block `conv1`, `bn1`, `conv2`, `bn2`, `shortcut`; weights of
 * convolutions and of the classifier drawn by kaiming_normal_ (fan_in).
 */
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkInt, checkOneOf, checkOptions } from '../validate.js';
import { AdaptiveAvgPool2d } from '../nn/adaptive_avg_pool2d.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import { chain } from '../nn/chain.js';
import { Conv2d } from '../nn/conv2d.js';
import { pad } from '../nn/functional.js';
import { Identity } from '../nn/identity.js';
import { constant_, kaimingNormal_ } from '../nn/init.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { bool, int, option } from '../nn/options.js';
import { ReLU } from '../nn/relu.js';
import { Sequential } from '../nn/sequential.js';

/** 'A': parameter-free (subsample, zero-pad the new channels); 'B': 1×1 projection + BN. */
export type CifarShortcut = 'A' | 'B';

/** Options of `CifarResNet` and the `resnet20`…`resnet1202` factories. */
export interface CifarResNetOptions {
  /** Outputs of the final linear classifier (default 10). */
  numClasses?: number;
  /** Channels of the input images (default 3; 1 for grayscale). */
  inChannels?: number;
  /** How blocks that change the shape connect their input (identity elsewhere). */
  shortcut?: CifarShortcut;
  /** No shortcuts at all: the paper's plain baselines. */
  plain?: boolean;
  /**
   * Each block's last batch norm starts at γ = 0, so every block starts as its shortcut
   * (torchvision's `zero_init_residual`, Goyal et al. 2017). Not for plain nets: their blocks
   * would start by outputting zeros (default false).
   */
  zeroInitResidual?: boolean;
}

/** Option A: x[:, :, ::stride, ::stride] with zero channels added on both sides. */
export class PadShortcut extends Module {
  readonly stride: number;
  readonly padBefore: number;
  readonly padAfter: number;

  constructor(stride: number, extraChannels: number) {
    super();
    this.stride = checkInt('stride', stride, 1);
    const extra = checkInt('extraChannels', extraChannels, 0);
    this.padBefore = Math.floor(extra / 2);
    this.padAfter = extra - this.padBefore;
  }

  forward(x: Tensor): Tensor {
    const s = this.stride;
    const [, , h = 0, w = 0] = x.shape;
    const steps = s === 1 ? [] : [(t: Tensor) => t.slice(2, 0, h, s), (t: Tensor) => t.slice(3, 0, w, s)];
    return chain(x, [...steps, (t) => pad(t, [0, 0, 0, 0, this.padBefore, this.padAfter])]);
  }

  override extraRepr(): string {
    return `stride=${this.stride}, pad=[${this.padBefore}, ${this.padAfter}]`;
  }
}

export type BlockShortcut = CifarShortcut | 'none';

export class CifarBasicBlock extends Module {
  readonly inPlanes: number;
  readonly planes: number;
  readonly stride: number;

  /** `shortcut: 'none'` is the plain network's block. */
  constructor(inPlanes: number, planes: number, stride: number, shortcut: BlockShortcut) {
    super();
    this.inPlanes = checkInt('inPlanes', inPlanes, 1);
    this.planes = checkInt('planes', planes, 1);
    this.stride = checkInt('stride', stride, 1);
    checkOneOf('shortcut', shortcut, ['A', 'B', 'none'] as const);
    this.registerModule('conv1', new Conv2d(inPlanes, planes, 3, { stride, padding: 1, bias: false }));
    this.registerModule('bn1', new BatchNorm2d(planes));
    this.registerModule('conv2', new Conv2d(planes, planes, 3, { stride: 1, padding: 1, bias: false }));
    this.registerModule('bn2', new BatchNorm2d(planes));
    const changes = stride !== 1 || inPlanes !== planes;
    let sc: Module | null = new Identity();
    if (shortcut === 'none') sc = null;
    else if (changes && shortcut === 'A') sc = new PadShortcut(stride, planes - inPlanes);
    else if (changes) {
      sc = new Sequential(new Conv2d(inPlanes, planes, 1, { stride, bias: false }), new BatchNorm2d(planes));
    }
    this.registerModule('shortcut', sc);
    this.registerModule('relu', new ReLU({ inplace: true }));
  }

  forward(x: Tensor): Tensor {
    const relu = this.child('relu');
    const out = chain(x, [
      this.child('conv1'),
      this.child('bn1'),
      relu,
      this.child('conv2'),
      this.child('bn2'),
    ]);
    const shortcut = this.childOrNull('shortcut');
    if (shortcut !== null) {
      const identity = shortcut.forward(x);
      out.add_(identity);
      if (identity !== x) identity.dispose();
    }
    return relu.forward(out);
  }
}

/** He et al.'s CIFAR-10 ResNet with `blocksPerStage` (n) basic blocks per stage: 6n+2 layers, for 32×32 inputs. */
export class CifarResNet extends Module {
  /** Blocks per stage (n); the depth is 6n+2. */
  readonly blocksPerStage: number;
  readonly numClasses: number;
  readonly inChannels: number;
  readonly shortcut: CifarShortcut;
  readonly plain: boolean;

  constructor(blocksPerStage: number, options: CifarResNetOptions = {}) {
    super();
    const o = checkOptions('options', options);
    this.blocksPerStage = checkInt('blocksPerStage', blocksPerStage, 1);
    this.numClasses = int(o, 'numClasses', 10, 1);
    this.inChannels = int(o, 'inChannels', 3, 1);
    this.shortcut = option(o, 'shortcut', 'A', (n, v) => checkOneOf(n, v, ['A', 'B'] as const));
    this.plain = bool(o, 'plain', false);
    const kind: BlockShortcut = this.plain ? 'none' : this.shortcut;

    let inPlanes = 16;
    const stage = (planes: number, stride: number): Sequential => {
      const blocks = new Sequential();
      for (let i = 0; i < this.blocksPerStage; i++) {
        blocks.append(new CifarBasicBlock(inPlanes, planes, i === 0 ? stride : 1, kind));
        inPlanes = planes;
      }
      return blocks;
    };
    this.registerModule('conv1', new Conv2d(this.inChannels, 16, 3, { stride: 1, padding: 1, bias: false }));
    this.registerModule('bn1', new BatchNorm2d(16));
    this.registerModule('relu', new ReLU({ inplace: true }));
    this.registerModule('layer1', stage(16, 1));
    this.registerModule('layer2', stage(32, 2));
    this.registerModule('layer3', stage(64, 2));
    this.registerModule('avgpool', new AdaptiveAvgPool2d(1));
    this.registerModule('linear', new Linear(64, this.numClasses));
    this.apply((m) => {
      if (m instanceof Conv2d || m instanceof Linear) kaimingNormal_(m.weight);
    });
    if (bool(o, 'zeroInitResidual', false)) {
      if (this.plain)
        throw new ArgumentError(
          'Expected zeroInitResidual only with shortcuts: a plain net whose blocks start at zero passes nothing on',
        );
      for (const [name, m] of this.namedModules())
        if (name.endsWith('.bn2') && m instanceof BatchNorm2d && m.weight !== null) constant_(m.weight, 0);
    }
  }

  /** Depth in weighted layers (6n+2), as the paper counts. */
  get depth(): number {
    return 6 * this.blocksPerStage + 2;
  }

  forward(x: Tensor): Tensor {
    const names = ['conv1', 'bn1', 'relu', 'layer1', 'layer2', 'layer3', 'avgpool'];
    return chain(x, [...names.map((n) => this.child(n)), (t: Tensor) => t.flatten(1), this.child('linear')]);
  }
}

const build = (n: number, options: CifarResNetOptions): CifarResNet => new CifarResNet(n, options);

/** The CIFAR ResNet-20 (n = 3). */
export const resnet20 = (options: CifarResNetOptions = {}): CifarResNet => build(3, options);
/** The CIFAR ResNet-32 (n = 5). */
export const resnet32 = (options: CifarResNetOptions = {}): CifarResNet => build(5, options);
/** The CIFAR ResNet-44 (n = 7). */
export const resnet44 = (options: CifarResNetOptions = {}): CifarResNet => build(7, options);
/** The CIFAR ResNet-56 (n = 9). */
export const resnet56 = (options: CifarResNetOptions = {}): CifarResNet => build(9, options);
/** The CIFAR ResNet-110 (n = 18). */
export const resnet110 = (options: CifarResNetOptions = {}): CifarResNet => build(18, options);
/** The CIFAR ResNet-1202 (n = 200). */
export const resnet1202 = (options: CifarResNetOptions = {}): CifarResNet => build(200, options);
