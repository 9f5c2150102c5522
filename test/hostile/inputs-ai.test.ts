import t from 'tap';
import { startApp } from '../helpers/app.js';
import { FakeOpenAI } from '../helpers/fake-openai.js';
import { AI_ROUTES } from './harness.js';
import { runFileCases } from './run-files.js';

/**
 * The hostile files of cases.ts against the four AI routes, with a local OpenAI-compatible
 * server so translate and extract take files at all (without a provider they answer 503
 * AI_NOT_CONFIGURED before reading the upload).
 */
t.setTimeout(400_000);

t.test('every hostile file on the AI routes ends with a documented code, nothing left behind', async (t) => {
  const ai = await FakeOpenAI.start(t);
  const { app } = await startApp(t, { WORKER_THREADS: '2', JOB_TIMEOUT_S: '60', JOB_MAX_ATTEMPTS: '1', AI_BASE_URL: ai.url, AI_MODEL: 'fake-model' });
  await runFileCases(t, app, AI_ROUTES);
});
