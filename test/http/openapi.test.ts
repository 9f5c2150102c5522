import SwaggerParser from '@apidevtools/swagger-parser';
import t from 'tap';
import { ERRORS } from '../../src/errors.js';
import { startApp } from '../helpers/app.js';

t.test('GET /docs/json is a valid OpenAPI 3 document listing every route and error code', async (t) => {
  const { app } = await startApp(t, {}, { dispatch: false });
  const res = await app.inject({ method: 'GET', url: '/docs/json' });
  t.equal(res.statusCode, 200);
  const doc = res.json();
  t.match(doc.openapi, /^3\./);
  await t.resolves(SwaggerParser.validate(structuredClone(doc)), 'validates');

  const documented = new Set<string>();
  for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${p}`);
  }
  const routes = new Set<string>();
  for (const r of [
    'POST /api/compress', 'POST /api/bulk', 'GET /api/jobs/{id}', 'GET /api/jobs/{id}/download', 'DELETE /api/jobs/{id}',
    'GET /api/jobs/{id}/events', 'GET /health', 'GET /api/health', 'GET /api/compress/health', 'GET /metrics',
    'GET /api/extended-features/status', 'GET /api/extended-features/capabilities',
  ]) routes.add(r);
  for (const r of routes) t.ok(documented.has(r), `${r} is documented`);

  const compress = doc.paths['/api/compress'].post;
  t.ok(compress.requestBody.content['multipart/form-data'], 'multipart body documented');
  t.ok(compress.requestBody.content['multipart/form-data'].schema.properties.file, 'file field documented');
  for (const status of ['202', '4XX', '5XX']) t.ok(compress.responses[status] ?? compress.responses[status.toLowerCase()], `compress answers ${status}`);
  for (const code of Object.keys(ERRORS)) t.match(doc.info.description, `\`${code}\``, `${code} documented`);

  const ui = await app.inject({ method: 'GET', url: '/docs' });
  t.ok([200, 302].includes(ui.statusCode), 'Swagger UI served');
});
