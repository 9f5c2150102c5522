import { PDFDocument, PDFName, PDFString, StandardFonts } from 'pdf-lib';

/** Marker text inside the attached file: its bytes must be gone after sanitising. */
export const ATTACHMENT_MARKER = 'TOP-SECRET-ATTACHMENT-CONTENT';

/**
 * A PDF with one of each kind of active content: document JavaScript and an open action,
 * a Launch link, a URI link, an embedded file and a file-attachment annotation, a SubmitForm
 * action, a form field with a keystroke script, and an XFA entry. Its text is known.
 */
export async function activePdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  page.drawText('Quarterly report with active content', { x: 50, y: 780, size: 14, font });
  const ctx = doc.context;
  const js = (code: string) => ctx.obj({ Type: 'Action', S: 'JavaScript', JS: PDFString.of(code) });

  doc.catalog.set(PDFName.of('OpenAction'), ctx.register(js('app.alert("opened")')));
  doc.addJavaScript('init', 'console.println("document script")');
  await doc.attach(Buffer.from(ATTACHMENT_MARKER.repeat(20)), 'secret.txt', { mimeType: 'text/plain' });

  const link = (action: unknown, y: number) =>
    ctx.register(ctx.obj({ Type: 'Annot', Subtype: 'Link', Rect: [50, y, 200, y + 20], Border: [0, 0, 0], A: action as never }));
  const launch = ctx.obj({ S: 'Launch', F: PDFString.of('calc.exe') });
  const uri = ctx.obj({ S: 'URI', URI: PDFString.of('https://example.com/') });
  const submit = ctx.obj({ S: 'SubmitForm', F: PDFString.of('https://collect.example/') });
  const attachment = ctx.register(
    ctx.obj({ Type: 'Annot', Subtype: 'FileAttachment', Rect: [300, 700, 320, 720], FS: PDFString.of('other.bin'), Contents: PDFString.of('attached') }),
  );
  page.node.set(PDFName.of('Annots'), ctx.obj([link(launch, 700), link(uri, 660), link(submit, 620), attachment]));

  const form = doc.getForm();
  const field = form.createTextField('amount');
  field.addToPage(page, { x: 50, y: 500, width: 200, height: 24 });
  field.acroField.dict.set(PDFName.of('AA'), ctx.obj({ K: js('event.value = event.value.toUpperCase()') }));
  const saved = await doc.save({ useObjectStreams: false });
  // pdf-lib drops XFA when it saves a form: add it afterwards with MuPDF.
  const mupdf = await import('mupdf');
  const m = new mupdf.PDFDocument(saved);
  const xfa = m.newArray();
  xfa.push(m.newString('template'));
  xfa.push(m.newString('<xdp/>'));
  m.getTrailer().get('Root', 'AcroForm').put('XFA', xfa);
  return Buffer.from(m.saveToBuffer('').asUint8Array());
}
