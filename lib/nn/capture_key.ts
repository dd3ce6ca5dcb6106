/**
 * The keys of captured programs: what a capture depends on besides the code itself. A cached
 * program is replayed only while its key is unchanged; otherwise the code is captured again.
 */
import { autocastKey } from '../amp/autocast.js';
import { native } from '../binding.js';
import { structureEpoch } from '../structure.js';
import type { Tensor } from '../tensor.js';
import type { Module } from './module.js';

const fingerprints = new WeakMap<Module, { epoch: number; value: string }>();
const tensorIds = new WeakMap<Tensor, number>();
let nextTensorId = 0;

function idOf(t: Tensor): number {
  let id = tensorIds.get(t);
  if (id === undefined) tensorIds.set(t, (id = nextTensorId++));
  return id;
}

/** @internal What a captured forward or training step depends on besides its input: modes, and which tensors, of what kind. */
export function fingerprint(module: Module): string {
  const epoch = structureEpoch();
  const cached = fingerprints.get(module);
  if (cached?.epoch === epoch) return cached.value;
  const parts: string[] = [];
  for (const [name, m] of module.namedModules()) parts.push(`${name}:${m.training ? 't' : 'e'}`);
  for (const [name, t] of [...module.namedParameters(), ...module.namedBuffers()])
    parts.push(`${name}#${idOf(t)}:${t.dtype}:${t.device}:${t.requiresGrad ? 1 : 0}:${t.shape.join('x')}`);
  const value = parts.join('|');
  fingerprints.set(module, { epoch, value });
  return value;
}

/**
 * @internal The thread's autocast state: a program replays under the state it was captured in
 * (native/capture.cc), so one captured without autocast must not serve a call under it.
 */
export function modeKey(): string {
  return autocastKey();
}

/** @internal An input's shape, strides, dtype, device and requiresGrad. */
export function signature(x: Tensor): string {
  const h = x._h;
  return `${x.shape.join('x')}/${native.strides(h).join(',')}:${x.dtype}:${x.device}:${x.requiresGrad ? 1 : 0}`;
}
