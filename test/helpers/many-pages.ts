/**
 * A valid PDF with many text pages, written directly (pdf-lib takes ~3 ms a page; this takes
 * microseconds), for tests that need a job to run for seconds: SIGKILL and SIGTERM mid-job.
 * Content streams are uncompressed so a rewrite has real work to do.
 */
export function manyPagesPdf(pages: number, linesPerPage = 40): Buffer {
  const objects: string[] = [];
  const add = (body: string) => objects.push(body) + 2; // object numbers start at 3 (1 = catalog, 2 = pages)
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  const kids: number[] = [];
  for (let p = 0; p < pages; p++) {
    let text = 'BT /F1 10 Tf 50 800 Td 12 TL\n';
    for (let l = 0; l < linesPerPage; l++) text += `(Page ${p + 1} line ${l + 1}: the quick brown fox jumps over the lazy dog ${p * l}) '\n`;
    text += 'ET';
    const content = add(`<< /Length ${Buffer.byteLength(text)} >>\nstream\n${text}\nendstream`);
    kids.push(add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${content} 0 R >>`));
  }
  const all = [`<< /Type /Catalog /Pages 2 0 R >>`, `<< /Type /Pages /Count ${pages} /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] >>`, ...objects];
  const chunks: string[] = ['%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'];
  const offsets: number[] = [];
  let pos = Buffer.byteLength(chunks[0]!, 'latin1');
  all.forEach((body, i) => {
    offsets.push(pos);
    const obj = `${i + 1} 0 obj\n${body}\nendobj\n`;
    chunks.push(obj);
    pos += Buffer.byteLength(obj, 'latin1');
  });
  let xref = `xref\n0 ${all.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) xref += `${String(off).padStart(10, '0')} 00000 n \n`;
  chunks.push(xref, `trailer\n<< /Size ${all.length + 1} /Root 1 0 R >>\nstartxref\n${pos}\n%%EOF\n`);
  return Buffer.from(chunks.join(''), 'latin1');
}
