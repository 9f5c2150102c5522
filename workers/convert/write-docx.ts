import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { Document, ImageRun, Packer, Paragraph, TextRun } from 'docx';
import yazl from 'yazl';
import { PAGE_BREAK } from './docx-body.js';
import { textWidthOf, type Part, type PartImage } from './part.js';
import { docStyle, HEADING_TOKEN, headingLevel } from './style.js';
import { readZip } from './zip-read.js';

/** docx sizes images in CSS pixels (96 per inch); PDF coordinates are points (72 per inch). */
const PX_PER_PT = 96 / 72;
const TWIPS_PER_PT = 20;
const marker = (k: number) => `@@pdf-smaller-chunk-${k}@@`;
const tw = (pt: number) => Math.round(pt * TWIPS_PER_PT);

/**
 * Parts (in page order) → .docx. The `docx` library builds the package: styles (Heading
 * 1–4), settings, core properties, the section (page size and margins of the first page)
 * and every image (media part, relationship, inline drawing at its place). The text
 * between images, WordprocessingML from docx-body.ts with its heading tokens resolved, is
 * put in place of marker paragraphs; then the parts are zipped with yazl and streamed to
 * the file, XML deflated, images stored as they are.
 */
export async function writeDocx(parts: Part[], out: string, title: string): Promise<void> {
  const style = docStyle(parts.map((p) => p.histogram));
  const first = parts.find((p) => p.first)?.first ?? { width: 612, height: 792, margins: { top: 54, bottom: 54, left: 54, right: 54 } };
  const textWidth = textWidthOf(first.width, first.margins);
  const chunks: string[] = [''];
  const children: Paragraph[] = [markerParagraph(0)];
  for (const part of parts) {
    for (const seg of part.segments) {
      if (typeof seg === 'string') {
        chunks[chunks.length - 1] += seg.replace(HEADING_TOKEN, (_m, size: string) => {
          const level = headingLevel(style, Number(size));
          return level ? `<w:pStyle w:val="Heading${level}"/>` : '';
        });
      } else {
        children.push(await imageParagraph(seg, textWidth), markerParagraph(chunks.length));
        chunks.push('');
      }
    }
  }
  // Pages end with a break so that parts join; the document's last page needs none.
  const last = chunks.length - 1;
  if (chunks[last]!.endsWith(PAGE_BREAK)) chunks[last] = chunks[last]!.slice(0, -PAGE_BREAK.length);
  if (children.length === 1 && !chunks[0]) chunks[0] = '<w:p/>'; // blank pages only: Word still wants a paragraph
  const m = first.margins;
  const doc = new Document({
    title,
    creator: 'pdf-smaller',
    sections: [
      {
        properties: { page: { size: { width: tw(first.width), height: tw(first.height) }, margin: { top: tw(m.top), bottom: tw(m.bottom), left: tw(m.left), right: tw(m.right) } } },
        children,
      },
    ],
  });
  const files = readZip(await Packer.toBuffer(doc));
  const zip = new yazl.ZipFile();
  const file = createWriteStream(out);
  file.on('error', () => {}); // reported by finished(file) with its errno, as in write-images.ts
  zip.outputStream.pipe(file);
  for (const f of files) {
    const data = f.name === 'word/document.xml' ? Buffer.from(splice(f.data.toString('utf8'), chunks)) : f.data;
    // Level 1: the 6 MB document.xml of a 300-page manual deflates in a third of level 6's
    // time for a file ~20 % larger; images are stored, being compressed already.
    zip.addBuffer(data, f.name, { compressionLevel: /\.(?:png|jpe?g|gif)$/i.test(f.name) ? 0 : 1 });
  }
  zip.end();
  await finished(file);
}

const markerParagraph = (k: number) => new Paragraph({ children: [new TextRun(marker(k))] });

async function imageParagraph(image: PartImage, textWidth: number): Promise<Paragraph> {
  const scale = Math.min(1, textWidth / image.width);
  const size = { width: Math.max(1, Math.round(image.width * scale * PX_PER_PT)), height: Math.max(1, Math.round(image.height * scale * PX_PER_PT)) };
  const data = image.data ?? (await readFile(image.file!));
  return new Paragraph({ children: [new ImageRun({ type: image.type, data, transformation: size })] });
}

/** Each marker paragraph of the library's document.xml → the XML of its chunk, in one pass. */
function splice(xml: string, chunks: string[]): string {
  let out = '';
  let from = 0;
  chunks.forEach((chunk, k) => {
    const at = xml.indexOf(marker(k), from);
    if (at < 0) throw new Error(`docx marker ${k} not found`);
    const open = Math.max(xml.lastIndexOf('<w:p>', at), xml.lastIndexOf('<w:p ', at));
    out += xml.slice(from, open) + chunk;
    from = xml.indexOf('</w:p>', at) + '</w:p>'.length;
  });
  return out + xml.slice(from);
}
