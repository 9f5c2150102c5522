/**
 * The Piscina worker module: every task the pool can run, by name
 * (`pool.run(payload, { name })`). Each task's module is imported on its first call, not at
 * thread start: a thread that only compresses never loads docx, exceljs or tesseract.js
 * (under the test loader a thread with every module loaded took 8.2 s to start, 3.5 s bare).
 */
import os from 'node:os';

/**
 * Worker threads run at a lower scheduling priority (nice +10) than the main thread, and so
 * do the tools they start (Ghostscript, qpdf, tesseract inherit it). On a machine whose cores
 * the heavy work fills, the main thread (HTTP, status polls, the queue) still runs the moment
 * it has something to do; when it is idle, the workers get every core as before. On Linux
 * the nice value belongs to the thread, so this leaves the main thread as it is.
 */
const WORKER_NICE = 10;
try {
  os.setPriority(0, Math.min(19, os.getPriority(0) + WORKER_NICE));
} catch {
  // Not permitted or not supported here: the threads keep the process's priority.
}

type Task = (payload: never) => Promise<unknown>;

function lazy<M, K extends keyof M & string>(load: () => Promise<M>, name: K): M[K] {
  let fn: Promise<Task> | undefined;
  return (async (payload: never) => {
    fn ??= load().then((m) => m[name] as unknown as Task);
    return (await fn)(payload);
  }) as M[K];
}

export const probe = lazy(() => import('./probe.js'), 'probe');
export const compress = lazy(() => import('./compress.js'), 'compress');
export const compressScans = lazy(() => import('./compress.js'), 'compressScans');
export const compressPreview = lazy(() => import('./compress-preview.js'), 'compressPreview');
export const noop = lazy(() => import('./noop.js'), 'noop');
export const extractText = lazy(() => import('./extract-text.js'), 'extractText');
export const convert = lazy(() => import('./convert.js'), 'convert');
export const convertExtract = lazy(() => import('./convert.js'), 'convertExtract');
export const convertWrite = lazy(() => import('./convert.js'), 'convertWrite');
export const convertPreview = lazy(() => import('./convert-preview.js'), 'convertPreview');
export const ocrPlan = lazy(() => import('./ocr.js'), 'ocrPlan');
export const ocrRecognize = lazy(() => import('./ocr.js'), 'ocrRecognize');
export const ocrAssemble = lazy(() => import('./ocr.js'), 'ocrAssemble');
export const ocrLanguage = lazy(() => import('./ocr.js'), 'ocrLanguage');
export const ocrSameText = lazy(() => import('./ocr.js'), 'ocrSameText');
export const ocrPreview = lazy(() => import('./ocr-preview.js'), 'ocrPreview');
export const sanitize = lazy(() => import('./sanitize.js'), 'sanitize');
