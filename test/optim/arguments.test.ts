/** Optimizers given what is not a list of parameters say what to pass. */
import { describe, expect, it } from 'vitest';
import { ArgumentError, nn, optim } from '../../lib/index.js';

describe('optimizer arguments', () => {
  it('a Module instead of its parameters: pass model.parameters()', () => {
    const model = new nn.Linear(2, 2);
    expect(() => new optim.SGD(model as never, { lr: 0.1 })).toThrow(ArgumentError);
    expect(() => new optim.AdamW(model as never, { lr: 0.1 })).toThrow(
      'Expected an array of Tensors or parameter groups for params but received a Linear: pass model.parameters()',
    );
  });

  it('something not iterable', () => {
    expect(() => new optim.SGD(3 as never, { lr: 0.1 })).toThrow(
      'Expected an array of Tensors or parameter groups for params but received 3 of type number',
    );
  });
});
