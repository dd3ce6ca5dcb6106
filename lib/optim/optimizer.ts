/**
 * The optimizer base: parameter groups with their own options, per-parameter state, and
 * state dicts in PyTorch's layout ({ state: { index: {...} }, param_groups: [...] }).
 */
import { dynamicNumber } from '../dynamic_number.js';
import { noGrad } from '../runtime.js';
import { Tensor } from '../tensor.js';
import { inScope, persist } from '../scope.js';
import { ArgumentError, StateDictError } from '../errors.js';
import { describe } from '../describe.js';

/** One entry of a parameter's optimizer state: a tensor (a moment buffer) or a number (a step count). */
export type StateValue = Tensor | number;
/** The optimizer state of one parameter (PyTorch's `optimizer.state[p]`, e.g. `momentum_buffer`, `exp_avg`). */
export type ParamState = Record<string, StateValue>;

/** A group of parameters and the options that apply to them (lr, weightDecay, ...). */
export interface ParamGroup<O> {
  /** The parameters of the group. */
  params: Tensor[];
  /** The group's options: the defaults with the group's overrides (the schedulers write `lr` here). */
  options: O;
  /** The learning rate the schedule started from (PyTorch's `initial_lr`). */
  initialLr?: number;
}

/** What `update` receives: parameters of one group, device and dtype that have gradients, in group order. */
export interface UpdateBatch<O> {
  /** The parameters. */
  params: Tensor[];
  /** Their gradients (handles the optimizer disposes after the update). */
  grads: Tensor[];
  /** Their optimizer state (empty objects before their first update). */
  states: ParamState[];
  /** Each parameter's numbers from `stepNumbers`, in the same order. */
  numbers: number[][];
  /** The group's options. */
  options: O;
}

/** What the constructor accepts: tensors, or groups that override the defaults. */
export type ParamsArg<O> = Iterable<Tensor> | Array<{ params: Iterable<Tensor> } & Partial<O>>;

/** An optimizer's state in PyTorch's `state_dict()` layout: state by parameter index, and the groups' options with the indices of their parameters. */
export interface OptimizerStateDict<O> {
  /** Each parameter's state, by its index over all groups in order. */
  state: Record<number, ParamState>;
  /** Each group's options, with `params` as parameter indices. */
  param_groups: Array<O & { params: number[]; initialLr?: number }>;
}

/** Base class of the optimizers, as `torch.optim.Optimizer`: parameter groups with their own options, per-parameter state, `step()`, `zeroGrad()` and state dicts. Subclasses implement `validate` and `update`. */
export abstract class Optimizer<O extends { lr: number }> {
  /** The parameter groups, in construction order (PyTorch's `param_groups`). */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created at a parameter's first update. */
  readonly state = new Map<Tensor, ParamState>();

  protected constructor(params: ParamsArg<O>, defaults: O) {
    // A Module is not iterable (Array.from would make it an empty list): say what to pass.
    if (typeof (params as { parameters?: unknown } | null)?.parameters === 'function')
      throw new ArgumentError(
        `Expected an array of Tensors or parameter groups for params but received ${describe(params)}: pass model.parameters()`,
      );
    if (typeof (params as Iterable<unknown> | null)?.[Symbol.iterator] !== 'function')
      throw new ArgumentError(
        `Expected an array of Tensors or parameter groups for params but received ${describe(params)}`,
      );
    const list = Array.from(params as Iterable<unknown>);
    if (list.length === 0)
      throw new ArgumentError(
        'Expected a non-empty list of parameters for params but received an empty list',
      );
    const groups =
      list[0] instanceof Tensor
        ? [{ params: list as Tensor[] }]
        : (list as Array<{ params: Iterable<Tensor> } & Partial<O>>);
    const seen = new Set<Tensor>();
    for (const [gi, g] of groups.entries()) {
      const { params: ps, ...overrides } = g as { params: Iterable<Tensor> } & Partial<O>;
      const tensors = Array.from(ps ?? []);
      for (const [i, p] of tensors.entries()) {
        if (!(p instanceof Tensor))
          throw new ArgumentError(`Expected a Tensor for params[${gi}][${i}] but received ${describe(p)}`);
        if (seen.has(p)) throw new ArgumentError('A parameter appears in more than one parameter group');
        seen.add(p);
      }
      const options = { ...defaults, ...overrides } as O;
      this.validate(options);
      this.paramGroups.push({ params: tensors, options });
    }
  }

