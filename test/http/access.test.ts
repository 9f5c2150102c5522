import http from 'node:http';
import t, { type Test } from 'tap';
import { multipart, startApp, waitForJob, type TestApp } from '../helpers/app.js';
import { textPdf } from '../helpers/fixtures.js';
import { rawRequest } from '../helpers/raw-http.js';

const KEYS = { API_KEYS: 'key-a-0123456789, key-b-0123456789', API_ADMIN_KEYS: 'key-admin-0123456789' };
const A = { 'x-api-key': 'key-a-0123456789' };
const B = { 'x-api-key': 'key-b-0123456789' };
const ADMIN = { 'x-api-key': 'key-admin-0123456789' };
const OPEN_API = new Set(['/api/health', '/api/compress/health']);
const SOME_ID = '00000000-0000-4000-8000-000000000000';

async function submit(app: TestApp['app'], headers: Record<string, string>, fields: Record<string, string> = {}) {
  const form = await multipart(fields, [{ name: 'a.pdf', data: await textPdf(1) }]);
  return app.inject({ method: 'POST', url: '/api/compress', payload: form.payload, headers: { ...form.headers, ...headers } });
}

async function listen(t: Test, app: TestApp['app']): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as { port: number }).port;
}

t.test('every /api route of the OpenAPI document answers 401 without a key (and with ?api_key=)', async (t) => {
  const { app } = await startApp(t, KEYS, { dispatch: false });
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
  let checked = 0;
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/') || OPEN_API.has(path)) continue;
    const url = path.replace('{id}', SOME_ID).replace('{provider}', 'dropbox');
    for (const method of Object.keys(methods)) {
      const m = method.toUpperCase() as 'GET' | 'POST' | 'DELETE';
      const bare = await app.inject({ method: m, url });
      t.equal(bare.statusCode, 401, `${m} ${path}`);
      t.equal(bare.json().error.code, 'UNAUTHORIZED');
      const query = await app.inject({ method: m, url: `${url}?api_key=key-a-0123456789` });
      t.equal(query.statusCode, 401, `${m} ${path}?api_key=`);
      checked++;
    }
  }
  t.ok(checked >= 20, `${checked} operations checked`);
  const refused = await app.inject({ method: 'GET', url: `/api/jobs/${SOME_ID}?api_key=key-a-0123456789` });
  t.match(refused.json().error.message, /not accepted in the URL/);
  for (const url of ['/health', '/api/health', '/api/compress/health', '/docs/json', '/metrics', '/']) {
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 200, `${url} stays open`);
  }
});

