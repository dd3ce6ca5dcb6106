/** `nn.Linear` with PyTorch's default initialization. */
import { empty } from '../creation.js';
import type { Tensor } from '../tensor.js';
import { checkInt, checkOptions } from '../validate.js';
import { linear } from './functional.js';
import { resetWeightAndBias } from './default_init.js';
import { Module } from './module.js';
import { bool } from './options.js';
import { pyBool } from './repr.js';

/** Fully connected layer `y = x @ weight.T + bias`, as `nn.Linear`, initialized as PyTorch. */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, options: { bias?: boolean } = {}) {
    super();
    const o = checkOptions('options', options);
    this.inFeatures = checkInt('inFeatures', inFeatures, 0);
    this.outFeatures = checkInt('outFeatures', outFeatures, 0);
    this.registerParameter('weight', empty([this.outFeatures, this.inFeatures]));
    this.registerParameter('bias', bool(o, 'bias', true) ? empty([this.outFeatures]) : null);
    this.resetParameters();
  }

  /** The weight parameter, (outFeatures, inFeatures). */
  get weight(): Tensor {
    return this.getParameter('weight');
  }
  /** The bias parameter (outFeatures), or null with `bias: false`. */
  get bias(): Tensor | null {
    return this.parameterOrNull('bias');
  }

  /** PyTorch's default: kaiming_uniform_(a=sqrt(5)), i.e. U(±1/sqrt(inFeatures)), for weight and bias. */
  resetParameters(): void {
    resetWeightAndBias(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}
