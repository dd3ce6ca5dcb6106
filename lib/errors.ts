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

/** An error raised by libtorch itself; the message is PyTorch's. */
export class TorchError extends ResnetNativeError {}

/** A state dict that does not match a module (missing, unexpected or mis-shaped keys). */
export class StateDictError extends ResnetNativeError {}

/** A weights file that is not valid (truncated, corrupted, unsupported, unsafe). */
export class FormatError extends ResnetNativeError {}

/** The classes the native addon throws, handed to it once at load. */
export const nativeErrorClasses = {
  ArgumentError,
  ShapeError,
  DTypeError,
  DisposedError,
  DeviceError,
  TorchError,
};
