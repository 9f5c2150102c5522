import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type * as Mupdf from 'mupdf';
import { runGhostscript } from './ghostscript.js';
import { mupdfCandidate } from './mupdf-engine.js';
import { settingsFor } from './levels.js';
import { validate, type Reference } from './validate.js';
import type { MupdfModule } from './mupdf-util.js';

export interface GsPreview {
  /** The pre-pass output after our lossless pass (what the job's candidate is before images); Infinity when the job would reject it. */
  size: number;
  /** Ghostscript's own time and our pass over its output. */
  ms: number;
}

/**
 * The job's Ghostscript candidate, for the preview, run once for every lossy level (the
 * pre-pass is the same at each): a model of its saving missed by −25 % to +70 % (its
 * Type1 → CFF gain ranges from 10 to 53 % of the file on our manuals, and it changes the
 * extracted text of some, which the job then rejects: R-intro, nettle, automultiplechoice).
 * Its text is compared with the original's as the job's check does; renderings are not.
 */
export async function previewGhostscript(mupdf: MupdfModule, doc: Mupdf.PDFDocument, input: string, pages: number, ref: Reference | undefined): Promise<GsPreview> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'preview-gs-'));
  try {
    const t0 = performance.now();
    const r = await runGhostscript(input, dir, 'preview-gs', false, pages);
    if (!r.ok) return { size: Infinity, ms: performance.now() - t0 };
    const out = await mupdfCandidate(mupdf, { source: await readFile(r.file), identityFrom: doc }, pages, settingsFor({ compressionLevel: 'low', imageQuality: 80 }), { progress() {} }, [0, 1]);
    const ms = performance.now() - t0;
    const textOk = !ref || validate(mupdf, ref, out.bytes, true, []).ok;
    return { size: textOk ? out.bytes.length : Infinity, ms };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
