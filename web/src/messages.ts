/**
 * A human sentence for every error code of src/errors.ts (test/web/page.test.ts checks that
 * none is missing), shown above the server's own, more specific message. NETWORK_ERROR and
 * BAD_RESPONSE are the page's own: no answer, or an answer that is not the API's JSON.
 */
const FRIENDLY: Record<string, string> = {
  NO_FILE: 'No file reached the server. Choose a file and try again.',
  INVALID_FILE_TYPE: 'This file is not of a type this operation accepts. The server checks what the file contains, not its name.',
  INVALID_PDF: 'This PDF is damaged or unreadable, so it cannot be processed.',
  ENCRYPTED_PDF: 'This PDF is password-protected. Remove the password and try again.',
  FILE_TOO_LARGE: 'The file is larger than this server accepts.',
  TOO_MANY_FILES: 'Too many files at once. Send fewer files in one batch.',
  TOO_MANY_PAGES: 'The document has more pages than this server allows.',
  PDF_TOO_COMPLEX: 'This PDF expands to far more content than the server processes (it may be a decompression bomb, or damaged).',
  INVALID_OPTIONS: 'One of the options has a value the server does not accept.',
  INVALID_REQUEST: 'The server could not understand the request.',
  NOT_FOUND: 'This feature is not available on this server (yet).',
  METHOD_NOT_ALLOWED: 'The server does not allow this action.',
  JOB_NOT_FOUND: 'The server no longer knows this job (it was deleted, or the server was reset).',
  INVALID_LINK: 'This download or progress link has expired or was changed. The page fetches a fresh one; reload if it keeps failing.',
  CROSS_SITE_REFUSED: 'This server does not take submissions from pages of other sites without an API key.',
  WEBHOOK_FAILED: 'The notification to your webhook address was not accepted.',
  JOB_NOT_READY: 'The result is not ready yet. Wait until the job is done.',
  JOB_FAILED: 'The job failed, so there is nothing to download.',
  JOB_CANCELLED: 'The job was cancelled, so there is nothing to download.',
  JOB_EXPIRED: 'The result has expired and was deleted from the server. Run the job again.',
  JOB_ID_CONFLICT: 'A job with this id already exists for another operation.',
  RATE_LIMITED: 'Too many submissions in a short time. Wait a little and try again.',
  UNAUTHORIZED: 'This server needs a valid API key.',
  QUEUE_FULL: 'The server is busy: too many jobs are waiting. Try again in a few minutes.',
  INSUFFICIENT_STORAGE: 'The server is running out of disk space. Try again later.',
  AI_NOT_CONFIGURED: 'AI features are not set up on this server.',
  AI_PROVIDER_ERROR: 'The AI service this server uses failed. Try again later.',
  AI_RATE_LIMITED: 'The AI service is limiting this server for now. Try again later.',
  AI_INVALID_OUTPUT: 'The AI model gave an answer that could not be used. Try again.',
  TEXT_TOO_LARGE: 'The text is too long for this operation.',
  NO_TEXT: 'No text was found in the document. If it is a scan, run OCR on it first.',
  UNSUPPORTED_LANGUAGE: 'This language is not available on this server.',
  INVALID_IMAGE: 'The image could not be read; it may be damaged or in an unsupported format.',
  OCR_ENGINE_UNAVAILABLE: 'Text recognition (OCR) is not available on this server right now.',
  CLOUD_NOT_CONFIGURED: 'This cloud service is not set up on this server.',
  CLOUD_AUTH_FAILED: 'The cloud service refused access. Sign in to it again.',
  CLOUD_PROVIDER_ERROR: 'The cloud service failed. Try again later.',
  CLOUD_STORAGE_FULL: 'The cloud account has no room left for this file.',
  CLOUD_TOKEN_UNAVAILABLE: 'The export lost its sign-in on the server. Start the export again.',
  SERVICE_UNAVAILABLE: 'The server is restarting or not ready. Try again in a moment.',
  JOB_TIMEOUT: 'The job took too long and was stopped. Try a smaller file or lighter settings.',
  JOB_INTERRUPTED: 'The server stopped several times while working on this job. Try again.',
  WORKER_CRASHED: 'The worker processing this file stopped unexpectedly. Try again.',
  PROCESSING_FAILED: 'The file could not be processed.',
  INTERNAL_ERROR: 'Something went wrong on the server. Try again; if it keeps happening, tell the server administrator.',
  NETWORK_ERROR: 'Could not reach the server. Check the connection and try again.',
  BAD_RESPONSE: 'The server sent an unexpected answer.',
};

interface ProblemLike {
  code: string;
  message?: string | undefined;
  details?: unknown;
}

function friendlyText(code: string): string {
  return Object.prototype.hasOwnProperty.call(FRIENDLY, code) ? FRIENDLY[code]! : 'The request failed.';
}

/** Per-file problems a bulk refusal lists in details.files, as "name: friendly text". */
function detailLines(details: unknown): string[] {
  if (!details || typeof details !== 'object') return [];
  const lines: string[] = [];
  const files = (details as { files?: unknown }).files;
  if (Array.isArray(files)) {
    for (const f of files as { name?: unknown; code?: unknown; message?: unknown }[]) {
      if (typeof f?.code !== 'string') continue;
      lines.push(`${typeof f.name === 'string' ? f.name : 'a file'}: ${friendlyText(f.code)} (${f.code})`);
    }
  }
  const retry = (details as { retry_after_s?: unknown }).retry_after_s;
  if (typeof retry === 'number') lines.push(`You can try again in ${retry} s.`);
  return lines;
}

/** A block explaining a problem: the friendly sentence, then the server's message and the code. */
function renderProblem(problem: ProblemLike): HTMLElement {
  const server = problem.message && problem.message !== friendlyText(problem.code) ? problem.message : '';
  const lines = detailLines(problem.details);
  return h(
    'div',
    { class: 'problem', 'data-code': problem.code },
    h('p', { class: 'problem-friendly' }, friendlyText(problem.code)),
    server ? h('p', { class: 'problem-server' }, `Server said: ${server}`) : null,
    lines.length ? h('ul', { class: 'problem-details' }, ...lines.map((l) => h('li', {}, l))) : null,
    h('p', { class: 'problem-code' }, `Error code: ${problem.code}`),
  );
}

/** The same, as one sentence for the live region. */
function problemSentence(problem: ProblemLike): string {
  return `${friendlyText(problem.code)}${problem.message ? ` ${problem.message}` : ''}`;
}
