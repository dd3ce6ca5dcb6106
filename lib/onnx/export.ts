/**
 * `exportOnnx`: a ResNet of either family as an ONNX model (opset 13), so that onnxruntime,
 * TensorRT or OpenVINO can run it. The graph is written from the module tree (the same modules
 * `forward` runs), one node per operation; protobufjs encodes it.
 */
import { describe } from '../describe.js';
import { ArgumentError } from '../errors.js';
import { writeFileAtomic } from '../io/file.js';
import { BasicBlock, Bottleneck } from '../models/blocks.js';
import { CifarBasicBlock, CifarResNet, PadShortcut } from '../models/cifar_resnet.js';
import { ResNet } from '../models/resnet.js';
import { Identity } from '../nn/identity.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { checkIntList } from '../validate.js';
import { version } from '../version.js';
import { OnnxGraph } from './graph.js';
import * as L from './layers.js';
import { DataType, modelProto } from './schema.js';

/** Options of `exportOnnx`. */
export interface ExportOnnxOptions {
  /** The input's shape [N, C, H, W] (default [1, inChannels, 224, 224]; H and W are recorded, any size runs). */
  inputShape?: readonly [number, number, number, number];
  /** A symbolic batch dimension (`batch`) instead of N (default true). */
  dynamicBatch?: boolean;
  /** Fold each BatchNormalization into the convolution before it (default false: BatchNormalization nodes). */
  foldBatchNorm?: boolean;
}

const child = (m: Module, name: string): Module | null =>
  m.namedChildren().find(([n]) => n === name)?.[1] ?? null;

function block(e: L.Emit, name: string, m: Module, x: string): string {
  const c = (n: string) => child(m, n);
  let out: string;
  let shortcut: string;
  if (m instanceof BasicBlock || m instanceof Bottleneck || m instanceof CifarBasicBlock) {
    const convs = m instanceof Bottleneck ? ['1', '2', '3'] : ['1', '2'];
    out = x;
    convs.forEach((i, k) => {
      const conv = L.expect(c(`conv${i}`), L.Conv2d, `${name}.conv${i}`);
      out = L.convBn(
        e,
        `${name}.conv${i}`,
        conv,
        L.expect(c(`bn${i}`), L.BatchNorm2d, `${name}.bn${i}`),
        out,
      );
      if (k < convs.length - 1) out = L.relu(e, out);
    });
    const sc = m instanceof CifarBasicBlock ? c('shortcut') : c('downsample');
    const scName = `${name}.${m instanceof CifarBasicBlock ? 'shortcut' : 'downsample'}`;
    if (sc === null) {
      if (m instanceof CifarBasicBlock) return L.relu(e, out); // the plain network: no shortcut
      shortcut = x;
    } else if (sc instanceof Identity) shortcut = x;
    else if (sc instanceof PadShortcut) shortcut = L.padShortcut(e, sc.stride, sc.padBefore, sc.padAfter, x);
    else if (sc instanceof Sequential) {
      const [conv, bn] = sc.children();
      shortcut = L.convBn(
        e,
        `${scName}.0`,
        L.expect(conv ?? null, L.Conv2d, `${scName}.0`),
        L.expect(bn ?? null, L.BatchNorm2d, `${scName}.1`),
        x,
        `${scName}.1`,
      );
    } else throw new ArgumentError(`Cannot export the shortcut ${scName}: a ${sc.constructor.name}`);
    return L.relu(e, e.graph.node('Add', [out, shortcut]));
  }
  throw new ArgumentError(`Cannot export ${name}: a ${m.constructor.name} (expected a ResNet block)`);
}

function stages(e: L.Emit, m: Module, names: string[], x: string): string {
  let out = x;
  for (const s of names) {
    const seq = L.expect(child(m, s), Sequential, s);
    seq.namedChildren().forEach(([i, b]) => (out = block(e, `${s}.${i}`, b, out)));
  }
  return out;
}

/** The graph of `model` from input `x` to the logits. */
function network(e: L.Emit, model: Module, x: string): string {
  if (!(model instanceof ResNet || model instanceof CifarResNet))
    throw new ArgumentError(
      `exportOnnx exports the ResNet family (ResNet, CifarResNet) but received ${describe(model)}`,
    );
  const stem = (name: string) => L.expect(child(model, name), L.Conv2d, name);
  const bn1 = L.expect(child(model, 'bn1'), L.BatchNorm2d, 'bn1');
  const pool = L.expect(child(model, 'avgpool'), L.AdaptiveAvgPool2d, 'avgpool');
  if (model instanceof ResNet) {
    let y = L.relu(e, L.convBn(e, 'conv1', stem('conv1'), bn1, x));
    y = L.maxPool(e, L.expect(child(model, 'maxpool'), L.MaxPool2d, 'maxpool'), y);
    y = stages(e, model, ['layer1', 'layer2', 'layer3', 'layer4'], y);
    return L.head(e, 'fc', pool, model.fc, y);
  }
  if (model instanceof CifarResNet) {
    const y = stages(
      e,
      model,
      ['layer1', 'layer2', 'layer3'],
      L.relu(e, L.convBn(e, 'conv1', stem('conv1'), bn1, x)),
    );
    return L.head(e, 'linear', pool, L.expect(child(model, 'linear'), Linear, 'linear'), y);
  }
  throw new ArgumentError(
    `exportOnnx exports the ResNet family (ResNet, CifarResNet) but received ${describe(model)}`,
  );
}

function valueInfo(name: string, dims: ReadonlyArray<number | string>) {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) },
      },
    },
  };
}

/** The ONNX model of `model` (opset 13) as protobuf bytes. */
export function toOnnx(model: Module, options: ExportOnnxOptions = {}): Uint8Array {
  const conv1 = child(model, 'conv1');
  const inChannels = conv1 instanceof L.Conv2d ? conv1.inChannels : 3;
  const shape = checkIntList('inputShape', options.inputShape ?? [1, inChannels, 224, 224], 4, 1);
  if (shape[1] !== inChannels)
    throw new ArgumentError(
      `Expected inputShape[1] to be the model's ${inChannels} input channels but received ${shape[1]}`,
    );
  const e: L.Emit = { graph: new OnnxGraph(), foldBatchNorm: options.foldBatchNorm ?? false };
  const logits = network(e, model, 'input');
  const fc = child(model, model instanceof ResNet ? 'fc' : 'linear') as { outFeatures?: number } | null;
  const batch = (options.dynamicBatch ?? true) ? 'batch' : shape[0]!;
  const Model = modelProto();
  const message = Model.fromObject({
    ir_version: 7,
    opset_import: [{ domain: '', version: 13 }],
    producer_name: 'resnet-native',
    producer_version: version.resnetNative,
    graph: {
      name: model.constructor.name,
      node: e.graph.nodes,
      initializer: e.graph.initializers,
      input: [valueInfo('input', [batch, ...shape.slice(1)])],
      output: [valueInfo(logits, [batch, fc?.outFeatures ?? 0])],
    },
  });
  return Model.encode(message).finish();
}

/**
 * Writes `model` (a ResNet or CifarResNet, in eval mode: batch norm uses its running
 * statistics) as an ONNX file at `path`, atomically. The input is named `input`, the output
 * `logits`.
 */
export async function exportOnnx(
  model: Module,
  path: string,
  options: ExportOnnxOptions = {},
): Promise<void> {
  if (typeof path !== 'string' || path.length === 0)
    throw new ArgumentError(`Expected a file path for path but received ${describe(path)}`);
  await writeFileAtomic(path, [toOnnx(model, options)]);
}
