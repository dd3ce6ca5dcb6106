/**
 * A model's own description (architecture, structure, classes, channels) read from the module
 * itself, and a model rebuilt from such a description: the two directions of self-describing
 * weights.
 */
import { guessArch } from '../cli/arch_guess.js';
import { ArgumentError } from '../errors.js';
import { BasicBlock, Bottleneck } from '../models/blocks.js';
import { CifarResNet } from '../models/cifar_resnet.js';
import { ResNet } from '../models/resnet.js';
import type { Module } from '../nn/module.js';
import type { ArchConfig } from './metadata.js';

/** The architecture factories' names: a guessed name outside them is `custom`. */
const NAMED = new Set([
  'resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'resnext50_32x4d', 'resnext101_32x8d',
  'resnext101_64x4d', 'wide_resnet50_2', 'wide_resnet101_2', 'resnet20', 'resnet32', 'resnet44',
  'resnet56', 'resnet110', 'resnet1202',
]); // prettier-ignore

/** What the structure of `model` is, read from the module. */
export interface ModelShape {
  arch: string;
  archConfig: ArchConfig;
  numClasses: number;
  inChannels: number;
}

function shapeOf(model: Module, name: string): readonly number[] {
  const p = model.namedParameters().find(([n]) => n === name);
  if (p === undefined)
    throw new ArgumentError(`Expected the model to have a parameter ${name} but it has none`);
  return p[1].shape;
}

/** The structure of a torchvision `ResNet` or a CIFAR `CifarResNet` (the classifier may have been replaced). */
export function describeModel(model: Module): ModelShape {
  let archConfig: ArchConfig;
  let head: string;
  if (model instanceof ResNet) {
    archConfig = {
      family: 'resnet',
      block: model.block === (Bottleneck as unknown) ? 'Bottleneck' : 'BasicBlock',
      layers: [...model.layers],
      groups: model.groups,
      widthPerGroup: model.baseWidth,
      replaceStrideWithDilation: [...model.replaceStrideWithDilation],
    };
    head = 'fc';
  } else if (model instanceof CifarResNet) {
    archConfig = {
      family: 'cifar',
      blocksPerStage: model.blocksPerStage,
      shortcut: model.shortcut,
      plain: model.plain,
    };
    head = 'linear';
  } else {
    throw new ArgumentError(
      `Expected a ResNet or CifarResNet (the models that model files describe) but received a ${model?.constructor?.name ?? typeof model}`,
    );
  }
  const shapes = Object.fromEntries(model.namedParameters().map(([n, p]) => [n, { shape: p.shape }]));
  const guess = guessArch(shapes);
  const standard =
    guess !== undefined &&
    NAMED.has(guess) &&
    !(archConfig.family === 'resnet' && archConfig.replaceStrideWithDilation.some(Boolean));
  return {
    arch: standard ? guess : 'custom',
    archConfig,
    numClasses: shapeOf(model, `${head}.weight`)[0]!,
    inChannels: shapeOf(model, 'conv1.weight')[1]!,
  };
}

/** A freshly initialized model of `config` with `numClasses` outputs and `inChannels` input channels. */
export function buildFromConfig(config: ArchConfig, numClasses: number, inChannels: number): Module {
  if (config.family === 'cifar')
    return new CifarResNet(config.blocksPerStage, {
      numClasses,
      inChannels,
      shortcut: config.shortcut,
      plain: config.plain,
    });
  return new ResNet(config.block === 'Bottleneck' ? Bottleneck : BasicBlock, config.layers, {
    numClasses,
    inChannels,
    groups: config.groups,
    widthPerGroup: config.widthPerGroup,
    replaceStrideWithDilation: config.replaceStrideWithDilation,
  });
}