t.test('every spelling of a path that the router accepts is checked like the plain one', async (t) => {
  const { app } = await startApp(t, KEYS, { dispatch: false });
  const id = (await submit(app, A)).json().job_id as string;
  const port = await listen(t, app);
  const plain = await rawRequest(port, `GET /api/jobs/${id} HTTP/1.1`, A);
  t.equal(plain.status, 200, 'the owner reads it');
  const spellings = [
    `/%61pi/jobs/${id}`,
    `/api/%6aobs/${id}`,
    `/api/jobs/%${id.charCodeAt(0).toString(16)}${id.slice(1)}`,
    `//api/jobs/${id}`,
    `/api//jobs/${id}`,
    `/api/./jobs/${id}`,
    `/api/x/../jobs/${id}`,
    `/API/jobs/${id}`,
    `/api/jobs/${id}/`,
    `/api/jobs/${id}?`,
    `/api/jobs/${id}#x`,
    `http://127.0.0.1:${port}/api/jobs/${id}`,
    `http://evil.example/api/jobs/${id}`,
    `http://127.0.0.1:${port}/%61pi/jobs/${id}`,
  ];
  const routes = ['', '/download', '/events'];
  for (const spelling of spellings) {
    for (const suffix of routes) {
      const target = spelling.includes('?') || spelling.includes('#') ? spelling.replace(/([?#])/, `${suffix}$1`) : `${spelling}${suffix}`;
      for (const method of suffix ? ['GET'] : ['GET', 'DELETE']) {
        const res = await rawRequest(port, `${method} ${target} HTTP/1.1`);
        t.ok([400, 401, 404].includes(res.status), `${method} ${target}: ${res.status}`);
        t.notMatch(res.body, /"status":"pending"|event: job/, `${method} ${target} shows nothing of the job`);
      }
    }
  }
  // The spellings Fastify's router decodes or takes in absolute form do reach the route: 401, not 404.
  for (const target of [`/%61pi/jobs/${id}`, `http://127.0.0.1:${port}/api/jobs/${id}`, `/api/jobs/%${id.charCodeAt(0).toString(16)}${id.slice(1)}`]) {
    t.equal((await rawRequest(port, `GET ${target} HTTP/1.1`)).status, 401, `GET ${target} matched and refused`);
  }
  const form = await multipart({}, [{ name: 'a.pdf', data: await textPdf(1) }]);
  for (const target of ['/%61pi/compress', `http://127.0.0.1:${port}/api/compress`, '/api/%63ompress']) {
    const res = await rawRequest(port, `POST ${target} HTTP/1.1`, form.headers, form.payload);
    t.equal(res.status, 401, `POST ${target}`);
  }
  t.equal((await rawRequest(port, `GET /api/jobs/${id} HTTP/1.1`)).status, 401);
  const after = await app.inject({ method: 'GET', url: `/api/jobs/${id}`, headers: A });
  t.equal(after.json().status, 'pending', 'nothing was cancelled');
});

t.test('the rate limit counts every spelling of a submission route', async (t) => {
  const { app } = await startApp(t, { RATE_LIMIT_PER_MINUTE: '2' }, { dispatch: false });
  const port = await listen(t, app);
  // Fixed one-minute windows: start early in one so the three requests count in the same.
  if (Date.now() % 60_000 > 40_000) await new Promise((r) => setTimeout(r, 60_000 - (Date.now() % 60_000) + 50));
  const form = await multipart({}, [{ name: 'a.pdf', data: await textPdf(1) }]);
  const codes: number[] = [];
  for (const target of ['/api/compress', '/%61pi/compress', `http://127.0.0.1:${port}/api/%63ompress`]) {
    codes.push((await rawRequest(port, `POST ${target} HTTP/1.1`, form.headers, form.payload)).status);
  }
  t.same(codes, [202, 202, 429]);
});

t.test('a job is its key\'s: other keys get 404 everywhere, admin keys see all, ids cannot be squatted', async (t) => {
  const { app } = await startApp(t, KEYS);
  const mine = (await submit(app, A)).json().job_id as string;
  const done = await waitForJob(app, mine, 60_000, A);
  t.equal(done.status, 'completed');
  const asB = [
    await app.inject({ method: 'GET', url: `/api/jobs/${mine}`, headers: B }),
    await app.inject({ method: 'GET', url: `/api/jobs/${mine}/download`, headers: B }),
    await app.inject({ method: 'GET', url: `/api/jobs/${mine}/events`, headers: B }),
    await app.inject({ method: 'POST', url: `/api/jobs/${mine}/export`, headers: B, payload: { provider: 's3' } }),
    await app.inject({ method: 'DELETE', url: `/api/jobs/${mine}`, headers: B }),
  ];
  for (const res of asB) {
    t.equal(res.statusCode, 404, res.body);
    t.equal(res.json().error.code, 'JOB_NOT_FOUND');
  }
  t.same(asB[0]!.json().error.message, (await app.inject({ method: 'GET', url: `/api/jobs/${SOME_ID}`, headers: B })).json().error.message, 'the same answer as an unknown id');
  t.equal((await app.inject({ method: 'GET', url: `/api/jobs/${mine}/download`, headers: A })).statusCode, 200, 'the owner downloads');
  t.equal((await app.inject({ method: 'GET', url: `/api/jobs/${mine}`, headers: ADMIN })).json().status, 'completed', 'an admin key sees it');
  t.equal((await app.inject({ method: 'GET', url: `/api/jobs/${mine}`, headers: A })).json().status, 'completed', 'B could not delete it');

  // A client job_id is scoped to its key.
  const chosen = 'b1f0c8a2-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
  const first = await submit(app, A, { job_id: chosen });
  t.equal(first.statusCode, 202);
  t.equal((await submit(app, A, { job_id: chosen })).json().message, 'A job with this id already exists; returning it.', 'the owner resubmits idempotently');
  const squat = await submit(app, B, { job_id: chosen });
  t.equal(squat.statusCode, 409, 'another key gets a conflict');
  t.equal(squat.json().error.code, 'JOB_ID_CONFLICT');
  t.notMatch(squat.body, /compress/, 'and learns nothing of the job');
  t.equal((await app.inject({ method: 'GET', url: `/api/jobs/${chosen}`, headers: B })).statusCode, 404);
});

t.test('signed links: work without a key until they expire; any change is refused', async (t) => {
  const { app } = await startApp(t, { ...KEYS, LINK_TTL_S: '60' });
  const id = (await submit(app, A)).json().job_id as string;
  const job = await waitForJob(app, id, 60_000, A);
  const download = job.download_url as string;
  const events = job.events_url as string;
  t.match(download, new RegExp(`^/api/jobs/${id}/download\\?expires=\\d+&sig=[\\w-]{43}$`));
  t.match(events, new RegExp(`^/api/jobs/${id}/events\\?expires=\\d+&sig=[\\w-]{43}$`));
  const expires = Number(new URL(download, 'http://x').searchParams.get('expires'));
  t.ok(expires * 1000 >= Date.now() + 59_000 && expires * 1000 <= Date.now() + 70_000, 'expires after LINK_TTL_S (rounded up)');
  const ok = await app.inject({ method: 'GET', url: download });
  t.equal(ok.statusCode, 200, 'the link downloads without a key');
  t.equal(ok.headers['content-type'], 'application/pdf');
  t.equal((await app.inject({ method: 'HEAD', url: download })).statusCode, 200, 'HEAD too');
  const stream = await app.inject({ method: 'GET', url: events });
  t.equal(stream.statusCode, 200);
  t.match(stream.body, /event: job/);

  const sig = new URL(download, 'http://x').searchParams.get('sig')!;
  const flip = (s: string) => s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
  const other = (await submit(app, A)).json().job_id as string;
  const tampered = [
    download.replace(`sig=${sig}`, `sig=${flip(sig)}`),
    download.replace(`expires=${expires}`, `expires=${expires + 3600}`),
    download.replace(id, other),
    download.replace('/download', '/events'),
    download.replace(/&sig=.*/, ''),
    download.replace(/expires=\d+&/, ''),
    `${download.replace(`sig=${sig}`, `sig=${sig}x`)}`,
    app.links.sign('GET', `/api/jobs/${id}/download`, Date.now() - 3_600_000),
  ];
  for (const url of tampered) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 403, url);
    t.equal(res.json().error.code, 'INVALID_LINK');
  }
  t.match((await app.inject({ method: 'GET', url: tampered.at(-1)! })).json().error.message, /expired/);
  t.equal((await app.inject({ method: 'DELETE', url: download.replace('/download', '') })).statusCode, 401, 'a link opens no other method');
  t.equal((await app.inject({ method: 'GET', url: download.replace('/download', '') })).statusCode, 401, 'nor the job JSON');
  t.equal((await app.inject({ method: 'GET', url: `${download}&file=0` })).statusCode, 200, 'file=N selects inside what the link grants');
});

t.test('limits: event streams and pending jobs per client', async (t) => {
  const { app } = await startApp(t, { ...KEYS, MAX_EVENT_STREAMS: '2', MAX_PENDING_PER_CLIENT: '2' }, { dispatch: false });
  const ids = [(await submit(app, A)).json().job_id as string, (await submit(app, A)).json().job_id as string];
  const third = await submit(app, A);
  t.equal(third.statusCode, 503, 'a third pending job of the same key');
  t.equal(third.json().error.code, 'QUEUE_FULL');
  t.equal((await submit(app, B)).statusCode, 202, 'another key still submits');

  const port = await listen(t, app);
  const open: http.ClientRequest[] = [];
  const openStream = (id: string) =>
    new Promise<number>((resolve) => {
      const req = http.get({ port, host: '127.0.0.1', path: `/api/jobs/${id}/events`, headers: A }, (res) => {
        resolve(res.statusCode!);
        if (res.statusCode !== 200) res.resume();
      });
      req.on('error', () => {});
      open.push(req);
    });
  t.teardown(() => open.forEach((r) => r.destroy()));
  t.same([await openStream(ids[0]!), await openStream(ids[1]!)], [200, 200]);
  t.equal(await openStream(ids[0]!), 429, 'a third stream of the same key');
  open[0]!.destroy();
  await new Promise((r) => setTimeout(r, 200));
  t.equal(await openStream(ids[0]!), 200, 'a closed stream frees its place');
});

t.test('a request not received in full within REQUEST_TIMEOUT_S is closed and its files removed', async (t) => {
  const { app, config } = await startApp(t, { REQUEST_TIMEOUT_S: '2' }, { dispatch: false });
  const port = await listen(t, app);
  const { slowUpload } = await import('../helpers/slow-upload.js');
  const started = Date.now();
  // 64 KB every 300 ms would take 2 minutes to send 25 MB: it is cut after 2 s.
  const upload = slowUpload(`http://127.0.0.1:${port}/api/compress`, { total: 25 * 1024 * 1024, everyMs: 300 });
  const outcome = await upload.done;
  const took = Date.now() - started;
  t.ok(outcome.status === 408 || outcome.error, `closed: ${outcome.status ?? outcome.error?.message}`);
  t.ok(upload.sent < 25 * 1024 * 1024, `only ${upload.sent} bytes were taken`);
  t.comment(`closed after ${took} ms`);
  const { readdir } = await import('node:fs/promises');
  const path = await import('node:path');
  for (let i = 0; i < 100; i++) {
    const left = await readdir(path.join(config.uploadDir, 'temp')).catch(() => []);
    if (left.every((d) => !d.startsWith('staging'))) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const staging = await readdir(path.join(config.uploadDir, 'temp')).catch(() => [] as string[]);
  t.same(staging.filter((d) => d.startsWith('staging')), [], 'no staging files left');
  // The server goes on.
  const res = await fetch(`http://127.0.0.1:${port}/api/health`);
  t.equal(res.status, 200);
});

t.test('browser pages of other sites cannot submit without a key', async (t) => {
  const { app } = await startApp(t, { CORS_ORIGINS: 'https://app.example.com' }, { dispatch: false });
  const form = await multipart({}, [{ name: 'a.pdf', data: await textPdf(1) }]);
  const post = (headers: Record<string, string>) => app.inject({ method: 'POST', url: '/api/compress', payload: form.payload, headers: { ...form.headers, ...headers } });
  const foreign: Record<string, string>[] = [{ 'sec-fetch-site': 'cross-site' }, { origin: 'https://evil.example' }, { origin: 'null' }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }];
  for (const headers of foreign) {
    const res = await post(headers);
    t.equal(res.statusCode, 403, JSON.stringify(headers));
    t.equal(res.json().error.code, 'CROSS_SITE_REFUSED');
  }
  t.equal((await post({ origin: 'http://localhost:80', host: 'localhost:80' })).statusCode, 202, 'the server\'s own page');
  t.equal((await post({ 'sec-fetch-site': 'same-origin' })).statusCode, 202);
  t.equal((await post({ origin: 'https://app.example.com', 'sec-fetch-site': 'cross-site' })).statusCode, 202, 'an origin in CORS_ORIGINS');
  t.equal((await post({})).statusCode, 202, 'not a browser (curl, scripts)');
  const keyed = await startApp(t, KEYS, { dispatch: false });
  const withKey = await keyed.app.inject({ method: 'POST', url: '/api/compress', payload: form.payload, headers: { ...form.headers, ...A, origin: 'https://evil.example' } });
  t.equal(withKey.statusCode, 202, 'a frontend that holds a key may submit from anywhere');
});

t.test('METRICS_TOKEN, and a CSP without inline scripts', async (t) => {
  const { app } = await startApp(t, { METRICS_TOKEN: 'm-token' }, { dispatch: false });
  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
  t.equal((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer nope' } })).statusCode, 401);
  const ok = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer m-token' } });
  t.equal(ok.statusCode, 200);
  t.match(ok.body, /jobs_queue_depth/);
  const csp = String((await app.inject({ method: 'GET', url: '/' })).headers['content-security-policy']);
  t.match(csp, /script-src 'self'(;|$)/);
  t.notMatch(csp, /script-src[^;]*unsafe-inline/);
});

t.test('the server listens on 127.0.0.1 unless told otherwise, and warns when exposed without keys', async (t) => {
  const { loadConfig } = await import('../../src/config.js');
  t.equal(loadConfig({}).host, '127.0.0.1');
  const { startServer } = await import('../helpers/server-process.js');
  const { tempDir } = await import('../helpers/app.js');
  const dir = tempDir(t);
  const exposed = await startServer(t, { HOST: '0.0.0.0', DATA_DIR: `${dir}/d1`, UPLOAD_DIR: `${dir}/u1`, WORKER_THREADS: '1' });
  await new Promise((r) => setTimeout(r, 300));
  const warnings = exposed.logs.filter((l) => /without API_KEYS/.test(l));
  t.equal(warnings.length, 1, 'one warning line');
  exposed.child.kill('SIGTERM');
  await exposed.exited;
  const keyed = await startServer(t, { HOST: '0.0.0.0', API_KEYS: 'k-0123456789', DATA_DIR: `${dir}/d2`, UPLOAD_DIR: `${dir}/u2`, WORKER_THREADS: '1' });
  await new Promise((r) => setTimeout(r, 300));
  t.equal(keyed.logs.filter((l) => /without API_KEYS/.test(l)).length, 0, 'no warning with keys');
  keyed.child.kill('SIGTERM');
  await keyed.exited;
  const local = await startServer(t, { DATA_DIR: `${dir}/d3`, UPLOAD_DIR: `${dir}/u3`, WORKER_THREADS: '1', HOST: '127.0.0.1' });
  await new Promise((r) => setTimeout(r, 300));
  t.equal(local.logs.filter((l) => /without API_KEYS/.test(l)).length, 0, 'no warning on loopback');
  local.child.kill('SIGTERM');
  await local.exited;
});

