import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { defaultHandlers, noopHandler } from '../../src/jobs/index.js';
import { enqueue } from '../../src/queue/index.js';
import { startApp } from '../helpers/app.js';
import { FakeOpenAI } from '../helpers/fake-openai.js';
import { contentBomb, imageBomb, pageTreeLoop, truncatedAt, validPdf } from '../helpers/hostile.js';
import { manyPagesPdf } from '../helpers/many-pages.js';
import { assertHealthy, assertNoLeak, send, waitJob } from './harness.js';

/**
 * What the submission check stops must also be stopped inside a job: a file swapped after
 * its check (another node wrote the input, a job from before an upgrade, a bug in a route)
 * reaches the worker tasks directly. Each task opens PDFs through openPdf, which runs the
 * page-tree and decoded-size checks again, so the job fails fast with the same code. And a
 * worker thread that dies takes only its own job with it.
 */
t.setTimeout(240_000);

const ROUTES: [string, Record<string, string>][] = [
  ['/api/compress', { compressionLevel: 'low' }],
  ['/api/convert', { format: 'docx' }],
  ['/api/ocr', { options: JSON.stringify({ outputFormat: 'text', dpi: 72, skipText: false }) }],
  ['/api/ai/extract-text', {}],
];

async function submitThenSwap(app: FastifyInstance, url: string, fields: Record<string, string>, data: Buffer): Promise<string> {
  const res = await send(app, url, fields, [{ name: 'swapped.pdf', data: validPdf() }], `submit ${url}`);
  if (res.statusCode !== 202) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  const id = res.json().job_id as string;
  writeFileSync(path.join(app.storage.inputDir(id), 'input-0'), data);
  return id;
}

t.test('a hostile file swapped in after the submission check fails its job with the submission code', async (t) => {
  const ai = await FakeOpenAI.start(t);
  const { app } = await startApp(t, { WORKER_THREADS: '2', JOB_TIMEOUT_S: '60', JOB_MAX_ATTEMPTS: '1', AI_BASE_URL: ai.url, AI_MODEL: 'fake-model' }, { dispatch: false });
  const cases: [string, Buffer, string][] = [
    ['content stream bomb', contentBomb(), 'PDF_TOO_COMPLEX'],
    ['image stream bomb', imageBomb(), 'PDF_TOO_COMPLEX'],
    ['page-tree loop', pageTreeLoop(), 'INVALID_PDF'],
    ['truncated at 60%', truncatedAt(0.6), 'INVALID_PDF'],
  ];
  const jobs: [string, string, string][] = [];
  for (const [name, data, code] of cases) {
    for (const [url, fields] of ROUTES) jobs.push([`${name} → ${url}`, await submitThenSwap(app, url, fields, data), code]);
  }
  const started = Date.now();
  app.dispatcher.start();
  for (const [what, id, code] of jobs) {
    const job = await waitJob(app, id, what);
    assertNoLeak(t, job.raw, what);
    t.equal(job.status, 'failed', `${what}: failed`);
    t.equal(job.error?.code, code, `${what}: ${code} (${job.error?.message})`);
  }
  // Reported, not asserted (no timing thresholds in tests): the codes above already say the
  // bombs were refused before any processing (a content bomb alone ran 85 s in compression before).
  t.comment(`${jobs.length} hostile jobs failed in ${Date.now() - started} ms`);
  await assertHealthy(t, app, 'after the swapped files');
  const res = await send(app, '/api/compress', {}, [{ name: 'ok.pdf', data: validPdf() }], 'a valid job after them');
  t.equal((await waitJob(app, res.json().job_id, 'valid')).status, 'completed', 'the next valid job completes');
});

t.test('a worker thread that dies fails only its own job; a job beside it and the next one complete', async (t) => {
  const { app } = await startApp(t, { WORKER_THREADS: '2', JOB_MAX_ATTEMPTS: '1' }, { handlers: (config) => ({ ...defaultHandlers(config), noop: noopHandler }) });
  // A compression that takes a few seconds, running on the other thread while one dies.
  const busy = await send(app, '/api/compress', { compressionLevel: 'low' }, [{ name: 'long.pdf', data: manyPagesPdf(300) }], 'long compression');
  t.equal(busy.statusCode, 202);
  const crash = '00000000-0000-4000-8000-00000000dead';
  await enqueue(app.store.db, { id: crash, type: 'noop', input: { crash: true }, maxAttempts: 1 });
  app.dispatcher.wake();
  const dead = await waitJob(app, crash, 'crash job');
  t.equal(dead.status, 'failed');
  t.equal(dead.error?.code, 'WORKER_CRASHED', 'the dead thread’s job fails WORKER_CRASHED');
  assertNoLeak(t, dead.raw, 'crash job');
  const beside = await waitJob(app, busy.json().job_id, 'long compression');
  t.equal(beside.status, 'completed', `the job on the other thread completed (${JSON.stringify(beside.error ?? {})})`);
  await assertHealthy(t, app, 'after the crash');
  const next = await send(app, '/api/compress', {}, [{ name: 'ok.pdf', data: validPdf() }], 'next job');
  t.equal((await waitJob(app, next.json().job_id, 'next job')).status, 'completed', 'the pool replaced the thread: the next job completes');
});
