import { execa } from 'execa';
import type { Worker as TesseractWorker } from 'tesseract.js';
import { OSD, osdModel } from '../../src/ocr/languages.js';
import { TaskError } from '../task.js';
import { ensureTessdata } from './tessdata.js';
import type { OcrEngineName } from './types.js';

/**
 * Tesseract's orientation and script detection (OSD, `--psm 0`) on one page image: how many
 * degrees clockwise the page must turn to be upright, how sure the model is, and the script.
 * The binary prints "Rotate: N / Orientation confidence: X / Script: S"; tesseract.js runs
 * the same legacy model in its legacy core (`detect()`), one such worker kept per thread.
 */
export interface Orientation {
  /** Degrees clockwise that make the page upright: 0, 90, 180 or 270. */
  rotate: 0 | 90 | 180 | 270;
  /** Tesseract's orientation confidence (≈0–40 on real pages); 0 when nothing was detected. */
  confidence: number;
  /** Script name as Tesseract reports it (Latin, Cyrillic, Han…), or null. */
  script: string | null;
  scriptConfidence: number;
}

const NONE: Orientation = { rotate: 0, confidence: 0, script: null, scriptConfidence: 0 };

function asRotate(n: number): Orientation['rotate'] {
  const r = ((Math.round(n / 90) * 90) % 360 + 360) % 360;
  return r as Orientation['rotate'];
}

/** Parses the binary's `--psm 0` report. */
export function parseOsd(text: string): Orientation {
  const num = (re: RegExp) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : NaN;
  };
  const rotate = num(/^Rotate:\s*(\d+)/m);
  if (!Number.isFinite(rotate)) return NONE;
  const script = /^Script:\s*(\S+)/m.exec(text)?.[1] ?? null;
  return {
    rotate: asRotate(rotate),
    confidence: Math.round((num(/^Orientation confidence:\s*([\d.]+)/m) || 0) * 100) / 100,
    script,
    scriptConfidence: Math.round((num(/^Script confidence:\s*([\d.]+)/m) || 0) * 100) / 100,
  };
}

async function detectNative(image: Uint8Array, dpi: number): Promise<Orientation> {
  const tessdata = ensureTessdata([OSD]);
  const res = await execa('tesseract', ['stdin', 'stdout', '--tessdata-dir', tessdata, '--psm', '0', '--dpi', String(Math.round(dpi))], {
    input: Buffer.from(image.buffer, image.byteOffset, image.byteLength),
    env: { OMP_THREAD_LIMIT: '1' },
    extendEnv: true,
    reject: false,
    timeout: 120_000,
    maxBuffer: 1024 * 1024,
  });
  if (res.code === 'ENOENT') throw new TaskError('OCR_ENGINE_UNAVAILABLE', 'The tesseract binary is not installed on this server.');
  // Too little text is an exit code 1 with "Too few characters": not an error, just no answer.
  return parseOsd(`${String(res.stdout ?? '')}\n${String(res.stderr ?? '')}`);
}

let osdWorker: Promise<TesseractWorker> | undefined;

async function detectWasm(image: Uint8Array): Promise<Orientation> {
  if (!osdWorker) {
    const langPath = ensureTessdata([OSD]);
    const { createWorker, OEM } = await import('tesseract.js');
    osdWorker = createWorker(OSD, OEM.TESSERACT_ONLY, { langPath, gzip: false, cacheMethod: 'none', legacyCore: true, legacyLang: true, errorHandler: () => {} });
    osdWorker.catch(() => (osdWorker = undefined));
  }
  const w = await osdWorker;
  try {
    const r = (await w.detect(Buffer.from(image.buffer, image.byteOffset, image.byteLength))).data as {
      orientation_degrees: number | null;
      orientation_confidence: number | null;
      script: string | null;
      script_confidence: number | null;
    };
    if (r.orientation_degrees === null) return NONE;
    // orientation_degrees is what the binary prints as "Rotate": degrees clockwise to upright.
    return {
      rotate: asRotate(r.orientation_degrees),
      confidence: Math.round((r.orientation_confidence ?? 0) * 100) / 100,
      script: r.script,
      scriptConfidence: Math.round((r.script_confidence ?? 0) * 100) / 100,
    };
  } catch {
    return NONE; // too little text
  }
}

/** Without the `@tesseract.js-data/osd` package nothing is detected: pages are read as they lie. */
export async function detectOrientation(engine: OcrEngineName, image: Uint8Array, dpi: number): Promise<Orientation> {
  if (!osdModel()) return NONE;
  return engine === 'native' ? detectNative(image, dpi) : detectWasm(image);
}

/** Ends this thread's OSD worker (tests). */
export async function terminateOsd(): Promise<void> {
  const w = osdWorker;
  osdWorker = undefined;
  if (w) await w.then((x) => x.terminate()).catch(() => {});
}
