import path from 'node:path';
import type { Config } from '../config.js';
import type { FileJobInput, FileJobHandler } from './types.js';
import type { CompressOptions } from '../../workers/compress.js';

/** What a compress job's row holds as options (validated by routes/compress.ts). */
export type CompressJobOptions = CompressOptions & { sanitize?: boolean };
import { safeFilename, withSuffix } from '../storage/filenames.js';
import type { ActiveContent } from '../../workers/active-content.js';
import { sanitizeStep } from '../pool/sanitize-step.js';

/** One PDF through the compress task; the result file is offered as <name>_compressed.pdf. */
export function compressHandler(config: Config): FileJobHandler {
  return {
    lane: 'cpu',
    async run(ctx) {
      const input = ctx.job.input as FileJobInput<CompressJobOptions>;
      const file = input.files[0];
      if (!file) throw new Error('compress job without an input file');
      const downloadName = withSuffix(safeFilename(file.name), '_compressed', '.pdf');
      const workDir = await ctx.workDir();
      let source = path.join(ctx.inputDir, file.stored);
      let sanitized: ActiveContent | undefined;
      if (input.options.sanitize) ({ input: source, removed: sanitized } = await sanitizeStep(ctx, config, source));
      const result = await ctx.pool.run(
        'compress',
        {
          input: source,
          output: path.join(workDir, 'compressed.pdf'),
          workDir,
          maxPages: config.maxPages,
          options: input.options,
        },
        { signal: ctx.signal, onProgress: ctx.progress },
      );
      // Sizes are against the file the client sent, not the sanitised copy compressed.
      const sizes = sanitized
        ? { original_size: file.size, compression_ratio: Math.round(((file.size - result.compressed_size) / file.size) * 10_000) / 100, sanitized }
        : {};
      return {
        result: { ...result, ...sizes, original_filename: safeFilename(file.name), compression_level: input.options.compressionLevel, image_quality: input.options.imageQuality },
        files: [{ name: 'compressed.pdf', downloadName, contentType: 'application/pdf' }],
      };
    },
  };
}

