import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import type * as Mupdf from 'mupdf';
import { flattenAlpha } from './image-pdf.js';
import { readPng } from './png.js';
import type { DeskewOutcome, Straightened } from './types.js';

export type { DeskewOutcome, Straightened };

/**
 * deskew, as OCRmyPDF does it: the page's scan is replaced by a straightened copy, so the
 * searchable PDF shows the page straight and its text layer lies on what is shown.
 *
 * Only a page that is one scanned image is straightened: its content draws exactly one image
 * (no text, visible or invisible, no vector drawing, no second image, no masked image), an
 * image of its page's own XObjects, drawn with square pixels. That image is turned back by the measured angle about its
 * centre (libvips, bilinear, white fill) and cropped to its own size, so it keeps its pixel
 * size, its placement and the page's size; the corners turned in from outside are white.
 * Gray stays gray, colour stays colour (in the image's own colour space), a 1-bit image stays
 * 1-bit (thresholded at half); a lossy original (JPEG, JPEG 2000) becomes a JPEG q90, any
 * other a lossless Flate image with PNG predictors.
 *
 * Any other page (born-digital text or drawings with a scan, several images) is left as it
 * is: turning its image would tear it from the rest, and rasterising it (OCRmyPDF's way) would
 * lose its text. Such a page is still read straightened, and its text layer is turned by the
 * same angle to lie on the skewed words it shows (`left` says why).
 */

interface ScanImage {
  name: string;
  ref: Mupdf.PDFObject;
  /** The image is drawn mirrored: a turn on the page is the opposite turn in the image. */
  mirrored: boolean;
}

/** The page's one scanned image, or why the page is not one. */
export function findScanImage(mupdf: typeof Mupdf, doc: Mupdf.PDFDocument, index: number): ScanImage | { left: string } {
  let images = 0;
  let other = 0;
  let drawn: { w: number; h: number; ctm: Mupdf.Matrix } | undefined;
  const more = () => void other++;
  const device = new mupdf.Device({
    fillPath: more,
    strokePath: more,
    fillText: more,
    strokeText: more,
    clipText: more,
    clipStrokeText: more,
    ignoreText: more,
    fillShade: more,
    fillImageMask: more,
    clipImageMask: more,
    beginMask: more,
    fillImage: (image, ctm) => {
      images++;
      drawn = { w: image.getWidth(), h: image.getHeight(), ctm };
    },
  });
  const page = doc.loadPage(index);
  try {
    page.runPageContents(device, mupdf.Matrix.identity);
    device.close();
  } finally {
    device.destroy();
    page.destroy();
  }
  if (images === 0) return { left: 'no image on the page' };
  if (images > 1 || other > 0 || !drawn) return { left: 'the page holds more than one scanned image' };
  const xobjects = doc.findPage(index).getInheritable('Resources').get('XObject');
  const found: { name: string; ref: Mupdf.PDFObject }[] = [];
  if (xobjects.isDictionary()) {
    xobjects.forEach((ref, key) => {
      const o = ref.resolve();
      if (ref.isStream() && o.get('Subtype').isName() && o.get('Subtype').asName() === 'Image' && o.get('Width').asNumber() === drawn!.w && o.get('Height').asNumber() === drawn!.h) found.push({ name: String(key), ref });
    });
  }
  if (found.length !== 1) return { left: 'the image is not one of the page’s own' };
  const image = found[0]!.ref.resolve();
  if (image.get('ImageMask').valueOf() === true || !image.get('SMask').isNull() || !image.get('Mask').isNull()) return { left: 'the image is masked' };
  // Turning the page's content by an angle turns the image's pixels by the same angle only
  // when its pixels are drawn square and unsheared (any scale, any quarter turn, a mirror).
  const [a, b, c, d] = drawn.ctm;
  const sx = Math.hypot(a, b) / drawn.w;
  const sy = Math.hypot(c, d) / drawn.h;
  if (Math.abs(a * c + b * d) > 1e-3 * Math.hypot(a, b) * Math.hypot(c, d) || Math.abs(sx - sy) > 0.01 * Math.max(sx, sy)) {
    return { left: 'the image is drawn stretched or sheared' };
  }
  return { ...found[0]!, mirrored: a * d - b * c < 0 };
}

/**
 * The scan turned back by `degrees` (as displayed: positive when its lines descend to the
 * right), written as the stream data of its replacement. Deterministic: same image, same bytes.
 */
