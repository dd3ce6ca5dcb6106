/**
 * `Module.loadStateDict`: match keys, check shapes, then copy in place. Every problem is
 * collected before anything is copied, so a strict load that fails leaves the module unchanged
 * (PyTorch copies what matches before raising; all-or-nothing is the safer contract).
 */
import { StateDictError, type StateDictProblems } from '../errors.js';
import { noGrad } from '../runtime.js';
import { Tensor } from '../tensor.js';
import { fail } from '../validate.js';
import type { Module } from './module.js';

/** A state dict as `stateDict()` or `load()` give it, or a Map of the same. */
export type StateDictInput = Readonly<Record<string, Tensor>> | ReadonlyMap<string, Tensor>;

/** What a non-strict `loadStateDict` could not load (all empty after a complete load). */
export type LoadStateDictResult = StateDictProblems;

function entriesOf(stateDict: unknown): Array<[string, Tensor]> {
  let entries: Array<[string, unknown]>;
  if (stateDict instanceof Map)
    entries = [...(stateDict as Map<unknown, unknown>)] as Array<[string, unknown]>;
  else if (stateDict !== null && typeof stateDict === 'object' && !Array.isArray(stateDict))
    entries = Object.entries(stateDict);
  else fail('stateDict', 'an object or a Map of Tensors by name', stateDict);
  for (const [key, value] of entries) {
    if (typeof key !== 'string') fail('stateDict', 'string keys', key);
    if (!(value instanceof Tensor)) fail(`stateDict["${key}"]`, 'a Tensor', value);
    if (value.isDisposed) fail(`stateDict["${key}"]`, 'a Tensor that is not disposed', value);
  }
  return entries as Array<[string, Tensor]>;
}

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;
const quoted = (keys: string[]): string => keys.map((k) => `"${k}"`).join(', ');

function message(module: Module, r: LoadStateDictResult): string {
  const lines = [`Error(s) in loading state dict for ${module.constructor.name}:`];
  if (r.missingKeys.length > 0)
    lines.push(`  missing keys (${r.missingKeys.length}): ${quoted(r.missingKeys)}`);
  if (r.unexpectedKeys.length > 0)
    lines.push(`  unexpected keys (${r.unexpectedKeys.length}): ${quoted(r.unexpectedKeys)}`);
  if (r.shapeMismatches.length > 0) {
    lines.push(`  shape mismatches (${r.shapeMismatches.length}):`);
    for (const m of r.shapeMismatches) {
      lines.push(
        `    "${m.key}": the state dict has ${shapeText(m.received)}, the module ${shapeText(m.expected)}`,
      );
    }
  }
  return lines.join('\n');
}

export function loadInto(module: Module, stateDict: StateDictInput, strict: boolean): LoadStateDictResult {
  const given = new Map(entriesOf(stateDict));
  const result: LoadStateDictResult = { missingKeys: [], unexpectedKeys: [], shapeMismatches: [] };
  const copies: Array<[Tensor, Tensor]> = [];
  const known = new Set<string>();
  for (const [key, target, owner] of module.stateEntries()) {
    known.add(key);
    const source = given.get(key);
    if (source === undefined) {
      // BatchNorm checkpoints from before PyTorch 0.4.1 have no num_batches_tracked: PyTorch
      // accepts them silently, and so do we (torchvision's older .pth files are such files).
      const local = key.slice(key.lastIndexOf('.') + 1);
      if (!owner.optionalStateKeys().includes(local)) result.missingKeys.push(key);
      continue;
    }
    if (shapeText(source.shape) !== shapeText(target.shape)) {
      result.shapeMismatches.push({ key, expected: [...target.shape], received: [...source.shape] });
      continue;
    }
    copies.push([target, source]);
  }
  for (const key of given.keys()) if (!known.has(key)) result.unexpectedKeys.push(key);
  const problems = result.missingKeys.length + result.unexpectedKeys.length + result.shapeMismatches.length;
  if (strict && problems > 0) throw new StateDictError(message(module, result), result);
  noGrad(() => {
    for (const [target, source] of copies) target.copy_(source);
  });
  return result;
}
