import t from 'tap';
import { uploadToOneDrive } from '../../src/cloud/onedrive.js';
import { GOOD_TOKEN, startFakeClouds, type FakeClouds, type FakeRequest } from '../helpers/fake-clouds.js';
import { LARGE, SMALL, uploadFixture } from './setup.js';

const UNIT = 320 * 1024;
const sessionCalls = (fake: FakeClouds) => fake.requests.filter((r) => r.path.startsWith('/graph-upload/')).map((r) => `${r.method} ${r.headers['content-range'] ?? ''}`.trim());
const range = (prefix: string) => ({ when: (r: FakeRequest) => String(r.headers['content-range']).startsWith(prefix) });

t.test('a small file is one PUT …:/content under its folder path', async (t) => {
  const fake = await startFakeClouds(t);
  const { task, data } = await uploadFixture(t, fake, 'onedrive', { size: SMALL, target: { folder: ['PDF Smaller', 'März'], filename: 'report #1.pdf' } });
  const remote = await uploadToOneDrive(task);
  t.same(fake.violations, []);
  const [req] = fake.requests;
  t.equal(req!.method, 'PUT');
  t.equal(req!.path, '/graph/me/drive/root:/PDF%20Smaller/M%C3%A4rz/report%20%231.pdf:/content', 'each segment percent-encoded');
  t.equal(req!.headers.authorization, `Bearer ${GOOD_TOKEN}`);
  t.equal(req!.headers['content-type'], 'application/pdf');
  t.ok(fake.files[0]!.data.equals(data));
  t.match(remote, { id: fake.files[0]!.id, name: 'report #1.pdf', path: '/drive/root:/PDF Smaller/März/report #1.pdf', url: /^https:/ });
});

t.test('a large file goes through createUploadSession in 320 KiB-multiple Content-Range chunks, no token on uploadUrl', async (t) => {
  const fake = await startFakeClouds(t);
  const { task, data, progress } = await uploadFixture(t, fake, 'onedrive', { size: LARGE });
  await uploadToOneDrive(task);
  t.same(fake.violations, [], 'chunk sizes, ranges and headers as Graph documents');
  t.equal(fake.requests[0]!.path, '/graph/me/drive/root:/report.pdf:/createUploadSession');
  t.same(JSON.parse(fake.requests[0]!.body.toString()), { item: { '@microsoft.graph.conflictBehavior': 'rename' } });
  // CLOUD_CHUNK_KB=256 is below Graph's unit: one unit per chunk.
  t.same(sessionCalls(fake), [`PUT bytes 0-${UNIT - 1}/${LARGE}`, `PUT bytes ${UNIT}-${2 * UNIT - 1}/${LARGE}`, `PUT bytes ${2 * UNIT}-${LARGE - 1}/${LARGE}`]);
  t.ok(fake.files[0]!.data.equals(data));
  t.same(progress, [UNIT, 2 * UNIT, LARGE]);
});

t.test('after a lost answer it GETs nextExpectedRanges and resumes; a 416 overlap is recovered the same way', async (t) => {
  const fake = await startFakeClouds(t);
  fake.fail('PUT', /graph-upload/, { status: 503, headers: { 'retry-after': '1' } }, { afterHandling: true, ...range('bytes 0-') });
  const { task, data, waits } = await uploadFixture(t, fake, 'onedrive', { size: LARGE });
  await uploadToOneDrive(task);
  t.same(fake.violations, []);
  t.same(sessionCalls(fake), [`PUT bytes 0-${UNIT - 1}/${LARGE}`, 'GET', `PUT bytes ${UNIT}-${2 * UNIT - 1}/${LARGE}`, `PUT bytes ${2 * UNIT}-${LARGE - 1}/${LARGE}`]);
  t.same(waits, [1000]);
  t.ok(fake.files[0]!.data.equals(data));

  const fake2 = await startFakeClouds(t);
  fake2.fail('PUT', /graph-upload/, { status: 416, body: { error: { code: 'invalidRange', message: 'overlap' } } }, range(`bytes ${UNIT}-`));
  const second = await uploadFixture(t, fake2, 'onedrive', { size: LARGE });
  await uploadToOneDrive(second.task);
  t.same(sessionCalls(fake2).slice(1, 3), [`PUT bytes ${UNIT}-${2 * UNIT - 1}/${LARGE}`, 'GET'], '416 → status query');
  t.same(second.waits, [], 'a 416 is not a reason to wait');
  t.ok(fake2.files[0]!.data.equals(second.data));
});

t.test('a failure during the session DELETEs it: nothing left behind', async (t) => {
  const fake = await startFakeClouds(t);
  fake.fail('PUT', /graph-upload/, { status: 500, body: { error: { code: 'generalException', message: 'boom' } } }, { times: 99, ...range(`bytes ${UNIT}-`) });
  const { task } = await uploadFixture(t, fake, 'onedrive', { size: LARGE });
  await t.rejects(uploadToOneDrive(task), { code: 'CLOUD_PROVIDER_ERROR', retryable: true, message: /generalException/ });
  t.equal(fake.sessions.size, 1);
  t.equal(fake.openSessions().length, 0, 'the session was cancelled');
  t.equal(sessionCalls(fake).at(-1), 'DELETE');
  t.equal(fake.files.length, 0);
});

t.test('bad token: CLOUD_AUTH_FAILED before any session exists; full drive: CLOUD_STORAGE_FULL', async (t) => {
  const fake = await startFakeClouds(t);
  for (const size of [SMALL, LARGE]) {
    await t.rejects(uploadToOneDrive((await uploadFixture(t, fake, 'onedrive', { size, token: 'nope-token' })).task), {
      code: 'CLOUD_AUTH_FAILED',
      message: /OneDrive rejected the access token .*InvalidAuthenticationToken/,
    });
  }
  t.equal(fake.sessions.size, 0);
  fake.fail('PUT', /:\/content/, { status: 507, body: { error: { code: 'quotaLimitReached', message: 'Insufficient Space Available' } } });
  await t.rejects(uploadToOneDrive((await uploadFixture(t, fake, 'onedrive', { size: SMALL })).task), { code: 'CLOUD_STORAGE_FULL', retryable: false });
  t.equal(fake.files.length, 0);
});

t.test('hostile session answers: a foreign-scheme uploadUrl, garbage ranges', async (t) => {
  const fake = await startFakeClouds(t);
  fake.fail('POST', /createUploadSession/, { status: 200, body: { uploadUrl: 'file:///etc/passwd' } });
  await t.rejects(uploadToOneDrive((await uploadFixture(t, fake, 'onedrive', { size: LARGE })).task), { message: /no usable upload session URL/ });
  fake.fail('PUT', /graph-upload/, { status: 202, body: { nextExpectedRanges: ['banana'] } });
  await t.rejects(uploadToOneDrive((await uploadFixture(t, fake, 'onedrive', { size: LARGE })).task), { message: /nextExpectedRanges/ });
  t.equal(fake.openSessions().length, 0, 'the broken session was cancelled');
});
