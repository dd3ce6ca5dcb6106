/**
 * `nn.Module`: a tree of named parameters, buffers and submodules, as `torch.nn.Module`.
 *
 * Everything is registered explicitly under a string name (no attribute magic), so state-dict
 * keys are exactly the registration names joined with '.', in registration order: PyTorch's keys
 * for a module built in PyTorch's order. Layers read their tensors back through the registry
 * (getters), never from private copies, so that `to()` and `registerModule()` replacements are
 * seen by `forward`.
 */
import '../tensor_methods/math.js';
import '../tensor_methods/reduce.js';
import '../tensor_methods/shape.js';

import type { DType, Device } from '../dtype.js';
import { ArgumentError } from '../errors.js';
import { type MemoryFormat, Tensor, handleOf } from '../tensor.js';
import { checkBool, checkOptions, fail } from '../validate.js';
import * as util from './module_utils.js';
import { structureChanged } from '../structure.js';
import { withCallSite } from '../call_site.js';
import { persist } from '../scope.js';
import {
  type ForwardAsyncOptions,
  clearCaptures,
  forwardAsync,
  optimizeForInference,
} from './captured_forward.js';
import { type LoadStateDictResult, type StateDictInput, loadInto } from './state_dict.js';

export type { LoadStateDictResult, StateDictInput } from './state_dict.js';
export type { ShapeMismatch } from '../errors.js';

/** Base class of layers and models, as `torch.nn.Module`: a tree of named parameters, buffers and submodules, with state dicts, train/eval modes and device moves. Subclasses register their tensors and children in the constructor and implement `forward`. */
export abstract class Module {
  #training = true;
  readonly #parameters = new Map<string, Tensor | null>();
  readonly #buffers = new Map<string, Tensor | null>();
  readonly #nonPersistent = new Set<string>();
  readonly #modules = new Map<string, Module | null>();

  /** The computation. Subclasses implement it; call it directly or through `call`. */
  abstract forward(x: Tensor): Tensor;

  /**
   * Inference off the JavaScript thread: the same result as `noGrad(() => forward(x))` (call
   * `eval()` first for batch norm's running statistics). The first call for an input signature
   * (shape, strides, dtype, device) and module state (modes, parameters) runs `forward` eagerly
   * while the addon captures its ops; later calls replay them on the addon's executor thread,
   * so the event loop keeps serving while the network runs. Any module works, user subclasses
   * included. A `forward` that reads tensor values into JavaScript (`item()`, `dataSync()`)
   * cannot be captured and is refused. Numbers that `forward` reads from plain JavaScript
   * fields are baked into the capture: call `clearCaptures()` after changing them.
   *
   * Replays take the inference fast path unless `{ fastPath: false }`: batch norm folded into
   * the convolution before it, ReLU and residual adds fused into the convolution, weights
   * prepacked once (and again whenever they change), outputs buffers reused. Results equal
   * the eager forward's within float32 rounding. Under `autocast` the plain replay runs (the fused
   * convolutions are float32).
   */
  forwardAsync(x: Tensor, options: ForwardAsyncOptions = {}): Promise<Tensor> {
    // The caller's stack on errors: the capture's own frames can fill V8's ten-frame limit.
    return withCallSite('forwardAsync', () => forwardAsync(this, x, options));
  }

  /**
   * Makes the synchronous `forward` take the inference fast path (as PyTorch's
   * `torch.jit.optimize_for_inference`): in eval mode, each input signature is captured once and
   * then replayed on this thread through the fused program that `forwardAsync` uses. Results
   * equal the eager forward's within float32 rounding and record no gradients. Training mode,
   * an input that requires grad, or a capture under way run the eager forward. Weight changes
   * (optimizer steps, `loadStateDict`, in-place edits) are picked up on the next call.
   * Returns the module.
   */
  optimizeForInference(): this {
    optimizeForInference(this);
    return this;
  }

  /** Drops the programs that `forwardAsync` captured for this module (they are captured again when needed). */
  clearCaptures(): void {
    clearCaptures(this);
  }

