/**
 * One card per job in the "Jobs" list: upload progress, then live progress through
 * Server-Sent Events (GET /api/jobs/:id/events), falling back to polling GET /api/jobs/:id
 * when the stream fails; cancel (DELETE), download links, the result and any error.
 */
interface JobJson {
  job_id: string;
  status: string;
  task_type?: string;
  progress?: { percent?: number; stage?: string | null };
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
  download_url?: string;
  events_url?: string;
}

const FINAL_STATUSES = ['completed', 'failed', 'cancelled', 'expired'];
const STATUS_TEXT: Record<string, string> = {
  uploading: 'Uploading',
  pending: 'Waiting in the queue',
  processing: 'Working',
  completed: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  expired: 'Expired (result deleted)',
  rejected: 'Not accepted',
};
const POLL_MS = 1000;

class JobCard {
  readonly el: HTMLLIElement;
  private readonly progress: HTMLProgressElement;
  private readonly statusLine: HTMLParagraphElement;
  private readonly resultBox: HTMLDivElement;
  private readonly problemBox: HTMLDivElement;
  private readonly downloads: HTMLDivElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly removeButton: HTMLButtonElement;
  private readonly upload = new AbortController();
  private id: string | undefined;
  private status = 'uploading';
  private source: EventSource | undefined;
  private pollTimer: number | undefined;
  private stopped = false;

  constructor(
    private readonly title: string,
    operationLabel: string,
    settings: string,
  ) {
    const titleId = uid('job-title');
    const progressId = uid('job-progress');
    this.progress = h('progress', { id: progressId, max: 100, value: 0, 'aria-describedby': titleId });
    this.statusLine = h('p', { class: 'job-status' });
    this.resultBox = h('div', { class: 'job-result' });
    this.problemBox = h('div', { class: 'job-problem', hidden: true });
    this.downloads = h('div', { class: 'job-downloads' });
    this.cancelButton = h('button', { type: 'button', class: 'secondary' }, 'Cancel', h('span', { class: 'sr-only' }, ` ${title}`));
    this.removeButton = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Remove from list', h('span', { class: 'sr-only' }, ` ${title}`));
    this.cancelButton.addEventListener('click', () => void this.cancel());
    this.removeButton.addEventListener('click', () => this.remove());
    this.el = h(
      'li',
      { class: 'job', 'data-status': this.status, 'aria-labelledby': titleId },
      h('h3', { id: titleId, class: 'job-title' }, title),
      h('p', { class: 'job-meta' }, settings ? `${operationLabel} · ${settings}` : operationLabel),
      h('label', { for: progressId, class: 'sr-only' }, `Progress of ${title}`),
      this.progress,
      this.statusLine,
      this.problemBox,
      this.resultBox,
      h('div', { class: 'job-actions' }, this.downloads, this.cancelButton, this.removeButton),
    );
    this.render('uploading', 0, '');
  }

  get uploadSignal(): AbortSignal {
    return this.upload.signal;
  }

  get jobId(): string | undefined {
    return this.id;
  }

  uploading(fraction: number): void {
    if (this.status === 'uploading') this.render('uploading', Math.round(fraction * 100), '');
  }

  /** The submission was refused (4xx/5xx) or the network failed: nothing runs on the server. */
  rejected(err: ApiError): void {
    if (err.code === 'ABORTED') return;
    this.render('rejected', 0, '');
    this.showProblem({ code: err.code, message: err.message, details: err.details });
    announce(`${this.title}: ${problemSentence(err)}`, true);
    this.finish();
  }

  /** 202 received: follow the job. */
  submitted(jobId: string): void {
    this.id = jobId;
    this.el.dataset.jobId = jobId;
    this.render('pending', 0, '');
    announce(`${this.title}: uploaded, waiting in the queue.`);
    this.follow();
  }

  /**
   * The job is read once with the key (X-API-Key), which gives its signed events_url: an
   * EventSource cannot send a header, and the key never goes into a URL.
   */
  private follow(): void {
    if (typeof EventSource !== 'function') return this.poll();
    api<JobJson>('GET', `/api/jobs/${encodeURIComponent(this.id!)}`).then(
      (job) => {
        this.update(job);
        if (this.stopped) return;
        if (job.events_url) this.stream(job.events_url);
        else this.poll();
      },
      () => this.poll(),
    );
  }

