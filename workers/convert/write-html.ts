import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { escHtml, HTML_PAGE_BREAK } from './html-body.js';
import type { Part } from './part.js';
import { docStyle, HEADING_TOKEN, headingLevel } from './style.js';

/**
 * Images are inlined as data URIs (one self-contained file) up to this many bytes in all;
 * past it they are left out and the result says so. 25 MB keeps the page openable in a
 * browser (base64 adds a third).
 */
export const MAX_INLINE_IMAGE_BYTES = 25 * 1024 * 1024;

const STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;line-height:1.4;max-width:52em;margin:2em auto;padding:0 1em;color:#111}
section.page{margin-bottom:2em}hr.page-break{border:0;border-top:1px dashed #bbb;margin:2em 0;page-break-after:always}
table{border-collapse:collapse;margin:.6em 0}td{border:1px solid #999;padding:.15em .5em;vertical-align:top}
pre{margin:0;font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap}img{max-width:100%;height:auto;display:block;margin:.5em 0}
p{margin:.35em 0}`;

/**
 * Parts → one self-contained HTML file, re-flowed (html-body.ts), heading tokens resolved to
 * <h1>–<h4> or <p>, images inlined as data URIs, written fragment by fragment with
 * backpressure. Text stays real, selectable text.
 */
export async function writeHtml(parts: Part[], out: string, title: string): Promise<{ imagesOmitted: number }> {
  const style = docStyle(parts.map((p) => p.histogram));
  const stream = createWriteStream(out);
  // A write error (a full disk) between two writes would otherwise have no listener and end
  // the worker thread; it is thrown, with its errno, at the next write or at the end.
  stream.on('error', () => {});
  const write = async (s: string) => {
    if (stream.errored) throw stream.errored;
    if (!stream.write(s)) await Promise.race([once(stream, 'drain'), once(stream, 'close')]);
    if (stream.errored) throw stream.errored;
  };
  let inlined = 0;
  let imagesOmitted = 0;
  let first = true;
  await write(`<!DOCTYPE html>\n<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">\n<title>${escHtml(title)}</title>\n<style>${STYLE}</style></head><body>\n`);
  for (const part of parts) {
    for (const seg of part.segments) {
      if (typeof seg === 'string') {
        let html = seg.replace(HEADING_TOKEN, (_m, size: string) => {
          const level = headingLevel(style, Number(size));
          return level ? `h${level}` : 'p';
        });
        if (first && html.startsWith(HTML_PAGE_BREAK)) html = html.slice(HTML_PAGE_BREAK.length);
        first = false;
        await write(html);
        continue;
      }
      const data = seg.data ?? (await readFile(seg.file!));
      if (inlined + data.length > MAX_INLINE_IMAGE_BYTES) {
        imagesOmitted++;
        await write('<!-- image omitted: the inline image budget of this file is used up -->\n');
        continue;
      }
      inlined += data.length;
      const mime = seg.type === 'jpg' ? 'image/jpeg' : 'image/png';
      await write(`<img alt="" width="${Math.round(seg.width)}" src="data:${mime};base64,${Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64')}">\n`);
    }
  }
  await write('</body></html>\n');
  stream.end();
  await finished(stream);
  return { imagesOmitted };
}
