import { ERRORS, isErrorCode } from '../errors.js';
import type { InputFile } from './inputs.js';

/** What became of one input. */
export interface FileOutcome {
  input: InputFile;
  status: 'completed' | 'failed';
  /** Where the result was written (undefined: standard output, or a result with no file). */
  output?: string;
  inputBytes?: number;
  outputBytes?: number;
  seconds: number;
  result?: Record<string, unknown>;
  code?: string;
  message?: string;
}

/** 0 every file done; 3 some done, some failed; 2 bad input (4xx codes) only; 1 any internal error (5xx). */
export function exitCode(outcomes: FileOutcome[]): 0 | 1 | 2 | 3 {
  const failed = outcomes.filter((o) => o.status === 'failed');
  if (failed.length === 0) return 0;
  if (failed.length < outcomes.length) return 3;
  return failed.some((o) => !isErrorCode(o.code) || ERRORS[o.code][0] >= 500) ? 1 : 2;
}

const mb = (n: number | undefined) => (n === undefined ? '' : n >= 1e6 ? `${(n / 1e6).toFixed(2)} MB` : `${(n / 1e3).toFixed(1)} KB`);

/**
 * Progress and the summary, on standard error so standard output stays the result's (-o -) or
 * the JSON's. A bar per file on a terminal, redrawn at most every 100 ms; nothing when piped or
 * quiet. Errors are always one line naming the file and the code.
 */
export class Ui {
  private readonly bars = new Map<string, { percent: number; stage: string }>();
  private readonly order: string[] = [];
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  readonly live: boolean;

  constructor(
    private readonly quiet: boolean,
    private readonly err: NodeJS.WriteStream = process.stderr,
  ) {
    this.live = !quiet && err.isTTY === true;
  }

  progress(label: string, percent: number, stage: string): void {
    if (!this.live) return;
    if (!this.bars.has(label)) this.order.push(label);
    this.bars.set(label, { percent, stage });
    this.timer ??= setTimeout(() => this.draw(), 100);
  }

  failed(o: FileOutcome): void {
    this.clear();
    this.err.write(`pdf-smaller: ${o.input.label}: ${o.code}: ${o.message ?? ''}\n`);
  }

  done(label: string): void {
    this.bars.delete(label);
    const i = this.order.indexOf(label);
    if (i >= 0) this.order.splice(i, 1);
  }

  summary(outcomes: FileOutcome[], compress: boolean): void {
    this.clear();
    if (this.quiet) return;
    const rows = outcomes.map((o) => {
      const before = mb(o.inputBytes);
      const after = o.status === 'completed' ? mb(o.outputBytes) : o.code ?? 'failed';
      const ratio = compress && o.inputBytes && o.outputBytes ? `${(((o.inputBytes - o.outputBytes) / o.inputBytes) * 100).toFixed(1)} %` : '';
      const engine = typeof o.result?.engine === 'string' ? o.result.engine : '';
      return [o.input.label, before, after, ratio, engine, `${o.seconds.toFixed(1)} s`, o.output ?? (o.status === 'completed' ? '(stdout)' : '')];
    });
    const head = ['file', 'before', 'after', compress ? 'saved' : '', compress ? 'engine' : '', 'time', 'written to'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]) => r.map((c, i) => (i === 1 || i === 2 || i === 3 || i === 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
    this.err.write(`${line(head)}\n${rows.map(line).join('\n')}\n`);
    const ok = outcomes.filter((o) => o.status === 'completed').length;
    this.err.write(`${ok} of ${outcomes.length} done${ok < outcomes.length ? `, ${outcomes.length - ok} failed` : ''}\n`);
  }

  private draw(): void {
    this.timer = undefined;
    if (!this.live) return;
    const width = 24;
    const lines = this.order.map((label) => {
      const b = this.bars.get(label)!;
      const filled = Math.round((b.percent / 100) * width);
      return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${String(Math.round(b.percent)).padStart(3)}% ${label} ${b.stage}`.slice(0, (this.err.columns ?? 100) - 1);
    });
    this.clear();
    if (lines.length) this.err.write(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }

  private clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.live && this.drawn) this.err.write(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }
}
