/**
 * A whole training step (zero-grad, forward, loss, backward, optimizer update) run natively off
 * the JavaScript thread, captured from the same TypeScript code that runs it eagerly: there is no
 * second optimizer in C++. As tinygrad's TinyJit, a step that creates the optimizer's state runs
 * eagerly, the next one runs eagerly while it is captured, and later ones replay. The optimizer's per-step numbers (learning rate, bias corrections) are the
 * replay's inputs, so schedules keep working; the loss comes back as a number read on the
 * executor thread, with no extra blocking read.
 */
import type { TrainerAmp } from '../amp/trainer_amp.js';
import { CapturedProgram, ProgramCache, capture } from '../capture.js';
import { ArgumentError } from '../errors.js';
import { signature, fingerprint, modeKey } from '../nn/capture_key.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { isGradEnabled, tidy } from '../runtime.js';
import type { Tensor } from '../tensor.js';

/** What one step gives back: the loss, and the logits (the caller disposes them). */
export interface StepOutcome {
  loss: number;
  logits: Tensor;
}

interface Captured {
  program: CapturedProgram;
  updated: Tensor[];
}

/** Per-step numbers a step may use, at most: far above what SGD or AdamW need per parameter. */
const numbersPerParameter = 16;
const maxPrograms = 4;

/** @internal The Trainer's step. */
export class CapturedStep {
  readonly #programs = new ProgramCache<Captured>(maxPrograms);
  readonly #eagerOnce = new Set<string>();

  constructor(
    private readonly model: Module,
    private readonly optimizer: Optimizer<{ lr: number }>,
    private readonly loss: (logits: Tensor, target: Tensor) => Tensor,
    private readonly captureSteps = true,
    /** Mixed precision: forward and loss under autocast; with a scaler, steps run eagerly (its skip reads a value). */
    private readonly amp: TrainerAmp | null = null,
    /** Runs between backward and the update (gradient clipping); tensor ops only. */
    private readonly afterBackward?: () => void,
  ) {}

  /** Forward, loss and backward, as a hand-written loop does them. */
  #forwardBackward(x: Tensor, y: Tensor): { loss: Tensor; logits: Tensor } {
    return tidy(() => {
      this.optimizer.zeroGrad();
      const forward = () => {
        const logits = this.model.forward(x);
        return { logits, loss: this.loss(logits, y) };
      };
      // Backward outside autocast, as PyTorch's recipe: its ops follow the forward's dtypes.
      const { logits, loss } = this.amp === null ? forward() : this.amp.run(forward);
      const scaler = this.amp?.scaler;
      (scaler?.scale(loss) ?? loss).backward();
      if (this.afterBackward) {
        // Clipping sees true gradients: unscaled first, as torchvision's script does with AMP.
        scaler?.unscale_(this.optimizer);
        this.afterBackward();
      }
      return { loss, logits };
    });
  }

  /**
   * One step on (x, y). A loss that is not finite is returned without updating the weights
   * on the eager steps; a replayed step has already applied its update (the checkpoint on
   * disk is untouched either way).
   */
  async run(x: Tensor, y: Tensor): Promise<StepOutcome> {
    const key = [
      signature(x),
      signature(y),
      fingerprint(this.model),
      this.optimizer.structureKey(),
      isGradEnabled(),
      modeKey(),
    ].join('|');
    const captured = this.#programs.get(key);
    if (captured !== undefined) return this.#replay(captured, x, y);
    // The eager and capturing steps block this thread for a whole step each: let the event loop
    // run in between rather than block for two steps in a row.
    await new Promise<void>((resolve) => setImmediate(resolve));
    // A step that creates optimizer state (momentum buffers, moments) runs eagerly: its code
    // differs from the steady state's, and capturing it would replay the creation every step.
    const createsState = this.optimizer.paramGroups.some((g) =>
      g.params.some((p) => p.requiresGrad && !this.optimizer.state.has(p)),
    );
    const scaler = this.amp?.scaler ?? null;
    if (!this.captureSteps || scaler !== null || (createsState && !this.#eagerOnce.has(key))) {
      this.#eagerOnce.add(key);
      const { loss, logits } = this.#forwardBackward(x, y);
      const value = loss.item();
      loss.dispose();
      if (Number.isFinite(value) && scaler !== null) {
        scaler.step(this.optimizer); // skipped when a scaled gradient overflowed
        scaler.update();
      } else if (Number.isFinite(value)) this.optimizer.step();
      return { loss: value, logits };
    }
    const params = this.optimizer.paramGroups.reduce((n, g) => n + g.params.length, 0);
    const { result, program } = this.#capture(x, y, params);
    this.#programs.set(key, { program, updated: result.updated });
    const value = result.loss.item();
    result.loss.dispose();
    return { loss: value, logits: result.logits };
  }

  #capture(x: Tensor, y: Tensor, params: number) {
    try {
      return capture(
        [x, y],
        () => ({ ...this.#forwardBackward(x, y), ...this.optimizer.captureStep(0) }),
        (r) => [r.loss, r.logits],
        { max: params * numbersPerParameter, used: (r) => r.numbers },
      );
    } catch (error) {
      if (error instanceof ArgumentError && error.message.startsWith('Cannot capture'))
        error.message +=
          '. To train such a model, pass captureSteps: false to the Trainer (every step then runs eagerly on this thread)';
      throw error;
    }
  }

  async #replay(c: Captured, x: Tensor, y: Tensor): Promise<StepOutcome> {
    const numbers = this.optimizer.replayNumbers(c.updated);
    const { outputs, items } = await c.program.run([x, y], numbers, true);
    outputs[0]?.dispose();
    return { loss: items![0]!, logits: outputs[1]! };
  }

  /** Frees the captured programs. */
  dispose(): void {
    this.#programs.clear();
  }
}
