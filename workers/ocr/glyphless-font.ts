import { deflateSync } from 'node:zlib';
import type * as Mupdf from 'mupdf';

/**
 * Tesseract's "GlyphLessFont" (tessdata/pdf.ttf, 572 bytes, Apache-2.0, © Google): a
 * TrueType font whose one glyph draws nothing. The OCR text is shown with it in render
 * mode 3 (invisible), so it never changes how a page looks, only what can be selected,
 * searched and copied. Embedding it (rather than naming a font the reader must find)
 * keeps the output self-contained; it costs ~1 KB per document, once.
 */
const GLYPHLESS_TTF = Buffer.from('AAEAAAAKAIAAAwAgT1MvMlbeyJQAAAEoAAAAYGNtYXAACgA0AAABkAAAAB5nbHlmFSJBJAAAAbgAAAAYaGVhZAt48WUAAACsAAAANmhoZWEMAgQCAAAA5AAAACRobXR4BAAAAAAAAYgAAAAIbG9jYQAMAAAAAAGwAAAABm1heHAABAAFAAABCAAAACBuYW1l8usW2gAAAdAAAABLcG9zdAABAAEAAAIcAAAAIAABAAAAAQAAsJRxEF8PPPUEBwgAAAAAAM+a/G4AAAAA1MOn8gAAAAAEAAgAAAAAEAACAAAAAAAAAAEAAAgA//8AAAQAAAAAAAQAAAEAAAAAAAAAAAAAAAAAAAACAAEAAAACAAQAAQAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAwAAAZAABQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAUAAQABAAAAAAAAAAAAAAAAAAAAAAAAAAAAR09PRwBAAAAAAAAB//8AAAABAAGAAAAAAAAAAAAAAAAAAAABAAAAAAAABAAAAAAAAAIAAQAAAAAAFAADAAAAAAAUAAYACgAAAAAAAAAAAAAAAAAMAAAAAQAAAAAEAAgAAAMAADEhESEEAPwACAAAAAADACoAAAADAAAABQAWAAAAAQAAAAAABQALABYAAwABBAkABQAWAAAAVgBlAHIAcwBpAG8AbgAgADEALgAwVmVyc2lvbiAxLjAAAAEAAAAAAAAAAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAA=', 'base64');

/**
 * Every 2-byte code is shown with glyph 1 at a width of 500/1000 em, and maps back to the
 * same Unicode code point through the ToUnicode CMap, so text is written as UTF-16BE hex
 * and extracts as itself. This is the layout of Tesseract's own PDF renderer, which
 * pdftotext, MuPDF, pdf.js and Acrobat all read.
 */
export const CHAR_WIDTH_EM = 0.5;

const TO_UNICODE = `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
1 beginbfrange
<0000> <FFFF> <0000>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end
`;

function flateStream(doc: Mupdf.PDFDocument, data: Uint8Array, extra: Record<string, unknown> = {}): Mupdf.PDFObject {
  const dict = doc.newDictionary();
  dict.put('Filter', doc.newName('FlateDecode'));
  for (const [k, v] of Object.entries(extra)) dict.put(k, v);
  return doc.addRawStream(deflateSync(data, { level: 9 }), dict);
}

/** Adds the font objects to the document; returns the Type0 font (indirect). */
export function addGlyphlessFont(doc: Mupdf.PDFDocument): Mupdf.PDFObject {
  const cidToGid = new Uint8Array(2 * 65536);
  for (let i = 1; i < cidToGid.length; i += 2) cidToGid[i] = 1;

  const descriptor = doc.newDictionary();
  descriptor.put('Type', doc.newName('FontDescriptor'));
  descriptor.put('FontName', doc.newName('GlyphLessFont'));
  descriptor.put('Flags', 5); // fixed pitch + symbolic
  descriptor.put('FontBBox', [0, 0, 1000 * CHAR_WIDTH_EM, 1000]);
  descriptor.put('ItalicAngle', 0);
  descriptor.put('Ascent', 1000);
  descriptor.put('Descent', -1); // the spec wants it negative; 0 height below the baseline
  descriptor.put('CapHeight', 1000);
  descriptor.put('StemV', 80);
  descriptor.put('FontFile2', flateStream(doc, GLYPHLESS_TTF, { Length1: GLYPHLESS_TTF.length }));

  const systemInfo = doc.newDictionary();
  systemInfo.put('Registry', doc.newString('Adobe'));
  systemInfo.put('Ordering', doc.newString('Identity'));
  systemInfo.put('Supplement', 0);

  const cidFont = doc.newDictionary();
  cidFont.put('Type', doc.newName('Font'));
  cidFont.put('Subtype', doc.newName('CIDFontType2'));
  cidFont.put('BaseFont', doc.newName('GlyphLessFont'));
  cidFont.put('CIDSystemInfo', systemInfo);
  cidFont.put('FontDescriptor', doc.addObject(descriptor));
  cidFont.put('CIDToGIDMap', flateStream(doc, cidToGid));
  cidFont.put('DW', 1000 * CHAR_WIDTH_EM);

  const font = doc.newDictionary();
  font.put('Type', doc.newName('Font'));
  font.put('Subtype', doc.newName('Type0'));
  font.put('BaseFont', doc.newName('GlyphLessFont'));
  font.put('Encoding', doc.newName('Identity-H'));
  const descendants = doc.newArray();
  descendants.push(doc.addObject(cidFont));
  font.put('DescendantFonts', descendants);
  font.put('ToUnicode', flateStream(doc, Buffer.from(TO_UNICODE, 'latin1')));
  return doc.addObject(font);
}
