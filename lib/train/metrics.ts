/** Running sums for a phase: loss, top-1 and top-5 accuracy, images per second. */
import { noGrad, tidy } from '../runtime.js';
import type { Tensor } from '../tensor.js';

/** Results of one train or eval phase. */
export interface PhaseMetrics {
  /** Mean loss per image. */
  loss: number;
  /** Fraction of images whose top prediction is the target (0..1). */
  top1: number;
  /** Fraction of images whose target is among the 5 top predictions (0..1). */
  top5: number;
  /** Images seen. */
  images: number;
  /** Wall time of the phase. */
  seconds: number;
  /** Throughput: images / seconds. */
  imagesPerSec: number;
  /** The Trainer's custom metrics (`metrics` option), each a mean per image. */
  custom?: Record<string, number>;
}

/** A custom metric: a batch's mean value from its logits and targets (read into JavaScript). */
export type MetricFn = (logits: Tensor, target: Tensor) => number;

export class MetricsMeter {
  private lossSum = 0;
  private correct1 = 0;
  private correct5 = 0;
  private images = 0;
  private readonly start = performance.now();
  private readonly sums: Record<string, number> = {};

  constructor(private readonly metrics: Record<string, MetricFn> = {}) {}

  /**
   * Adds one batch: `loss` is the batch mean. Soft (N, K) targets (mixup, cutmix) count their most
   * likely class as the label, as torchvision's `accuracy` does (`target.max(dim=1)[1]`).
   */
  update(logits: Tensor, target: Tensor, loss: number): void {
    const n = target.shape[0]!;
    const [c1, c5] = noGrad(() =>
      tidy(() => {
        const k = Math.min(5, logits.shape[1]!);
        const label = target.ndim === 2 ? target.argmax(1) : target;
        const hits = logits.topk(k, { dim: 1 }).indices.eq(label.unsqueeze(1)).to('float32');
        return [hits.narrow(1, 0, 1).sum().item(), hits.sum().item()];
      }),
    );
    this.lossSum += loss * n;
    this.correct1 += c1!;
    this.correct5 += c5!;
    this.images += n;
    for (const [name, fn] of Object.entries(this.metrics))
      this.sums[name] = (this.sums[name] ?? 0) + noGrad(() => tidy(() => fn(logits, target))) * n;
  }

  get count(): number {
    return this.images;
  }

  result(): PhaseMetrics {
    const seconds = (performance.now() - this.start) / 1000;
    const n = Math.max(this.images, 1);
    return {
      loss: this.lossSum / n,
      top1: this.correct1 / n,
      top5: this.correct5 / n,
      images: this.images,
      seconds,
      imagesPerSec: this.images / Math.max(seconds, 1e-9),
      ...(Object.keys(this.metrics).length === 0
        ? {}
        : { custom: Object.fromEntries(Object.keys(this.metrics).map((k) => [k, (this.sums[k] ?? 0) / n])) }),
    };
  }
}
