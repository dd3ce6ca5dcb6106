/**
 * State that outlives a step belongs to its owner, not to the tidy() scope it was created in
 * (as tfjs keeps its variables): tfjs users write the whole step inside tidy.
 */
import { describe, expect, it } from 'vitest';
import { memory, nn, optim, randn, tidy, type Tensor } from '../../lib/index.js';

const F = nn.functional;

function step(model: nn.Linear, opt: { step(): void; zeroGrad(): void }, x: Tensor, y: Tensor): number {
  return tidy(() => {
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss.item();
  });
}

describe('optimizer state created inside tidy', () => {
  const makers = {
    'SGD with momentum': (ps: Tensor[]) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9 }),
    AdamW: (ps: Tensor[]) => new optim.AdamW(ps, { lr: 0.01 }),
  };
  for (const [name, make] of Object.entries(makers)) {
    it(`survives the scope and the next step (${name})`, () => {
      const model = new nn.Linear(4, 3);
      const opt = make(model.parameters());
      const x = randn([8, 4]);
      const y = tidy(() => randn([8, 3]).argmax(1));
      // Garbage of earlier tests, freed by a collection during the steps, would count.
      globalThis.gc?.();
      const baseline = memory().liveTensors;
      const losses = [0, 1, 2, 3].map(() => step(model, opt, x, y));
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[3]).toBeLessThan(losses[0]!);
      for (const s of opt.state.values())
        for (const v of Object.values(s)) if (typeof v !== 'number') expect(v.isDisposed).toBe(false);
      // The state tensors were created once (at the first step) and nothing else stays.
      const stateTensors = [...opt.state.values()]
        .flatMap((s) => Object.values(s))
        .filter((v) => typeof v !== 'number');
      expect(memory().liveTensors - baseline).toBe(stateTensors.length);
    });
  }

  it('keeps state restored by loadStateDict inside tidy', () => {
    const model = new nn.Linear(4, 3);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const x = randn([8, 4]);
    const y = tidy(() => randn([8, 3]).argmax(1));
    step(model, opt, x, y);
    const other = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    tidy(() => other.loadStateDict(opt.stateDict()));
    expect(Number.isFinite(step(model, other, x, y))).toBe(true);
  });

  it('keeps the parameters of a module built inside tidy', () => {
    const model = tidy(() => new nn.Linear(4, 3));
    expect(model.weight.isDisposed).toBe(false);
    expect(model.forward(randn([2, 4])).shape).toEqual([2, 3]);
  });
});