  private stream(eventsUrl: string): void {
    const source = new EventSource(eventsUrl);
    this.source = source;
    source.addEventListener('job', (e) => {
      const job = parseJson((e as MessageEvent<string>).data) as JobJson | undefined;
      if (job && typeof job.status === 'string') this.update(job);
    });
    // Any failure of the stream (an expired link, proxy, server restart): poll instead, which
    // also asks for the key when it is needed.
    source.onerror = () => {
      source.close();
      if (this.source === source) this.source = undefined;
      if (!this.stopped) this.poll();
    };
  }

  private poll(): void {
    if (this.stopped || this.pollTimer !== undefined) return;
    const tick = async () => {
      this.pollTimer = undefined;
      if (this.stopped) return;
      try {
        this.update(await api<JobJson>('GET', `/api/jobs/${encodeURIComponent(this.id!)}`));
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError(0, 'BAD_RESPONSE', String(err));
        if (e.code === 'JOB_NOT_FOUND') {
          this.render('failed', 0, '');
          this.showProblem(e);
          this.finish();
          return;
        }
        // Transient (network, restart): keep trying, and say so.
        this.statusLine.textContent = `${STATUS_TEXT[this.status] ?? this.status}. Lost contact with the server; retrying…`;
      }
      if (!this.stopped) this.pollTimer = window.setTimeout(() => void tick(), POLL_MS);
    };
    this.pollTimer = window.setTimeout(() => void tick(), 0);
  }

  update(job: JobJson): void {
    if (this.stopped) return;
    const percent = job.status === 'completed' ? 100 : Math.max(0, Math.min(100, Math.round(job.progress?.percent ?? 0)));
    const changed = job.status !== this.status;
    this.render(job.status, percent, job.progress?.stage ?? '');
    if (job.status === 'completed') {
      this.showResult(job);
      announce(`${this.title}: done.${resultSentence(job.result)}`);
    } else if (job.status === 'failed' && job.error) {
      this.showProblem(job.error);
      announce(`${this.title}: failed. ${problemSentence(job.error)}`, true);
    } else if (changed) {
      announce(`${this.title}: ${STATUS_TEXT[job.status] ?? job.status}.`);
    }
    if (FINAL_STATUSES.includes(job.status)) this.finish();
  }

  private async cancel(): Promise<void> {
    if (!this.id) {
      this.upload.abort();
      this.render('cancelled', 0, 'upload stopped');
      announce(`${this.title}: upload cancelled.`);
      this.finish();
      return;
    }
    this.cancelButton.disabled = true;
    try {
      const answer = await api<{ status: string }>('DELETE', `/api/jobs/${encodeURIComponent(this.id)}`);
      if (answer.status === 'cancelled') {
        this.render('cancelled', 0, '');
        announce(`${this.title}: cancelled.`);
        this.finish();
      }
      // Otherwise it had already finished; the stream or poll brings the final state.
    } catch (err) {
      this.cancelButton.disabled = false;
      if (err instanceof ApiError) {
        this.showProblem(err);
        announce(`${this.title}: ${problemSentence(err)}`, true);
      }
    }
  }

  private remove(): void {
    this.finish();
    const list = this.el.parentElement;
    this.el.remove();
    if (list && !list.children.length) byId('jobs-empty').hidden = false;
    byId('job-form').querySelector<HTMLElement>('button[type=submit]')?.focus();
  }

  private finish(): void {
    this.stopped = true;
    this.source?.close();
    this.source = undefined;
    if (this.pollTimer !== undefined) window.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.cancelButton.hidden = true;
    this.removeButton.hidden = false;
  }

  private render(status: string, percent: number, stage: string): void {
    this.status = status;
    this.el.dataset.status = status;
    this.progress.value = percent;
    let text = STATUS_TEXT[status] ?? status;
    if (status === 'uploading' || status === 'processing') text += ` ${percent}%`;
    if (stage && status !== 'completed') text += ` (${stage})`;
    this.statusLine.textContent = text;
  }

  private showProblem(problem: ProblemLike): void {
    this.problemBox.hidden = false;
    setContent(this.problemBox, renderProblem(problem));
  }

