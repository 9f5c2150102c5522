/**
 * One HTTP exchange with a provider, made safe against hostile or broken answers: a timeout
 * on the whole exchange (headers and body), a cap on how much of a body is read, redirects
 * never followed (a redirect would carry our request, and the upload bytes, somewhere the
 * configured base URL did not name), JSON parsed without throwing.
 */
export interface Req {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
}

export interface Answer {
  status: number;
  headers: Headers;
  /** The body as text, at most maxBodyBytes of it. */
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** The provider could not be reached or did not answer in time (always worth a retry). */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

/** Answers are small JSON documents; a provider sending megabytes is misbehaving. */
const MAX_BODY_BYTES = 1024 * 1024;

export async function call(req: Req, signal: AbortSignal, timeoutMs: number): Promise<Answer> {
  signal.throwIfAborted();
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = AbortSignal.any([signal, timeout]);
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: { 'user-agent': 'pdf-smaller', ...req.headers },
      body: req.body ?? null,
      redirect: 'manual',
      signal: combined,
    });
    const text = await readBounded(res, MAX_BODY_BYTES);
    return { status: res.status, headers: res.headers, text, json: parseJson(text) };
  } catch (err) {
    if (signal.aborted) throw signal.reason ?? err;
    if (timeout.aborted) throw new NetworkError(`no answer within ${Math.round(timeoutMs / 1000)} s`);
    const cause = (err as { cause?: { code?: string } }).cause;
    throw new NetworkError(cause?.code ? `connection failed (${cause.code})` : 'connection failed');
  }
}

async function readBounded(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      break;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (!/^\s*[[{"]/.test(text) && text.trim() !== 'null') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const v = headers.get('retry-after')?.trim();
  if (!v) return undefined;
  if (/^\d{1,9}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with ±20 % jitter, so many exports hitting one limit do not retry in step. */
export function backoffMs(attempt: number, baseMs: number): number {
  const ms = Math.min(30_000, baseMs * 2 ** attempt);
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}

/** A plain object field, or undefined: answers are read without trusting their shape. */
export function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

export function stringField(value: unknown, key: string, max = 2048): string | undefined {
  const v = field(value, key);
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}
