/** `nn.Sequential`: children named '0', '1', ... run in order. */
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkInt, fail } from '../validate.js';
import { chain } from './chain.js';
import { Module } from './module.js';

/** Runs its children in order, as `nn.Sequential`; they are named '0', '1', ... (the state-dict keys PyTorch gives). */
export class Sequential extends Module implements Iterable<Module> {
  constructor(...modules: Module[]) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Adds a module at the end under the next index. Returns this. */
  append(module: Module): this {
    if (!(module instanceof Module)) fail('module', 'an nn.Module', module);
    this.registerModule(String(this.length), module);
    return this;
  }

  /** The number of child modules. */
  get length(): number {
    return this.children().length;
  }

  /** The i-th module; negative indices count from the end, as Python's seq[-1]. */
  at(index: number): Module {
    const i = checkInt('index', index);
    const children = this.children();
    const m = children[i < 0 ? children.length + i : i];
    if (m === undefined)
      throw new ArgumentError(
        `Expected an index in [-${children.length}, ${children.length - 1}] for index but received ${index}`,
      );
    return m;
  }

  /** Iterates over the child modules in order. */
  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }

  forward(x: Tensor): Tensor {
    return chain(x, this.children());
  }
}
