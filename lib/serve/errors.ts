/** What the server answers for each kind of failure: status, error code, and the JSON body. */

/** An error answer: `{ error: { code, message } }` with `status`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** The JSON body sent. */
  body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** fastify's own errors (body parsing) as the server's 400s: every bad body gets a JSON error. */
export function fromFastifyError(err: { code?: string; statusCode?: number; message: string }): HttpError {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpError(
        400,
        'unsupported_content_type',
        `${err.message}; send an image (image/jpeg, image/png, image/webp, ...) or application/json {"images": [base64, ...]}`,
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(400, 'body_too_large', err.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpError(400, 'bad_json', err.message);
    default:
      if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)
        return new HttpError(400, 'bad_request', err.message);
      return new HttpError(500, 'internal', err.message);
  }
}
