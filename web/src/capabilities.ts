/**
 * What this server can do, from GET /api/extended-features/capabilities and /status, and
 * which routes it has, from the OpenAPI document (/docs/json). Routes still being built
 * answer 404 or are missing from the document: their operation shows as unavailable.
 */
type OperationId = 'compress' | 'bulk' | 'convert' | 'ocr' | 'summarize';

interface Operation {
  id: OperationId;
  label: string;
  /** Submit button text. */
  verb: string;
  route: string;
  /** Multipart field of the file(s); bulk repeats "files" in one job, the others send one job per file. */
  fileField: 'file' | 'files';
  accept: string;
  available: boolean;
  reason: string;
}

interface ServerInfo {
  caps: unknown;
  status: unknown;
  /** null when the OpenAPI document could not be read (then routes are assumed present). */
  routes: Set<string> | null;
  problem?: ApiError;
}

/** Reads a nested value of untyped JSON: get(x, 'a', 'b') is x?.a?.b. */
function get(value: unknown, ...keys: string[]): unknown {
  let v = value;
  for (const k of keys) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** "100MB" → bytes; undefined when the server does not say. */
function sizeLimit(value: unknown): number | undefined {
  const m = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*MB$/i.exec(value.trim()) : null;
  return m ? Number(m[1]) * 1024 * 1024 : undefined;
}

async function loadRoutes(): Promise<Set<string> | null> {
  try {
    const res = await fetch('/docs/json', { headers: { Accept: 'application/json' } });
    if (!res.ok) return null;
    const paths = get(await res.json(), 'paths');
    return paths && typeof paths === 'object' ? new Set(Object.keys(paths)) : null;
  } catch {
    return null;
  }
}

async function loadServer(): Promise<ServerInfo> {
  const routes = loadRoutes();
  try {
    const [caps, status] = await Promise.all([
      api<unknown>('GET', '/api/extended-features/capabilities'),
      api<unknown>('GET', '/api/extended-features/status'),
    ]);
    return { caps: get(caps, 'data'), status: get(status, 'data'), routes: await routes };
  } catch (err) {
    const problem = err instanceof ApiError ? err : new ApiError(0, 'BAD_RESPONSE', String(err));
    return { caps: undefined, status: undefined, routes: await routes, problem };
  }
}

const PDF_ACCEPT = 'application/pdf,.pdf';
const OCR_ACCEPT = 'application/pdf,.pdf,image/png,image/jpeg,image/tiff,image/bmp,image/webp,.png,.jpg,.jpeg,.tif,.tiff,.bmp,.webp';

function operations(info: ServerInfo): Operation[] {
  const known = info.caps !== undefined;
  const { caps, status, routes } = info;
  const op = (id: OperationId, label: string, verb: string, route: string, accept: string, why: string | undefined): Operation => {
    let reason = why ?? '';
    if (!reason && routes && !routes.has(route)) reason = 'not offered by this server yet';
    return { id, label, verb, route, fileField: id === 'bulk' ? 'files' : 'file', accept, available: reason === '', reason };
  };
  const unknownReason = known ? undefined : 'the server did not say it can';
  const compressWhy = get(status, 'compression', 'available') === false ? 'no worker threads are running' : undefined;
  const convertWhy = !known
    ? unknownReason
    : get(status, 'conversion', 'available') === false
      ? 'conversion is not available right now'
      : strings(get(caps, 'conversion', 'formats')).length === 0
        ? 'no output formats offered'
        : undefined;
  const ocrWhy = !known
    ? unknownReason
    : strings(get(caps, 'ocr', 'languages')).length === 0
      ? 'no OCR languages are installed'
      : get(status, 'ocr', 'available') === false
        ? 'OCR is not available right now'
        : undefined;
  const aiFeatures = get(status, 'ai', 'features');
  const summarizeWhy = !known
    ? unknownReason
    : get(caps, 'ai') === undefined || (Array.isArray(aiFeatures) && !strings(aiFeatures).includes('summarize'))
      ? 'AI features are not available'
      : undefined;
  return [
    op('compress', 'Compress', 'Compress', '/api/compress', PDF_ACCEPT, compressWhy),
    op('bulk', 'Bulk compress (one zip)', 'Compress all', '/api/bulk', PDF_ACCEPT, compressWhy),
    op('convert', 'Convert', 'Convert', '/api/convert', PDF_ACCEPT, convertWhy),
    op('ocr', 'OCR (recognise text)', 'Run OCR', '/api/ocr', OCR_ACCEPT, ocrWhy),
    op('summarize', 'Summarize', 'Summarize', '/api/ai/summarize', PDF_ACCEPT, summarizeWhy),
  ];
}
