import t from 'tap';
import { installedOcrLanguages } from '../../src/capabilities.js';
import { startApp } from '../helpers/app.js';

t.test('extended-features status and capabilities reflect this server', async (t) => {
  const { app } = await startApp(t, { S3_BUCKET: 'b', DROPBOX_APP_KEY: 'k', DROPBOX_APP_SECRET: 's' }, { dispatch: false });
  const status = await app.inject({ method: 'GET', url: '/api/extended-features/status' });
  t.equal(status.statusCode, 200);
  const s = status.json();
  t.match(s, { success: true, message: /status/, data: { compression: { available: true }, queue: { database: 'sqlite', job_processing: true, pending: 0 } } });
  t.same(s.data.ocr.languages, installedOcrLanguages());
  t.ok(s.data.ocr.languages.includes('eng'));
  t.same(s.data.cloud.supported_providers.sort(), ['dropbox', 's3'], 'only configured providers');
  t.equal(s.data.ai.provider_configured, false);
  t.same(s.data.ai.features, ['summarize', 'extract-text'], 'offline: extractive summaries and text only');
  t.equal(s.data.compression.engines[0], 'mupdf');

  const caps = await app.inject({ method: 'GET', url: '/api/extended-features/capabilities' });
  t.equal(caps.statusCode, 200);
  t.match(caps.json().data, { compression: { options: { compressionLevel: ['low', 'medium', 'high', 'maximum'] } }, ocr: { languages: s.data.ocr.languages } });

  const ai = await startApp(t, { AI_BASE_URL: 'http://127.0.0.1:9/v1', AI_MODEL: 'm' }, { dispatch: false });
  const aiStatus = (await ai.app.inject({ method: 'GET', url: '/api/extended-features/status' })).json();
  t.match(aiStatus.data.ai, { provider_configured: true, model: 'm', features: ['summarize', 'translate', 'extract-text', 'extract'] });
});
