import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type * as Mupdf from 'mupdf';
import yazl from 'yazl';

/**
 * A page rendered past this many pixels is drawn at a lower resolution instead (the result
 * lists it): a 5 m poster at 300 dpi would be 3 G pixels. 40 Mpx is A3 at 300 dpi.
 */
export const MAX_RENDER_PIXELS = 40_000_000;

export interface RenderOptions {
  dpi: number;
  imageFormat: 'png' | 'jpeg';
  onPage?: (done: number, total: number) => void;
}

export interface RenderResult {
  images: number;
  /** Pages drawn below the requested dpi to stay under MAX_RENDER_PIXELS. */
  reduced: number[];
  failed: number[];
  /** Pages with no text layer (a quick text pass costs ~3 ms against ~100 ms of rendering). */
  withoutText: number[];
}

/**
 * One image per page, zipped with yazl. Each page is rendered, written to a scratch file
 * and handed to yazl as a stream opened when the zip reaches it: the files go into the zip one
 * at a time, so memory holds one page's pixels at most, never the archive. Entries are stored,
 * not deflated: PNG and JPEG are compressed already and deflating them again gains < 1 %.
 * On a failure (a full disk) every scratch file still open is closed before the scratch
 * folder goes, so the space is really given back.
 */
export async function writeImagesZip(mupdf: typeof Mupdf, doc: Mupdf.Document, indexes: number[], out: string, opts: RenderOptions): Promise<RenderResult> {
  const scratch = `${out}.pages`;
  await mkdir(scratch, { recursive: true });
  const zip = new yazl.ZipFile();
  const file = createWriteStream(out);
  // A write error (a full disk) while pages are still rendering has no other listener and
  // would end the worker thread (WORKER_CRASHED, retried into the same full disk); it is
  // thrown from the loop or from finished(file) below instead, with its errno.
  file.on('error', () => {});
  zip.outputStream.on('error', () => {});
  zip.outputStream.pipe(file);
  const open = new Set<ReadStream>();
  let stopped = false;
  const ext = opts.imageFormat === 'jpeg' ? 'jpg' : 'png';
  const digits = String(Math.max(...indexes) + 1).length;
  const result: RenderResult = { images: 0, reduced: [], failed: [], withoutText: [] };
  try {
    for (const [n, index] of indexes.entries()) {
      const pageNo = index + 1;
      let bytes: Uint8Array;
      try {
        const r = renderPage(mupdf, doc, index, opts);
        bytes = r.bytes;
        if (r.reduced) result.reduced.push(pageNo);
        if (!r.hasText) result.withoutText.push(pageNo);
      } catch {
        result.failed.push(pageNo);
        continue;
      }
      const name = `page-${String(pageNo).padStart(digits, '0')}.${ext}`;
      const tmp = path.join(scratch, name);
      if (file.errored) throw file.errored;
      await writeFile(tmp, bytes);
      zip.addReadStreamLazy(name, { compress: false, size: bytes.length }, (done) => {
        if (stopped) return done(new Error('the zip was abandoned'), undefined as unknown as ReadStream);
        const stream = createReadStream(tmp);
        open.add(stream);
        stream.once('close', () => open.delete(stream));
        done(null, stream);
      });
      result.images++;
      opts.onPage?.(n + 1, indexes.length);
    }
    zip.end();
    await finished(file);
    return result;
  } catch (err) {
    stopped = true;
    for (const stream of open) stream.destroy();
    zip.outputStream.unpipe(file);
    file.destroy();
    throw err;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function renderPage(mupdf: typeof Mupdf, doc: Mupdf.Document, index: number, opts: RenderOptions): { bytes: Uint8Array; reduced: boolean; hasText: boolean } {
  const page = doc.loadPage(index);
  try {
    const [x0, y0, x1, y1] = page.getBounds();
    let scale = opts.dpi / 72;
    const pixels = (x1 - x0) * (y1 - y0) * scale * scale;
    const reduced = pixels > MAX_RENDER_PIXELS;
    if (reduced) scale *= Math.sqrt(MAX_RENDER_PIXELS / pixels);
    const stext = page.toStructuredText('');
    const hasText = /\S/.test(stext.asText());
    stext.destroy();
    const pix = page.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceRGB, false, true);
    try {
      pix.setResolution(Math.round(scale * 72), Math.round(scale * 72));
      return { bytes: opts.imageFormat === 'jpeg' ? pix.asJPEG(85) : pix.asPNG(), reduced, hasText };
    } finally {
      pix.destroy();
    }
  } finally {
    page.destroy();
  }
}
