import { execa } from 'execa';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';

export type EngineName = 'native' | 'wasm';

export interface EngineInfo {
  /** The engine jobs run with. */
  engine: EngineName;
  /** `tesseract --version` of the binary, when one is installed. */
  nativeVersion: string | undefined;
}

let probe: Promise<string | undefined> | undefined;

/**
 * The installed `tesseract` binary's version, asked once per process. Tesseract 4+ is
 * needed (LSTM models); older or missing reads as not installed.
 */
export function nativeTesseract(): Promise<string | undefined> {
  probe ??= execa('tesseract', ['--version'], { reject: false, timeout: 5000, env: { OMP_THREAD_LIMIT: '1' } })
    .then((r) => {
      const m = /tesseract\s+v?(\d+)\.(\d+)(?:\.(\d+))?/i.exec(`${r.stdout}\n${r.stderr}`);
      return r.exitCode === 0 && m && Number(m[1]) >= 4 ? `${m[1]}.${m[2]}${m[3] ? `.${m[3]}` : ''}` : undefined;
    })
    .catch(() => undefined);
  return probe;
}

/**
 * OCR_ENGINE → the engine to run: auto takes the binary when installed (≈1.5× faster per
 * page than WASM here) and tesseract.js otherwise; native without the binary is refused
 * rather than silently slower (503 OCR_ENGINE_UNAVAILABLE).
 */
export async function resolveEngine(setting: Config['ocrEngine']): Promise<EngineInfo> {
  const nativeVersion = setting === 'wasm' ? undefined : await nativeTesseract();
  if (setting === 'native' && !nativeVersion) {
    throw new AppError('OCR_ENGINE_UNAVAILABLE', 'OCR_ENGINE=native but the tesseract binary (4.x or newer) is not installed on this server.');
  }
  return { engine: setting === 'wasm' || !nativeVersion ? 'wasm' : 'native', nativeVersion };
}

/**
 * Seconds per megapixel of rendered page, per thread. Measured on this 2-core VM with an
 * A4 page of 40 lines at 300 dpi (8.7 Mpx): the binary 2.3–2.7 s, tesseract.js 3.5–4.4 s
 * once warm (its first page in a thread takes ~2× longer while V8 optimises the WASM).
 * Sparse pages go faster, so this errs long.
 */
const SECONDS_PER_MPX: Record<EngineName, number> = { native: 0.3, wasm: 0.45 };

export function estimateSeconds(engine: EngineName, pixelsPerPage: number[], threads: number): number {
  const total = pixelsPerPage.reduce((s, px) => s + (px / 1e6) * SECONDS_PER_MPX[engine], 0);
  return Math.round((total / Math.max(1, Math.min(threads, pixelsPerPage.length || 1)) + 0.5) * 10) / 10;
}
