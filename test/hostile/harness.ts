import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Test } from 'tap';
import { isErrorCode } from '../../src/errors.js';
import { countByStatus } from '../../src/queue/index.js';
import { multipart } from '../helpers/app.js';
import { validPdf } from '../helpers/hostile.js';

/**
 * The machinery of the hostile-input suite: the file-taking routes as data, one request or
 * job bounded by a timer that fails loudly, and the checks every outcome must pass (a
 * documented code, the error envelope, nothing internal leaked, no job and no file left
 * for a refusal, the server still healthy).
 */

export interface RouteSpec {
  url: string;
  /** The multipart field carrying the file. */
  field: 'file' | 'files';
  /** `job`: 202 and a job to wait for; `preview`: 200 at once, no job. */
  kind: 'job' | 'preview';
  /** Fields a valid request needs (cheap settings: the suite is about refusals, not quality). */
  fields: Record<string, string>;
  /** Takes images (OCR) as well as PDFs. */
  images?: boolean;
  /** Reads an `options` JSON field. */
  options?: boolean;
  /** A field set to a value outside what the route allows. */
  badEnum?: [string, string];
}

// Every page recognised (skipText off), so the render path meets each hostile page, at 72 dpi to stay quick.
const OCR = { options: JSON.stringify({ outputFormat: 'text', dpi: 72, skipText: false }) };

export const PDF_ROUTES: RouteSpec[] = [
  { url: '/api/compress', field: 'file', kind: 'job', fields: { compressionLevel: 'low' }, badEnum: ['compressionLevel', 'ultra'] },
  { url: '/api/bulk', field: 'files', kind: 'job', fields: { compressionLevel: 'low' }, badEnum: ['compressionLevel', 'ultra'] },
  { url: '/api/convert', field: 'file', kind: 'job', fields: { format: 'txt' }, options: true, badEnum: ['format', 'exe'] },
  { url: '/api/convert/preview', field: 'file', kind: 'preview', fields: { format: 'txt' }, options: true, badEnum: ['format', 'exe'] },
  { url: '/api/compress/preview', field: 'file', kind: 'preview', fields: {} },
];

export const OCR_ROUTES: RouteSpec[] = [
  { url: '/api/ocr', field: 'file', kind: 'job', fields: OCR, images: true, options: true, badEnum: ['options', JSON.stringify({ outputFormat: 'exe' })] },
  { url: '/api/ocr/preview', field: 'file', kind: 'preview', fields: OCR, images: true, options: true, badEnum: ['options', JSON.stringify({ outputFormat: 'exe' })] },
];

export const AI_ROUTES: RouteSpec[] = [
  { url: '/api/ai/summarize', field: 'file', kind: 'job', fields: { options: JSON.stringify({ engine: 'extractive' }) }, options: true, badEnum: ['options', JSON.stringify({ style: 'rude' })] },
  { url: '/api/ai/translate', field: 'file', kind: 'job', fields: { target_language: 'fr' }, options: true, badEnum: ['target_language', 'klingon!'] },
  { url: '/api/ai/extract-text', field: 'file', kind: 'job', fields: {} },
  // A schema with nothing required: the fake provider's "{}" is a valid answer.
  { url: '/api/ai/extract', field: 'file', kind: 'job', fields: { schema: JSON.stringify({ type: 'object', properties: { title: { type: 'string' } } }) }, badEnum: ['export_format', 'exe'] },
];

export const ALL_ROUTES = [...PDF_ROUTES, ...OCR_ROUTES, ...AI_ROUTES];

/** A request or a job past this is a hang: the case fails with its name. */
export const REQUEST_MS = 45_000;
export const JOB_MS = 90_000;

export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`HANG: ${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Upload {
  name: string;
  data: Buffer;
  type?: string;
  field?: string;
}

export function send(app: FastifyInstance, url: string, fields: Record<string, string>, files: Upload[], what: string): Promise<LightMyRequestResponse> {
  return within(
    REQUEST_MS,
    what,
    multipart(fields, files.map((f) => ({ field: f.field ?? 'file', name: f.name, data: f.data, type: f.type ?? 'application/pdf' }))).then((body) =>
      app.inject({ method: 'POST', url, ...body }),
    ),
  );
}

/** Paths, stack frames or engine internals a response must never carry. */
const LEAK = /\/tmp\/|\/work\/|\/home\/|\/usr\/|node_modules|uploads\/|\bat \S+ \(|\.[cm]?[jt]s:\d+|\bError: |TypeError|RangeError/;

export function assertNoLeak(t: Test, body: string, what: string): void {
  const m = LEAK.exec(body);
  t.notOk(m, `${what}: nothing internal in the response${m ? ` (found "${m[0]}" in ${body.slice(0, 300)})` : ''}`);
}

export async function jobCount(app: FastifyInstance): Promise<number> {
  return Object.values(await countByStatus(app.store.db)).reduce((a, b) => a + b, 0);
}

/** No upload of a refused request is left: staging empty, temp/ holds only jobs' folders. */
export function leftovers(app: FastifyInstance, jobs: Set<string>): string[] {
  const staged = readdirSync(app.storage.stagingRoot).map((n) => `staging/${n}`);
  const temp = readdirSync(app.storage.tempRoot)
    .filter((n) => n !== '.incoming' && !jobs.has(n))
    .map((n) => `temp/${n}`);
  return [...staged, ...temp];
}

export async function assertHealthy(t: Test, app: FastifyInstance, what: string): Promise<void> {
  const res = await within(10_000, `${what}: GET /health`, app.inject({ method: 'GET', url: '/health' }));
  t.equal(res.statusCode, 200, `${what}: the server is healthy after it`);
}

export async function waitJob(app: FastifyInstance, id: string, what: string): Promise<Record<string, any>> {
  const end = Date.now() + JOB_MS;
  for (;;) {
    const res = await app.inject({ method: 'GET', url: `/api/jobs/${id}` });
    const body = res.json();
    if (['completed', 'failed', 'cancelled', 'expired'].includes(body.status)) return { ...body, raw: res.body };
    if (Date.now() > end) throw new Error(`HANG: ${what}: job ${id} still ${body.status} after ${JOB_MS} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Expect {
  /** Codes acceptable for a refusal (4xx) or a failed job. */
  codes: string[];
  /** May be processed: 202 then completed, or 200 for a preview (a valid file in hostile clothing). */
  ok?: boolean;
  /** When processed, a job result that lists page text (extract-text) must show this. */
  text?: RegExp;
}

