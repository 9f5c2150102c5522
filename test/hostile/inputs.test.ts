import t from 'tap';
import { startApp } from '../helpers/app.js';
import { PDF_ROUTES } from './harness.js';
import { runFileCases } from './run-files.js';

/**
 * The hostile files of cases.ts against compression, bulk, conversion and both of their
 * previews, on one app (two job threads, a 60 s job timeout so a runaway shows as
 * JOB_TIMEOUT rather than a hung test). See test/hostile/cases.ts for the list and what each
 * must answer; harness.ts for the checks every answer passes.
 */
t.setTimeout(400_000);

t.test('every hostile file on the PDF routes ends with a documented code, nothing left behind', async (t) => {
  const { app } = await startApp(t, { WORKER_THREADS: '2', JOB_TIMEOUT_S: '60', JOB_MAX_ATTEMPTS: '1' });
  await runFileCases(t, app, PDF_ROUTES);
});
