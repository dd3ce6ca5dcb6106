/** The default initialization that PyTorch's Conv and Linear layers share (their reset_parameters). */
import type { Tensor } from '../tensor.js';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from './init.js';

/** kaiming_uniform_(a=sqrt(5)) for the weight, i.e. U(±1/sqrt(fan_in)), and the same bound for the bias. */
export function resetWeightAndBias(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias !== null) {
    const [fanIn] = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}
