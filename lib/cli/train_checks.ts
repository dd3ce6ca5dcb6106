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
    flags: ['lrWarmupMethod', 'lrWarmupDecay'],
    applies: (f) => (f.lrWarmupEpochs ?? 0) > 0,
    unless: 'has an effect only with --lr-warmup-epochs > 0',
  },
  {
    flags: ['lrMin'],
    applies: (f) => f.lrScheduler === 'cosineannealinglr',
    unless: 'is used only by --lr-scheduler cosineannealinglr',
  },
  {
    flags: ['lrMilestones'],
    applies: (f) => f.lrScheduler === 'multisteplr',
    unless: 'is used only by --lr-scheduler multisteplr',
  },
  {
    flags: ['modelEmaSteps', 'modelEmaDecay'],
    applies: (f) => f.modelEma === true,
    unless: 'has an effect only with --model-ema',
  },
  {
    flags: ['trainCropSize', 'valCropSize', 'valResizeSize'],
    applies: (f) => f.dataset === 'imagefolder',
    unless: 'is used only by --dataset imagefolder',
  },
  {
    flags: ['lrStepSize'],
    applies: (f) => f.lrScheduler === 'steplr',
    unless: 'is used only by --lr-scheduler steplr (multisteplr takes --lr-milestones)',
  },
  {
    flags: ['lrGamma'],
    applies: (f) => ['steplr', 'multisteplr', 'exponentiallr'].includes(f.lrScheduler ?? ''),
    unless: 'is used only by --lr-scheduler steplr, multisteplr and exponentiallr',
  },
  {
    flags: ['cropPadding'],
    applies: (f) => f.dataset !== 'imagefolder',
    unless: 'is not supported with --dataset imagefolder',
  },
  {
    flags: ['cropSize', 'resizeSize'],
    applies: (f) => f.dataset === 'imagefolder',
    unless: 'is used only by --dataset imagefolder',
  },
  {
    flags: ['raMagnitude'],
    applies: (f) => f.autoAugment === 'ra',
    unless: 'is used only by --auto-augment ra',
  },
  {
    flags: ['cropPadding', 'randomErase', 'autoAugment', 'raMagnitude', 'mixupAlpha', 'cutmixAlpha'],
    applies: (f) => f.augment !== false,
    unless: 'is an augmentation: it has no effect with --no-augment',
  },
  { flags: ['nesterov'], applies: (f) => f.opt === 'sgd', unless: 'is used only by --opt sgd' },
  {
    flags: ['momentum'],
    applies: (f) => f.opt === 'sgd' || f.opt === 'rmsprop' || f.opt === 'lars',
    unless: 'is used only by --opt sgd, rmsprop and lars',
  },
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
