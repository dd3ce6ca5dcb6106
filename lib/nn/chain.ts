/**
 * Runs layers one after the other and disposes each intermediate result as soon as the next
 * one exists. Autograd keeps what backward needs on its own, so this is safe in training, and
 * it frees activations at once in inference, as Python's reference counting does in PyTorch
 * (without it they would wait for a `tidy` or the garbage collector).
 */
import type { Tensor } from '../tensor.js';
import type { Module } from './module.js';

/** One step of `chain`: a module (its `forward` is called) or a function of a tensor. */
export type Step = Module | ((x: Tensor) => Tensor);

/** Runs `steps` one after the other on `input`, disposing each intermediate result as soon as the next exists (never `input` itself); returns the last result. */
export function chain(input: Tensor, steps: Iterable<Step>): Tensor {
  let current = input;
  for (const step of steps) {
    const next = typeof step === 'function' ? step(current) : step.forward(current);
    // In-place layers and Identity return their input: that one must stay alive.
    if (current !== input && next !== current) current.dispose();
    current = next;
  }
  return current;
}
