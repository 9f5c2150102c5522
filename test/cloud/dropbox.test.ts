import t from 'tap';
import { apiArg, uploadToDropbox } from '../../src/cloud/dropbox.js';
import { TaskFailure } from '../../src/errors.js';
import { startFakeClouds } from '../helpers/fake-clouds.js';
import { LARGE, SMALL, uploadFixture } from './setup.js';

const args = (fake: Awaited<ReturnType<typeof startFakeClouds>>, endpoint: string) =>
  fake.requests.filter((r) => r.path.endsWith(endpoint)).map((r) => JSON.parse(String(r.headers['dropbox-api-arg'])) as Record<string, any>);

t.test('Dropbox-API-Arg escapes everything outside ASCII', async (t) => {
  t.equal(apiArg({ path: '/Rapport é ✓.pdf' }), '{"path":"/Rapport \\u00e9 \\u2713.pdf"}');
  t.same(JSON.parse(apiArg({ path: '/Rapport é ✓.pdf' })), { path: '/Rapport é ✓.pdf' });
});

t.test('a small file goes to /2/files/upload in one request', async (t) => {
  const fake = await startFakeClouds(t);
  const { task, data, progress } = await uploadFixture(t, fake, 'dropbox', { size: SMALL, target: { folder: ['Reports', '2024'], filename: 'Rapport é.pdf' } });
  const remote = await uploadToDropbox(task);
  t.same(fake.violations, []);
  t.equal(fake.requests.length, 1);
  t.same(args(fake, '/files/upload')[0], { path: '/Reports/2024/Rapport é.pdf', mode: 'add', autorename: true, mute: false });
  t.equal(fake.files.length, 1);
  t.ok(fake.files[0]!.data.equals(data), 'stored bytes are the source bytes');
  t.match(remote, { id: /^id:/, name: 'Rapport é.pdf', path: '/Reports/2024/Rapport é.pdf' });
  t.equal(progress.at(-1), SMALL);

  // The same name again is kept apart, not overwritten (mode add + autorename).
  const again = await uploadToDropbox((await uploadFixture(t, fake, 'dropbox', { size: SMALL, target: { folder: ['Reports', '2024'], filename: 'Rapport é.pdf' } })).task);
  t.equal(again.path, '/Reports/2024/Rapport é (1).pdf');
});

t.test('a large file goes through upload_session start → append_v2 → finish', async (t) => {
  const fake = await startFakeClouds(t);
  const { task, data, progress } = await uploadFixture(t, fake, 'dropbox', { size: LARGE });
  const remote = await uploadToDropbox(task);
  t.same(fake.violations, []);
  t.same(fake.requests.map((r) => r.path.replace('/dropbox-content/2/files/', '')), ['upload_session/start', 'upload_session/append_v2', 'upload_session/finish']);
  t.same(fake.requests.map((r) => r.body.length), [262_144, 262_144, LARGE - 524_288], '256 KiB chunks, the rest with finish');
  t.same(args(fake, 'append_v2')[0]!.cursor.offset, 262_144);
  t.same(args(fake, 'finish')[0]!.cursor.offset, 524_288);
  t.same(args(fake, 'finish')[0]!.commit, { path: '/report.pdf', mode: 'add', autorename: true, mute: false });
  t.ok(fake.files[0]!.data.equals(data), 'reassembled bytes are the source bytes');
  t.equal(remote.path, '/report.pdf');
  t.same(progress, [262_144, 524_288, LARGE], 'progress after each confirmed chunk');
});

t.test('429 with Retry-After is waited out as asked, then the chunk is sent again', async (t) => {
  const fake = await startFakeClouds(t);
  fake.fail('POST', /append_v2/, { status: 429, headers: { 'retry-after': '7' }, body: { error_summary: 'too_many_write_operations/..' } });
  const { task, data, waits } = await uploadFixture(t, fake, 'dropbox', { size: LARGE });
  await uploadToDropbox(task);
  t.same(waits, [7000], 'the Retry-After of 7 s');
  t.ok(fake.files[0]!.data.equals(data));
});

t.test('a 503 after Dropbox stored the chunk: the resend is told the right offset and the file is whole', async (t) => {
  const fake = await startFakeClouds(t);
  fake.fail('POST', /append_v2/, { status: 503, body: 'upstream unavailable' }, { afterHandling: true });
  const { task, data } = await uploadFixture(t, fake, 'dropbox', { size: LARGE });
  await uploadToDropbox(task);
  t.same(args(fake, 'append_v2').map((a) => a.cursor.offset), [262_144, 262_144], 'the append was resent at the same offset…');
  t.same(args(fake, 'finish').map((a) => a.cursor.offset), [524_288], '…and Dropbox\'s correct_offset moved the upload on');
  t.ok(fake.files[0]!.data.equals(data), 'no byte duplicated or lost');
});

t.test('a bad token fails CLOUD_AUTH_FAILED at the first request and leaves no session or file', async (t) => {
  const fake = await startFakeClouds(t);
  for (const size of [SMALL, LARGE]) {
    const { task } = await uploadFixture(t, fake, 'dropbox', { size, token: 'expired-token-xyz' });
    const err = await uploadToDropbox(task).catch((e: unknown) => e);
    t.ok(err instanceof TaskFailure);
    t.match(err, { code: 'CLOUD_AUTH_FAILED', retryable: false, message: /Dropbox rejected the access token .*401.*invalid_access_token/ });
    t.notMatch((err as Error).message, /expired-token-xyz/, 'the token is not echoed');
  }
  t.equal(fake.files.length, 0);
  t.equal(fake.sessions.size, 0);
});

t.test('5xx that does not stop fails retryable after CLOUD_RETRIES tries; a hostile offset fails cleanly', async (t) => {
  const fake = await startFakeClouds(t);
  fake.fail('POST', /files\/upload$/, { status: 500, body: 'boom' }, { times: 99 });
  const { task, waits } = await uploadFixture(t, fake, 'dropbox', { size: SMALL });
  await t.rejects(uploadToDropbox(task), { code: 'CLOUD_PROVIDER_ERROR', retryable: true, message: /kept failing .*HTTP 500/ });
  t.equal(waits.length, 3, 'three retries');

  const fake2 = await startFakeClouds(t);
  fake2.fail('POST', /append_v2/, { status: 409, body: { error_summary: 'incorrect_offset/..', error: { '.tag': 'incorrect_offset', correct_offset: 1e12 } } }, { times: 99 });
  await t.rejects(uploadToDropbox((await uploadFixture(t, fake2, 'dropbox', { size: LARGE })).task), { code: 'CLOUD_PROVIDER_ERROR', message: /offset beyond the file/ });
});
