/**
 * The one registry of coded errors. A code has one HTTP status and one default message;
 * routes throw `new AppError('CODE')` (optionally with a sharper message or details) and the
 * error handler in app.ts turns it into the error envelope (README). Job failures use the same
 * codes, so a client reads `error.code` the same way from a 4xx and from a failed job.
 */
/** The message of a job that met a full disk while writing its result (the code: INSUFFICIENT_STORAGE). */
export const DISK_FULL = 'The server ran out of disk space while writing the result; try again later.';

export const ERRORS = {
  NO_FILE: [400, 'No file was uploaded. Send the file in the multipart field "file".'],
  INVALID_FILE_TYPE: [415, 'The file is not of a supported type.'],
  INVALID_PDF: [422, 'The file is not a readable PDF.'],
  ENCRYPTED_PDF: [422, 'The PDF is password-protected.'],
  FILE_TOO_LARGE: [413, 'The file is larger than the allowed size.'],
  TOO_MANY_FILES: [400, 'Too many files in one request.'],
  TOO_MANY_PAGES: [422, 'The document has more pages than allowed.'],
  PDF_TOO_COMPLEX: [422, 'The PDF expands past what this server processes (e.g. a decompression bomb).'],
  INVALID_OPTIONS: [400, 'The request options are not valid.'],
  INVALID_REQUEST: [400, 'The request is not valid.'],
  NOT_FOUND: [404, 'No such route.'],
  METHOD_NOT_ALLOWED: [405, 'Method not allowed.'],
  JOB_NOT_FOUND: [404, 'No job with this id.'],
  JOB_NOT_READY: [409, 'The job has not completed yet.'],
  JOB_FAILED: [409, 'The job failed; it has no result to download.'],
  JOB_CANCELLED: [409, 'The job was cancelled; it has no result to download.'],
  JOB_EXPIRED: [410, 'The job result has expired and was deleted.'],
  JOB_ID_CONFLICT: [409, 'A job with this id exists with different parameters.'],
  RATE_LIMITED: [429, 'Too many requests; slow down.'],
  UNAUTHORIZED: [401, 'A valid X-API-Key header is required.'],
  INVALID_LINK: [403, 'The link is not valid (changed, incomplete or for another route); read the job again for a fresh one.'],
  CROSS_SITE_REFUSED: [403, 'A page of another site may not submit to this server without an API key (allow its origin in CORS_ORIGINS).'],
  QUEUE_FULL: [503, 'Too many jobs are waiting; try again later.'],
  INSUFFICIENT_STORAGE: [507, 'The server is low on disk space; try again later.'],
  AI_NOT_CONFIGURED: [503, 'No AI provider is configured on this server.'],
  AI_PROVIDER_ERROR: [502, 'The AI provider failed.'],
  AI_RATE_LIMITED: [429, 'The AI provider is rate limiting this server; try again later.'],
  AI_INVALID_OUTPUT: [502, "The AI model's answer did not match the requested schema."],
  TEXT_TOO_LARGE: [413, 'The text is larger than allowed.'],
  NO_TEXT: [422, 'The document contains no text.'],
  UNSUPPORTED_LANGUAGE: [400, 'The language is not supported.'],
  INVALID_IMAGE: [422, 'The image could not be decoded.'],
  OCR_ENGINE_UNAVAILABLE: [503, 'The configured OCR engine is not available on this server.'],
  CLOUD_NOT_CONFIGURED: [503, 'This cloud provider is not configured on this server.'],
  CLOUD_AUTH_FAILED: [401, 'The cloud provider refused the access token or authorization code; sign in again.'],
  CLOUD_PROVIDER_ERROR: [502, 'The cloud provider failed or gave an unexpected answer.'],
  CLOUD_STORAGE_FULL: [507, 'The cloud account has no room for this file.'],
  CLOUD_TOKEN_UNAVAILABLE: [409, 'The access token of this export is no longer held by the server; submit the export again.'],
  SERVICE_UNAVAILABLE: [503, 'The service is shutting down or not ready.'],
  // Job-only failures (never an HTTP answer of their own; status is what a sync call would get).
  JOB_TIMEOUT: [504, 'The job took longer than the allowed time and was stopped.'],
  JOB_INTERRUPTED: [500, 'The job was interrupted too many times (the server stopped while it ran).'],
  WORKER_CRASHED: [500, 'The worker processing the job stopped unexpectedly.'],
  PROCESSING_FAILED: [500, 'The file could not be processed.'],
  WEBHOOK_FAILED: [502, 'The webhook receiver did not accept the delivery.'],
  INTERNAL_ERROR: [500, 'An internal error occurred.'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof ERRORS;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}

export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? ERRORS[code][1]);
    this.code = code;
    this.statusCode = ERRORS[code][0];
    this.details = details;
  }
}

/**
 * A job (or a task in a worker thread) that ran and failed with a registered code: bad input,
 * an engine refusal, a provider's answer. The dispatcher records the code on the job, and
 * retries only a retryable failure. The code's type is ErrorCode, so an unregistered code
 * does not compile (workers' TaskError is typed the same way).
 */
export class TaskFailure extends Error {
  override name = 'TaskFailure';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryable: boolean,
    /** For a retryable failure: wait at least this long before the next run (e.g. a Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The error envelope (README "Use it"). */
export function errorBody(code: string, message: string, requestId: string, details?: unknown) {
  return {
    success: false as const,
    error: { code, message, ...(details === undefined ? {} : { details }), timestamp: new Date().toISOString() },
    request_id: requestId,
  };
}
