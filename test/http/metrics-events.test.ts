import t from 'tap';
import { multipart, startApp } from '../helpers/app.js';
import { textPdf } from '../helpers/fixtures.js';

function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every((w) => line.includes(w))) total += Number(line.split(' ').pop());
  }
  return total;
}

t.test('metrics move when a job runs; SSE follows it to its final status', async (t) => {
  const { app } = await startApp(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

  const before = await (await fetch(`${base}/metrics`)).text();
  t.match(before, /# TYPE http_request_duration_seconds histogram/);
  t.match(before, /process_cpu_user_seconds_total/, 'process metrics');
  t.equal(metric(before, 'worker_threads', { state: 'total' }), 1);

  const form = await multipart({ compressionLevel: 'low' }, [{ name: 'a.pdf', data: await textPdf(2) }]);
  const sub = await fetch(`${base}/api/compress`, { method: 'POST', body: new Uint8Array(form.payload), headers: form.headers });
  const { job_id } = (await sub.json()) as { job_id: string };

  const res = await fetch(`${base}/api/jobs/${job_id}/events`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^text\/event-stream/);
  t.ok(res.headers.get('x-request-id'), 'request id on the stream');
  const events: Record<string, any>[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let sep: number;
    while ((sep = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, sep);
      buf = buf.slice(sep + 2);
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      if (data) events.push(JSON.parse(data.slice(6)));
    }
  }
  t.ok(events.length >= 1, `${events.length} events`);
  t.equal(events.at(-1)!.status, 'completed', 'the stream ends with the final status');
  t.equal(events.at(-1)!.job_id, job_id);
  const statuses = events.map((e) => e.status);
  t.same(statuses.filter((s, i) => statuses.indexOf(s) === i).filter((s) => s !== 'completed').every((s) => ['pending', 'processing'].includes(s)), true);

  // The job row turns completed (what the stream reports) just before the dispatcher counts
  // the run: read the metrics until the count is there (or 10 s have passed).
  let after = '';
  for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    after = await (await fetch(`${base}/metrics`)).text();
    if (metric(after, 'jobs_finished_total', { type: 'compress', status: 'completed' }) >= 1) break;
  }
  t.equal(metric(after, 'jobs_submitted_total', { type: 'compress' }), 1);
  t.equal(metric(after, 'jobs_finished_total', { type: 'compress', status: 'completed' }), 1);
  t.equal(metric(after, 'job_duration_seconds_count', { type: 'compress' }), 1);
  t.equal(metric(after, 'jobs_queue_depth', { status: 'completed' }), 1);
  t.ok(metric(after, 'http_request_duration_seconds_count', { route: '/api/compress', status_code: '202' }) >= 1);
  t.ok(metric(after, 'http_request_bytes_total') > 0);

  const gone = await fetch(`${base}/api/jobs/00000000-0000-4000-8000-000000000000/events`);
  t.equal(gone.status, 404);
  t.equal(((await gone.json()) as any).error.code, 'JOB_NOT_FOUND');

  // A finished job's stream answers its final state at once and closes.
  const again = await (await fetch(`${base}/api/jobs/${job_id}/events`)).text();
  t.match(again, /event: job\ndata: .*"status":"completed"/);
});

t.test('many clients follow one job at once', async (t) => {
  const { app } = await startApp(t, {}, { dispatch: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const form = await multipart({ compressionLevel: 'low' }, [{ name: 'a.pdf', data: await textPdf(1) }]);
  const { job_id } = (await (await fetch(`${base}/api/compress`, { method: 'POST', body: new Uint8Array(form.payload), headers: form.headers })).json()) as { job_id: string };
  const streams = await Promise.all(Array.from({ length: 20 }, () => fetch(`${base}/api/jobs/${job_id}/events`)));
  const bodies = streams.map((s) => s.text());
  app.dispatcher.start(); // now let the job run
  for (const text of await Promise.all(bodies)) t.match(text, /"status":"completed"/);
});
