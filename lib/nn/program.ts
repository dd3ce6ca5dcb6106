/**
 * Compiling a module tree into a native inference program (native/program.h): a flat list
 * of instructions over numbered registers that libtorch runs on libuv's thread pool. That is
 * how `forwardAsync` keeps inference off the JavaScript thread, in one native call.
 */
import { native, type Handle } from '../binding.js';
import { ArgumentError } from '../errors.js';
import { handleOf, wrap, type Tensor } from '../tensor.js';
import type { Module } from './module.js';

type Op =
  | 'conv2d' | 'batchNorm' | 'relu' | 'maxPool2d' | 'avgPool2d' | 'adaptiveAvgPool2d'
  | 'flatten' | 'linear' | 'add' | 'slice' | 'pad'; // prettier-ignore

interface Fields {
  src2?: number;
  tensors?: Array<Tensor | null>;
  ints?: ReadonlyArray<readonly number[]>;
  scalars?: readonly number[];
  numbers?: readonly number[];
}

/** Builds the native inference program that `forwardAsync` runs: a `Compiler` appends a module's instructions with `emit`. */
export class ProgramBuilder {
  private readonly code: unknown[] = [];
  private registers = 1; // register 0 is the input

  /** Appends one instruction reading `src`; returns the register it writes. */
  emit(op: Op, src: number, f: Fields = {}): number {
    const dst = this.registers++;
    const tensors = (f.tensors ?? []).map((t) => (t === null ? null : handleOf(t, `${op} tensor`)));
    this.code.push([op, src, f.src2 ?? null, dst, tensors, f.ints ?? [], f.scalars ?? [], f.numbers ?? []]);
    return dst;
  }

  /** @internal */
  build(output: number): unknown {
    return native.compileProgram(this.code, this.registers, output);
  }
}

/** How one kind of module appears in a program. */
export type Compiler = (module: Module, b: ProgramBuilder, input: number) => number;

const compilers = new Map<Function, Compiler>(); // eslint-disable-line @typescript-eslint/no-unsafe-function-type

/** Teaches `compile` a module class (the built-in layers and models register themselves). */
export function registerCompiler(cls: abstract new (...args: never[]) => Module, compiler: Compiler): void {
  compilers.set(cls, compiler);
}

/** Appends `module`'s forward pass (inference) to `b`. */
export function compile(module: Module, b: ProgramBuilder, input: number): number {
  for (let proto = Object.getPrototypeOf(module); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const compiler = compilers.get(proto.constructor);
    if (compiler !== undefined) return compiler(module, b, input);
  }
  throw new ArgumentError(
    `${module.constructor.name} cannot run in forwardAsync: only the built-in layers and models (and modules ` +
      'built from them with Sequential) compile to a native program; call forward() inside noGrad() instead',
  );
}

/** Runs `module` on `x` off the JavaScript thread; the result equals noGrad(() => module.forward(x)). */
export async function forwardAsync(module: Module, x: Tensor): Promise<Tensor> {
  const input = handleOf(x, 'input');
  const b = new ProgramBuilder();
  const out = compile(module, b, 0);
  const program = b.build(out);
  return wrap((await native.runProgram(program, input)) as Handle);
}
