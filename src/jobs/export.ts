import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../config.js';
import type { JobContext, JobHandler } from './types.js';
import { TaskFailure } from '../errors.js';
import { zipStream } from '../storage/zip.js';
import { ProviderClient } from '../cloud/client.js';
import { uploadToDropbox } from '../cloud/dropbox.js';
import type { ExportJobInput } from '../cloud/export-request.js';
import { uploadToDrive } from '../cloud/google-drive.js';
import { uploadToOneDrive } from '../cloud/onedrive.js';
import { isExportProvider, PROVIDER_LABELS } from '../cloud/providers.js';
import { uploadToS3 } from '../cloud/s3.js';
import { cloudSettings } from '../cloud/settings.js';
import { FileSource } from '../cloud/source.js';
import { tokenVaultFor } from '../cloud/token-vault.js';
import type { RemoteRef, UploadTask } from '../cloud/upload.js';

const UPLOADERS = { google_drive: uploadToDrive, dropbox: uploadToDropbox, onedrive: uploadToOneDrive } as const;

/**
 * The `export` job (io lane: it waits on the network, not on a core): uploads a completed
 * job's result to the provider with the token the route left in the vault. The token is
 * dropped as soon as no further run of this job can need it: after success, after a final
 * failure, and when the job is stopped; it is kept only for a retry of this same job.
 */
export function exportHandler(config: Config): JobHandler {
  const settings = cloudSettings(config);
  const vault = tokenVaultFor(config);
  return {
    lane: 'io',
    async run(ctx) {
      const input = ctx.job.input as ExportJobInput;
      if (!isExportProvider(input?.provider) || !input.source || !input.target) throw new TaskFailure('INTERNAL_ERROR', 'The export job has no valid input.', false);
      const label = PROVIDER_LABELS[input.provider];
      let keepToken = false;
      try {
        const token = input.provider === 's3' ? undefined : vault.get(ctx.job.id);
        if (input.provider !== 's3' && !token) {
          throw new TaskFailure(
            'CLOUD_TOKEN_UNAVAILABLE',
            `The access token for this export is no longer held by the server (it restarted, the export waited longer than ${Math.round(settings.tokenTtlMs / 1000)} s, or another node ran it); submit the export again.`,
            false,
          );
        }
        const source = await openSource(ctx, input);
        try {
          ctx.progress({ percent: 0, stage: `uploading to ${label}` });
          const onProgress = (bytes: number) =>
            ctx.progress({ percent: source.size ? Math.min(99, Math.floor((bytes * 100) / source.size)) : 99, stage: `uploading to ${label}` });
          let remote: RemoteRef;
          if (input.provider === 's3') {
            // Accepted by a node with S3_* set, run by one without: a deployment mistake, not retryable here.
            if (!settings.s3) throw new TaskFailure('CLOUD_NOT_CONFIGURED', 'S3 export is not configured on the node that ran this export (S3_BUCKET and S3_EXPORT_BUCKET are unset).', false);
            remote = await uploadToS3({ s3: settings.s3, jobId: input.source_job_id, settings, source, target: input.target, signal: ctx.signal, onProgress });
          } else {
            const client = new ProviderClient({ provider: input.provider, token, signal: ctx.signal, retry: settings.retry, requestTimeoutMs: settings.requestTimeoutMs });
            const task: UploadTask = { client, source, target: input.target, settings, onProgress };
            remote = await UPLOADERS[input.provider](task);
          }
          ctx.log.info({ provider: input.provider, bytes: source.size, remoteId: remote.id ?? remote.key }, 'export uploaded');
          return {
            result: {
              provider: input.provider,
              source_job_id: input.source_job_id,
              filename: input.target.filename,
              folder: input.target.folderId ?? input.target.folder.join('/'),
              bytes: source.size,
              remote,
            },
          };
        } finally {
          await source.close();
        }
      } catch (err) {
        // The dispatcher retries unexpected errors and retryable failures while attempts remain.
        const retried = !(err instanceof TaskFailure) || err.retryable;
        keepToken = retried && !ctx.signal.aborted && ctx.job.attempts < ctx.job.max_attempts;
        throw err;
      } finally {
        if (!keepToken) vault.delete(ctx.job.id);
      }
    },
  };
}

/**
 * The bytes to send: the chosen result file, or the result's zip (built in the run's scratch
 * folder, exactly as the download would stream it). A source whose files are gone expired.
 */
async function openSource(ctx: JobContext, input: ExportJobInput): Promise<FileSource> {
  const { source_job_id: jobId, source } = input;
  const expired = () => new TaskFailure('JOB_EXPIRED', `The result of job ${jobId} was deleted before it could be exported.`, false);
  const scratch = await ctx.workDir();
  // A local path for random access (a provider may ask to resend from an earlier offset):
  // the result file itself, or a copy pulled from the bucket when several nodes share the work.
  const local = async (name: string) => (await ctx.storage.localResult(jobId, source.lease, name, scratch)) ?? Promise.reject(expired());
  if (source.file) return FileSource.open(await local(source.file.name), source.file.contentType);
  const entries = await Promise.all(
    (source.archive ?? []).map(async (e) => {
      const file = await local(e.name);
      return { name: e.downloadName, size: (await stat(file)).size, open: async () => createReadStream(file) };
    }),
  );
  const zipPath = path.join(scratch, 'export.zip');
  ctx.progress({ percent: 0, stage: 'preparing the archive' });
  const { stream } = await zipStream(entries, new Date(source.finishedAt ?? Date.UTC(1980, 0, 1)));
  await pipeline(stream, createWriteStream(zipPath), { signal: ctx.signal });
  return FileSource.open(zipPath, 'application/zip');
}