  /** Checks one group's options; throws ArgumentError. */
  protected abstract validate(options: O): void;
  /**
   * The per-step numbers of one parameter's update (learning rate, momentum, bias corrections,
   * ...), computed in JavaScript at every step; advances the state's step counters. A captured
   * training step takes them as inputs, so a schedule's new learning rate reaches the replay.
   */
  protected abstract stepNumbers(state: ParamState, options: O): number[];
  /** What decides the update's control flow (which options are zero, whether the state exists yet): a captured step is replayed only while it is unchanged. */
  protected abstract structure(state: ParamState, options: O): string;
  /**
   * Updates a batch of parameters (one group's, of one device and dtype) from their gradients,
   * with multi-tensor (foreach) ops as torch.optim's foreach implementations: a handful of
   * native calls per group rather than several per parameter. `numbers[k]` are parameter k's
   * numbers from stepNumbers; numbers that depend only on the group's options are read from
   * `numbers[0]`. Tensor ops only; runs inside noGrad.
   */
  protected abstract update(batch: UpdateBatch<O>): void;

  #stateOf(p: Tensor): ParamState {
    let state = this.state.get(p);
    if (state === undefined) this.state.set(p, (state = {}));
    return state;
  }

  /** Runs `update` for every parameter that has a gradient, with numbers from `numbers`; returns those parameters. */
  #updateAll(numbers: (n: number[]) => number[]): Tensor[] {
    const updated: Tensor[] = [];
    noGrad(() => {
      for (const group of this.paramGroups) {
        // foreach lists hold one device and dtype, as torch.optim groups them
        const batches = new Map<string, UpdateBatch<O>>();
        for (const p of group.params) {
          const grad = p.grad;
          if (grad === null) continue;
          const key = `${p.device}|${p.dtype}`;
          let batch = batches.get(key);
          if (batch === undefined)
            batches.set(
              key,
              (batch = { params: [], grads: [], states: [], numbers: [], options: group.options }),
            );
          const state = this.#stateOf(p);
          batch.params.push(p);
          batch.grads.push(grad);
          batch.states.push(state);
          batch.numbers.push(numbers(this.stepNumbers(state, group.options)));
          updated.push(p);
        }
        for (const batch of batches.values()) {
          try {
            this.update(batch);
          } finally {
            // these handles only; the gradients themselves stay on the parameters
            for (const g of batch.grads) g.dispose();
          }
        }
      }
    });
    this.#persistState();
    return updated;
  }

  /** The state outlives the step: a tidy() around the step (as tfjs users write) must not free it. */
  #persistState(): void {
    if (!inScope()) return;
    for (const s of this.state.values())
      for (const v of Object.values(s)) if (v instanceof Tensor) persist(v);
  }

  /** One optimization step over every parameter that has a gradient. */
  step(): void {
    this.#updateAll((n) => n);
  }

  /** @internal The control-flow key of a step now (see `structure`). */
  structureKey(): string {
    return this.paramGroups
      .map((g) => g.params.map((p) => this.structure(this.state.get(p) ?? {}, g.options)).join(','))
      .join(';');
  }

  /**
   * @internal step() while a capture records: each per-step number becomes slot `first + k` of
   * the replay's numbers. Returns the parameters updated (for replayNumbers) and the slots used.
   */
  captureStep(first: number): { updated: Tensor[]; numbers: number } {
    let slot = first;
    const updated = this.#updateAll((n) => n.map((v) => dynamicNumber(slot++, v)));
    return { updated, numbers: slot - first };
  }

  /** @internal The numbers for a replay of captureStep's update, advancing the counters as step() would. */
  replayNumbers(updated: readonly Tensor[]): number[] {
    const options = new Map<Tensor, O>();
    for (const g of this.paramGroups) for (const p of g.params) options.set(p, g.options);
    return updated.flatMap((p) => this.stepNumbers(this.#stateOf(p), options.get(p)!));
  }

  /** Drops every gradient (PyTorch's default `set_to_none=True`). */
  zeroGrad(): void {
    for (const group of this.paramGroups) for (const p of group.params) p.grad = null;
  }

  /** The state in PyTorch's layout; state tensors are shared with the optimizer, not copied. */
  stateDict(): OptimizerStateDict<O> {
    const state: Record<number, ParamState> = {};
    const groups: OptimizerStateDict<O>['param_groups'] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      const ids: number[] = [];
      for (const p of group.params) {
        const s = this.state.get(p);
        if (s !== undefined) state[index] = { ...s };
        ids.push(index++);
      }
      groups.push({
        ...group.options,
        params: ids,
        ...(group.initialLr === undefined ? {} : { initialLr: group.initialLr }),
      });
    }
    return { state, param_groups: groups };
  }

  /** Restores options and state; tensors are copied (onto each parameter's device) so the caller keeps its own. */
  loadStateDict(sd: OptimizerStateDict<O>): void {
    if (!sd || !Array.isArray(sd.param_groups) || sd.param_groups.length !== this.paramGroups.length) {
      throw new StateDictError(
        `Expected ${this.paramGroups.length} parameter groups in the optimizer state dict but received ${describe(sd?.param_groups)}`,
      );
    }
    const params: Tensor[] = [];
    for (const [i, group] of this.paramGroups.entries()) {
      const saved = sd.param_groups[i]!;
      if (saved.params.length !== group.params.length) {
        throw new StateDictError(
          `Parameter group ${i} has ${group.params.length} parameters but the state dict has ${saved.params.length}`,
        );
      }
      const { params: ids, initialLr, ...options } = saved;
      group.options = { ...group.options, ...(options as unknown as O) };
      if (initialLr !== undefined) group.initialLr = initialLr;
      ids.forEach((id, k) => (params[id] = group.params[k]!));
    }
    // The replaced state is the optimizer's own: freed once the new one is copied (sd may
    // hold those very tensors, as after opt.loadStateDict(opt.stateDict())).
    const replaced = [...this.state.values()].flatMap((s) => Object.values(s));
    this.state.clear();
    for (const [id, s] of Object.entries(sd.state ?? {})) {
      const p = params[Number(id)];
      if (p === undefined)
        throw new StateDictError(`The optimizer state names parameter ${id}, which no group holds`);
      const copy: ParamState = {};
      // On the parameter's device, as torch.optim does: a checkpoint read from a file is on the
      // CPU while the model may be on a GPU.
      for (const [k, v] of Object.entries(s))
        copy[k] = !(v instanceof Tensor) ? v : v.device === p.device ? v.clone() : v.to(p.device);
      this.state.set(p, copy);
    }
    for (const v of replaced) if (v instanceof Tensor) v.dispose();
    this.#persistState();
  }
}

export function checkRange(
  name: string,
  value: unknown,
  min: number,
  max = Infinity,
  openMin = false,
): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    (openMin && value === min) ||
    value > max
  ) {
    const range =
      max === Infinity ? `${openMin ? '>' : '>='} ${min}` : `in ${openMin ? '(' : '['}${min}, ${max}]`;
    throw new ArgumentError(`Expected a number ${range} for ${name} but received ${describe(value)}`);
  }
  return value;
}