export async function straightenScan(mupdf: typeof Mupdf, doc: Mupdf.PDFDocument, scan: ScanImage, degrees: number, file: string): Promise<Straightened> {
  const sharp = (await import('sharp')).default;
  const obj = scan.ref.resolve();
  const image = doc.loadImage(scan.ref);
  const filters = (() => {
    const f = obj.get('Filter');
    const names: string[] = [];
    if (f.isArray()) f.forEach((x) => x.isName() && names.push(x.asName()));
    else if (f.isName()) names.push(f.asName());
    return names;
  })();
  const lossy = filters.some((f) => f === 'DCTDecode' || f === 'JPXDecode');
  const bilevel = image.getBitsPerComponent() === 1 && image.getNumberOfComponents() === 1;
  // Decoded (Decode arrays applied), over white where it had alpha, as gray or RGB samples.
  const pixmaps: Mupdf.Pixmap[] = [image.toPixmap()];
  const last = () => pixmaps[pixmaps.length - 1]!;
  let n = 0;
  let width = 0;
  let height = 0;
  let samples: Buffer;
  try {
    pixmaps.push(flattenAlpha(mupdf, last()));
    n = last().getNumberOfComponents();
    if (n !== 1 && n !== 3) pixmaps.push(last().convertToColorSpace(mupdf.ColorSpace.DeviceRGB, false));
    width = last().getWidth();
    height = last().getHeight();
    samples = Buffer.from(last().getPixels());
  } finally {
    for (const pix of new Set(pixmaps)) pix.destroy();
    image.destroy();
  }
  const colors = (samples.length / (width * height)) as 1 | 3;
  // Kept when it holds as many components as the samples now have (Device, Cal or ICC spaces).
  const cs = obj.get('ColorSpace');
  const csName = cs.isName() ? cs.asName() : cs.isArray() && cs.get(0).isName() ? cs.get(0).asName() : '';
  const keepColorSpace =
    colors === n &&
    (csName === (colors === 1 ? 'DeviceGray' : 'DeviceRGB') ||
      csName === (colors === 1 ? 'CalGray' : 'CalRGB') ||
      (csName === 'ICCBased' && cs.get(1).get('N').asNumber() === colors));

  const white = { r: 255, g: 255, b: 255 };
  // sharp turns clockwise for a positive angle; the skew is undone by the opposite turn (the
  // same turn when the image is drawn mirrored).
  const turned = await sharp(samples, { raw: { width, height, channels: colors } })
    .rotate(scan.mirrored ? degrees : -degrees, { background: white })
    .toColourspace(colors === 1 ? 'b-w' : 'srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (turned.info.channels !== colors) throw new Error(`straightened image has ${turned.info.channels} channels, not ${colors}`);
  const left = Math.max(0, Math.round((turned.info.width - width) / 2));
  const top = Math.max(0, Math.round((turned.info.height - height) / 2));
  // The middle of the turned canvas, row by row (sharp's extract would write one band back as RGB).
  const cropped = Buffer.alloc(width * height * colors);
  const rowBytes = width * colors;
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * turned.info.width + left) * colors;
    turned.data.copy(cropped, y * rowBytes, from, from + rowBytes);
  }

  let data: Buffer;
  let filter: Straightened['filter'] = 'FlateDecode';
  let bitsPerComponent: Straightened['bitsPerComponent'] = 8;
  if (bilevel) {
    // PNG rows (filter byte 0) of packed bits, 1 = white: Flate with /Predictor 15 reads them.
    const row = Math.ceil(width / 8);
    const packed = Buffer.alloc((row + 1) * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (cropped[y * width + x]! >= 128) packed[y * (row + 1) + 1 + (x >> 3)]! |= 0x80 >> (x & 7);
      }
    }
    data = deflateSync(packed, { level: 9 });
    bitsPerComponent = 1;
  } else {
    // (sharp writes one raw band as RGB unless told it is gray)
    const encoder = sharp(cropped, { raw: { width, height, channels: colors } }).toColourspace(colors === 1 ? 'b-w' : 'srgb');
    if (lossy) {
      data = await encoder.jpeg({ quality: 90 }).toBuffer();
      filter = 'DCTDecode';
    } else {
      const png = readPng(await encoder.png({ compressionLevel: 9, adaptiveFiltering: true }).toBuffer());
      if (!png || png.bitDepth !== 8 || png.colorType !== (colors === 1 ? 0 : 2) || png.interlaced) throw new Error('unexpected PNG layout from sharp');
      data = Buffer.concat(png.idat);
    }
  }
  await writeFile(file, data);
  return { path: file, name: scan.name, width, height, bitsPerComponent, colors, filter, keepColorSpace };
}

/** Finds the page's scan and straightens it by the measured skew into `dir`, or says why the page is left as it is. */
export async function deskewPage(mupdf: typeof Mupdf, doc: Mupdf.PDFDocument, index: number, degrees: number, dir: string): Promise<DeskewOutcome> {
  const scan = findScanImage(mupdf, doc, index);
  if ('left' in scan) return scan;
  return straightenScan(mupdf, doc, scan, degrees, path.join(dir, `deskew-${index + 1}.bin`));
}

/**
 * Puts the straightened image in place of the page's scan: a new image object under the same
 * resource name, in resources of the page's own (the old ones may be shared with other pages,
 * which keep their image).
 */
export async function putStraightImage(doc: Mupdf.PDFDocument, index: number, s: Straightened): Promise<void> {
  const pageObj = doc.findPage(index);
  const inherited = pageObj.getInheritable('Resources');
  const oldImage = inherited.get('XObject', s.name);
  const dict = doc.newDictionary();
  dict.put('Type', doc.newName('XObject'));
  dict.put('Subtype', doc.newName('Image'));
  dict.put('Width', s.width);
  dict.put('Height', s.height);
  dict.put('BitsPerComponent', s.bitsPerComponent);
  dict.put('ColorSpace', s.keepColorSpace ? oldImage.get('ColorSpace') : doc.newName(s.colors === 1 ? 'DeviceGray' : 'DeviceRGB'));
  dict.put('Filter', doc.newName(s.filter));
  if (s.filter === 'FlateDecode') {
    const parms = doc.newDictionary();
    parms.put('Predictor', 15);
    parms.put('Colors', s.colors);
    parms.put('BitsPerComponent', s.bitsPerComponent);
    parms.put('Columns', s.width);
    dict.put('DecodeParms', parms);
  }
  const ref = doc.addRawStream(await readFile(s.path), dict);
  const resources = doc.newDictionary();
  if (inherited.isDictionary()) inherited.forEach((v, k) => resources.put(k, v));
  const xobjects = doc.newDictionary();
  inherited.get('XObject').forEach((v, k) => xobjects.put(k, v));
  xobjects.put(s.name, ref);
  resources.put('XObject', xobjects);
  pageObj.put('Resources', resources);
}
