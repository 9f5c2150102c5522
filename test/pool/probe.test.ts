import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { AppError } from '../../src/errors.js';
import { WorkerPool } from '../../src/pool/pool.js';
import { runProbe } from '../../src/pool/probe.js';

/**
 * Every route's checks and previews go through runProbe, so one cause has one answer
 * everywhere; here each cause is produced for real in a real probe pool (the no-op task).
 */
t.test('every way a probe fails has one coded answer', async (t) => {
  const probe = new WorkerPool({ threads: 1, minThreads: 1, maxQueue: 1 });
  t.teardown(() => probe.destroy());
  const app = { pools: { probe } } as unknown as FastifyInstance;
  const asPdf = { badInput: 'INVALID_PDF', runMs: 300 } as const;
  const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof AppError ? `${e.statusCode} ${e.code}` : String(e)));

  t.equal(await code(runProbe(app, 'noop', { echo: 1 }, asPdf)), 'ok');
  t.equal(await code(runProbe(app, 'noop', { fail: { code: 'ENCRYPTED_PDF', message: 'locked' } }, asPdf)), '422 ENCRYPTED_PDF', "the task's own code");
  t.equal(await code(runProbe(app, 'noop', { fail: { code: 'PROCESSING_FAILED', message: 'mupdf said no' } }, asPdf)), '422 INVALID_PDF', 'an engine error is the file');
  t.equal(
    await code(runProbe(app, 'noop', { fail: { code: 'PROCESSING_FAILED', message: 'x' } }, { badInput: 'INVALID_IMAGE', runMs: 300 })),
    '422 INVALID_IMAGE',
    'for an image route, the image',
  );
  t.equal(await code(runProbe(app, 'noop', { delayMs: 5000 }, asPdf)), '422 PDF_TOO_COMPLEX', 'running past its bound: too complex');
  t.equal(await code(runProbe(app, 'noop', { crash: true }, asPdf)), '422 INVALID_PDF', 'the thread died on the file');
  // No thread to take it (a pool with no room): the server's state, not the file's.
  const none = { pools: { probe: new WorkerPool({ threads: 0 }) } } as unknown as FastifyInstance;
  t.equal(await code(runProbe(none, 'noop', {}, asPdf)), '503 QUEUE_FULL', 'no room in the probe pool');
});
