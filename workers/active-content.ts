import type * as Mupdf from 'mupdf';

/**
 * Active content in a PDF: what can run, reach out or carry other files when the document is
 * opened in a viewer. Reported by every preview; removed by `sanitize=true`.
 */
export interface ActiveContent {
  /** JavaScript: document-level scripts, open/page/field/annotation actions. */
  javascript: number;
  /** Launch actions (start a program or open a file). */
  launch: number;
  /** URI actions (links to the web; removing them makes links inert). */
  uri: number;
  /** SubmitForm / ImportData actions (send or load form data). */
  submit_form: number;
  /** GoToR / GoToE actions (open another PDF, possibly remote or embedded). */
  remote_goto: number;
  /** Embedded files (the EmbeddedFiles name tree and file-attachment annotations). */
  embedded_files: number;
  /** Rich media, sound, movie and rendition annotations or actions. */
  multimedia: number;
  /** Interactive forms: fields, and whether an XFA form is present. */
  forms: { fields: number; xfa: boolean };
  /** The document runs an action when it is opened. */
  open_action: boolean;
}

type Counter = Omit<ActiveContent, 'forms' | 'open_action'>;
const ACTIONS: Record<string, keyof Counter> = {
  JavaScript: 'javascript',
  Launch: 'launch',
  URI: 'uri',
  SubmitForm: 'submit_form',
  ImportData: 'submit_form',
  GoToR: 'remote_goto',
  GoToE: 'remote_goto',
  RichMediaExecute: 'multimedia',
  Rendition: 'multimedia',
  Sound: 'multimedia',
  Movie: 'multimedia',
};
const MEDIA_ANNOTS = new Set(['RichMedia', 'Screen', 'Movie', 'Sound', '3D']);
/** Bounds for hostile files: action chains and field trees are followed this far, no further. */
const MAX_DEPTH = 32;
const MAX_NODES = 100_000;

export function emptyActiveContent(): ActiveContent {
  return { javascript: 0, launch: 0, uri: 0, submit_form: 0, remote_goto: 0, embedded_files: 0, multimedia: 0, forms: { fields: 0, xfa: false }, open_action: false };
}

export function hasActiveContent(a: ActiveContent): boolean {
  return a.javascript + a.launch + a.uri + a.submit_form + a.remote_goto + a.embedded_files + a.multimedia > 0 || a.forms.xfa || a.open_action;
}

const has = (o: Mupdf.PDFObject | undefined): o is Mupdf.PDFObject => o !== undefined && !o.isNull();

/**
 * Walks the document once: catalog (names trees, open action, document actions, form),
 * then every page (page actions, annotations). With `remove`, everything active found is
 * deleted as it is counted: scripts, external actions, attachments, media, XFA; form fields
 * keep their values but lose their actions. Objects are read and changed through their
 * references (get/put/delete), never resolve(): see the resolve()+garbage note in README.
 */
export function walkActiveContent(doc: Mupdf.PDFDocument, remove: boolean): ActiveContent {
  const found = emptyActiveContent();
  let nodes = 0;

  /** Counts an action and the actions chained after it (Next); true when it is active. */
  const action = (a: Mupdf.PDFObject, depth = 0): boolean => {
    if (!has(a) || !a.isDictionary() || depth > MAX_DEPTH || ++nodes > MAX_NODES) return false;
    const s = a.get('S');
    const kind = has(s) && s.isName() ? ACTIONS[s.asName()] : undefined;
    if (kind) found[kind]++;
    let active = kind !== undefined;
    const next = a.get('Next');
    if (has(next)) {
      if (next.isArray()) for (let i = 0; i < next.length; i++) active = action(next.get(i), depth + 1) || active;
      else active = action(next, depth + 1) || active;
    }
    return active;
  };
  /** An object's /A (one action) and /AA (trigger → action); removes them when asked. */
  const actionsOf = (o: Mupdf.PDFObject) => {
    const a = o.get('A');
    if (has(a) && action(a) && remove) o.delete('A');
    const aa = o.get('AA');
    if (has(aa) && aa.isDictionary()) {
      const activeTriggers: (string | number)[] = [];
      aa.forEach((v, key) => {
        if (action(v)) activeTriggers.push(key);
      });
      if (remove) for (const key of activeTriggers) aa.delete(key);
    }
  };

  const root = doc.getTrailer().get('Root');
  const names = root.get('Names');
  if (has(names) && names.isDictionary()) {
    found.javascript += Object.keys(doc.loadNameTree('JavaScript')).length;
    found.embedded_files += Object.keys(doc.loadNameTree('EmbeddedFiles')).length;
    if (remove) {
      names.delete('JavaScript');
      names.delete('EmbeddedFiles');
    }
  }
  // Associated files (PDF/A-3 /AF) usually repeat the names tree's entries: not counted
  // again, but removed too, or the attachments stay reachable and survive garbage collection.
  if (remove) root.delete('AF');
  const open = root.get('OpenAction');
  if (has(open) && open.isDictionary() && action(open)) {
    found.open_action = true;
    if (remove) root.delete('OpenAction');
  }
  actionsOf(root);

  const form = root.get('AcroForm');
  if (has(form) && form.isDictionary()) {
    found.forms.xfa = has(form.get('XFA'));
    if (remove) form.delete('XFA');
    const field = (f: Mupdf.PDFObject, depth: number) => {
      if (!has(f) || !f.isDictionary() || depth > MAX_DEPTH || ++nodes > MAX_NODES) return;
      actionsOf(f);
      const kids = f.get('Kids');
      if (has(kids) && kids.isArray() && kids.length > 0) for (let i = 0; i < kids.length; i++) field(kids.get(i), depth + 1);
      else found.forms.fields++;
    };
    const fields = form.get('Fields');
    if (has(fields) && fields.isArray()) for (let i = 0; i < fields.length; i++) field(fields.get(i), 0);
  }

  const pages = doc.countPages();
  for (let p = 0; p < pages && nodes < MAX_NODES; p++) {
    const page = doc.findPage(p);
    actionsOf(page);
    if (remove) page.delete('AF');
    const annots = page.get('Annots');
    if (!has(annots) || !annots.isArray()) continue;
    for (let i = annots.length - 1; i >= 0; i--) {
      const annot = annots.get(i);
      if (!has(annot) || !annot.isDictionary() || ++nodes > MAX_NODES) continue;
      const subtype = annot.get('Subtype');
      const type = has(subtype) && subtype.isName() ? subtype.asName() : '';
      if (type === 'FileAttachment' || MEDIA_ANNOTS.has(type)) {
        if (type === 'FileAttachment') found.embedded_files++;
        else found.multimedia++;
        if (remove) annots.delete(i);
        continue;
      }
      actionsOf(annot);
    }
  }
  return found;
}
