/** The residual networks: torchvision's ImageNet family and the CIFAR networks of the paper. */
export { BasicBlock, Bottleneck, conv1x1, conv3x3 } from './blocks.js';
export type { BlockClass, BlockOptions } from './blocks.js';
export {
  ResNet, resnet18, resnet34, resnet50, resnet101, resnet152, resnext50_32x4d, resnext101_32x8d,
  resnext101_64x4d, wide_resnet50_2, wide_resnet101_2,
} from './resnet.js'; // prettier-ignore
export type { ResNetOptions } from './resnet.js';
export type { PretrainedOptions, ResNetFactory } from './pretrained.js';
export {
  CifarResNet, CifarBasicBlock, PadShortcut, resnet20, resnet32, resnet44, resnet56, resnet110, resnet1202,
} from './cifar_resnet.js'; // prettier-ignore
export type { CifarResNetOptions, CifarShortcut } from './cifar_resnet.js';
