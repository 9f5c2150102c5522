import net from 'node:net';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { multipart, startApp } from '../helpers/app.js';
import { FakeOpenAI } from '../helpers/fake-openai.js';
import { HOSTILE_NAMES, validPdf } from '../helpers/hostile.js';
import { ALL_ROUTES, assertHealthy, assertNoLeak, assertStillWorks, check, jobCount, leftovers, report, REQUEST_MS, send, waitJob, within, type Expect, type Observed, type RouteSpec } from './harness.js';

/**
 * Hostile requests rather than hostile files, against every file-taking route on one app:
 * missing or misplaced fields, bad options, hundreds of fields, duplicate files, huge
 * values, malformed multipart, an upload the client cuts off, hostile file names; and for
 * the AI routes, hostile JSON bodies. Same checks as the file cases (harness.ts).
 */
t.setTimeout(300_000);

const pdf = validPdf();
const INVALID = { codes: ['INVALID_OPTIONS'] };

interface RequestCase {
  name: string;
  /** The request for a route, or undefined where the case does not apply. */
  build: (r: RouteSpec) => { send: (app: FastifyInstance, what: string) => Promise<LightMyRequestResponse>; expect: Expect } | undefined;
}

const form = (fields: Record<string, string>, files: { field?: string; name: string; data: Buffer }[]) => (r: RouteSpec) => (app: FastifyInstance, what: string) =>
  send(app, r.url, fields, files.map((f) => ({ ...f, field: f.field ?? r.field })), what);

/** A hand-made multipart body (for what FormData cannot express). */
const raw = (url: string, contentType: string, payload: Buffer | string) => (app: FastifyInstance, what: string) =>
  within(REQUEST_MS, what, app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload }));

const hasOptions = (r: RouteSpec) => r.options === true;

const CASES: RequestCase[] = [
  { name: 'missing file field', build: (r) => ({ send: form(r.fields, [])(r), expect: { codes: ['NO_FILE'] } }) },
  { name: 'file under another field', build: (r) => ({ send: form(r.fields, [{ field: 'document', name: 'a.pdf', data: pdf }])(r), expect: { codes: ['NO_FILE'] } }) },
  {
    name: 'not multipart (JSON body)',
    build: (r) => ({
      send: (app, what) => within(REQUEST_MS, what, app.inject({ method: 'POST', url: r.url, payload: { file: 'JVBERi0xLjQK' } })),
      // summarize and translate take JSON: one without text is a bad option, not a missing file.
      expect: { codes: /summarize|translate/.test(r.url) ? ['INVALID_OPTIONS'] : ['NO_FILE'] },
    }),
  },
  { name: 'malformed options JSON', build: (r) => (hasOptions(r) ? { send: form({ ...r.fields, options: '{"language": "eng",' }, [{ name: 'a.pdf', data: pdf }])(r), expect: INVALID } : undefined) },
  { name: 'options JSON not an object', build: (r) => (hasOptions(r) ? { send: form({ ...r.fields, options: '[1,2,3]' }, [{ name: 'a.pdf', data: pdf }])(r), expect: INVALID } : undefined) },
  { name: 'wrong enum value', build: (r) => (r.badEnum ? { send: form({ ...r.fields, [r.badEnum[0]]: r.badEnum[1] }, [{ name: 'a.pdf', data: pdf }])(r), expect: INVALID } : undefined) },
  {
    name: '500 form fields',
    build: (r) => ({
      send: form({ ...r.fields, ...Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, 'x'])) }, [{ name: 'a.pdf', data: pdf }])(r),
      expect: { codes: ['INVALID_REQUEST'] },
    }),
  },
  {
    name: 'duplicate file fields',
    build: (r) => ({
      send: form(r.fields, [{ name: 'a.pdf', data: pdf }, { name: 'b.pdf', data: pdf }])(r),
      // Bulk takes several files by design.
      expect: r.field === 'files' ? { codes: [], ok: true } : { codes: ['TOO_MANY_FILES'] },
    }),
  },
  { name: 'a 2 MB field value', build: (r) => ({ send: form({ ...r.fields, comment: 'x'.repeat(2 * 1024 * 1024) }, [{ name: 'a.pdf', data: pdf }])(r), expect: INVALID }) },
  { name: 'a 3 MB file over a 2 MB limit', build: (r) => ({ send: form(r.fields, [{ name: 'big.pdf', data: Buffer.concat([pdf, Buffer.alloc(3 * 1024 * 1024, 0x20)]) }])(r), expect: { codes: ['FILE_TOO_LARGE'] } }) },
  { name: 'job_id with a path', build: (r) => (r.kind === 'job' ? { send: form({ ...r.fields, job_id: '../../etc/passwd' }, [{ name: 'a.pdf', data: pdf }])(r), expect: INVALID } : undefined) },
  // @fastify/multipart refuses prototype-polluting field names outright.
  { name: 'a field named constructor', build: (r) => ({ send: form({ ...r.fields, constructor: 'x' }, [{ name: 'a.pdf', data: pdf }])(r), expect: { codes: ['INVALID_REQUEST'] } }) },
  {
    name: 'multipart boundary that never appears',
    build: (r) => ({ send: raw(r.url, 'multipart/form-data; boundary=nope', `--other\r\nContent-Disposition: form-data; name="${r.field}"; filename="a.pdf"\r\n\r\n%PDF-1.4\r\n--other--\r\n`), expect: { codes: ['NO_FILE', 'INVALID_REQUEST'] } }),
  },
  {
    name: 'multipart body without its end',
    build: (r) => ({ send: raw(r.url, 'multipart/form-data; boundary=b', `--b\r\nContent-Disposition: form-data; name="${r.field}"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n${pdf.toString('latin1')}`), expect: { codes: ['INVALID_REQUEST', 'NO_FILE'] } }),
  },
  { name: 'multipart without a boundary', build: (r) => ({ send: raw(r.url, 'multipart/form-data', 'hello'), expect: { codes: ['NO_FILE', 'INVALID_REQUEST'] } }) },
];