export interface Observed {
  route: string;
  outcome: string;
  ms: number;
}

/**
 * Checks one answer (and its job, if it made one) against `expect`, with every invariant of
 * the suite, and returns what was observed for the report. `jobs` collects the ids of jobs
 * created, whose folders may legitimately exist.
 */
export async function check(t: Test, app: FastifyInstance, route: RouteSpec, res: LightMyRequestResponse, expect: Expect, what: string, before: number, jobs: Set<string>): Promise<string> {
  assertNoLeak(t, res.body, what);
  t.ok(res.statusCode < 500, `${what}: no 5xx (got ${res.statusCode}: ${res.body.slice(0, 200)})`);
  const body = res.json();
  let outcome: string;
  if (res.statusCode >= 400) {
    const code = body.error?.code;
    outcome = `${res.statusCode} ${code}`;
    t.equal(body.success, false, `${what}: envelope success=false`);
    t.ok(isErrorCode(code), `${what}: ${code} is a documented code`);
    t.ok(expect.codes.includes(code), `${what}: ${code} is one of ${expect.codes.join(', ')} (${body.error?.message})`);
    t.match(body.error?.message, /\S/, `${what}: a message`);
    t.match(body.error?.timestamp, /^\d{4}-\d\d-\d\dT/, `${what}: a timestamp`);
    t.equal(body.request_id, res.headers['x-request-id'], `${what}: request_id is the x-request-id`);
    t.equal(await jobCount(app), before, `${what}: no job for a refusal`);
    t.same(leftovers(app, jobs), [], `${what}: nothing of the upload left on disk`);
  } else if (route.kind === 'preview') {
    outcome = `${res.statusCode} processed`;
    t.equal(res.statusCode, 200, `${what}: a preview answers 200`);
    t.ok(expect.ok, `${what}: processing this file is acceptable (it is a valid PDF in hostile clothing)`);
    t.equal(await jobCount(app), before, `${what}: a preview makes no job`);
    t.same(leftovers(app, jobs), [], `${what}: the preview left nothing on disk`);
  } else {
    t.equal(res.statusCode, 202, `${what}: 202 for a queued job`);
    const id = body.job_id as string;
    jobs.add(id);
    const job = await waitJob(app, id, what);
    assertNoLeak(t, job.raw, `${what} (job)`);
    if (job.status === 'failed') {
      outcome = `job failed ${job.error?.code}`;
      t.ok(isErrorCode(job.error?.code), `${what}: job error ${job.error?.code} is a documented code`);
      t.ok(expect.codes.includes(job.error?.code), `${what}: job failed ${job.error?.code}, one of ${expect.codes.join(', ')} (${job.error?.message})`);
    } else {
      outcome = `job ${job.status}`;
      t.equal(job.status, 'completed', `${what}: job completed (${JSON.stringify(job.error ?? {})})`);
      t.ok(expect.ok, `${what}: completing this file is acceptable (a valid PDF in hostile clothing)`);
      const pages = job.result?.pages as { text?: string }[] | number | undefined;
      if (expect.text && Array.isArray(pages)) t.match(pages.map((p) => p.text ?? '').join('\n'), expect.text, `${what}: the text came through`);
    }
    // A finished job's inputs are gone (results stay until their TTL); they go just after the row is final.
    const inputs = path.join(app.storage.tempRoot, id);
    for (let i = 0; i < 100 && existsSync(inputs); i++) await new Promise((r) => setTimeout(r, 20));
    t.notOk(existsSync(inputs), `${what}: the job's input folder was removed`);
  }
  return outcome;
}

/** After the hostile cases, a plain valid request on the same app still works. */
export async function assertStillWorks(t: Test, app: FastifyInstance, route: RouteSpec, jobs: Set<string>): Promise<void> {
  const what = `${route.url}: a valid request after the hostile ones`;
  const res = await send(app, route.url, route.fields, [{ field: route.field, name: 'valid.pdf', data: validPdf() }], what);
  if (route.kind === 'preview') {
    t.equal(res.statusCode, 200, `${what}: 200 (${res.body.slice(0, 200)})`);
    return;
  }
  t.equal(res.statusCode, 202, `${what}: 202 (${res.body.slice(0, 200)})`);
  const id = res.json().job_id as string;
  jobs.add(id);
  const job = await waitJob(app, id, what);
  t.equal(job.status, 'completed', `${what}: completed (${JSON.stringify(job.error ?? {})})`);
}

/** A compact table for the test log: case → route → outcome. */
export function report(t: Test, rows: { name: string; observed: Observed[] }[]): void {
  const lines = rows.flatMap((r) => r.observed.map((o) => `${r.name.padEnd(36)} ${o.route.padEnd(22)} ${o.outcome.padEnd(34)} ${o.ms} ms`));
  t.comment(`\n${lines.join('\n')}`);
}
