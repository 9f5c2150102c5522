import type { OcrPageResult } from './types.js';

/**
 * The two archive formats of OCR results, written from the same pages → blocks → lines →
 * words as the json output (boxes in pixels of the recognised image, origin top-left):
 * - hOCR 1.2 (XHTML): ocr_page, ocr_carea, ocr_par, ocr_line, ocrx_word, each with `bbox`,
 *   words with `x_wconf`; what Tesseract's own hOCR renderer writes and hocr-tools read.
 * - ALTO v4 (the Library of Congress schema libraries and archives use): Page, PrintSpace,
 *   TextBlock, TextLine, String (CONTENT, HPOS, VPOS, WIDTH, HEIGHT, WC 0–1) and SP between
 *   words, MeasurementUnit pixel.
 * Pages taken from an existing text layer (skipped pages) are in points (72 dpi).
 */
type Page = { result: OcrPageResult; source: 'ocr' | 'text_layer' };

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
const r = (n: number) => Math.round(n);
const bbox = (b: number[]) => `bbox ${b.map(r).join(' ')}`;

export function toHocr(pages: Page[], meta: { engine: string; language: string }): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
    `<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">`,
    '<head>',
    '<title></title>',
    '<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>',
    `<meta name="ocr-system" content="pdf-smaller (tesseract ${esc(meta.engine)})"/>`,
    '<meta name="ocr-capabilities" content="ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf"/>',
    `<meta name="ocr-langs" content="${esc(meta.language)}"/>`,
    '</head>',
    '<body>',
  ];
  for (const { result: p } of pages) {
    const n = p.page;
    out.push(`<div class="ocr_page" id="page_${n}" title="image &quot;page-${n}&quot;; ${bbox([0, 0, p.width, p.height])}; ppageno ${n - 1}; scan_res ${r(p.dpi)} ${r(p.dpi)}">`);
    p.blocks.forEach((b, bi) => {
      const id = `${n}_${bi + 1}`;
      out.push(`<div class="ocr_carea" id="block_${id}" title="${bbox(b.bbox)}">`, `<p class="ocr_par" id="par_${id}" title="${bbox(b.bbox)}">`);
      b.lines.forEach((l, li) => {
        const lid = `${id}_${li + 1}`;
        const words = l.words.map((w, wi) => `<span class="ocrx_word" id="word_${lid}_${wi + 1}" title="${bbox(w.bbox)}; x_wconf ${r(w.confidence)}">${esc(w.text)}</span>`);
        out.push(`<span class="ocr_line" id="line_${lid}" title="${bbox(l.bbox)}">${words.join(' ')}</span>`);
      });
      out.push('</p>', '</div>');
    });
    out.push('</div>');
  }
  out.push('</body>', '</html>', '');
  return out.join('\n');
}

export const ALTO_NS = 'http://www.loc.gov/standards/alto/ns-v4#';

export function toAlto(pages: Page[], meta: { engine: string; language: string; fileName?: string }): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<alto xmlns="${ALTO_NS}" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${ALTO_NS} http://www.loc.gov/alto/v4/alto-4-2.xsd">`,
    '<Description>',
    '<MeasurementUnit>pixel</MeasurementUnit>',
    '<sourceImageInformation>',
    `<fileName>${esc(meta.fileName ?? '')}</fileName>`,
    '</sourceImageInformation>',
    '<OCRProcessing ID="OCR_0">',
    '<ocrProcessingStep>',
    '<processingSoftware>',
    '<softwareName>pdf-smaller</softwareName>',
    `<softwareVersion>tesseract ${esc(meta.engine)}</softwareVersion>`,
    '</processingSoftware>',
    `<processingStepSettings>language=${esc(meta.language)}</processingStepSettings>`,
    '</ocrProcessingStep>',
    '</OCRProcessing>',
    '</Description>',
    '<Layout>',
  ];
  for (const { result: p } of pages) {
    const n = p.page;
    const conf = p.meanConfidence === null ? '' : ` PC="${(p.meanConfidence / 100).toFixed(2)}"`;
    out.push(`<Page ID="page_${n}" PHYSICAL_IMG_NR="${n}" WIDTH="${r(p.width)}" HEIGHT="${r(p.height)}"${conf}>`);
    out.push(`<PrintSpace HPOS="0" VPOS="0" WIDTH="${r(p.width)}" HEIGHT="${r(p.height)}">`);
    const pos = (b: number[]) => `HPOS="${r(b[0]!)}" VPOS="${r(b[1]!)}" WIDTH="${r(b[2]! - b[0]!)}" HEIGHT="${r(b[3]! - b[1]!)}"`;
    p.blocks.forEach((b, bi) => {
      const id = `${n}_${bi + 1}`;
      out.push(`<TextBlock ID="block_${id}" ${pos(b.bbox)}>`);
      b.lines.forEach((l, li) => {
        const lid = `${id}_${li + 1}`;
        out.push(`<TextLine ID="line_${lid}" ${pos(l.bbox)}>`);
        l.words.forEach((w, wi) => {
          if (wi > 0) {
            const prev = l.words[wi - 1]!.bbox;
            out.push(`<SP WIDTH="${Math.max(0, r(w.bbox[0] - prev[2]))}" VPOS="${r(l.bbox[1])}" HPOS="${r(prev[2])}"/>`);
          }
          out.push(`<String ID="string_${lid}_${wi + 1}" ${pos(w.bbox)} WC="${(w.confidence / 100).toFixed(2)}" CONTENT="${esc(w.text)}"/>`);
        });
        out.push('</TextLine>');
      });
      out.push('</TextBlock>');
    });
    out.push('</PrintSpace>', '</Page>');
  }
  out.push('</Layout>', '</alto>', '');
  return out.join('\n');
}
