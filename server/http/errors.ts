/** A domain error that becomes `{error: {code, message, fields?}}` with its status code. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
    /** For 429: seconds until trying again makes sense (sent as Retry-After). */
    readonly retryAfterSeconds?: number,
    /** More top-level fields of `error` (such as `findings` for 422 sensitive_data). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (code: string, message: string, fields?: Record<string, string>) =>
  new ApiError(400, code, message, fields);
export const invalidField = (field: string, why: string) =>
  new ApiError(400, 'validation_failed', `${field}: ${why}`, { [field]: why });
export const unauthorized = (message = 'Log in to do this.') => new ApiError(401, 'unauthorized', message);
export const forbidden = (code = 'forbidden', message = 'You are not allowed to do this.') =>
  new ApiError(403, code, message);
export const notFound = (what = 'resource') => new ApiError(404, 'not_found', `This ${what} does not exist.`);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);
export const tooLarge = (message = 'The request is too large.') => new ApiError(413, 'payload_too_large', message);
export const unsupportedType = (message = 'This type of file is not allowed.') =>
  new ApiError(415, 'unsupported_type', message);