  /** Same as `forward(x)` (PyTorch's `module(x)`). */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }

  /** Whether the module is in training mode (set by `train()` and `eval()`). */
  get training(): boolean {
    return this.#training;
  }

  // ---- registration ----

  #claim(name: unknown, kind: 'parameter' | 'buffer' | 'module'): string {
    const n = util.checkName(name);
    const owners = { parameter: this.#parameters, buffer: this.#buffers, module: this.#modules };
    for (const [other, map] of Object.entries(owners)) {
      if (other !== kind && map.has(n)) {
        throw new ArgumentError(`Cannot register ${kind} "${n}": the name is already used by a ${other}`);
      }
    }
    return n;
  }

  /**
   * Registers a trainable tensor (PyTorch's `register_parameter` of an `nn.Parameter`). It must
   * be a floating-point leaf; `requiresGrad` is set on it unless `{ requiresGrad: false }`.
   * Registering an existing parameter name replaces it. Returns the tensor.
   */
  registerParameter<T extends Tensor | null>(
    name: string,
    tensor: T,
    options: { requiresGrad?: boolean } = {},
  ): T {
    const n = this.#claim(name, 'parameter');
    if (tensor !== null) util.checkParameter(n, tensor, options);
    this.#parameters.set(n, tensor);
    if (tensor !== null) persist(tensor); // owned by the module, not by an open tidy()
    structureChanged();
    return tensor;
  }

  /**
   * Registers a state tensor that is not trained (running statistics, counters). Persistent
   * buffers are part of `stateDict()`; non-persistent ones only move with `to()`.
   */
  registerBuffer<T extends Tensor | null>(
    name: string,
    tensor: T,
    options: { persistent?: boolean } = {},
  ): T {
    const n = this.#claim(name, 'buffer');
    const o = checkOptions('options', options);
    if (tensor !== null) handleOf(tensor, 'tensor');
    const persistent = o['persistent'] === undefined ? true : checkBool('persistent', o['persistent']);
    if (persistent) this.#nonPersistent.delete(n);
    else this.#nonPersistent.add(n);
    this.#buffers.set(n, tensor);
    if (tensor !== null) persist(tensor);
    structureChanged();
    return tensor;
  }

  /** Registers (or replaces) a submodule; `null` keeps the name as an empty slot, as PyTorch's None. */
  registerModule<M extends Module | null>(name: string, module: M): M {
    const n = this.#claim(name, 'module');
    if (module !== null) {
      if (!(module instanceof Module)) fail('module', 'an nn.Module or null', module);
      if ((module as Module) === this || module.modules().includes(this)) {
        throw new ArgumentError(`Cannot register module "${n}": it would make the module tree a cycle`);
      }
    }
    this.#modules.set(n, module);
    structureChanged();
    return module;
  }

  // ---- lookup (dotted paths, as PyTorch's get_submodule/get_parameter/get_buffer) ----

  /** The submodule at a dotted path (`'layer1.0.conv1'`; `''` is this module), as PyTorch's `get_submodule`; throws when absent. */
  getSubmodule(target: string): Module {
    if (typeof target !== 'string') fail('target', 'a dotted module path', target);
    if (target === '') return this;
    return target.split('.').reduce<Module>((m, part) => {
      const next = m.#modules.get(part);
      if (next === undefined || next === null) {
        throw new ArgumentError(`${m.constructor.name} has no submodule "${part}" (looking up "${target}")`);
      }
      return next;
    }, this);
  }

  /** The parameter at a dotted path (`'fc.weight'`), as PyTorch's `get_parameter`; throws when absent. */
  getParameter(target: string): Tensor {
    return util.leafTensor(this, target, 'parameter');
  }

  /** The buffer at a dotted path (`'bn1.running_mean'`), as PyTorch's `get_buffer`; throws when absent. */
  getBuffer(target: string): Tensor {
    return util.leafTensor(this, target, 'buffer');
  }

  /** For layer getters of optional tensors (a bias that may be absent). */
  protected parameterOrNull(name: string): Tensor | null {
    return this.#parameters.get(name) ?? null;
  }

  /** For layer getters of optional buffers: the local buffer `name`, or null. */
  protected bufferOrNull(name: string): Tensor | null {
    return this.#buffers.get(name) ?? null;
  }

  /** For typed getters of submodules (`get conv1(): Conv2d`). */
  protected child<M extends Module = Module>(name: string): M {
    return this.getSubmodule(util.checkName(name)) as M;
  }

  /** For typed getters of optional submodules: the local child `name`, or null. */
  protected childOrNull<M extends Module = Module>(name: string): M | null {
    return (this.#modules.get(name) ?? null) as M | null;
  }

  // ---- traversal ----

  /** The direct submodules with their names, in registration order (empty slots skipped). */
  namedChildren(): Array<[string, Module]> {
    const out: Array<[string, Module]> = [];
    for (const [name, m] of this.#modules) if (m !== null) out.push([name, m]);
    return out;
  }

  /** The direct submodules, in registration order. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and all below it, pre-order, each once (PyTorch's named_modules). */
  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = [];
    const seen = new Set<Module>();
    const visit = (m: Module, p: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([p, m]);
      for (const [name, child] of m.namedChildren()) visit(child, util.join(p, name));
    };
    visit(this, prefix);
    return out;
  }

  /** This module and all below it, pre-order, each once (PyTorch's `modules`). */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Every parameter once, with its dotted name, in state-dict order. */
  namedParameters(options: { recurse?: boolean } = {}): Array<[string, Tensor]> {
    return util.namedTensors(this, 'parameter', options.recurse ?? true);
  }

  /** Every parameter once, in state-dict order (only this module's own with `{ recurse: false }`). */
  parameters(options: { recurse?: boolean } = {}): Tensor[] {
    return this.namedParameters(options).map(([, t]) => t);
  }

  /** Every buffer once (persistent or not), with its dotted name. */
  namedBuffers(options: { recurse?: boolean } = {}): Array<[string, Tensor]> {
    return util.namedTensors(this, 'buffer', options.recurse ?? true);
  }

  /** Every buffer once, persistent or not (only this module's own with `{ recurse: false }`). */
  buffers(options: { recurse?: boolean } = {}): Tensor[] {
    return this.namedBuffers(options).map(([, t]) => t);
  }

  /** Number of parameter elements (each shared tensor counted once). */
  numParameters(options: { trainableOnly?: boolean } = {}): number {
    const ps = this.parameters().filter((p) => !options.trainableOnly || p.requiresGrad);
    return ps.reduce((n, p) => n + p.size, 0);
  }

  /** Calls `fn` on every submodule, then on this one (post-order, as PyTorch). Returns this. */
  apply(fn: (m: Module) => void): this {
    if (typeof fn !== 'function') fail('fn', 'a function', fn);
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  // ---- state dict ----

  /**
   * Parameters and persistent buffers by dotted name, in PyTorch's order: this module's
   * parameters, its buffers, then each child's entries. Values are detached views sharing the
   * module's storage (PyTorch's default); `{ keepVars: true }` gives the module's own tensors.
   */
  stateDict(options: { keepVars?: boolean } = {}): Record<string, Tensor> {
    const o = checkOptions('options', options);
    const keepVars = o['keepVars'] === undefined ? false : checkBool('keepVars', o['keepVars']);
    const out: Record<string, Tensor> = {};
    for (const [key, t] of this.stateEntries()) out[key] = keepVars ? t : t.detach();
    return out;
  }

  /** @internal The live state tensors by key, with the module owning each. */
  stateEntries(prefix = '', out: Array<[string, Tensor, Module]> = []): Array<[string, Tensor, Module]> {
    for (const [name, t] of this.#parameters) if (t !== null) out.push([util.join(prefix, name), t, this]);
    for (const [name, t] of this.#buffers) {
      if (t !== null && !this.#nonPersistent.has(name)) out.push([util.join(prefix, name), t, this]);
    }
    for (const [name, m] of this.#modules) if (m !== null) m.stateEntries(util.join(prefix, name), out);
    return out;
  }

  /** @internal Local state names that an older checkpoint may lack without it being an error. */
  optionalStateKeys(): readonly string[] {
    return [];
  }

  /**
   * Copies `stateDict`'s values into this module's tensors in place (converting dtype and
   * device). With `strict` (the default) any missing key, unexpected key or shape mismatch
   * throws one StateDictError listing them all, and nothing is copied. Without it, what matches
   * is loaded and the problems are returned.
   */
  loadStateDict(stateDict: StateDictInput, options: { strict?: boolean } = {}): LoadStateDictResult {
    const o = checkOptions('options', options);
    const strict = o['strict'] === undefined ? true : checkBool('strict', o['strict']);
    return loadInto(this, stateDict, strict);
  }

  // ---- modes, devices, lifetime ----

  /** Sets training mode here and in every submodule. Returns this. */
  train(mode = true): this {
    this.#training = checkBool('mode', mode);
    structureChanged();
    for (const child of this.children()) child.train(mode);
    return this;
  }

  /** Sets evaluation mode here and in every submodule (`train(false)`): batch norm uses its running statistics, dropout is off. Returns this. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Moves every parameter and buffer to a device, converts the floating-point ones to a
   * floating dtype, or lays the 4-D ones out as `'channels_last'` (as PyTorch's `module.to`).
   * Tensors are converted in place and keep their identity, so optimizers stay valid.
   */
  to(target: DType | Device | MemoryFormat): this {
    util.moveTensors(this, target);
    structureChanged();
    return this;
  }

  /** @internal This module's own parameter or buffer slots (for module_utils; not for users). */
  ownSlots(kind: 'parameter' | 'buffer'): Map<string, Tensor | null> {
    return kind === 'parameter' ? this.#parameters : this.#buffers;
  }

  /** Drops the gradients of every parameter (PyTorch's set_to_none default). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Frees every parameter and buffer now; the module cannot be used afterwards. */
  dispose(): void {
    for (const m of this.modules()) clearCaptures(m);
    for (const t of [...this.parameters(), ...this.buffers()]) t.dispose();
  }

  /** Same as `dispose()`, for `using` declarations. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** The options shown by toString() (PyTorch's extra_repr). */
  extraRepr(): string {
    return '';
  }

  /** A PyTorch-style printout of the module tree, one line per module with its `extraRepr()`. */
  toString(): string {
    return util.render(this);
  }
}
