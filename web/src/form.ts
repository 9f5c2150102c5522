/**
 * The submission form: the operation (radio buttons), its options built from the server's
 * capabilities, the drop zone (click, Enter/Space or drop; it opens the hidden file input)
 * and the submit button, which sends one job per file (or one bulk job) and adds its card.
 */
class JobForm {
  private ops: Operation[] = [];
  private op: Operation | undefined;
  private info: ServerInfo | undefined;
  private files: File[] = [];
  private fields: OptionField[] = [];
  private readonly form = byId<HTMLFormElement>('job-form');
  private readonly input = byId<HTMLInputElement>('file-input');
  private readonly zone = byId('drop-zone');
  private readonly fileList = byId<HTMLUListElement>('file-list');
  private readonly optionsBox = byId('options');
  private readonly submit = byId<HTMLButtonElement>('submit');
  private readonly formError = byId('form-error');

  constructor() {
    this.zone.addEventListener('click', () => this.input.click());
    this.zone.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        this.input.click();
      }
    });
    for (const type of ['dragenter', 'dragover']) {
      this.zone.addEventListener(type, (e) => {
        e.preventDefault();
        this.zone.classList.add('dragging');
      });
    }
    for (const type of ['dragleave', 'drop']) this.zone.addEventListener(type, () => this.zone.classList.remove('dragging'));
    this.zone.addEventListener('drop', (e) => {
      e.preventDefault();
      this.addFiles(Array.from((e as DragEvent).dataTransfer?.files ?? []));
    });
    // A file dropped next to the zone must not make the browser leave the page to open it.
    window.addEventListener('dragover', (e) => e.preventDefault());
    window.addEventListener('drop', (e) => e.preventDefault());
    this.input.addEventListener('change', () => {
      this.addFiles(Array.from(this.input.files ?? []));
      this.input.value = ''; // choosing the same file again still fires change
    });
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.send();
    });
    byId('operations').addEventListener('change', () => this.select(this.checkedOperation()));
  }

  /** Called once the capabilities are known: marks unavailable operations and builds the options. */
  setup(info: ServerInfo): void {
    this.info = info;
    this.ops = operations(info);
    for (const op of this.ops) this.markOperation(op);
    const current = this.ops.find((o) => o.id === this.checkedOperation()?.id && o.available) ?? this.ops.find((o) => o.available);
    if (current) byId<HTMLInputElement>(`op-${current.id}`).checked = true;
    this.select(current);
  }

  private checkedOperation(): Operation | undefined {
    const value = this.form.querySelector<HTMLInputElement>('input[name=operation]:checked')?.value;
    return this.ops.find((o) => o.id === value);
  }

  private markOperation(op: Operation): void {
    const radio = byId<HTMLInputElement>(`op-${op.id}`);
    radio.disabled = !op.available;
    const note = byId(`op-${op.id}-note`);
    note.textContent = op.available ? '' : `Unavailable: ${op.reason}.`;
    note.hidden = op.available;
  }

  /** A route answered 404: the feature is not on this server (yet). */
  private markUnavailable(op: Operation, reason: string): void {
    op.available = false;
    op.reason = reason;
    this.markOperation(op);
  }

  private select(op: Operation | undefined): void {
    this.op = op;
    this.fields = [];
    this.optionsBox.replaceChildren();
    this.submit.disabled = !op;
    this.submit.textContent = op ? op.verb : 'Nothing available';
    if (!op) return;
    this.input.accept = op.accept;
    this.input.multiple = true;
    byId('drop-hint').textContent =
      op.id === 'bulk'
        ? 'Several PDFs become one job and one zip.'
        : op.id === 'ocr'
          ? 'PDF or image (PNG, JPEG, TIFF, BMP, WebP). Several files make one job each.'
          : 'PDF files. Several files make one job each.';
    this.fields = buildOptions(op, this.info?.caps, this.optionsBox);
  }

  private addFiles(files: File[]): void {
    if (!files.length) return;
    this.files.push(...files);
    this.renderFiles();
    this.clearError();
    announce(`${files.length === 1 ? `${files[0]!.name} added` : `${files.length} files added`}. ${this.files.length} selected.`);
  }

  private renderFiles(): void {
    const items = this.files.map((file, i) => {
      const remove = h('button', { type: 'button', class: 'link' }, 'Remove', h('span', { class: 'sr-only' }, ` ${file.name}`));
      remove.addEventListener('click', () => {
        this.files.splice(i, 1);
        this.renderFiles();
        announce(`${file.name} removed.`);
        this.zone.focus();
      });
      return h('li', {}, h('span', { class: 'file-name' }, file.name), h('span', { class: 'file-size' }, ` (${formatBytes(file.size)}) `), remove);
    });
    setContent(this.fileList, ...items);
    byId('file-count').textContent = this.files.length ? `${this.files.length} file${this.files.length === 1 ? '' : 's'} selected` : 'No file selected';
  }

  private clearError(): void {
    this.formError.replaceChildren();
    this.formError.hidden = true;
  }

  private showError(content: Node | string): void {
    setContent(this.formError, content);
    this.formError.hidden = false;
    announce(this.formError.textContent ?? '', true);
  }

  private async send(): Promise<void> {
    this.clearError();
    const op = this.op;
    if (!op) return;
    if (!op.available) {
      this.showError(`${op.label} is unavailable on this server: ${op.reason}. Choose another operation.`);
      return;
    }
    if (!this.files.length) {
      this.showError('Choose at least one file first: use the drop zone or drag files onto it.');
      this.zone.focus();
      return;
    }
    const values: Record<string, string> = {};
    for (const field of this.fields) {
      const v = field.collect();
      if (typeof v === 'string') {
        this.showError(v);
        return;
      }
      Object.assign(values, v);
    }
    const problem = this.checkLimits(op);
    if (problem) {
      this.showError(renderProblem(problem));
      return;
    }
    const batches = op.fileField === 'files' ? [this.files] : this.files.map((f) => [f]);
    this.files = [];
    this.renderFiles();
    const settings = describeValues(values);
    await Promise.all(batches.map((batch) => this.submitBatch(op, batch, values, settings)));
  }

  private checkLimits(op: Operation): ProblemLike | undefined {
    const caps = this.info?.caps;
    const maxBytes = sizeLimit(get(caps, 'compression', 'limits', 'max_file_size'));
    const big = maxBytes === undefined ? undefined : this.files.find((f) => f.size > maxBytes);
    if (big) return { code: 'FILE_TOO_LARGE', message: `${big.name} is ${formatBytes(big.size)}; this server takes up to ${formatBytes(maxBytes!)} per file.` };
    const maxFiles = get(caps, 'compression', 'limits', 'max_files');
    if (op.id === 'bulk' && typeof maxFiles === 'number' && this.files.length > maxFiles) {
      return { code: 'TOO_MANY_FILES', message: `${this.files.length} files chosen; a batch takes up to ${maxFiles}.` };
    }
    return undefined;
  }

  private async submitBatch(op: Operation, batch: File[], values: Record<string, string>, settings: string): Promise<void> {
    const title = batch.length === 1 ? batch[0]!.name : `${batch.length} files: ${batch.map((f) => f.name).join(', ')}`;
    const card = new JobCard(title, op.label, settings);
    const list = byId('jobs');
    list.prepend(card.el);
    byId('jobs-empty').hidden = true;
    const body = new FormData();
    for (const [k, v] of Object.entries(values)) body.append(k, v);
    for (const f of batch) body.append(op.fileField, f, f.name);
    try {
      const answer = await api<{ job_id?: unknown }>('POST', op.route, { body, onUpload: (p) => card.uploading(p), signal: card.uploadSignal });
      if (typeof answer.job_id !== 'string') throw new ApiError(202, 'BAD_RESPONSE', 'The answer has no job id.');
      card.submitted(answer.job_id);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(0, 'BAD_RESPONSE', String(err));
      if (e.code === 'NOT_FOUND') this.markUnavailable(op, 'the server answered that this route does not exist');
      card.rejected(e);
    }
  }
}

const SETTING_NAMES: Record<string, string> = {
  compressionLevel: 'level',
  imageQuality: 'image quality',
  format: 'to',
  language: 'language',
  outputFormat: 'output',
  style: 'style',
  maxLength: 'length',
};

/** The chosen options as a short line for the job card: "level medium, image quality 80". */
function describeValues(values: Record<string, string>): string {
  const parts: string[] = [];
  const add = (k: string, v: unknown) => parts.push(`${SETTING_NAMES[k] ?? k} ${String(v)}`);
  for (const [k, v] of Object.entries(values)) {
    if (k !== 'options') add(k, v);
    else for (const [ok, ov] of Object.entries((parseJson(v) ?? {}) as Record<string, unknown>)) add(ok, ov);
  }
  return parts.join(', ');
}
