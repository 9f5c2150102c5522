/**
 * The option controls of each operation, built from GET /api/extended-features/capabilities
 * (its `data`). Each control has a visible label; hints are tied with aria-describedby.
 */
interface OptionField {
  /** The control's multipart fields, or a message saying what to fix (the control is focused). */
  collect(): Record<string, string> | string;
}

const LABELS: Record<string, string> = {
  low: 'Low (fastest, keeps most quality)',
  medium: 'Medium',
  high: 'High',
  maximum: 'Maximum (smallest file)',
  txt: 'Plain text (.txt)',
  html: 'Web page (.html)',
  docx: 'Word document (.docx)',
  xlsx: 'Excel workbook (.xlsx)',
  images: 'Page images (.zip)',
  searchable_pdf: 'Searchable PDF',
  text: 'Plain text (.txt)',
  json: 'JSON (text with positions)',
  hocr: 'hOCR (HTML with word boxes)',
  alto: 'ALTO XML (for archives and libraries)',
  skip: 'Leave them as they are',
  redo: 'Redo their hidden OCR text (visible text is kept)',
  force: 'Turn every page into an image and read it again',
  eng: 'English',
  fra: 'French',
  deu: 'German',
  spa: 'Spanish',
  ita: 'Italian',
  por: 'Portuguese',
  nld: 'Dutch',
  osd: 'Orientation and script detection',
  concise: 'Concise',
  detailed: 'Detailed',
  academic: 'Academic',
  casual: 'Casual',
  professional: 'Professional',
  short: 'Short',
  long: 'Long',
};

function labelOf(value: string): string {
  return Object.prototype.hasOwnProperty.call(LABELS, value) ? LABELS[value]! : value;
}

function hintNode(text: string): { id: string; node: HTMLElement } {
  const id = uid('hint');
  return { id, node: h('p', { id, class: 'hint' }, text) };
}

function selectField(box: HTMLElement, label: string, name: string, choices: string[], preferred: string, hint = ''): HTMLSelectElement {
  const id = uid(`opt-${name}`);
  const help = hint ? hintNode(hint) : undefined;
  const def = choices.includes(preferred) ? preferred : choices[0];
  const select = h(
    'select',
    { id, name, 'aria-describedby': help?.id },
    ...choices.map((c) => h('option', { value: c, selected: c === def }, labelOf(c))),
  );
  box.appendChild(h('div', { class: 'field' }, h('label', { for: id }, label), select, help?.node));
  return select;
}

function compressionFields(caps: unknown, box: HTMLElement): OptionField[] {
  const levels = strings(get(caps, 'compression', 'options', 'compressionLevel'));
  const level = selectField(box, 'Compression level', 'compressionLevel', levels.length ? levels : ['low', 'medium', 'high', 'maximum'], 'medium');
  const quality = get(caps, 'compression', 'options', 'imageQuality');
  const min = numberOr(get(quality, 'min'), 10);
  const max = numberOr(get(quality, 'max'), 100);
  const def = numberOr(get(quality, 'default'), 80);
  const id = uid('opt-imageQuality');
  const help = hintNode(`From ${min} to ${max}; lower makes smaller files with softer images.`);
  const errorId = uid('error');
  const error = h('p', { id: errorId, class: 'field-error', hidden: true });
  const input = h('input', { id, name: 'imageQuality', type: 'number', inputmode: 'numeric', min, max, step: 1, value: def, required: true, 'aria-describedby': `${help.id} ${errorId}` });
  box.appendChild(h('div', { class: 'field' }, h('label', { for: id }, 'Image quality'), input, help.node, error));
  return [
    { collect: () => ({ compressionLevel: level.value }) },
    {
      collect: () => {
        const n = Number(input.value);
        const ok = input.value.trim() !== '' && Number.isInteger(n) && n >= min && n <= max;
        input.setAttribute('aria-invalid', String(!ok));
        error.hidden = ok;
        error.textContent = ok ? '' : `Image quality must be a whole number from ${min} to ${max}.`;
        if (!ok) {
          input.focus();
          return error.textContent;
        }
        return { imageQuality: String(n) };
      },
    },
  ];
}

function conversionFields(caps: unknown, box: HTMLElement): OptionField[] {
  const format = selectField(box, 'Convert to', 'format', strings(get(caps, 'conversion', 'formats')), 'docx');
  return [{ collect: () => ({ format: format.value }) }];
}

function checkField(box: HTMLElement, label: string, name: string, checked: boolean, hint = ''): { input: HTMLInputElement; field: HTMLElement } {
  const id = uid(`opt-${name}`);
  const help = hint ? hintNode(hint) : undefined;
  const input = h('input', { id, name, type: 'checkbox', checked, 'aria-describedby': help?.id });
  const field = h('div', { class: 'field check' }, input, h('label', { for: id }, label), help?.node);
  box.appendChild(field);
  return { input, field };
}

