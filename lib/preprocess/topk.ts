/** Softmax and top-k of logits in JavaScript: a few thousand numbers, cheaper than more tensor ops. */

/** One class of a prediction. */
export interface Prediction {
  /** The class name. */
  label: string;
  /** The class index. */
  index: number;
  /** Its softmax probability. */
  score: number;
}

/** The `k` most probable classes of each row of `logits` (rows × classes), best first. */
export function topK(
  logits: Float32Array,
  rows: number,
  k: number,
  classNames: readonly string[],
): Prediction[][] {
  const classes = logits.length / rows;
  const take = Math.min(k, classes);
  const out: Prediction[][] = [];
  for (let r = 0; r < rows; r++) {
    const row = logits.subarray(r * classes, (r + 1) * classes);
    let max = -Infinity;
    for (const v of row) if (v > max) max = v;
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    const order = Array.from({ length: classes }, (_, i) => i).sort((a, b) => row[b]! - row[a]! || a - b);
    out.push(
      order.slice(0, take).map((index) => ({
        label: classNames[index] ?? `class ${index}`,
        index,
        score: Math.exp(row[index]! - max) / sum,
      })),
    );
  }
  return out;
}
