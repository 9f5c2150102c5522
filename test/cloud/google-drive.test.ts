import t from 'tap';
import { uploadToDrive } from '../../src/cloud/google-drive.js';
import { GOOD_TOKEN, startFakeClouds, type FakeClouds, type FakeRequest } from '../helpers/fake-clouds.js';
import { LARGE, SMALL, uploadFixture } from './setup.js';

const puts = (fake: FakeClouds) => fake.requests.filter((r) => r.method === 'PUT').map((r) => String(r.headers['content-range']));

t.test('a small file goes in one multipart/related request with its metadata', async (t) => {
  const fake = await startFakeClouds(t);
  const { task, data, progress } = await uploadFixture(t, fake, 'google_drive', { size: SMALL, target: { folderId: 'folder_ID-1', filename: 'report.pdf' } });
  const remote = await uploadToDrive(task);
  t.same(fake.violations, []);
  t.equal(fake.requests.length, 1);
  const [req] = fake.requests;
  t.equal(req!.query.get('uploadType'), 'multipart');
  t.equal(req!.headers.authorization, `Bearer ${GOOD_TOKEN}`);
  t.match(fake.files[0], { provider: 'google_drive', name: 'report.pdf', where: 'folder_ID-1' });
  t.ok(fake.files[0]!.data.equals(data));
  t.match(remote, { id: fake.files[0]!.id, name: 'report.pdf', url: /^https:\/\/drive\.example\/file\// });
  t.equal(progress.at(-1), SMALL);
});

t.test('a large file goes through a resumable session in 256 KiB chunks, without the token on chunks', async (t) => {
  const fake = await startFakeClouds(t);
  const { task, data, progress } = await uploadFixture(t, fake, 'google_drive', { size: LARGE });
  await uploadToDrive(task);
  t.same(fake.violations, [], 'no protocol violation (chunk sizes, ranges, no Bearer on the session)');
  const start = fake.requests[0]!;
  t.equal(start.query.get('uploadType'), 'resumable');
  t.equal(start.headers['x-upload-content-length'], String(LARGE));
  t.equal(start.headers['x-upload-content-type'], 'application/pdf');
  t.same(JSON.parse(start.body.toString()), { name: 'report.pdf' });
  t.same(puts(fake), [`bytes 0-262143/${LARGE}`, `bytes 262144-524287/${LARGE}`, `bytes 524288-${LARGE - 1}/${LARGE}`]);
  t.ok(fake.files[0]!.data.equals(data));
  t.same(progress, [262_144, 524_288, LARGE]);
  t.equal(fake.openSessions().length, 0);
});

t.test('after a 503 it asks where the upload stands (bytes */N) and resumes from the server\'s Range', async (t) => {
  const fake = await startFakeClouds(t);
  const range = (prefix: string) => ({ when: (r: FakeRequest) => String(r.headers['content-range']).startsWith(prefix) });
  fake.fail('PUT', /upload_id=/, { status: 429, headers: { 'retry-after': '2' } }, range('bytes 0-'));
  // The second chunk is stored but its answer is lost: the status query must say so.
  fake.fail('PUT', /upload_id=/, { status: 503 }, { afterHandling: true, ...range('bytes 262144-') });
  const { task, data, waits } = await uploadFixture(t, fake, 'google_drive', { size: LARGE });
  await uploadToDrive(task);
  t.same(fake.violations, []);
  t.ok(fake.files[0]!.data.equals(data), 'whole file, nothing sent twice into it');
  t.same(puts(fake).filter((r) => r.startsWith('bytes */')), [`bytes */${LARGE}`, `bytes */${LARGE}`], 'one status query per failure');
  t.equal(waits[0], 2000, 'Retry-After honoured');
});

t.test('Drive\'s rate-limit 403 is retried; a permission 403 or 401 is an auth failure; quota is CLOUD_STORAGE_FULL', async (t) => {
  const fake = await startFakeClouds(t);
  fake.fail('POST', /uploadType=multipart/, { status: 403, body: { error: { code: 403, message: 'Rate Limit Exceeded', errors: [{ reason: 'userRateLimitExceeded' }] } } });
  const ok = await uploadFixture(t, fake, 'google_drive', { size: SMALL });
  await uploadToDrive(ok.task);
  t.equal(ok.waits.length, 1, 'retried once');

  fake.fail('POST', /uploadType=multipart/, { status: 403, body: { error: { code: 403, message: 'The user has exceeded their Drive storage quota', errors: [{ reason: 'storageQuotaExceeded' }] } } });
  await t.rejects(uploadToDrive((await uploadFixture(t, fake, 'google_drive', { size: SMALL })).task), { code: 'CLOUD_STORAGE_FULL', retryable: false });

  fake.fail('POST', /uploadType=resumable/, { status: 403, body: { error: { code: 403, message: 'Insufficient Permission', errors: [{ reason: 'insufficientPermissions' }] } } });
  await t.rejects(uploadToDrive((await uploadFixture(t, fake, 'google_drive', { size: LARGE })).task), { code: 'CLOUD_AUTH_FAILED' });

  const before = fake.files.length;
  await t.rejects(uploadToDrive((await uploadFixture(t, fake, 'google_drive', { size: LARGE, token: 'bad' })).task), { code: 'CLOUD_AUTH_FAILED', message: /Google Drive rejected the access token/ });
  t.equal(fake.files.length, before, 'no file');
  t.equal(fake.openSessions().length, 0, 'no session: the start itself was refused');
});

t.test('hostile answers: no Location, a Range past the file, endless 308s: coded failures, no hang', async (t) => {
  const fake = await startFakeClouds(t);
  fake.fail('POST', /uploadType=resumable/, { status: 200 });
  await t.rejects(uploadToDrive((await uploadFixture(t, fake, 'google_drive', { size: LARGE })).task), { code: 'CLOUD_PROVIDER_ERROR', message: /no usable upload session URL/ });

  fake.fail('PUT', /upload_id=/, { status: 308, headers: { range: 'bytes=0-99999999' } });
  await t.rejects(uploadToDrive((await uploadFixture(t, fake, 'google_drive', { size: LARGE })).task), { message: /Range header outside the file/ });

  fake.fail('PUT', /upload_id=/, { status: 308 }, { times: 1000 });
  await t.rejects(uploadToDrive((await uploadFixture(t, fake, 'google_drive', { size: LARGE })).task), { code: 'CLOUD_PROVIDER_ERROR', message: /made no progress/ });
});
