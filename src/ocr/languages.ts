import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.js';

/**
 * OCR languages are the installed `@tesseract.js-data/<code>` npm packages: discovered on
 * disk (once, at first use), never downloaded. Both engines read the same files, so both
 * support exactly this set. `4.0.0_best_int` is the integer-quantised "best" LSTM model:
 * eng is 2.9 MB gzipped, as accurate as `best` on clean scans and ~2× faster than it in WASM.
 */
export const DATA_VARIANT = '4.0.0_best_int';

export interface InstalledLanguage {
  code: string;
  /** Folder holding `<code>.traineddata.gz`. */
  dir: string;
  file: string;
}

/** node_modules/@tesseract.js-data, found by walking up from this file (src/ or dist/src/). */
function dataRoot(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'node_modules', '@tesseract.js-data');
    if (existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** `@tesseract.js-data/osd`: the legacy model Tesseract's orientation and script detection reads. */
export const OSD = 'osd';

/** The orientation model's file (`osd.traineddata.gz`), when its package is installed. */
export function osdModel(): InstalledLanguage | undefined {
  const root = dataRoot();
  if (!root) return undefined;
  const dir = path.join(root, OSD, DATA_VARIANT);
  const file = path.join(dir, `${OSD}.traineddata.gz`);
  return existsSync(file) ? { code: OSD, dir, file } : undefined;
}

let installed: ReadonlyMap<string, InstalledLanguage> | undefined;

export function installedLanguages(): ReadonlyMap<string, InstalledLanguage> {
  if (installed) return installed;
  const found = new Map<string, InstalledLanguage>();
  const root = dataRoot();
  for (const code of root ? readdirSync(root).sort() : []) {
    const dir = path.join(root!, code, DATA_VARIANT);
    const file = path.join(dir, `${code}.traineddata.gz`);
    // osd is Tesseract's orientation-and-script model (rotatePages, language auto), not a language.
    if (code !== OSD && /^[a-z_]{3,20}$/.test(code) && existsSync(file)) found.set(code, { code, dir, file });
  }
  installed = found;
  return found;
}

export function languageCodes(): string[] {
  return [...installedLanguages().keys()];
}

const MAX_LANGUAGES = 4;

/**
 * "eng", "eng+fra" → ["eng", "fra"]: every part installed, no repeats, at most 4 (each one
 * adds a model to every page's recognition and ~20–50 MB per thread). Anything else is a
 * 400 UNSUPPORTED_LANGUAGE that lists what is installed.
 */
export function parseLanguages(spec: string): string[] {
  const codes = languageCodes();
  const parts = spec.split('+').map((s) => s.trim().toLowerCase());
  const unknown = parts.filter((p) => !installedLanguages().has(p));
  if (parts.length === 0 || unknown.length > 0) {
    const bad = unknown.map((u) => JSON.stringify(u.slice(0, 20))).join(', ') || '""';
    throw new AppError('UNSUPPORTED_LANGUAGE', `OCR language ${bad} is not installed; installed: ${codes.join(', ') || 'none'} (combine with +, e.g. eng+fra).`, {
      installed: codes,
    });
  }
  const unique = [...new Set(parts)];
  if (unique.length > MAX_LANGUAGES) {
    throw new AppError('UNSUPPORTED_LANGUAGE', `At most ${MAX_LANGUAGES} OCR languages at once.`, { installed: codes });
  }
  return unique;
}
