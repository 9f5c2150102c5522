import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { multipart, tempDir, waitForJob } from './app.js';

/** POST a file to an OCR route with its options JSON (the preview route too). */
export async function submitOcr(app: FastifyInstance, file: { name: string; data: Buffer }, options: Record<string, unknown> = {}, url = '/api/ocr') {
  return app.inject({ method: 'POST', url, ...(await multipart({ options: JSON.stringify(options) }, [{ ...file, type: 'application/octet-stream' }])) });
}

/** An OCR job from submission to download: it must be accepted and complete. */
export async function ocrJob(t: Test, app: FastifyInstance, file: { name: string; data: Buffer }, options: Record<string, unknown> = {}, timeoutMs = 300_000) {
  const res = await submitOcr(app, file, options);
  t.equal(res.statusCode, 202, res.body);
  const job = await waitForJob(app, res.json().job_id, timeoutMs);
  t.equal(job.status, 'completed', JSON.stringify(job.error ?? job.result));
  const dl = await app.inject({ method: 'GET', url: job.download_url });
  t.equal(dl.statusCode, 200);
  return { job, body: dl.rawPayload, headers: dl.headers };
}

/** poppler's text of a PDF (one page, or all). */
export function pdftotext(t: Test, pdf: Buffer, page?: number): string {
  const file = path.join(tempDir(t), 'out.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', [...(page ? ['-f', String(page), '-l', String(page)] : []), file, '-']).toString('utf8');
}