/**
 * OCR: languages (or "auto"), output, what to do with pages that have text, and the page
 * handling (upright, straighten, smaller PDF, text beside it). A control is offered only when
 * the server's capabilities list its option, so an older server gets only what it knows.
 */
function ocrFields(caps: unknown, box: HTMLElement): OptionField[] {
  const offered = (name: string) => get(caps, 'ocr', 'options', name) !== undefined;
  const languages = strings(get(caps, 'ocr', 'languages'));
  const help = hintNode('Choose every language the document is written in.');
  const boxes = languages.map((lang) => {
    const id = uid(`opt-lang-${lang}`);
    const input = h('input', { id, type: 'checkbox', value: lang, checked: lang === 'eng' || (languages[0] === lang && !languages.includes('eng')) });
    return { input, node: h('div', { class: 'check' }, input, h('label', { for: id }, `${labelOf(lang)} (${lang})`)) };
  });
  const autoOffered = /\bauto\b/.test(String(get(caps, 'ocr', 'options', 'language') ?? ''));
  const autoId = uid('opt-lang-auto');
  const auto = autoOffered ? h('input', { id: autoId, type: 'checkbox', value: 'auto' }) : undefined;
  box.appendChild(
    h(
      'fieldset',
      { class: 'field', 'aria-describedby': help.id },
      h('legend', {}, 'Languages'),
      help.node,
      auto ? h('div', { class: 'check' }, auto, h('label', { for: autoId }, 'Detect the language (among those above)')) : null,
      ...boxes.map((b) => b.node),
    ),
  );
  auto?.addEventListener('change', () => {
    for (const b of boxes) b.input.disabled = auto.checked;
  });
  const outputs = strings(get(caps, 'ocr', 'options', 'outputFormat'));
  const output = selectField(box, 'Output', 'outputFormat', outputs.length ? outputs : ['searchable_pdf', 'text', 'json'], 'searchable_pdf');
  const modes = strings(get(caps, 'ocr', 'options', 'mode'));
  const mode = modes.length ? selectField(box, 'Pages that already have text', 'mode', modes, 'skip') : undefined;
  const rotate = offered('rotatePages') ? checkField(box, 'Turn sideways and upside-down pages upright', 'rotatePages', true) : undefined;
  const deskew = offered('deskew') ? checkField(box, 'Straighten skewed pages', 'deskew', false) : undefined;
  const optimize = offered('optimize') ? checkField(box, 'Make the searchable PDF smaller', 'optimize', true, 'Scanned pages are compressed; every page is checked against the original.') : undefined;
  const sidecar = offered('sidecar') ? checkField(box, 'Also give the recognised text (both in one zip)', 'sidecar', false) : undefined;
  // Optimize and sidecar belong to the searchable PDF only.
  const pdfOnly = () => {
    const pdf = output.value === 'searchable_pdf';
    for (const f of [optimize, sidecar]) if (f) f.field.hidden = !pdf;
  };
  output.addEventListener('change', pdfOnly);
  pdfOnly();
  return [
    {
      collect: () => {
        const chosen = boxes.filter((b) => b.input.checked).map((b) => b.input.value);
        if (!auto?.checked && !chosen.length) {
          boxes[0]?.input.focus();
          return 'Choose at least one OCR language.';
        }
        const pdf = output.value === 'searchable_pdf';
        const options: Record<string, string | boolean> = { language: auto?.checked ? 'auto' : chosen.join('+'), outputFormat: output.value };
        if (mode) options.mode = mode.value;
        if (rotate) options.rotatePages = rotate.input.checked;
        if (deskew) options.deskew = deskew.input.checked;
        if (optimize && pdf) options.optimize = optimize.input.checked;
        if (sidecar && pdf) options.sidecar = sidecar.input.checked;
        return { options: JSON.stringify(options) };
      },
    },
  ];
}

function summaryFields(caps: unknown, box: HTMLElement): OptionField[] {
  const configured = get(caps, 'ai', 'provider_configured') === true;
  if (!configured) {
    box.appendChild(h('p', { class: 'hint' }, 'No AI model is configured on this server: the summary is made of the key sentences of the document, and the style is not applied.'));
  }
  const styles = strings(get(caps, 'ai', 'options', 'style'));
  const lengths = strings(get(caps, 'ai', 'options', 'maxLength'));
  const style = selectField(box, 'Style', 'style', styles.length ? styles : ['concise'], 'concise');
  const length = selectField(box, 'Length', 'maxLength', lengths.length ? lengths : ['medium'], 'medium');
  return [{ collect: () => ({ options: JSON.stringify({ style: style.value, maxLength: length.value }) }) }];
}

function buildOptions(op: Operation, caps: unknown, box: HTMLElement): OptionField[] {
  switch (op.id) {
    case 'compress':
    case 'bulk':
      return compressionFields(caps, box);
    case 'convert':
      return conversionFields(caps, box);
    case 'ocr':
      return ocrFields(caps, box);
    case 'summarize':
      return summaryFields(caps, box);
  }
}
