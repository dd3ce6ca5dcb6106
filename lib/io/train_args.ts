/**
 * The training arguments that torchvision's reference script (references/classification/
 * train.py) saves in its checkpoints: `{'model', 'optimizer', 'lr_scheduler', 'epoch', 'args'}`,
 * `args` being an `argparse.Namespace`. Read without running anything from the file and without
 * reading any tensor's bytes.
 */
import { ArgumentError } from '../errors.js';
import { describe } from '../describe.js';
import { FormatError } from './errors.js';
import { withFileSource } from './file.js';
import { openCheckpoint } from './pth.js';
import { Namespace } from './torch_pickle.js';

/** What a train.py checkpoint records besides its state dicts. */
export interface TrainCheckpointInfo {
  /** `vars(args)`: the script's flags (Python lists as arrays, None as null, tuples as frozen arrays). */
  args: Record<string, unknown>;
  /** The epoch the checkpoint was written after (train.py's `epoch`), when present. */
  epoch?: number;
  /** The checkpoint's entries, in file order (`model`, `optimizer`, `lr_scheduler`, `model_ema`, `scaler`, ...). */
  entries: string[];
}

/**
 * Reads the `args` (an `argparse.Namespace`, as a plain record) and `epoch` of a checkpoint
 * written by torchvision's train.py. Its weights load with `load(path, { key: 'model' })`.
 */
export async function readTrainCheckpointInfo(path: string): Promise<TrainCheckpointInfo> {
  if (typeof path !== 'string' || path.length === 0)
    throw new ArgumentError(`Expected a file path for path but received ${describe(path)}`);
  return withFileSource(path, async (src) => {
    const { root } = await openCheckpoint(src);
    if (!(root instanceof Map) || !(root.get('args') instanceof Namespace))
      throw new FormatError(
        `${path}: expected a torchvision train.py checkpoint (a dict with an 'args' entry holding an argparse.Namespace)`,
      );
    const epoch = root.get('epoch');
    return {
      args: { ...(root.get('args') as Namespace).fields },
      ...(typeof epoch === 'number' ? { epoch } : {}),
      entries: [...root.keys()].map(String),
    };
  });
}
