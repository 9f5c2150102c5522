import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { mapLimit } from '../pool/map-limit.js';
import type { CliRequest } from './args.js';
import { outputPath, readStdin, type InputFile } from './inputs.js';
import type { FileOutcome, Ui } from './report.js';

type Job = Record<string, any>;
const FINAL = new Set(['completed', 'failed', 'cancelled', 'expired']);

/**
 * The same command sent to a running server (--server URL): each file submitted to the
 * command's route with the same fields, the job followed through its event stream (progress
 * bars), and its result downloaded where a local run would have written it.
 */
export async function runRemote(req: CliRequest, files: InputFile[], ui: Ui, signal: AbortSignal): Promise<FileOutcome[]> {
  return mapLimit(files, req.threads, (file) => runOne(req, file, files.length, ui, signal));
}

async function runOne(req: CliRequest, file: InputFile, count: number, ui: Ui, signal: AbortSignal): Promise<FileOutcome> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const headers: Record<string, string> = req.apiKey ? { 'x-api-key': req.apiKey } : {};
  const base = req.server!;
  let inputBytes: number | undefined;
  try {
    const blob = file.path ? await openAsBlob(file.path) : new Blob([await readStdin()]);
    inputBytes = blob.size;
    const form = new FormData();
    form.append('file', blob, file.name);
    for (const [k, v] of Object.entries(req.fields)) form.append(k, v);
    if (req.password) form.append('password', req.password);
    ui.progress(file.label, 0, 'uploading');
    const submitted = await fetch(`${base}${req.command.route}`, { method: 'POST', body: form, headers, signal });
    const answer = (await submitted.json()) as Job;
    if (submitted.status !== 202) return failure(file, seconds(), inputBytes, answer);
    const job = await follow(`${base}/api/jobs/${answer.job_id}`, headers, signal, (j) => ui.progress(file.label, j.progress?.percent ?? 0, j.progress?.stage ?? j.status));
    if (job.status !== 'completed') return failure(file, seconds(), inputBytes, { error: job.error ?? { code: job.status === 'cancelled' ? 'JOB_CANCELLED' : 'JOB_EXPIRED', message: `The job was ${job.status}.` } });
    const result = (job.result ?? {}) as Record<string, unknown>;
    if (!job.download_url) {
      const text = typeof result.summary === 'string' ? `${result.summary}\n` : `${JSON.stringify(result, null, 2)}\n`;
      if (!req.json) process.stdout.write(count > 1 ? `# ${file.label}\n${text}\n` : text);
      return { input: file, status: 'completed', seconds: seconds(), inputBytes, result };
    }
    const res = await fetch(`${base}/api/jobs/${answer.job_id}/download`, { headers, signal });
    if (!res.ok || !res.body) return failure(file, seconds(), inputBytes, (await res.json()) as Job);
    const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? file.name;
    const output = outputPath(req, file, name, count);
    const body = Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
    if (output) {
      await mkdir(path.dirname(output), { recursive: true });
      await pipeline(body, createWriteStream(output));
    } else {
      await pipeline(body, process.stdout, { end: false });
    }
    return { input: file, status: 'completed', seconds: seconds(), inputBytes, outputBytes: Number(res.headers.get('content-length') ?? 0) || undefined, result, ...(output ? { output } : {}) };
  } catch (err) {
    if (signal.aborted) return { input: file, status: 'failed', seconds: seconds(), code: 'JOB_INTERRUPTED', message: 'Stopped.' };
    return { input: file, status: 'failed', seconds: seconds(), code: 'SERVICE_UNAVAILABLE', message: `${base}: ${(err as Error).message}` };
  } finally {
    ui.done(file.label);
  }
}

function failure(file: InputFile, seconds: number, inputBytes: number | undefined, body: Job): FileOutcome {
  const error = (body.error ?? {}) as { code?: string; message?: string };
  return { input: file, status: 'failed', seconds, ...(inputBytes !== undefined ? { inputBytes } : {}), code: error.code ?? 'INTERNAL_ERROR', message: error.message ?? 'The server gave no reason.' };
}

/**
 * The job's final JSON, following GET …/events (Server-Sent Events: an `event: job` with the
 * job JSON at every change); if the stream breaks, the job is read once more and followed again.
 */
async function follow(url: string, headers: Record<string, string>, signal: AbortSignal, onJob: (j: Job) => void): Promise<Job> {
  for (;;) {
    const res = await fetch(`${url}/events`, { headers: { ...headers, accept: 'text/event-stream' }, signal });
    if (res.ok && res.body) {
      let buffer = '';
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (!data) continue;
          const job = JSON.parse(data) as Job;
          onJob(job);
          if (FINAL.has(job.status)) return job;
        }
      }
    }
    const job = (await (await fetch(url, { headers, signal })).json()) as Job;
    if (FINAL.has(job.status) || job.error?.code === 'JOB_NOT_FOUND') return job.status ? job : { status: 'failed', error: job.error };
    await new Promise((r) => setTimeout(r, 1000));
  }
}