/** A JSON body sent raw (malformed on purpose). */
const json = (url: string, body: string) => (app: FastifyInstance, what: string) => within(REQUEST_MS, what, app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: body }));
const textRoute = (r: RouteSpec) => /summarize|translate/.test(r.url);
const lang = (r: RouteSpec) => (r.url.endsWith('translate') ? ', "target_language": "fr"' : '');

const JSON_CASES: RequestCase[] = [
  { name: 'JSON: malformed', build: (r) => (textRoute(r) ? { send: json(r.url, '{"text": "abc'), expect: { codes: ['INVALID_REQUEST'] } } : undefined) },
  { name: 'JSON: nested 100k deep', build: (r) => (textRoute(r) ? { send: json(r.url, `{"text": "abc"${lang(r)}, "options": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`), expect: { codes: ['INVALID_OPTIONS', 'INVALID_REQUEST'] } } : undefined) },
  { name: 'JSON: text is a number', build: (r) => (textRoute(r) ? { send: json(r.url, `{"text": 12345${lang(r)}}`), expect: INVALID } : undefined) },
  { name: 'JSON: text of 150 KB', build: (r) => (textRoute(r) ? { send: json(r.url, JSON.stringify({ text: 'word '.repeat(30_000), target_language: 'fr' })), expect: { codes: ['TEXT_TOO_LARGE'] } } : undefined) },
  { name: 'JSON: body of 3 MB', build: (r) => (textRoute(r) ? { send: json(r.url, JSON.stringify({ text: 'x'.repeat(3 * 1024 * 1024) })), expect: { codes: ['TEXT_TOO_LARGE'] } } : undefined) },
  { name: 'JSON: __proto__ key', build: (r) => (textRoute(r) ? { send: json(r.url, `{"text": "abc"${lang(r)}, "__proto__": {"admin": true}}`), expect: { codes: ['INVALID_REQUEST'] } } : undefined) },
];

t.test('hostile requests on every file route end with a documented code, nothing left behind', async (t) => {
  const ai = await FakeOpenAI.start(t);
  const { app } = await startApp(t, { WORKER_THREADS: '2', JOB_TIMEOUT_S: '60', JOB_MAX_ATTEMPTS: '1', MAX_FILE_SIZE_MB: '2', AI_BASE_URL: ai.url, AI_MODEL: 'fake-model' });
  const jobs = new Set<string>();
  const rows: { name: string; observed: Observed[] }[] = [];
  for (const c of [...CASES, ...JSON_CASES]) {
    const observed: Observed[] = [];
    for (const route of ALL_ROUTES) {
      const req = c.build(route);
      if (!req) continue;
      const what = `${c.name} → ${route.url}`;
      const before = await jobCount(app);
      const started = Date.now();
      const res = await req.send(app, what);
      observed.push({ route: route.url, outcome: await check(t, app, route, res, req.expect, what, before, jobs), ms: Date.now() - started });
      await assertHealthy(t, app, what);
    }
    rows.push({ name: c.name, observed });
  }
  for (const route of ALL_ROUTES) await assertStillWorks(t, app, route, jobs);
  report(t, rows);
});

