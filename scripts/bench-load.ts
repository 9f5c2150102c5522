/**
 * Load benchmark (issue 10), against a real server process on 127.0.0.1:
 *
 *   1. status under load: 100 clients poll GET /api/jobs/:id at 10 Hz (one keep-alive
 *      connection each) while 20 jobs (compressions of photo, scan and text PDFs, and OCR of
 *      scans) run on the worker threads. Latency is timed from each poll's scheduled send
 *      time, so a stalled server is charged for the polls it delayed (no coordinated omission).
 *      Goal: p99 ≤ 50 ms and no errors on a 2-core machine.
 *   2. a 1 GB upload with MAX_FILE_SIZE_MB raised, streamed from a generator (a valid PDF whose
 *      bulk is one unreferenced padding stream): the server's RSS (VmRSS of the process, worker
 *      threads included) sampled every 50 ms. Goal: peak ≤ idle + 300 MB.
 *
 * Prints one JSON line per measurement with its goal. Bounded: at most ~3 minutes per phase.
 *
 * Run: npm run build && node dist/scripts/bench-load.js [--pollers 100] [--hz 10] [--jobs 20] [--upload-mb 1024] [--only status|upload]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { textPdf } from '../test/helpers/fixtures.js';
import { grayScanPdf, photoPdf } from '../test/helpers/image-fixtures.js';
import { imagePdf, scanPdf, typesetPdf } from '../test/helpers/ocr-fixtures.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const only = (() => {
  const i = process.argv.indexOf('--only');
  return i > 0 ? process.argv[i + 1] : undefined;
})();
const POLLERS = arg('pollers', 100);
const HZ = arg('hz', 10);
const JOBS = arg('jobs', 20);
const UPLOAD_MB = arg('upload-mb', 1024);
const here = path.dirname(fileURLToPath(import.meta.url));
const SERVER = path.join(here, '../src/server.js');

const emit = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify({ bench: 'load', ...o }) + '\n');
const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
const r1 = (x: number) => Math.round(x * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Server {
  child: ChildProcess;
  url: string;
  pid: number;
  dir: string;
  stop(): Promise<void>;
}

/** The compiled server (dist/src/server.js) on a fresh data and upload folder. */
export async function startServer(env: Record<string, string> = {}): Promise<Server> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pdfs-bench-load-'));
  // BENCH_NODE_ARGS: extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // Logs go to a file, as under a process manager: a pipe to this (busy) process would make
  // the server's synchronous log writes wait for us to read them.
  const logFile = path.join(dir, 'server.log');
  const log = openSync(logFile, 'w');
  const child = spawn(process.execPath, [...nodeArgs, SERVER], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATA_DIR: path.join(dir, 'data'), UPLOAD_DIR: path.join(dir, 'uploads'), MIN_FREE_DISK_MB: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', log, 'inherit'],
  });
  closeSync(log);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let url: string | undefined;
  for (const end = Date.now() + 30_000; !url; await sleep(20)) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`server did not listen (exit ${child.exitCode})`);
    url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(readFileSync(logFile, 'utf8'))?.[1];
  }
  return {
    child,
    url,
    pid: child.pid!,
    dir,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** VmRSS of a process in MB (its worker threads included). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU seconds used so far: the whole machine (busy), a process with its waited-for children, this process. */
export function cpuSnapshot(pid: number): { machine: number; server: number; self: number; at: number } {
  const hz = 100; // USER_HZ
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const busy = cpu.reduce((a, b) => a + b, 0) - cpu[3]! - (cpu[4] ?? 0); // minus idle and iowait
  const st = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ').map(Number);
  const server = st[11]! + st[12]! + st[13]! + st[14]!; // utime stime cutime cstime
  const self = process.cpuUsage();
  return { machine: busy / hz, server: server / hz, self: (self.user + self.system) / 1e6, at: performance.now() / 1000 };
}

/** Where the machine's CPU went between two snapshots: this server, this client, everything else. */
export function cpuShares(a: ReturnType<typeof cpuSnapshot>, b: ReturnType<typeof cpuSnapshot>) {
  const wall = b.at - a.at;
  const cores = os.availableParallelism();
  const machine = b.machine - a.machine;
  const server = b.server - a.server;
  const client = b.self - a.self;
  return {
    cpu_busy_pct: r1((100 * machine) / (wall * cores)),
    cpu_server_cores: r1(server / wall),
    cpu_client_cores: r1(client / wall),
    cpu_other_cores: r1(Math.max(0, machine - server - client) / wall),
    loadavg_1m: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
  };
}

export async function submit(url: string, route: string, fields: Record<string, string>, name: string, data: Buffer): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([data]), name);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${url}${route}`, { method: 'POST', body: form });
  const body = (await res.json()) as { job_id?: string; error?: { code: string } };
  if (res.status !== 202 || !body.job_id) throw new Error(`${route} ${name}: ${res.status} ${JSON.stringify(body)}`);
  return body.job_id;
}

/** GET with a dedicated keep-alive agent; resolves with the status code (or throws on a network error). */
function get(agent: http.Agent, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode!));
      res.once('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout after 10 s')));
    req.once('error', reject);
  });
}

async function statusUnderLoad(): Promise<void> {
  const server = await startServer();
  try {
    // Inputs: photos and scans to compress (lossy levels: image work), a long text document,
    // and scans to OCR (~1–3 s a page a thread).
    const photos = photoPdf(3, [2400, 1600]);
    const scan = grayScanPdf(3);
    const text = await textPdf(40);
    const ocrScan = imagePdf(scanPdf(await typesetPdf()));
    const kinds: { route: string; fields: Record<string, string>; name: string; data: Buffer }[] = [
      { route: '/api/compress', fields: { compressionLevel: 'medium' }, name: 'photos.pdf', data: photos },
      { route: '/api/compress', fields: { compressionLevel: 'high' }, name: 'scan.pdf', data: scan },
      { route: '/api/ocr', fields: { options: JSON.stringify({ language: 'eng', outputFormat: 'searchable_pdf' }) }, name: 'letter.pdf', data: ocrScan },
      { route: '/api/compress', fields: { compressionLevel: 'low' }, name: 'text.pdf', data: text },
      { route: '/api/ocr', fields: { options: JSON.stringify({ language: 'eng', outputFormat: 'text' }) }, name: 'letter-text.pdf', data: ocrScan },
    ];
    const idleRss = rssMb(server.pid);

    // The jobs are submitted while the pollers already run: uploads and their checks are part of the load.
    const ids: string[] = [];
    const submitted = (async () => {
      for (let i = 0; i < JOBS; i++) {
        const k = kinds[i % kinds.length]!;
        ids.push(await submit(server.url, k.route, k.fields, k.name, k.data));
      }
    })();
    const firstId = new Promise<void>((r) => {
      const check = () => (ids.length ? r() : setTimeout(check, 5));
      check();
    });
    await firstId;

    const lat: number[] = [];
    const rtt: number[] = [];
    const timeline: number[][] = [];
    const cpu0 = cpuSnapshot(server.pid);
    // This client's own event-loop delay: a late client inflates the latencies it measures.
    const clientLag = monitorEventLoopDelay({ resolution: 5 });
    clientLag.enable();
    const errors: Record<string, number> = {};
    let stopAt = Infinity;
    const started = performance.now();
    const deadline = started + 180_000;
    const period = 1000 / HZ;
    const final = new Map<string, Record<string, any>>();
    const pollers = Array.from({ length: POLLERS }, async (_, p) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      let next = performance.now() + Math.random() * period; // clients are not in step
      try {
        while (next < Math.min(stopAt, deadline)) {
          const wait = next - performance.now();
          if (wait > 0) await sleep(wait);
          const id = ids[p % ids.length]!;
          const sent = performance.now();
          try {
            const status = await get(agent, `${server.url}/api/jobs/${id}`);
            if (status !== 200) errors[`http_${status}`] = (errors[`http_${status}`] ?? 0) + 1;
          } catch (err) {
            const key = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
            errors[key] = (errors[key] ?? 0) + 1;
          }
          const now = performance.now();
          lat.push(now - next);
          rtt.push(now - sent);
          (timeline[Math.floor((next - started) / 1000)] ??= []).push(now - next);
          next += period;
          // Behind schedule (the server stalled): the missed polls are not sent in a burst,
          // but the next one is still timed from when it was due.
          while (next < performance.now() - period) next += period;
        }
      } finally {
        agent.destroy();
      }
    });

    // A watcher (not counted) ends the run once every job is final.
    const rss: number[] = [];
    await submitted;
    const submittedAt = performance.now();
    while (final.size < ids.length && performance.now() < deadline) {
      rss.push(rssMb(server.pid));
      for (const id of ids) {
        if (final.has(id)) continue;
        const job = (await (await fetch(`${server.url}/api/jobs/${id}`)).json()) as Record<string, any>;
        if (['completed', 'failed', 'cancelled'].includes(job.status)) final.set(id, job);
      }
      await sleep(250);
    }
    stopAt = performance.now();
    await Promise.all(pollers);
    const cpu = cpuShares(cpu0, cpuSnapshot(server.pid));
    clientLag.disable();
    const wall = (stopAt - started) / 1000;
    const sorted = lat.sort((a, b) => a - b);
    const rtts = rtt.sort((a, b) => a - b);
    const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
    const outcomes: Record<string, number> = {};
    for (const j of final.values()) outcomes[`${j.task_type}:${j.status}${j.error ? `:${j.error.code}` : ''}`] = (outcomes[`${j.task_type}:${j.status}${j.error ? `:${j.error.code}` : ''}`] ?? 0) + 1;
    const p99 = pct(sorted, 99);
    emit({
      measure: 'status_latency_under_load',
      pollers: POLLERS,
      hz: HZ,
      jobs: ids.length,
      requests: sorted.length,
      req_per_s: r1(sorted.length / wall),
      p50_ms: r1(pct(sorted, 50)),
      p90_ms: r1(pct(sorted, 90)),
      p99_ms: r1(p99),
      max_ms: r1(sorted[sorted.length - 1] ?? NaN),
      // The same polls timed from when they were actually sent (what one request takes).
      rtt_p50_ms: r1(pct(rtts, 50)),
      rtt_p99_ms: r1(pct(rtts, 99)),
      errors: errorCount,
      error_kinds: errors,
      goal: 'p99_ms <= 50 and errors = 0',
      met: p99 <= 50 && errorCount === 0,
      ...cpu,
      client_loop_delay_p99_ms: r1(clientLag.percentile(99) / 1e6),
    });
    // BENCH_TIMELINE=1: p99 and max of each second of the run, to see when the slow polls happen.
    if (process.env.BENCH_TIMELINE) {
      emit({ measure: 'status_latency_timeline', per_second: timeline.map((l) => (l.sort((a, b) => a - b), `${r1(pct(l, 99))}/${r1(l[l.length - 1] ?? 0)}`)) });
    }
    emit({
      measure: 'jobs_during_load',
      jobs: ids.length,
      outcomes,
      unfinished: ids.length - final.size,
      all_final_s: r1((stopAt - started) / 1000),
      after_last_submit_s: r1((stopAt - submittedAt) / 1000),
      rss_idle_mb: r1(idleRss),
      rss_peak_mb: r1(Math.max(...rss)),
      cpus: os.availableParallelism(),
    });
  } finally {
    await server.stop();
  }
}

/**
 * A valid one-page PDF of about `totalBytes`, generated piece by piece: header, catalog,
 * pages, the page, a padding stream object (never referenced) holding the bulk, then a
 * correct xref and trailer. Only one 1 MB chunk is ever in memory.
 */
export function* bigPdf(totalBytes: number): Generator<Buffer> {
  const parts: string[] = [
    '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n',
    '1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n',
    '2 0 obj\n<< /Type /Pages /Count 1 /Kids [3 0 R] >>\nendobj\n',
    '3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n',
    '4 0 obj\n<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 770 Td (one big file) Tj ET\n\nendstream\nendobj\n',
  ];
  const offsets: number[] = [];
  let pos = 0;
  for (const [i, p] of parts.entries()) {
    if (i > 0) offsets.push(pos);
    const b = Buffer.from(p, 'latin1');
    pos += b.length;
    yield b;
  }
  const padLen = Math.max(0, totalBytes - pos - 400);
  offsets.push(pos);
  const head = Buffer.from(`5 0 obj\n<< /Length ${padLen} >>\nstream\n`, 'latin1');
  pos += head.length;
  yield head;
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  for (let left = padLen; left > 0; left -= chunk.length) {
    const n = Math.min(left, chunk.length);
    pos += n;
    yield n === chunk.length ? chunk : chunk.subarray(0, n);
  }
  const tail = Buffer.from('\nendstream\nendobj\n', 'latin1');
  pos += tail.length;
  yield tail;
  let xref = `xref\n0 6\n0000000000 65535 f \n`;
  for (const off of offsets) xref += `${String(off).padStart(10, '0')} 00000 n \n`;
  yield Buffer.from(`${xref}trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${pos}\n%%EOF\n`, 'latin1');
}

/** POSTs a multipart body (field `file`) streamed from a generator; resolves with the answer. */
export function streamUpload(url: string, body: Iterable<Buffer>, onProgress?: (sent: number) => void): Promise<{ status: number; body: string; sentMb: number; ms: number }> {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    let sent = 0;
    req.once('error', reject);
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.once('end', () => {
        req.destroy();
        resolve({ status: res.statusCode!, body: text, sentMb: sent / 1048576, ms: performance.now() - t0 });
      });
    });
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
    const it = body[Symbol.iterator]();
    const pump = () => {
      for (;;) {
        if (req.destroyed) return;
        const n = it.next();
        if (n.done) {
          req.end(`\r\n--${boundary}--\r\n`);
          return;
        }
        sent += n.value.length;
        onProgress?.(sent);
        if (!req.write(n.value)) {
          req.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

async function bigUpload(): Promise<void> {
  const server = await startServer({ MAX_FILE_SIZE_MB: String(UPLOAD_MB + 64), WORKER_THREADS: '2' });
  try {
    await sleep(2000); // threads started, heap settled
    await fetch(`${server.url}/api/health`);
    const idle = rssMb(server.pid);
    let phase: 'upload' | 'check' | 'job' = 'upload';
    const peak = { upload: idle, check: idle, job: idle };
    const sampler = setInterval(() => {
      const v = rssMb(server.pid);
      if (v > peak[phase]) peak[phase] = v;
    }, 50);
    const total = UPLOAD_MB * 1024 * 1024;
    const res = await streamUpload(`${server.url}/api/compress?level=low`, bigPdf(total), (sent) => {
      if (sent >= total && phase === 'upload') phase = 'check'; // body sent: the server stores its tail, then checks the file
    });
    phase = 'job';
    let outcome = `${res.status}`;
    const body = JSON.parse(res.body || '{}') as { job_id?: string; error?: { code: string } };
    if (body.error) outcome += ` ${body.error.code}`;
    if (body.job_id) {
      // Accepted: follow the job for a bounded time, then cancel it.
      const end = performance.now() + 120_000;
      for (;;) {
        const job = (await (await fetch(`${server.url}/api/jobs/${body.job_id}`)).json()) as Record<string, any>;
        if (['completed', 'failed'].includes(job.status)) {
          outcome += ` job ${job.status}${job.error ? ` ${job.error.code}` : ''}`;
          break;
        }
        if (performance.now() > end) {
          await fetch(`${server.url}/api/jobs/${body.job_id}`, { method: 'DELETE' });
          outcome += ' job cancelled after 120 s';
          break;
        }
        await sleep(200);
      }
    }
    await sleep(1000);
    clearInterval(sampler);
    const after = rssMb(server.pid);
    const top = Math.max(peak.upload, peak.check, peak.job);
    emit({
      measure: 'big_upload_rss',
      upload_mb: UPLOAD_MB,
      upload_s: r1(res.ms / 1000),
      upload_mb_per_s: r1(res.sentMb / (res.ms / 1000)),
      outcome,
      rss_idle_mb: r1(idle),
      rss_peak_upload_mb: r1(peak.upload),
      rss_peak_check_mb: r1(peak.check),
      rss_peak_job_mb: r1(peak.job),
      rss_after_mb: r1(after),
      rss_over_idle_mb: r1(top - idle),
      goal: 'rss_over_idle_mb <= 300',
      met: top - idle <= 300,
    });
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  if (only !== 'upload') await statusUnderLoad();
  if (only !== 'status') await bigUpload();
}
