import { readFile } from 'node:fs/promises';
import { franc } from 'franc-min';
import { languageCodes } from '../../src/ocr/languages.js';
import { loadMupdf } from '../pdf.js';
import { TaskError } from '../task.js';
import { detectOrientation } from './osd.js';
import { recognizePages, type RecognizePayload } from './recognize.js';
import type { OcrPageResult } from './types.js';

/**
 * language "auto": which installed language a document is in, from one sample page.
 *  1. Tesseract's OSD names the page's script (Latin, Cyrillic, Han…); the candidates are the
 *     installed languages written in it (all installed ones when none is).
 *  2. A first pass reads the page with one of them (eng when it is a candidate).
 *  3. franc (trigram statistics, offline) picks among the candidates from that text; too
 *     little text ("und") keeps the first pass's language.
 * When the answer is the first pass's language its result is the sample page's final
 * result (no second recognition of that page).
 */
const SCRIPTS: Record<string, string[]> = {
  Cyrillic: ['rus', 'ukr', 'bel', 'bul', 'srp', 'mkd', 'kaz', 'kir', 'tgk', 'mon'],
  Greek: ['ell', 'grc'],
  Arabic: ['ara', 'fas', 'urd', 'pus', 'uig', 'snd'],
  Hebrew: ['heb', 'yid'],
  Devanagari: ['hin', 'mar', 'nep', 'san'],
  Han: ['chi_sim', 'chi_tra', 'jpn'],
  Japanese: ['jpn'],
  Korean: ['kor'],
  Hangul: ['kor'],
  Thai: ['tha'],
  Bengali: ['ben', 'asm'],
  Tamil: ['tam'],
  Armenian: ['hye'],
  Georgian: ['kat'],
};
const NON_LATIN = new Set(Object.values(SCRIPTS).flat());

/** Tesseract's code → franc's (ISO 639-3 as franc spells it). */
const FRANC: Record<string, string> = { chi_sim: 'cmn', chi_tra: 'cmn', fas: 'pes', ara: 'arb', aze: 'azj', uzb: 'uzn', msa: 'zlm', nep: 'npi', swa: 'swh' };

export function candidatesFor(script: string | null, installed: string[]): string[] {
  const inScript = script && script !== 'Latin' ? installed.filter((c) => SCRIPTS[script]?.includes(c)) : installed.filter((c) => !NON_LATIN.has(c));
  return inScript.length ? inScript : installed;
}

/** The candidate franc finds most likely for this text, or undefined when it cannot say. */
export function pickLanguage(text: string, candidates: string[]): string | undefined {
  if (candidates.length === 1) return candidates[0];
  const byFranc = new Map(candidates.map((c) => [FRANC[c] ?? c, c]));
  const found = franc(text, { only: [...byFranc.keys()], minLength: 20 });
  return byFranc.get(found);
}

export interface LanguagePayload extends Omit<RecognizePayload, 'pages' | 'langs'> {
  page: RecognizePayload['pages'][number];
}

export interface LanguageResult {
  language: string;
  script: string | null;
  candidates: string[];
  firstPass: string;
  /** How the language was chosen: franc on the first pass's text, or the first pass's language kept. */
  method: 'franc' | 'only_candidate' | 'default';
  /** The sample page read in the chosen language (when that was the first pass's). */
  sample?: OcrPageResult;
}

export async function detectLanguage(p: LanguagePayload): Promise<LanguageResult> {
  const installed = languageCodes();
  if (!installed.length) throw new TaskError('UNSUPPORTED_LANGUAGE', 'No OCR language is installed.');
  const mupdf = await loadMupdf();
  let script: string | null = null;
  const doc = new mupdf.PDFDocument(await readFile(p.source));
  try {
    const page = doc.loadPage(p.page.index);
    const dpi = Math.min(150, p.page.dpi);
    const pix = page.toPixmap(mupdf.Matrix.scale(dpi / 72, dpi / 72), mupdf.ColorSpace.DeviceGray, false, true);
    try {
      pix.setResolution(dpi, dpi);
      const osd = await detectOrientation(p.engine, pix.asPAM(), dpi);
      if (osd.scriptConfidence > 0) script = osd.script;
    } finally {
      pix.destroy();
      page.destroy();
    }
  } finally {
    doc.destroy();
  }
  const candidates = candidatesFor(script, installed);
  const firstPass = candidates.includes('eng') ? 'eng' : candidates[0]!;
  const [sample] = await recognizePages({ ...p, pages: [p.page], langs: [firstPass] }, () => {});
  const picked = pickLanguage(sample?.text ?? '', candidates);
  const language = picked ?? firstPass;
  return {
    language,
    script,
    candidates,
    firstPass,
    method: candidates.length === 1 ? 'only_candidate' : picked ? 'franc' : 'default',
    ...(language === firstPass && sample ? { sample } : {}),
  };
}
