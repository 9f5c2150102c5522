import t from 'tap';
import { startApp } from '../helpers/app.js';
import { OCR_ROUTES } from './harness.js';
import { runFileCases } from './run-files.js';

/** The hostile files of cases.ts against OCR and its preview (which also take images). */
t.setTimeout(400_000);

t.test('every hostile file on the OCR routes ends with a documented code, nothing left behind', async (t) => {
  const { app } = await startApp(t, { WORKER_THREADS: '2', JOB_TIMEOUT_S: '60', JOB_MAX_ATTEMPTS: '1' });
  await runFileCases(t, app, OCR_ROUTES);
});