t.test('hostile file names: processed, never trusted, never echoed raw', async (t) => {
  const { app } = await startApp(t, { WORKER_THREADS: '2', JOB_TIMEOUT_S: '60', JOB_MAX_ATTEMPTS: '1' });
  const jobs = new Set<string>();
  const routes = ALL_ROUTES.filter((r) => /compress$|bulk|convert$|ocr$|extract-text/.test(r.url));
  for (const [label, name] of Object.entries(HOSTILE_NAMES)) {
    for (const route of routes) {
      const what = `file name ${label} → ${route.url}`;
      const before = await jobCount(app);
      const res = await send(app, route.url, route.fields, [{ field: route.field, name, data: pdf }], what);
      await check(t, app, route, res, { codes: [], ok: true }, what, before, jobs);
      const job = await waitJob(app, res.json().job_id, what);
      const shown = JSON.stringify(job.result ?? {});
      t.notMatch(shown, /\.\.[\\/]|\\u0000|\\r|\\n|<img/i, `${what}: the result holds the name made safe`);
      // U+202E makes "invoice\u202Efdp.exe" display as "invoiceexe.pdf": safeFilename drops bidi controls.
      t.notMatch(shown, /\u202e/, `${what}: no bidi override in the name`);
      const dl = await app.inject({ method: 'GET', url: `/api/jobs/${job.job_id}/download` });
      t.equal(dl.statusCode, 200, `${what}: the result downloads`);
      const cd = String(dl.headers['content-disposition'] ?? '');
      t.match(cd, /^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[\w.%!~'()*-]*$/, `${what}: Content-Disposition is one safe header (${cd.slice(0, 120)})`);
      t.notMatch(cd, /\.\.\/|\\|[\r\n]/, `${what}: no path or line break in the download name`);
      t.ok(cd.length < 800, `${what}: the download name is bounded (${cd.length} chars)`);
      t.notMatch(decodeURIComponent(cd.split("UTF-8''")[1] ?? ''), /[\u202a-\u202e\u2066-\u2069]/, `${what}: no bidi override in the download name`);
      t.notOk(dl.headers['x-injected'], `${what}: no header injected`);
    }
  }
  // Bytes FormData would escape, sent raw: a NUL, backslashes, a quote, an encoded traversal.
  for (const name of ['..\\..\\a\u0000.pdf', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', 'a";x=".pdf', 'CON.pdf']) {
    const route = routes[0]!;
    const what = `raw file name ${JSON.stringify(name)} → ${route.url}`;
    const body = Buffer.concat([
      Buffer.from(`--b\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/pdf\r\n\r\n`, 'latin1'),
      pdf,
      Buffer.from('\r\n--b--\r\n'),
    ]);
    const before = await jobCount(app);
    const res = await within(REQUEST_MS, what, app.inject({ method: 'POST', url: route.url, headers: { 'content-type': 'multipart/form-data; boundary=b' }, payload: body }));
    await check(t, app, route, res, { codes: [], ok: true }, what, before, jobs);
    const job = await waitJob(app, res.json().job_id, what);
    t.notMatch(String(job.result?.original_filename), /[\\/\u0000"]|\.\.[\\/]/, `${what}: stored name ${JSON.stringify(job.result?.original_filename)} is safe`);
  }
  t.same(leftovers(app, jobs), [], 'no file outside the jobs’ own folders');
  await assertHealthy(t, app, 'hostile names');
});

/**
 * The client sends the headers and half the body, then drops the connection. Nothing is
 * answered to anyone; what matters is what stays behind: no job, no staged bytes, and the
 * server keeps serving.
 */
t.test('an upload cut off mid-body leaves no job and no file, on every route', async (t) => {
  const ai = await FakeOpenAI.start(t);
  const { app } = await startApp(t, { WORKER_THREADS: '1', AI_BASE_URL: ai.url, AI_MODEL: 'fake-model' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const jobs = new Set<string>();
  const rows: Observed[] = [];
  for (const route of ALL_ROUTES) {
    const what = `cut-off upload → ${route.url}`;
    const before = await jobCount(app);
    const body = await multipart(route.fields, [{ field: route.field, name: 'big.pdf', data: Buffer.concat([pdf, Buffer.alloc(512 * 1024, 0x20)]) }]);
    const head =
      `POST ${route.url} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${body.headers['content-type']}\r\n` + `Content-Length: ${body.payload.length}\r\nConnection: close\r\n\r\n`;
    const answer = await within(
      REQUEST_MS,
      what,
      new Promise<string>((resolve) => {
        let got = '';
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write(head);
          socket.write(body.payload.subarray(0, Math.floor(body.payload.length / 2)), () => setTimeout(() => socket.destroy(), 100));
        });
        socket.on('data', (d) => (got += d.toString('latin1')));
        socket.on('close', () => resolve(got));
        socket.on('error', () => resolve(got));
      }),
    );
    assertNoLeak(t, answer, what);
    t.notMatch(answer, /^HTTP\/1\.1 5/, `${what}: no 5xx`);
    // The server notices the closed socket asynchronously: give its cleanup a moment.
    let left = leftovers(app, jobs);
    for (let i = 0; i < 100 && left.length; i++) {
      await new Promise((r) => setTimeout(r, 50));
      left = leftovers(app, jobs);
    }
    t.same(left, [], `${what}: nothing of the cut-off upload left on disk`);
    t.equal(await jobCount(app), before, `${what}: no job`);
    await assertHealthy(t, app, what);
    rows.push({ route: route.url, outcome: answer ? answer.split('\r\n')[0]! : 'connection closed, no answer', ms: 0 });
  }
  for (const route of ALL_ROUTES) await assertStillWorks(t, app, route, jobs);
  report(t, [{ name: 'upload cut off mid-body', observed: rows }]);
});
