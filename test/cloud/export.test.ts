import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { tokenVaultFor } from '../../src/cloud/token-vault.js';
import { loadConfig } from '../../src/config.js';
import { defaultHandlers } from '../../src/jobs/index.js';
import { multipart, tempDir, waitForJob } from '../helpers/app.js';
import { GOOD_TOKEN, startFakeClouds } from '../helpers/fake-clouds.js';
import { textPdf } from '../helpers/fixtures.js';
import { bytesOf, cloudEnv, CLOUD_TEST_ENV, completedJob, fixtureHandler, getObject, LARGE, postExport, SMALL, startCloudApp, startS3 } from './setup.js';

/** Every byte the database holds on disk (main file, WAL, shared memory). */
function dbBytes(dataDir: string): Buffer {
  return Buffer.concat(['pdf-smaller.db', 'pdf-smaller.db-wal', 'pdf-smaller.db-shm'].map((f) => path.join(dataDir, f)).filter(existsSync).map((f) => readFileSync(f)));
}

async function exported(app: FastifyInstance, source: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await postExport(app, source, body, headers);
  if (res.statusCode !== 202) throw new Error(res.body);
  return waitForJob(app, res.json().job_id as string);
}

t.test('export to each drive through its chunked upload; the token is kept nowhere but memory', async (t) => {
  const fake = await startFakeClouds(t);
  const { app, config, logs } = await startCloudApp(t, fake, { LOG_LEVEL: 'debug' });
  const source = await completedJob(app, LARGE);
  const expected = bytesOf(LARGE, 1);

  const drive = await exported(app, source, { provider: 'google_drive', access_token: GOOD_TOKEN, folder: 'folderId_123' });
  const dropbox = await exported(app, source, { provider: 'dropbox', access_token: GOOD_TOKEN, folder: 'PDF Smaller/2024', filename: 'mine' });
  const onedrive = await exported(app, source, { provider: 'onedrive' }, { authorization: `Bearer ${GOOD_TOKEN}` });
  for (const job of [drive, dropbox, onedrive]) {
    t.equal(job.status, 'completed', JSON.stringify(job.error));
    t.equal(job.task_type, 'export');
    t.equal(job.progress.percent, 100);
    t.match(job.result, { source_job_id: source, bytes: LARGE, remote: { id: String } });
    t.notOk(job.download_url, 'an export has nothing to download');
  }
  t.match(drive.result, { provider: 'google_drive', folder: 'folderId_123', filename: 'report_compressed.pdf', remote: { url: /^https:/ } });
  t.match(dropbox.result, { provider: 'dropbox', filename: 'mine.pdf', remote: { path: '/PDF Smaller/2024/mine.pdf' } });
  t.match(onedrive.result, { provider: 'onedrive', remote: { path: '/drive/root:/report_compressed.pdf' } });
  t.same(fake.violations, []);
  t.equal(fake.files.length, 3);
  for (const f of fake.files) t.ok(f.data.equals(expected), `${f.provider}: the uploaded bytes are the result`);
  t.ok(fake.requests.filter((r) => r.headers['content-range']).length >= 6, 'chunked (Content-Range) uploads for Drive and OneDrive');
  t.ok(fake.requests.some((r) => r.path.endsWith('upload_session/finish')), 'Dropbox session upload');

  t.equal(tokenVaultFor(config).size, 0, 'tokens dropped after use');
  const bodies = await Promise.all([drive, dropbox, onedrive].map((j) => app.inject({ method: 'GET', url: `/api/jobs/${j.job_id}` })));
  for (const b of bodies) t.notOk(b.body.includes(GOOD_TOKEN), 'not in GET /api/jobs/:id');
  t.ok(logs.lines.length > 10, 'debug logs were written');
  t.notOk(JSON.stringify(logs.lines).includes(GOOD_TOKEN), 'not in the logs');
  t.equal(dbBytes(config.dataDir).indexOf(GOOD_TOKEN), -1, 'not in the database files');
  await app.close();
  t.equal(dbBytes(config.dataDir).indexOf(GOOD_TOKEN), -1, 'not in the database after its WAL is checkpointed');
});

t.test('a bad token fails the export with CLOUD_AUTH_FAILED and leaves nothing behind', async (t) => {
  const fake = await startFakeClouds(t);
  const { app, config } = await startCloudApp(t, fake);
  const source = await completedJob(app, LARGE);
  for (const provider of ['google_drive', 'dropbox', 'onedrive']) {
    const job = await exported(app, source, { provider, access_token: 'revoked-token-1234' });
    t.equal(job.status, 'failed', provider);
    t.equal(job.error.code, 'CLOUD_AUTH_FAILED');
    t.match(job.error.message, /rejected the access token.*Sign in again/);
    t.notMatch(job.error.message, /revoked-token-1234/);
    t.equal(job.attempts, 1, 'not retried: the same token would fail again');
  }
  t.equal(fake.files.length, 0, 'no file');
  t.same(fake.openSessions(), [], 'no upload session');
  t.equal(tokenVaultFor(config).size, 0);
});

