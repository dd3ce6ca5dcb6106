/** capture() and CapturedProgram.run: what is recorded, what is refused, and how replays fail. */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  capture,
  manualSeed,
  noGrad,
  randn,
  tensor,
  zeros,
  type Tensor,
} from '../lib/index.js';

const values = (t: Tensor | null) => Array.from(t!.dataSync() as Float32Array);

describe('capture and replay', () => {
  it('records ops in order; a replay computes them for new inputs; constants are held by reference', async () => {
    const w = tensor([1, 2, 3]);
    const x = randn([3]);
    const { result, program } = capture(
      [x],
      () => x.mul(w).relu(),
      (r) => [r],
    );
    expect(program.steps).toEqual(['mul', 'relu']);
    expect(values(result)).toEqual(values(x.mul(w).relu()));
    const y = randn([3]);
    noGrad(() => w.mul_(10)); // in-place changes of a constant are seen by later replays
    const { outputs } = await program.run([y]);
    expect(values(outputs[0]!)).toEqual(values(y.mul(w).relu()));
  });

  it('replays random ops by drawing anew, as the eager code would', async () => {
    const x = zeros([4]);
    const { program } = capture(
      [x],
      () => x.add(randn([4])),
      (r) => [r],
    );
    manualSeed(9);
    const a = values((await program.run([x])).outputs[0]!);
    manualSeed(9);
    expect(values(randn([4]))).toEqual(a);
  });

  it('reports replay errors as the library’s typed errors, with the stack of the call', async () => {
    const x = randn([2, 3]);
    const { program } = capture(
      [x],
      () => x.sum(),
      (r) => [r],
    );
    const replay = program.run([randn([3, 2])]);
    await expect(replay).rejects.toThrow(ArgumentError);
    await expect(program.run([randn([3, 2])])).rejects.toThrow(
      /does not match the shape, strides, dtype or device/,
    );
    const error = await program.run([randn([3, 2])]).then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(error.stack).toMatch(/replay started at[\s\S]*capture\.test\.ts/);
  });

  it('a replay whose JavaScript would have branched otherwise fails instead of computing something else', async () => {
    const p = randn([3], { requiresGrad: true });
    const x = randn([3]);
    const { program } = capture(
      [x],
      () => {
        const g = p.grad; // null now: the eager code took the "no gradient" branch
        return g === null ? x.mul(2) : x.add(g);
      },
      (r) => [r],
    );
    p.mul(3).sum().backward(); // now p has a gradient
    await expect(program.run([x])).rejects.toThrow(
      /no longer matches what its JavaScript would do: grad\(\)/,
    );
  });

  it('refuses what a replay could not reproduce, and leaves nothing recording', () => {
    const x = randn([3]);
    for (const [name, fn] of [
      ['item', () => x.mul(x.sum().item())],
      ['dataSync', () => tensor(Array.from(x.dataSync() as Float32Array))],
      ['manualSeed', () => (manualSeed(1), x)],
    ] as const) {
      expect(() => capture([x], fn, (r) => [r])).toThrow(new RegExp(`Cannot capture ${name}\\(\\)`));
    }
    expect(() =>
      capture(
        [x],
        () =>
          capture(
            [x],
            () => x,
            (r) => [r],
          ),
        () => [x],
      ),
    ).toThrow(/cannot nest/);
    expect(x.sum().item()).toBeTypeOf('number'); // not refused: no capture is recording
  });

  it('rejects per-call numbers outside a capture', () => {
    const x = randn([2]);
    expect(() => x.add(1, { dynamicSlot: 0, value: 2 } as unknown as number)).toThrow(ArgumentError);
  });
});
