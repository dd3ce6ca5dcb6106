/** Why an image could not be used: its bytes are not an image, or it is larger than allowed. */
import { ResnetNativeError } from '../errors.js';

/** The kind of an `ImageError`, as a server reports it. */
export type ImageErrorReason = 'not_an_image' | 'image_too_large';

/** An input that is not a decodable image (JPEG, PNG, WebP, ...) or one over the pixel limit. */
export class ImageError extends ResnetNativeError {
  constructor(
    message: string,
    /** Which of the two problems it is. */
    readonly reason: ImageErrorReason,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
