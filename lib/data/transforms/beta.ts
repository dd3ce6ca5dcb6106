/**
 * Beta(α, α) samples from uniform draws, for mixup's and cutmix's λ (torchvision draws it as
 * `torch._sample_dirichlet([α, α])[0]`, i.e. G₁ / (G₁ + G₂) with G ~ Gamma(α)): the same
 * distribution from the loader's seeded generator, so that a run's mixing is reproducible.
 */
import type { Draws } from './auto_augment.js';

/** A standard normal from two uniforms (Box–Muller). */
function normal(draws: Draws): number {
  const u = 1 - draws.next(); // (0, 1]: log(u) is finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * draws.next());
}

/** Gamma(shape, 1) by Marsaglia and Tsang (2000); shapes below 1 by Gamma(shape + 1)·U^(1/shape). */
export function sampleGamma(shape: number, draws: Draws): number {
  if (shape < 1) return sampleGamma(shape + 1, draws) * Math.pow(1 - draws.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(draws);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - draws.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** One draw from Beta(α, α), in [0, 1]. */
export function sampleBeta(alpha: number, draws: Draws): number {
  const a = sampleGamma(alpha, draws);
  const b = sampleGamma(alpha, draws);
  if (a + b > 0) return a / (a + b);
  return draws.next() < 0.5 ? 0 : 1; // both underflow only for tiny α, where λ is 0 or 1 with equal odds
}
