import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { JobRow } from '../db/types.js';
import { AppError } from '../errors.js';
import type { Principal } from '../http/access.js';
import { findJob } from '../http/find-job.js';
import { effectiveStatus } from '../http/job-view.js';
import type { ExportBody } from '../schemas/cloud.js';
import { DRIVE_FOLDER_ID, exportFilename, folderSegments } from './names.js';
import { EXPORT_PROVIDERS, isExportProvider, PROVIDER_LABELS, type ExportProvider } from './providers.js';
import { cloudSettings } from './settings.js';
import type { ExportTarget } from './upload.js';

/**
 * The stored input of an export job: where the bytes are and where they go. No token: it
 * lives in the TokenVault only (see token-vault.ts).
 */
export interface ExportJobInput {
  source_job_id: string;
  provider: ExportProvider;
  /** Files of the source's completing run, under results/<source>/<lease>/. */
  source: {
    lease: string;
    /** One result file… */
    file?: { name: string; contentType: string };
    /** …or all of them as the zip the download serves (entries as in the download). */
    archive?: { name: string; downloadName: string }[];
    /** When the source job finished: the date of the zip's entries, as in its download. */
    finishedAt?: number;
  };
  target: ExportTarget;
}

interface SourceOutput {
  lease: string;
  files: { name: string; downloadName: string; contentType: string; index?: number }[];
  archive?: string;
}

/** The source job must be the requester's, completed, and still hold its files: the same answers as its download. */
export async function completedSource(app: FastifyInstance, principal: Principal, id: string): Promise<{ row: JobRow; output: SourceOutput }> {
  const row = await findJob(app, principal, id);
  const status = effectiveStatus(row);
  if (status === 'expired') throw new AppError('JOB_EXPIRED');
  if (status === 'failed') throw new AppError('JOB_FAILED', `The job failed (${row.error_code}); it has no result to export.`);
  if (status === 'cancelled') throw new AppError('JOB_CANCELLED', 'The job was cancelled; it has no result to export.');
  if (status !== 'completed') throw new AppError('JOB_NOT_READY', `The job is ${status}; export it once it is completed.`);
  const output = row.output ? (JSON.parse(row.output) as SourceOutput) : undefined;
  if (!output || !Array.isArray(output.files) || output.files.length === 0) throw new AppError('JOB_NOT_FOUND', 'This job has no result file to export.');
  return { row, output };
}

/** Body → export input, every client value checked or sanitised. Throws the route's 4xx/503. */
export async function exportInput(app: FastifyInstance, row: JobRow, output: SourceOutput, body: ExportBody): Promise<ExportJobInput> {
  if (!isExportProvider(body.provider)) {
    throw new AppError('INVALID_OPTIONS', `provider=${JSON.stringify(String(body.provider).slice(0, 50))} is not valid: expected one of ${EXPORT_PROVIDERS.join(', ')}`, {
      fields: [{ field: 'provider', allowed: EXPORT_PROVIDERS }],
    });
  }
  const provider = body.provider;
  if (provider === 's3' && !cloudSettings(app.config).s3) {
    throw new AppError('CLOUD_NOT_CONFIGURED', 'S3 export is not configured on this server (set S3_BUCKET, and S3_ENDPOINT for a non-AWS server).');
  }
  let source: ExportJobInput['source'];
  let defaultName: string;
  if (body.file === undefined && output.archive) {
    source = {
      lease: output.lease,
      archive: output.files.map((f) => ({ name: path.basename(f.name), downloadName: f.downloadName })),
      ...(row.finished_at !== null ? { finishedAt: row.finished_at } : {}),
    };
    defaultName = output.archive;
  } else {
    const index = body.file ?? 0;
    const file = output.files.find((f, i) => (f.index ?? i) === index);
    if (!file) throw new AppError('JOB_NOT_FOUND', `The result has no file ${index}.`);
    source = { lease: output.lease, file: { name: path.basename(file.name), contentType: file.contentType } };
    defaultName = file.downloadName;
  }
  const probe = source.file?.name ?? source.archive?.[0]?.name ?? '';
  if ((await app.storage.resultSize(row.id, output.lease, probe)) === undefined) throw new AppError('JOB_EXPIRED', 'The result file is no longer available.');

  const target: ExportTarget = { folder: [], filename: exportFilename(body.filename, defaultName) };
  if (provider === 'google_drive') {
    const folder = body.folder?.trim();
    if (folder && !DRIVE_FOLDER_ID.test(folder)) {
      throw new AppError('INVALID_OPTIONS', `folder is not valid for ${PROVIDER_LABELS.google_drive}: expected a folder id (letters, digits, - and _), as the Drive picker or API gives it`, {
        fields: [{ field: 'folder' }],
      });
    }
    if (folder) target.folderId = folder;
  } else {
    target.folder = folderSegments(body.folder);
  }
  return { source_job_id: row.id, provider, source, target };
}

/** `Authorization: Bearer <token>`, accepted as an alternative to access_token in the body. */
export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S{1,8192})\s*$/i.exec(header ?? '');
  return m?.[1];
}
