import type { Worker as TesseractWorker } from 'tesseract.js';
import { TaskError } from '../task.js';
import { ensureTessdata } from './tessdata.js';

/**
 * tesseract.js (Tesseract compiled to WebAssembly) in this pool thread. Creating a worker
 * costs ~220 ms and ~100 MB (the WASM heap plus the model), so one is kept per pool thread
 * for the thread's whole life and reused by every page it is given; a page in another
 * language replaces it. tesseract.js runs it in a nested worker_thread, which Node stops
 * together with this thread when Piscina destroys the pool, so nothing outlives the pool.
 */
interface Cached {
  key: string;
  worker: Promise<TesseractWorker>;
  /** Rejects if the nested thread dies (WASM abort, out of memory): pending calls must not hang. */
  died: Promise<never>;
}

let cached: Cached | undefined;

async function acquire(langs: readonly string[]): Promise<Cached> {
  const key = langs.join('+');
  if (cached?.key === key) return cached;
  if (cached) {
    const old = cached.worker;
    cached = undefined;
    void old.then((w) => w.terminate()).catch(() => {});
  }
  const langPath = ensureTessdata(langs);
  const { createWorker, OEM } = await import('tesseract.js');
  let onDeath: (err: Error) => void = () => {};
  const died = new Promise<never>((_, reject) => (onDeath = reject));
  died.catch(() => {});
  const worker = createWorker(key, OEM.LSTM_ONLY, {
    langPath,
    gzip: false,
    // 'none': never read or write a traineddata cache (the default writes ./eng.traineddata
    // into the working directory).
    cacheMethod: 'none',
    // Without a handler tesseract.js rethrows a failed job (a corrupt image) from its message
    // listener, where nothing can catch it: the thread would die. The job's promise rejects anyway.
    errorHandler: () => {},
  }).then((w) => {
    const thread = (w as unknown as { worker?: NodeJS.EventEmitter }).worker;
    thread?.once('exit', (code: number) => {
      if (cached?.worker === worker) cached = undefined;
      onDeath(new TaskError('PROCESSING_FAILED', `The OCR engine stopped unexpectedly (exit ${code}).`, true));
    });
    return w;
  });
  const entry: Cached = { key, worker, died };
  cached = entry;
  worker.catch(() => {
    if (cached === entry) cached = undefined;
  });
  return entry;
}

function engineError(err: unknown): Error {
  if (err instanceof TaskError) return err;
  const message = String(err instanceof Error ? err.message : err);
  if (/read image|image file format|truncated|pixRead/i.test(message)) return new TaskError('INVALID_IMAGE', 'The image could not be decoded.');
  return new TaskError('PROCESSING_FAILED', `OCR failed: ${message.replace(/(?:\/[\w.@-]+)+/g, '<file>').slice(0, 200)}`);
}

/** Recognises one image (PNG/PNM/JPEG/… bytes) and returns Tesseract's TSV; `dpi` 0 = let Tesseract estimate. */
export async function recognizeWasm(image: Uint8Array, langs: readonly string[], dpi: number): Promise<string> {
  const entry = await acquire(langs).catch((err) => Promise.reject(engineError(err)));
  try {
    const w = await Promise.race([entry.worker, entry.died]);
    // tesseract.js's types know only its own options; Tesseract parameters pass through as strings.
    const res = await Promise.race([
      w.recognize(Buffer.from(image.buffer, image.byteOffset, image.byteLength), { tessedit_pageseg_mode: '3', user_defined_dpi: String(dpi), debug_file: '/dev/null' } as never, { tsv: true, text: false }),
      entry.died,
    ]);
    return res.data.tsv ?? '';
  } catch (err) {
    throw engineError(err);
  }
}

/**
 * Decodes an image MuPDF cannot read (WebP) with the Leptonica inside tesseract.js: the
 * worker is asked for its input image back and no recognition. Returns PNG bytes.
 */
export async function decodeWithLeptonica(image: Uint8Array, langs: readonly string[]): Promise<Buffer> {
  const entry = await acquire(langs).catch((err) => Promise.reject(engineError(err)));
  try {
    const w = await Promise.race([entry.worker, entry.died]);
    const res = await Promise.race([w.recognize(Buffer.from(image.buffer, image.byteOffset, image.byteLength), {}, { imageColor: true, text: false }), entry.died]);
    const uri = res.data.imageColor;
    if (!uri) throw new TaskError('INVALID_IMAGE', 'The image could not be decoded.');
    return Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64');
  } catch (err) {
    throw engineError(err);
  }
}

/** Ends this thread's tesseract.js worker (tests and benchmarks; Piscina's shutdown does it anyway). */
export async function terminateWasm(): Promise<void> {
  const old = cached;
  cached = undefined;
  if (old) await old.worker.then((w) => w.terminate()).catch(() => {});
}
