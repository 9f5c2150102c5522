import { randomUUID } from 'node:crypto';
import t from 'tap';
import { enqueue } from '../../src/queue/index.js';
import { countByStatus } from '../../src/queue/index.js';
import { GOOD_CODE, GOOD_TOKEN, startFakeClouds } from '../helpers/fake-clouds.js';
import { completedJob, postExport, SMALL, startCloudApp } from '../cloud/setup.js';

const PROVIDERS = ['google_drive', 'dropbox', 'onedrive'] as const;

t.test('POST /api/cloud/:provider/token exchanges a code with each provider\'s token endpoint', async (t) => {
  const fake = await startFakeClouds(t);
  const { app } = await startCloudApp(t, fake);
  for (const provider of PROVIDERS) {
    const res = await app.inject({ method: 'POST', url: `/api/cloud/${provider}/token`, payload: { code: GOOD_CODE, redirect_uri: 'https://app.example/callback' } });
    t.equal(res.statusCode, 200, `${provider}: ${res.body}`);
    t.match(res.json(), { success: true, provider, access_token: GOOD_TOKEN, expires_in: 3599, refresh_token: 'refresh-1' });
    t.equal(res.headers['cache-control'], 'no-store', 'token answers are not cacheable');
  }
  t.same(fake.violations, [], 'form-encoded, grant_type, redirect_uri, client id and secret as RFC 6749 asks');
  t.same(fake.requests.map((r) => r.path), ['/google-oauth/token', '/dropbox-api/oauth2/token', '/ms-auth/token']);
  t.equal(new URLSearchParams(fake.requests[0]!.body.toString()).get('redirect_uri'), 'https://app.example/callback');

  const bad = await app.inject({ method: 'POST', url: '/api/cloud/dropbox/token', payload: { code: 'stale', redirect_uri: 'https://app.example/cb' } });
  t.equal(bad.statusCode, 401);
  t.match(bad.json().error, { code: 'CLOUD_AUTH_FAILED', message: /Dropbox refused the authorization code \(invalid_grant/ });

  const missing = await app.inject({ method: 'POST', url: '/api/cloud/dropbox/token', payload: { code: GOOD_CODE } });
  t.equal(missing.statusCode, 400);
  t.equal(missing.json().error.code, 'INVALID_OPTIONS');
});

t.test('token route: unknown provider 404, unconfigured 503, a wrong client secret is a server problem (502)', async (t) => {
  const fake = await startFakeClouds(t);
  const { app } = await startCloudApp(t, fake, { DROPBOX_APP_KEY: '', DROPBOX_APP_SECRET: '', GOOGLE_CLIENT_SECRET: 'not-the-secret' });
  for (const provider of ['box', 's3', '..%2F..']) {
    const res = await app.inject({ method: 'POST', url: `/api/cloud/${provider}/token`, payload: { code: 'x', redirect_uri: 'y' } });
    t.equal(res.statusCode, 404, provider);
    t.equal(res.json().error.code, 'NOT_FOUND');
  }
  const unconfigured = await app.inject({ method: 'POST', url: '/api/cloud/dropbox/token', payload: { code: GOOD_CODE, redirect_uri: 'y' } });
  t.equal(unconfigured.statusCode, 503);
  t.match(unconfigured.json().error, { code: 'CLOUD_NOT_CONFIGURED', message: /DROPBOX_APP_KEY and DROPBOX_APP_SECRET/ });
  const wrongApp = await app.inject({ method: 'POST', url: '/api/cloud/google_drive/token', payload: { code: GOOD_CODE, redirect_uri: 'y' } });
  t.equal(wrongApp.statusCode, 502);
  t.match(wrongApp.json().error, { code: 'CLOUD_PROVIDER_ERROR', message: /check GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET/ });
  t.notMatch(wrongApp.body, /not-the-secret/);
});

t.test('GET /api/cloud/:provider/validate asks each provider who the token belongs to', async (t) => {
  const fake = await startFakeClouds(t);
  const { app } = await startCloudApp(t, fake);
  const expected = {
    google_drive: { id: '0123', name: 'Test User', email: 'user@example.com' },
    dropbox: { id: 'dbid:AAA', name: 'Test User', email: 'user@example.com' },
    onedrive: { id: 'ms-user-1', name: 'Test User', email: 'user@example.com' },
  };
  for (const provider of PROVIDERS) {
    const good = await app.inject({ method: 'GET', url: `/api/cloud/${provider}/validate`, headers: { authorization: `Bearer ${GOOD_TOKEN}` } });
    t.equal(good.statusCode, 200, good.body);
    t.same(good.json().account, expected[provider]);
    t.equal(good.json().valid, true);
    const bad = await app.inject({ method: 'GET', url: `/api/cloud/${provider}/validate`, headers: { authorization: 'Bearer revoked' } });
    t.same(bad.json(), { success: true, provider, valid: false });
  }
  t.same(fake.violations, []);
  const google = await app.inject({ method: 'GET', url: '/api/cloud/google_drive/validate', headers: { authorization: `Bearer ${GOOD_TOKEN}` } });
  t.equal(google.json().expires_in, 3000, 'from tokeninfo');
  t.notOk(fake.requests.some((r) => r.path.includes('tokeninfo') && r.query.toString().includes(GOOD_TOKEN)), 'the token is never put in a URL');

  const none = await app.inject({ method: 'GET', url: '/api/cloud/dropbox/validate' });
  t.equal(none.statusCode, 401);
  t.equal(none.json().error.code, 'CLOUD_AUTH_FAILED');
  fake.fail('GET', /\/graph\/me$/, { status: 503 }, { times: 10 });
  const down = await app.inject({ method: 'GET', url: '/api/cloud/onedrive/validate', headers: { authorization: `Bearer ${GOOD_TOKEN}` } });
  t.equal(down.statusCode, 502, 'a provider outage is not "invalid"');
  t.equal(down.json().error.code, 'CLOUD_PROVIDER_ERROR');
});

t.test('POST /api/jobs/:id/export refuses what cannot be exported, and creates no job', async (t) => {
  const fake = await startFakeClouds(t);
  const { app } = await startCloudApp(t, fake);
  const done = await completedJob(app, SMALL);
  const pending = randomUUID();
  await enqueue(app.store.db, { id: pending, type: 'not_run_here', input: {}, maxAttempts: 1 });
  const expired = await completedJob(app, SMALL, 2);
  await app.inject({ method: 'DELETE', url: `/api/jobs/${expired}` });
  const jobsBefore = Object.values(await countByStatus(app.store.db)).reduce((a, b) => a + b, 0);

  const token = { access_token: GOOD_TOKEN };
  const cases: [string, string, Record<string, unknown>, number, string, RegExp?][] = [
    ['unknown job', randomUUID(), { provider: 'dropbox', ...token }, 404, 'JOB_NOT_FOUND'],
    ['not a uuid', 'nope', { provider: 'dropbox', ...token }, 404, 'JOB_NOT_FOUND'],
    ['unfinished job', pending, { provider: 'dropbox', ...token }, 409, 'JOB_NOT_READY', /pending/],
    ['expired job', expired, { provider: 'dropbox', ...token }, 410, 'JOB_EXPIRED'],
    ['unknown provider', done, { provider: 'box', ...token }, 400, 'INVALID_OPTIONS', /provider="box" is not valid: expected one of google_drive, dropbox, onedrive, s3/],
    ['no provider', done, { ...token }, 400, 'INVALID_OPTIONS'],
    ['no token', done, { provider: 'onedrive' }, 400, 'INVALID_OPTIONS', /access_token is required/],
    ['s3 unconfigured', done, { provider: 's3' }, 503, 'CLOUD_NOT_CONFIGURED', /S3_BUCKET/],
    ['Drive folder not an id', done, { provider: 'google_drive', folder: '../My Folder', ...token }, 400, 'INVALID_OPTIONS', /folder id/],
    ['no such result file', done, { provider: 'dropbox', file: 3, ...token }, 404, 'JOB_NOT_FOUND', /no file 3/],
    ['filename not a string', done, { provider: 'dropbox', filename: { evil: true }, ...token }, 400, 'INVALID_OPTIONS'],
  ];
  for (const [name, id, body, status, code, message] of cases) {
    const res = await postExport(app, id, body);
    t.equal(res.statusCode, status, `${name}: ${res.body}`);
    t.equal(res.json().error?.code, code, name);
    if (message) t.match(res.json().error.message, message, name);
    t.notMatch(res.body, new RegExp(GOOD_TOKEN), `${name}: token not echoed`);
  }
  const notJson = await app.inject({ method: 'POST', url: `/api/jobs/${done}/export`, headers: { 'content-type': 'application/json' }, payload: '{"provider":' });
  t.equal(notJson.statusCode, 400);
  const jobsAfter = Object.values(await countByStatus(app.store.db)).reduce((a, b) => a + b, 0);
  t.equal(jobsAfter, jobsBefore, 'no export job was created');
  t.equal(fake.requests.length, 0, 'no provider was called');
});
