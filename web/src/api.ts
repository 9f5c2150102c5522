/**
 * Talking to the API: X-API-Key on every request (from sessionStorage, this tab only), the
 * error envelope turned into ApiError, and 401 UNAUTHORIZED answered by asking for the key and
 * sending the same request again once it is given. URLs that cannot carry a header
 * (EventSource, download links) are the signed `events_url` and `download_url` of the job
 * JSON: the key never goes into a URL.
 */
const KEY_STORAGE = 'pdf-smaller.api-key';

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function storedKey(): string {
  try {
    return sessionStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return ''; // storage disabled: the page still works on servers without API_KEYS
  }
}

function saveKey(key: string): void {
  try {
    sessionStorage.setItem(KEY_STORAGE, key);
  } catch {
    /* nothing to keep it in; requests made before the reload still had it */
  }
}

function forgetKey(): void {
  try {
    sessionStorage.removeItem(KEY_STORAGE);
  } catch {
    /* ignore */
  }
}

/** Seconds a signed link has left (its `expires` parameter), or 0 when it has none. */
function linkSecondsLeft(link: string): number {
  const expires = Number(new URL(link, window.location.href).searchParams.get('expires'));
  return Number.isFinite(expires) ? expires - Date.now() / 1000 : 0;
}

/** Requests waiting for a key; the page shows the key form while this is not empty. */
const keyWaiters: (() => void)[] = [];
let showKeyForm: (rejected: boolean) => void = () => {};

function onKeyNeeded(show: (rejected: boolean) => void): void {
  showKeyForm = show;
}

function waitForKey(rejected: boolean): Promise<void> {
  return new Promise((resolve) => {
    keyWaiters.push(resolve);
    showKeyForm(rejected);
  });
}

/** The user gave a key: keep it and send the waiting requests again. */
function keyProvided(key: string): void {
  saveKey(key);
  for (const resume of keyWaiters.splice(0)) resume();
}

interface RawAnswer {
  status: number;
  text: string;
  retryAfter: string | null;
}

interface RequestOptions {
  body?: FormData | string;
  json?: boolean;
  onUpload?: (fraction: number) => void;
  signal?: AbortSignal;
}

/** XMLHttpRequest rather than fetch: it reports upload progress, which big PDFs need. */
function rawRequest(method: string, path: string, opts: RequestOptions): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = new XMLHttpRequest();
    req.open(method, path);
    req.setRequestHeader('Accept', 'application/json');
    const key = storedKey();
    if (key) req.setRequestHeader('X-API-Key', key);
    if (opts.json) req.setRequestHeader('Content-Type', 'application/json');
    const onUpload = opts.onUpload;
    if (onUpload) req.upload.onprogress = (e) => e.lengthComputable && onUpload(e.loaded / e.total);
    req.onload = () => resolve({ status: req.status, text: req.responseText, retryAfter: req.getResponseHeader('retry-after') });
    req.onerror = () => reject(new ApiError(0, 'NETWORK_ERROR', 'No answer from the server.'));
    req.onabort = () => reject(new ApiError(0, 'ABORTED', 'Stopped.'));
    opts.signal?.addEventListener('abort', () => req.abort(), { once: true });
    if (opts.signal?.aborted) return req.abort();
    req.send(opts.body ?? null);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function errorFrom(answer: RawAnswer, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (error && typeof error.code === 'string') {
    let details = error.details;
    if (answer.retryAfter && (details === undefined || typeof details === 'object')) {
      details = { retry_after_s: Number(answer.retryAfter), ...(details as object | undefined) };
    }
    return new ApiError(answer.status, error.code, typeof error.message === 'string' ? error.message : '', details);
  }
  return new ApiError(answer.status, 'BAD_RESPONSE', `HTTP ${answer.status} without the API's error body.`);
}

/** One API call: the parsed JSON of a 2xx, or an ApiError. A 401 waits for a key and retries. */
async function api<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  for (;;) {
    const sentKey = storedKey();
    const answer = await rawRequest(method, path, opts);
    const body = parseJson(answer.text);
    if (answer.status >= 200 && answer.status < 300) {
      if (body === undefined) throw new ApiError(answer.status, 'BAD_RESPONSE', 'The answer was not JSON.');
      return body as T;
    }
    const err = errorFrom(answer, body);
    if (err.code !== 'UNAUTHORIZED') throw err;
    // The key may have changed while this request was in flight: retry with the new one at once.
    if (storedKey() && storedKey() !== sentKey) continue;
    if (sentKey) forgetKey(); // refused: do not put it in more URLs
    await waitForKey(sentKey !== '');
  }
}