t.test('a retryable outage keeps the token for the next run of the job, then drops it', async (t) => {
  const fake = await startFakeClouds(t);
  const { app, config } = await startCloudApp(t, fake, { JOB_MAX_ATTEMPTS: '2' });
  const source = await completedJob(app, SMALL);
  fake.fail('POST', /files\/upload$/, { status: 503 }, { times: 4 }); // the first run: 1 try + CLOUD_RETRIES
  const job = await exported(app, source, { provider: 'dropbox', access_token: GOOD_TOKEN });
  t.equal(job.status, 'completed', JSON.stringify(job.error));
  t.equal(job.attempts, 2);
  t.ok(fake.files[0]!.data.equals(bytesOf(SMALL, 1)));
  t.equal(tokenVaultFor(config).size, 0);
});

t.test('an export that runs without its token (process restarted) fails CLOUD_TOKEN_UNAVAILABLE', async (t) => {
  const fake = await startFakeClouds(t);
  const dir = tempDir(t);
  const env = { ...cloudEnv(t, { ...CLOUD_TEST_ENV, ...fake.env() }), DATA_DIR: path.join(dir, 'data'), UPLOAD_DIR: path.join(dir, 'uploads'), WORKER_THREADS: '1', MIN_FREE_DISK_MB: '0' };
  const boot = async (dispatch: boolean) => {
    const app = await buildApp(loadConfig(env), { logger: false, dispatch, handlers: (c) => ({ ...defaultHandlers(c), fixture: fixtureHandler }) });
    await app.ready();
    return app;
  };
  const first = await boot(true);
  const source = await completedJob(first, SMALL);
  await first.close();
  const accepting = await boot(false); // accepts the export, then "restarts" before running it
  const res = await postExport(accepting, source, { provider: 'dropbox', access_token: GOOD_TOKEN });
  t.equal(res.statusCode, 202);
  await accepting.close();
  const restarted = await boot(true);
  t.teardown(() => restarted.close());
  const job = await waitForJob(restarted, res.json().job_id as string);
  t.equal(job.status, 'failed');
  t.equal(job.error.code, 'CLOUD_TOKEN_UNAVAILABLE');
  t.match(job.error.message, /submit the export again/);
  t.equal(fake.requests.length, 0, 'the provider was never called');
});

t.test('a multi-file result exports as the zip the download serves, or one file with `file`', async (t) => {
  const fake = await startFakeClouds(t);
  const { app } = await startCloudApp(t, fake);
  const source = await completedJob(app, SMALL, 5, { files: 2, archive: 'results.zip' });
  const zip = await exported(app, source, { provider: 'dropbox', access_token: GOOD_TOKEN });
  t.equal(zip.status, 'completed', JSON.stringify(zip.error));
  t.equal(zip.result.remote.path, '/results.zip');
  const download = await app.inject({ method: 'GET', url: `/api/jobs/${source}/download` });
  t.ok(fake.files[0]!.data.equals(download.rawPayload), 'the zip uploaded is the zip downloaded');
  const one = await exported(app, source, { provider: 'dropbox', access_token: GOOD_TOKEN, file: 1 });
  t.equal(one.result.remote.path, '/part 2.pdf');
  t.ok(fake.files[1]!.data.equals(bytesOf(SMALL, 6)));
});

t.test('S3: a compressed PDF exported to a real S3-compatible server equals the downloaded result', async (t) => {
  const s3 = await startS3(t);
  const { app } = await startCloudApp(t, undefined, s3.env);
  const res = await app.inject({ method: 'POST', url: '/api/compress', ...(await multipart({}, [{ name: 'report.pdf', data: await textPdf(2) }])) });
  const compressed = await waitForJob(app, res.json().job_id as string);
  t.equal(compressed.status, 'completed');
  const job = await exported(app, compressed.job_id, { provider: 's3', folder: 'exports/../2024/', filename: 'quarterly', access_token: 'ignored-for-s3' });
  t.equal(job.status, 'completed', JSON.stringify(job.error));
  // Under exports/<job id>/ whatever the folder says: `..` is a name, never a way out.
  const key = `exports/${compressed.job_id}/exports/2024/quarterly.pdf`;
  t.match(job.result, { provider: 's3', bytes: compressed.result.compressed_size, remote: { bucket: 'exports', key } });
  const download = await app.inject({ method: 'GET', url: compressed.download_url });
  const object = await getObject(s3, key);
  t.ok(object?.data.equals(download.rawPayload), 'the object is the downloaded result, byte for byte');
  t.equal(object?.contentType, 'application/pdf');
  const again = await exported(app, compressed.job_id, { provider: 's3', folder: 'exports/../2024/', filename: 'quarterly' });
  t.equal(again.result.remote.key, `exports/${compressed.job_id}/exports/2024/quarterly (1).pdf`, 'a second export of the same name never overwrites the first');
  t.ok((await getObject(s3, key))?.data.equals(download.rawPayload), 'the first object is unchanged');
});
