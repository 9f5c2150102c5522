/**
 * The per-image check (image-verify.ts): a rewrite is decoded by MuPDF with its final
 * dictionary and compared with the source. Honest rewrites pass at any quality the API
 * allows; the faults of issue #17 and their relatives fail.
 */
import t from 'tap';
import * as mupdf from 'mupdf';
import { addImage, buildPdf, type ImageSpec } from '../helpers/image-fixtures.js';
import { loadImage } from '../../workers/compress/mupdf-util.js';
import { decodeSource } from '../../workers/compress/image-source.js';
import { jpegHeader, resize, toJpeg, type Raw } from '../../workers/compress/image-codec.js';
import { verifyRewrite } from '../../workers/compress/image-verify.js';
import { grayIccProfile } from '../helpers/stream-encoders.js';

/** The fixture image, its MuPDF image and decoded samples at `frac` of its size. */
async function source(spec: ImageSpec, frac: number) {
  let ref!: mupdf.PDFObject;
  const bytes = buildPdf((doc) => [{ draws: [{ ref: (ref = addImage(doc, spec)), x: 0, y: 0, w: 400, h: 300 }] }]);
  const doc = mupdf.Document.openDocument(bytes, 'application/pdf').asPDF()!;
  const obj = doc.newIndirect(ref.asIndirect());
  const img = loadImage(mupdf, doc, obj);
  const src = decodeSource(mupdf, img, obj, false);
  if (typeof src === 'string') throw new Error(src);
  const small = await resize(src, Math.round(src.width * frac), Math.round(src.height * frac));
  return { doc, obj, img, small };
}

const check = (s: Awaited<ReturnType<typeof source>>, data: Uint8Array) => verifyRewrite(mupdf, s.obj, s.img, { data, filter: 'DCTDecode', width: s.small.width, height: s.small.height });
const jpeg = (r: Raw, data: Uint8Array, q = 80) => toJpeg({ ...r, data }, q);

t.test('honest rewrites pass from q10 to q95', async (t) => {
  for (const spec of [{ w: 1200, h: 800, cs: 'rgb', encoding: 'jpeg', quality: 92, seed: 1 }, { w: 1000, h: 1400, cs: 'gray', encoding: 'flate', scan: true, seed: 2 }] as ImageSpec[]) {
    const s = await source(spec, 0.3);
    for (const q of [10, 50, 95]) {
      const c = check(s, await jpeg(s.small, s.small.data, q));
      t.ok(c.ok, `${spec.cs} q${q}: block ${c.block.toFixed(1)}, SSIM ${c.ssim.toFixed(3)}`);
    }
  }
});

t.test('faults fail: shifted sideways, inverted, flat', async (t) => {
  for (const spec of [{ w: 1200, h: 800, cs: 'rgb', encoding: 'jpeg', quality: 92, seed: 3 }, { w: 1000, h: 1400, cs: 'gray', encoding: 'jpeg', scan: true, seed: 4 }] as ImageSpec[]) {
    const s = await source(spec, 0.3);
    const { width: w, channels: n, data } = s.small;
    const shift = Math.round(w * 0.05);
    const shifted = data.map((_, i) => data[(Math.floor(i / (w * n)) * w + ((Math.floor(i / n) % w) + shift) % w) * n + (i % n)]!);
    for (const [name, bad] of [['shifted 5 %', shifted], ['inverted', data.map((v) => 255 - v)], ['flat gray', data.map(() => 128)]] as const) {
      const c = check(s, await jpeg(s.small, bad));
      t.notOk(c.ok, `${spec.cs} ${name}: block ${c.block.toFixed(1)}, SSIM ${c.ssim.toFixed(3)}`);
    }
  }
});

t.test("issue #17's class: a 3-component JPEG under a 1-component ICC gray space fails", async (t) => {
  const s = await source({ w: 1275, h: 1650, cs: 'gray', encoding: 'jpeg', scan: true, seed: 5 }, 0.5);
  // The dictionary's space made ICCBased N=1, as in the reported file.
  const arr = s.doc.newArray();
  arr.push(s.doc.newName('ICCBased'));
  arr.push(s.doc.addStream(grayIccProfile(), { N: 1 }));
  s.obj.put('ColorSpace', arr);
  const { width: w, height: h, data } = s.small;
  const rgb = new Uint8Array(w * h * 3);
  data.forEach((v, i) => rgb.fill(v, i * 3, i * 3 + 3));
  const three = await toJpeg({ width: w, height: h, channels: 3, data: rgb }, 80);
  t.equal(jpegHeader(three)?.components, 3);
  const c = check(s, three);
  t.notOk(c.ok, `block ${c.block.toFixed(1)}, SSIM ${c.ssim.toFixed(3)}`);
  const one = await toJpeg(s.small, 80);
  t.equal(jpegHeader(one)?.components, 1, 'our encoder writes gray as one component');
  t.ok(check(s, one).ok, 'and that passes');
});
