/**
 * Forward hooks without a hook API in Module: each module's `forward` is shadowed by an own
 * property for the duration of one call, then removed, so models run unchanged otherwise.
 * (`chain`, `Sequential` and the blocks all call `child.forward`, which finds the shadow.)
 */
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';

/** Called around each module's forward: `enter` before (parents before children), `exit` with its output. */
export interface ForwardObserver {
  enter(name: string, module: Module, input: Tensor): void;
  exit(name: string, module: Module, output: Tensor): void;
}

/** Runs `body` with every module of `model` observed (under its qualified name; '' for the root). */
export function withForwardHooks<T>(model: Module, observer: ForwardObserver, body: () => T): T {
  const shadowed: Module[] = [];
  for (const [name, m] of model.namedModules()) {
    const original = m.forward;
    Object.defineProperty(m, 'forward', {
      configurable: true,
      writable: true,
      value: (x: Tensor): Tensor => {
        observer.enter(name, m, x);
        const y = original.call(m, x);
        observer.exit(name, m, y);
        return y;
      },
    });
    shadowed.push(m);
  }
  try {
    return body();
  } finally {
    for (const m of shadowed) delete (m as { forward?: unknown }).forward;
  }
}
