/**
 * Every error the library throws is a {@link ResnetNativeError}; the subclasses say what
 * kind of problem it was. Messages name the argument, what was expected and what was
 * received; errors raised inside libtorch keep PyTorch's own message.
 */
export class ResnetNativeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An argument of the wrong type or out of range. */
export class ArgumentError extends ResnetNativeError {}

/** Shapes that do not fit together. */
export class ShapeError extends ResnetNativeError {}

/** A dtype that the operation does not accept. */
export class DTypeError extends ResnetNativeError {}

/** Use of a tensor after `dispose()`. */
export class DisposedError extends ResnetNativeError {}

/** A device that does not exist or that the operation cannot use. */
export class DeviceError extends ResnetNativeError {}

/**
 * A distributed job that cannot go on: a rank that died or hung (the message names it), a
 * collective past its timeout, a rendezvous that failed, or a process group used before
 * `dist.init()`.
 */
export class DistributedError extends ResnetNativeError {}

/** An error raised by libtorch itself; the message is PyTorch's. */
export class TorchError extends ResnetNativeError {}

/** A state-dict key whose tensor shape differs between the module and the state dict. */
export interface ShapeMismatch {
  /** The dotted state-dict key. */
  key: string;
  /** The module's shape. */
  expected: number[];
  /** The state dict's shape. */
  received: number[];
}

/** What a state dict lacks, adds or mis-shapes compared with a module (all empty when it fits). */
export interface StateDictProblems {
  /** Keys of the module that the state dict lacks. */
  missingKeys: string[];
  /** Keys of the state dict that the module does not have. */
  unexpectedKeys: string[];
  /** Keys present on both sides with different shapes. */
  shapeMismatches: ShapeMismatch[];
}

/**
 * A state dict that does not match a module or an optimizer. From `Module.loadStateDict`,
 * `problems` lists every missing, unexpected and mis-shaped key, so a caller can act on them
 * (e.g. retry without the classifier) instead of parsing the message.
 */
export class StateDictError extends ResnetNativeError {
  /** The keys at fault, when the error comes from matching a module's keys; otherwise null. */
  readonly problems: StateDictProblems | null;

  constructor(message: string, problems: StateDictProblems | null = null) {
    super(message);
    this.problems = problems;
  }
}

/** A weights file that is not valid (truncated, corrupted, unsupported, unsafe). */
export class FormatError extends ResnetNativeError {}

/**
 * A file that could not be downloaded: no network (the message says where to put the file by
 * hand), a server's refusal, or a connection cut mid-file. Nothing is left at the destination.
 */
export class DownloadError extends ResnetNativeError {}

/** A downloaded (or cached) file whose checksum is not the published one; it is not kept. */
export class ChecksumError extends DownloadError {}

/** The classes the native addon throws, handed to it once at load. */
export const nativeErrorClasses = {
  ArgumentError,
  ShapeError,
  DTypeError,
  DisposedError,
  DeviceError,
  TorchError,
  DistributedError,
};
