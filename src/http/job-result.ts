import type { FastifyInstance, FastifyReply } from 'fastify';
import type { JobRow } from '../db/types.js';
import { AppError } from '../errors.js';
import type { JobOutput } from '../jobs/types.js';
import { contentDisposition } from '../storage/filenames.js';
import { zipStream } from '../storage/zip.js';
import { effectiveStatus } from './job-view.js';

/**
 * A job's result file as the answer: the file itself with Content-Disposition, a multi-file
 * result as one zip (or file N alone), or the coded 4xx that says why there is none. Used by
 * GET /api/jobs/:id/download and by submissions that wait for their job (?wait=).
 */
export async function sendResult(app: FastifyInstance, reply: FastifyReply, row: JobRow, fileIndex?: number): Promise<FastifyReply> {
  const status = effectiveStatus(row);
  if (status === 'expired') throw new AppError('JOB_EXPIRED');
  if (status === 'failed') throw new AppError('JOB_FAILED', `The job failed (${row.error_code}); it has no result to download.`);
  if (status === 'cancelled') throw new AppError('JOB_CANCELLED');
  if (status !== 'completed') throw new AppError('JOB_NOT_READY', `The job is ${status}; download it once it is completed.`);
  const output = row.output ? (JSON.parse(row.output) as JobOutput) : undefined;
  if (!output || output.files.length === 0) throw new AppError('JOB_NOT_FOUND', 'This job has no result file.');
  const { lease } = output;
  if (fileIndex === undefined && output.archive) {
    const entries = await Promise.all(
      output.files.map(async (f) => {
        const size = await app.storage.resultSize(row.id, lease, f.name);
        if (size === undefined) throw new AppError('JOB_EXPIRED', 'The result files are no longer available.');
        return { name: f.downloadName, size, open: async () => (await app.storage.openResult(row.id, lease, f.name))!.stream };
      }),
    );
    const { stream, size } = await zipStream(entries, new Date(row.finished_at ?? row.updated_at));
    if (size !== undefined) reply.header('content-length', size);
    return reply
      .header('content-type', 'application/zip')
      .header('content-disposition', contentDisposition(output.archive))
      .header('cache-control', 'private, no-store')
      .send(stream);
  }
  const index = fileIndex ?? 0;
  const file = output.files.find((f, i) => (f.index ?? i) === index);
  if (!file) throw new AppError('JOB_NOT_FOUND', `The result has no file ${index}.`, { files: output.files.map((f, i) => f.index ?? i) });
  const opened = await app.storage.openResult(row.id, lease, file.name);
  if (!opened) throw new AppError('JOB_EXPIRED', 'The result file is no longer available.');
  return reply
    .header('content-type', file.contentType)
    .header('content-length', opened.size)
    .header('content-disposition', contentDisposition(file.downloadName))
    .header('cache-control', 'private, no-store')
    .send(opened.stream);
}