  private showResult(job: JobJson): void {
    const result = job.result ?? {};
    const bulk = job.task_type === 'bulk_compress' && Array.isArray(result.files);
    setContent(this.resultBox, ...resultNodes(result, bulk));
    const links: HTMLElement[] = [];
    const signed = job.download_url;
    if (signed) links.push(downloadLink(job.job_id, signed, undefined, bulk ? 'Download all (zip)' : 'Download result', this.title));
    setContent(this.downloads, ...links);
    // Per-file links of a bulk job sit with their file in the result list.
    if (signed && bulk) {
      for (const item of Array.from(this.resultBox.querySelectorAll<HTMLElement>('li[data-file-index]'))) {
        const name = item.dataset.fileName ?? '';
        item.appendChild(downloadLink(job.job_id, signed, Number(item.dataset.fileIndex), 'Download', name));
      }
    }
  }
}

/**
 * A download link: the job's signed download_url (`&file=N` for one file of a bulk job).
 * Signed links expire (LINK_TTL_S); a click on one that has (nearly) run out reads the job
 * again for a fresh link first.
 */
function downloadLink(jobId: string, signed: string, file: number | undefined, text: string, about: string): HTMLAnchorElement {
  const withFile = (url: string) => (file === undefined ? url : `${url}&file=${file}`);
  const link = h('a', { class: 'button download', href: withFile(signed), download: '' }, text, h('span', { class: 'sr-only' }, ` ${about}`));
  link.addEventListener('click', (e) => {
    if (linkSecondsLeft(link.href) > 30) return;
    e.preventDefault();
    api<JobJson>('GET', `/api/jobs/${encodeURIComponent(jobId)}`).then(
      (job) => {
        if (!job.download_url) return;
        link.href = withFile(job.download_url);
        link.click();
      },
      () => {},
    );
  });
  return link;
}

function ratioText(original: unknown, compressed: unknown, ratio: unknown): string {
  if (typeof original !== 'number' || typeof compressed !== 'number') return '';
  const saved = typeof ratio === 'number' ? ratio : ((original - compressed) / Math.max(1, original)) * 100;
  const how = saved > 0.05 ? `${saved.toFixed(1)} % smaller` : 'already compact, no smaller';
  return `${formatBytes(original)} → ${formatBytes(compressed)} (${how})`;
}

function resultSentence(result: Record<string, unknown> | undefined): string {
  if (!result) return '';
  const sizes = ratioText(result.original_size, result.compressed_size, result.compression_ratio);
  return sizes ? ` ${sizes}.` : '';
}

function resultNodes(result: Record<string, unknown>, bulk: boolean): Node[] {
  const nodes: Node[] = [];
  const sizes = ratioText(result.original_size, result.compressed_size, result.compression_ratio);
  if (bulk) {
    const ok = numberOr(result.succeeded, 0);
    const failed = numberOr(result.failed, 0);
    nodes.push(h('p', {}, `${ok} of ${ok + failed} files compressed${sizes ? `: ${sizes}` : ''}.`));
    const items = (result.files as Record<string, unknown>[]).map((f) => {
      const name = typeof f.original_filename === 'string' ? f.original_filename : `file ${String(f.index)}`;
      const error = f.error as ProblemLike | undefined;
      const done = f.status === 'completed';
      return h(
        'li',
        done && typeof f.index === 'number' ? { 'data-file-index': f.index, 'data-file-name': name } : {},
        h('span', { class: 'file-name' }, name),
        ' ',
        done ? h('span', {}, ratioText(f.original_size, f.compressed_size, f.compression_ratio)) : null,
        !done && error ? renderProblem(error) : null,
      );
    });
    nodes.push(h('ul', { class: 'bulk-files' }, ...items));
  } else if (sizes) {
    nodes.push(h('p', {}, sizes));
  }
  // Long summaries scroll inside their box, which takes focus so the keyboard can scroll it.
  if (typeof result.summary === 'string') nodes.push(h('blockquote', { class: 'summary', tabindex: 0, 'aria-label': 'Summary' }, result.summary));
  if (typeof result.note === 'string') nodes.push(h('p', { class: 'note' }, result.note));
  return nodes;
}
