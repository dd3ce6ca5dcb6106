/** The longer pieces of `Module`: tensor lookup and listing, moving (`to`), printing (`toString`). */
import { type DType, type Device, isDType, isDevice, isFloatingDType } from '../dtype.js';
import { resolveDevice } from '../device.js';
import { noGrad } from '../runtime.js';
import type { MemoryFormat, Tensor } from '../tensor.js';
import { ArgumentError } from '../errors.js';
import { handleOf } from '../tensor.js';
import { checkBool, checkOptions, fail } from '../validate.js';
import type { Module } from './module.js';

type Kind = 'parameter' | 'buffer';

/** Registration names: non-empty, no '.', which joins them into state-dict keys. */
export function checkName(name: unknown): string {
  if (typeof name !== 'string' || name === '' || name.includes('.')) {
    fail('name', "a non-empty string without '.'", name);
  }
  return name;
}

/** A parameter is a floating-point leaf; it is made trainable unless `requiresGrad: false`. */
export function checkParameter(name: string, tensor: Tensor, options: { requiresGrad?: boolean }): void {
  const o = checkOptions('options', options);
  handleOf(tensor, 'tensor');
  if (!isFloatingDType(tensor.dtype))
    fail('tensor', `a floating-point Tensor for parameter "${name}"`, tensor.dtype);
  if (!tensor.isLeaf) fail('tensor', `a leaf Tensor for parameter "${name}" (detach() it first)`, tensor);
  tensor.requiresGrad = o['requiresGrad'] === undefined ? true : checkBool('requiresGrad', o['requiresGrad']);
}

export const join = (prefix: string, name: string): string => (prefix === '' ? name : `${prefix}.${name}`);

/** Every tensor of a kind once (a shared one under its first name), in state-dict order. */
export function namedTensors(root: Module, kind: Kind, recurse: boolean): Array<[string, Tensor]> {
  const out: Array<[string, Tensor]> = [];
  const seen = new Set<Tensor>();
  const mods: Array<[string, Module]> = recurse ? root.namedModules() : [['', root]];
  for (const [prefix, m] of mods) {
    for (const [name, t] of m.ownSlots(kind)) {
      if (t === null || seen.has(t)) continue;
      seen.add(t);
      out.push([join(prefix, name), t]);
    }
  }
  return out;
}

/** The tensor at a dotted path (`layer1.0.bn1.weight`), as PyTorch's get_parameter/get_buffer. */
export function leafTensor(root: Module, target: string, kind: Kind): Tensor {
  if (typeof target !== 'string') fail('target', `a dotted ${kind} path`, target);
  const dot = target.lastIndexOf('.');
  const owner = root.getSubmodule(dot < 0 ? '' : target.slice(0, dot));
  const name = target.slice(dot + 1);
  const t = owner.ownSlots(kind).get(name);
  if (t === undefined || t === null) {
    throw new ArgumentError(`${owner.constructor.name} has no ${kind} "${name}" (looking up "${target}")`);
  }
  return t;
}

/**
 * Converts every parameter and buffer of `root`'s tree in place, as PyTorch's `module.to()`
 * (which assigns `param.data`): to a device, to a floating dtype (floating tensors only), or
 * to a memory format (4-D tensors only). The tensors keep their identity, so optimizers and
 * shared references stay valid; gradients are converted along.
 */
export function moveTensors(root: Module, target: DType | Device | MemoryFormat): void {
  const byDType = isDType(target);
  const byFormat = target === 'channels_last' || target === 'contiguous';
  if (!byDType && !byFormat && !isDevice(target)) {
    fail(
      'target',
      "a floating dtype, a device ('cpu', 'cuda:0') or a memory format ('channels_last')",
      target,
    );
  }
  if (byDType && !isFloatingDType(target)) {
    fail('target', 'a floating-point dtype (nn.Module.to converts only floating tensors)', target);
  }
  // Checked before anything moves (and for a module without tensors): a DeviceError that says
  // why CUDA cannot be used, not a half-moved module.
  const device = byDType || byFormat ? undefined : resolveDevice('target', target);
  const convert = (t: Tensor): Tensor | null => {
    if (byFormat) return t.ndim === 4 ? t.contiguous(target as MemoryFormat) : null;
    if (device !== undefined) return t.device === device ? null : t.to(device);
    return !isFloatingDType(t.dtype) || t.dtype === target ? null : t.to(target as DType);
  };
  const done = new Set<Tensor>();
  noGrad(() => {
    for (const m of root.modules()) {
      for (const slots of [m.ownSlots('parameter'), m.ownSlots('buffer')]) {
        for (const t of slots.values()) {
          if (t === null || done.has(t)) continue;
          done.add(t);
          const next = convert(t);
          if (next === null) continue;
          const grad = t.grad;
          t.setData_(next);
          next.dispose();
          if (grad !== null) {
            const g = convert(grad);
            t.grad = g ?? grad;
            g?.dispose();
            grad.dispose();
          }
        }
      }
    }
  });
}

/** PyTorch's module repr: `Name(extra)` with the children indented below. */
export function render(module: Module): string {
  const children = module.namedChildren();
  const head = `${module.constructor.name}(${module.extraRepr()}`;
  if (children.length === 0) return `${head})`;
  const lines = children.map(([name, m]) => `  (${name}): ${render(m).split('\n').join('\n  ')}`);
  return `${head}\n${lines.join('\n')}\n)`;
}
