/**
 * `train` and `eval` flags that would be accepted and then do nothing: each is an error, so
 * that a user who types one learns at once that it has no effect in this combination.
 */
import type { TrainFlags } from './train.js';

type Flag = keyof TrainFlags;
/** `train`'s flags or `eval`'s (a subset). */
type Flags = { [K in Flag]?: TrainFlags[K] | undefined };

/** Flags that take effect only when `applies` holds, and what to say otherwise. */
const rules: Array<{ flags: Flag[]; applies: (f: Flags) => boolean; unless: string }> = [
  {
    flags: ['lrWarmupEpochs'],
    applies: (f) => f.lrScheduler !== 'onecycle',
    unless:
      'has no effect with --lr-scheduler onecycle (its warm-up is built in); choose another --lr-scheduler',
  },
  {
    flags: ['lrStepSize'],
    applies: (f) => f.lrScheduler === 'steplr',
    unless: `is used only by --lr-scheduler steplr (multisteplr's milestones are at 1/2 and 3/4 of the epochs)`,
  },
  {
    flags: ['lrGamma'],
    applies: (f) => f.lrScheduler === 'steplr' || f.lrScheduler === 'multisteplr',
    unless: 'is used only by --lr-scheduler steplr and multisteplr',
  },
  {
    flags: ['limitTrain', 'limitTest', 'cropPadding'],
    applies: (f) => f.dataset !== 'imagefolder',
    unless: 'is not supported with --dataset imagefolder',
  },
  {
    flags: ['cropSize', 'resizeSize'],
    applies: (f) => f.dataset === 'imagefolder',
    unless: 'is used only by --dataset imagefolder',
  },
  {
    flags: ['cropPadding', 'randomErase'],
    applies: (f) => f.augment !== false,
    unless: 'is an augmentation: it has no effect with --no-augment',
  },
  { flags: ['momentum', 'nesterov'], applies: (f) => f.opt === 'sgd', unless: 'is used only by --opt sgd' },
];

/** `lrWarmupEpochs` → `--lr-warmup-epochs` (commander's camelCase back to the flag typed). */
const flagName = (flag: Flag): string =>
  flag === 'nesterov' ? '--no-nesterov' : `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * Throws when a flag the user gave to `train` or `eval` (`given(flag)`: commander's value source is the command
 * line) would be ignored because of the other flags.
 */
export function checkIgnoredFlags(f: Flags, given: (flag: Flag) => boolean): void {
  for (const r of rules)
    for (const flag of r.flags)
      if (given(flag) && !r.applies(f)) throw new Error(`${flagName(flag)} ${r.unless}`);
}
