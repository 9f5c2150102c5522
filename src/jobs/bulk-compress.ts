import path from 'node:path';
import { rm } from 'node:fs/promises';
import type { Config } from '../config.js';
import type { FileJobInput, FileJobHandler, OutputFile } from './types.js';
import type { CompressJobOptions } from './compress.js';
import { TaskFailure, type ErrorCode } from '../errors.js';
import { uniqueNames } from '../storage/zip.js';
import type { ActiveContent } from '../../workers/active-content.js';
import { sanitizeStep } from '../pool/sanitize-step.js';

/** A file refused at submission (bad type, unreadable…): reported, never dropped. */
export interface RejectedFile {
  index: number;
  name: string;
  size: number;
  code: ErrorCode;
  message: string;
}

export interface BulkInput extends FileJobInput<CompressJobOptions> {
  rejected: RejectedFile[];
}

export interface BulkEntry {
  index: number;
  original_filename: string;
  status: 'completed' | 'failed';
  original_size: number;
  compressed_size?: number;
  compression_ratio?: number;
  engine?: string;
  /** Pages that are a 1-bit (JBIG2 or G4) scan, and pages split into a text mask over a background. */
  pages_bilevel?: number;
  pages_mrc?: number;
  /** Name of this file inside the zip, and its `?file=` number. */
  download_name?: string;
  sanitized?: ActiveContent;
  error?: { code: ErrorCode; message: string };
}

/**
 * Many PDFs in one job: one compress task per file, spread over the pool threads, so a batch
 * of 20 uses every core. A file that fails does not sink the batch; it is listed with its
 * code. The job fails only when no file succeeds.
 */
export function bulkCompressHandler(config: Config): FileJobHandler {
  return {
    lane: 'cpu',
    async run(ctx) {
      const input = ctx.job.input as BulkInput;
      const workDir = await ctx.workDir();
      const all = [...input.files.map((f, i) => ({ ...f, index: indexOf(f.stored, i) })), ...input.rejected];
      const names = uniqueNames(all.sort((a, b) => a.index - b.index).map((f) => f.name));
      const nameOf = new Map(all.map((f, i) => [f.index, names[i]!]));

      const total = input.files.length;
      const partial = new Map<number, number>();
      let done = 0;
      const report = (stage: string) => {
        const sum = done + [...partial.values()].reduce((a, b) => a + b, 0);
        ctx.progress({ percent: Math.min(99, (sum / Math.max(1, total)) * 100), stage: `${done}/${total} files done; ${stage}` });
      };

      const compressed = await ctx.pool.map(input.files, async (file, i): Promise<BulkEntry> => {
        const index = indexOf(file.stored, i);
        const scratch = path.join(workDir, `work-${index}`);
        const output = `file-${index}.pdf`;
        try {
          let source = path.join(ctx.inputDir, file.stored);
          let sanitized: ActiveContent | undefined;
          if (input.options.sanitize) ({ input: source, removed: sanitized } = await sanitizeStep(ctx, config, source, String(index)));
          const r = await ctx.pool.run(
            'compress',
            { input: source, output: path.join(workDir, output), workDir: scratch, maxPages: config.maxPages, options: input.options },
            { signal: ctx.signal, onProgress: (p) => (partial.set(index, p.percent / 100), report(`${nameOf.get(index)}: ${p.stage}`)) },
          );
          return {
            index,
            original_filename: file.name,
            status: 'completed',
            original_size: file.size,
            compressed_size: r.compressed_size,
            compression_ratio: Math.round(((file.size - r.compressed_size) / Math.max(1, file.size)) * 10_000) / 100,
            engine: r.engine,
            pages_bilevel: r.pages_bilevel,
            pages_mrc: r.pages_mrc,
            download_name: nameOf.get(index)!,
            ...(sanitized ? { sanitized } : {}),
          };
        } catch (err) {
          if (ctx.signal.aborted) throw err; // timeout, cancel, shutdown: the whole job stops
          const failure = err instanceof TaskFailure ? err : new TaskFailure('PROCESSING_FAILED', 'The file could not be compressed.', false);
          return { index, original_filename: file.name, status: 'failed', original_size: file.size, error: { code: failure.code, message: failure.message } };
        } finally {
          partial.delete(index);
          done++;
          report(`${nameOf.get(index)} finished`);
          await rm(scratch, { recursive: true, force: true });
        }
      });

      const refused: BulkEntry[] = input.rejected.map((r) => ({
        index: r.index,
        original_filename: r.name,
        status: 'failed',
        original_size: r.size,
        error: { code: r.code, message: r.message },
      }));
      const entries = [...compressed, ...refused].sort((a, b) => a.index - b.index);
      const ok = entries.filter((e) => e.status === 'completed');
      if (ok.length === 0) {
        const codes = new Set(entries.map((e) => e.error!.code));
        const code = codes.size === 1 ? [...codes][0]! : 'PROCESSING_FAILED';
        const detail = entries.map((e) => `${e.original_filename}: ${e.error!.code}`).join('; ');
        throw new TaskFailure(code, `None of the ${entries.length} files could be compressed (${detail}).`.slice(0, 1000), false);
      }
      const originalTotal = ok.reduce((a, e) => a + e.original_size, 0);
      const compressedTotal = ok.reduce((a, e) => a + (e.compressed_size ?? 0), 0);
      const files: (OutputFile & { index: number })[] = ok.map((e) => ({
        index: e.index,
        name: `file-${e.index}.pdf`,
        downloadName: e.download_name!,
        contentType: 'application/pdf',
      }));
      return {
        result: {
          files: entries,
          file_count: entries.length,
          succeeded: ok.length,
          failed: entries.length - ok.length,
          original_size: originalTotal,
          compressed_size: compressedTotal,
          compression_ratio: Math.round(((originalTotal - compressedTotal) / Math.max(1, originalTotal)) * 10_000) / 100,
          compression_level: input.options.compressionLevel,
        },
        files,
        archive: 'compressed_files.zip',
      };
    },
  };
}

/** Stored names are input-<index>; the index is the file's position in the request. */
function indexOf(stored: string, fallback: number): number {
  const n = Number(stored.replace(/^input-/, ''));
  return Number.isInteger(n) ? n : fallback;
}
