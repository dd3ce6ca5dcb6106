/** A counting semaphore: at most `n` tasks of a kind at once (image decodes), the rest wait in order. */
export class Limit {
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(private readonly n: number) {}

  /** Runs `task` once fewer than `n` others run. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.n) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#active++;
    try {
      return await task();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }
}
