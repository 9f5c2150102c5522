import t from 'tap';
import { multipart, startApp } from '../helpers/app.js';
import { textPdf } from '../helpers/fixtures.js';

t.test('API_KEYS: every /api route but health needs X-API-Key', async (t) => {
  const { app, logs } = await startApp(t, { API_KEYS: 'k-one, k-two' }, { dispatch: false });
  const denied = await app.inject({ method: 'GET', url: '/api/jobs/00000000-0000-4000-8000-000000000000' });
  t.equal(denied.statusCode, 401);
  t.equal(denied.json().error.code, 'UNAUTHORIZED');
  t.equal((await app.inject({ method: 'GET', url: '/api/jobs/x', headers: { 'x-api-key': 'wrong' } })).statusCode, 401);
  const ok = await app.inject({ method: 'GET', url: '/api/jobs/00000000-0000-4000-8000-000000000000', headers: { 'x-api-key': 'k-two' } });
  t.equal(ok.statusCode, 404, 'a valid key gets through');
  const query = await app.inject({ method: 'GET', url: '/api/jobs/00000000-0000-4000-8000-000000000000?api_key=k-one' });
  t.equal(query.statusCode, 401, '?api_key= is not accepted (browsers use the signed links of the job JSON)');
  t.notOk(JSON.stringify(logs.lines).includes('k-one'), 'a key sent in a URL anyway is never logged');
  for (const url of ['/health', '/api/health', '/api/compress/health', '/docs/json', '/metrics']) {
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 200, `${url} stays open`);
  }
  const post = await app.inject({ method: 'POST', url: '/api/compress', ...(await multipart({}, [{ name: 'a.pdf', data: await textPdf(1) }])) });
  t.equal(post.statusCode, 401, 'submissions too');
});

t.test('RATE_LIMIT_PER_MINUTE: 429 RATE_LIMITED with retry-after on submissions only', async (t) => {
  const { app } = await startApp(t, { RATE_LIMIT_PER_MINUTE: '2' }, { dispatch: false });
  const form = await multipart({}, [{ name: 'a.pdf', data: await textPdf(1) }]);
  // The counters are fixed one-minute windows: start early in one, so all four requests count in it.
  if (Date.now() % 60_000 > 40_000) await new Promise((r) => setTimeout(r, 60_000 - (Date.now() % 60_000) + 50));
  const codes: number[] = [];
  for (let i = 0; i < 3; i++) codes.push((await app.inject({ method: 'POST', url: '/api/compress', ...form })).statusCode);
  t.same(codes, [202, 202, 429]);
  const limited = await app.inject({ method: 'POST', url: '/api/compress', ...form });
  t.equal(limited.json().error.code, 'RATE_LIMITED');
  t.ok(Number(limited.headers['retry-after']) > 0, 'retry-after header');
  for (let i = 0; i < 5; i++) t.equal((await app.inject({ method: 'GET', url: '/api/health' })).statusCode, 200, 'polls are not limited');
});

t.test('CORS_ORIGINS and security headers', async (t) => {
  const { app } = await startApp(t, { CORS_ORIGINS: 'https://app.example.com' }, { dispatch: false });
  const pre = await app.inject({ method: 'OPTIONS', url: '/api/compress', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
  t.equal(pre.headers['access-control-allow-origin'], 'https://app.example.com');
  const other = await app.inject({ method: 'GET', url: '/api/health', headers: { origin: 'https://evil.example' } });
  t.notOk(other.headers['access-control-allow-origin'], 'other origins get no CORS header');
  t.equal(other.headers['x-content-type-options'], 'nosniff');
  t.match(other.headers['content-security-policy'], /default-src 'self'/);
  const none = await startApp(t, {}, { dispatch: false });
  const r = await none.app.inject({ method: 'GET', url: '/api/health', headers: { origin: 'https://app.example.com' } });
  t.notOk(r.headers['access-control-allow-origin'], 'no CORS unless configured');
});
