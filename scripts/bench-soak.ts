/**
 * Soak benchmark (issue 10): 1,000 mixed operations through ONE real server process on
 * 127.0.0.1: valid compressions and conversions (each result downloaded), hostile uploads
 * that must be refused with a 4xx, and jobs cancelled right after submission. Then, after
 * every job is final and a cleanup sweep has run:
 *   - RSS (VmRSS, worker threads included) at the end within 20 % of RSS after the first 100;
 *   - no leaked files: uploads/ holds exactly the results of completed jobs, nothing else;
 *   - no file descriptors left open: /proc/<pid>/fd counted at start, after 100 and at the end.
 * Prints one JSON line per measurement with its goal. Bounded: a few minutes on 2 cores.
 *
 * Run: npm run build && node dist/scripts/bench-soak.js [--ops 1000] [--clients 6]
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encryptedPdf, notAPdf, textPdf, truncatedPdf } from '../test/helpers/fixtures.js';
import { rssMb, startServer, type Server } from './bench-load.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const OPS = arg('ops', 1000);
const CLIENTS = arg('clients', 6);
const SWEEP_S = 2;
/**
 * Both RSS readings (after the first 100 operations and at the end) are taken after the same
 * idle pause: long enough for a sweep, for this client's keep-alive connections to close, and
 * for V8's memory reducer (it starts 8 s into an idle period) to collect the main thread's
 * garbage, so like is compared with like rather than one reading at the top of a GC cycle.
 */
const SETTLE_MS = 12_000;

const emit = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify({ bench: 'soak', ...o }) + '\n');
const r1 = (x: number) => Math.round(x * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Kind = 'compress' | 'convert' | 'hostile' | 'cancel';
/** The mix, per 20 operations: 8 compressions, 5 conversions, 4 hostile uploads, 3 cancellations. */
const MIX: Kind[] = ['compress', 'convert', 'hostile', 'compress', 'cancel', 'convert', 'compress', 'hostile', 'compress', 'convert', 'cancel', 'compress', 'hostile', 'convert', 'compress', 'cancel', 'compress', 'hostile', 'convert', 'compress'];

interface Inputs {
  pdfs: Buffer[];
  /** `fields` per route: a bad option for that route. */
  hostile: { name: string; data: Buffer; fields?: { compress: Record<string, string>; convert: Record<string, string> } }[];
}

async function inputs(): Promise<Inputs> {
  return {
    pdfs: [await textPdf(1, { words: 60 }), await textPdf(3), await textPdf(8, { words: 200 })],
    hostile: [
      { name: 'page.pdf', data: notAPdf },
      { name: 'cut.pdf', data: await truncatedPdf() },
      { name: 'empty.pdf', data: Buffer.alloc(0) },
      { name: 'locked.pdf', data: await encryptedPdf() },
      { name: 'noise.pdf', data: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)) },
      { name: 'ok.pdf', data: await textPdf(1), fields: { compress: { compressionLevel: 'extreme' }, convert: { format: 'exe' } } },
      { name: '../../etc/passwd\u0000.pdf', data: notAPdf },
    ],
  };
}

async function post(url: string, route: string, fields: Record<string, string>, name: string, data: Buffer): Promise<{ status: number; body: Record<string, any> }> {
  const form = new FormData();
  form.append('file', new Blob([data]), name);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${url}${route}`, { method: 'POST', body: form });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function untilFinal(url: string, id: string): Promise<Record<string, any>> {
  const end = Date.now() + 120_000;
  for (;;) {
    const job = (await (await fetch(`${url}/api/jobs/${id}`)).json()) as Record<string, any>;
    if (['completed', 'failed', 'cancelled', 'expired'].includes(job.status)) return job;
    if (Date.now() > end) throw new Error(`job ${id} still ${job.status} after 120 s`);
    await sleep(40);
  }
}

interface Tally {
  outcomes: Record<string, number>;
  unexpected: string[];
  completed: Set<string>;
}

async function runOp(server: Server, i: number, inp: Inputs, tally: Tally): Promise<void> {
  const kind = MIX[i % MIX.length]!;
  const count = (key: string) => (tally.outcomes[key] = (tally.outcomes[key] ?? 0) + 1);
  const pdf = inp.pdfs[i % inp.pdfs.length]!;
  if (kind === 'hostile') {
    const h = inp.hostile[i % inp.hostile.length]!;
    const route = i % 2 ? '/api/compress' : '/api/convert';
    const res = await post(server.url, route, route === '/api/convert' ? { format: 'txt', ...h.fields?.convert } : { ...h.fields?.compress }, h.name, h.data);
    count(`hostile:${res.status}:${res.body.error?.code}`);
    if (res.status < 400 || res.status >= 500 || !res.body.error?.code) tally.unexpected.push(`hostile ${h.name} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    return;
  }
  const [route, fields] =
    kind === 'convert'
      ? ['/api/convert', { format: (['txt', 'html', 'docx'] as const)[i % 3]! }]
      : ['/api/compress', { compressionLevel: (['low', 'medium'] as const)[i % 2]! }];
  const res = await post(server.url, route, fields, `doc-${i}.pdf`, pdf);
  if (res.status !== 202) {
    tally.unexpected.push(`${kind} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    return;
  }
  const id = res.body.job_id as string;
  if (kind === 'cancel') {
    const del = await fetch(`${server.url}/api/jobs/${id}`, { method: 'DELETE' });
    const body = (await del.json()) as Record<string, any>;
    count(`cancel:${del.status}:${body.status}`);
    if (del.status !== 200) tally.unexpected.push(`cancel → ${del.status}`);
    const job = await untilFinal(server.url, id);
    if (!['cancelled', 'expired'].includes(job.status)) tally.unexpected.push(`cancelled job reads ${job.status}`);
    return;
  }
  const job = await untilFinal(server.url, id);
  count(`${kind}:${job.status}${job.error ? `:${job.error.code}` : ''}`);
  if (job.status !== 'completed') {
    tally.unexpected.push(`${kind} ${id} → ${job.status} ${JSON.stringify(job.error)}`);
    return;
  }
  const dl = await fetch(`${server.url}${job.download_url}`);
  const bytes = Buffer.from(await dl.arrayBuffer());
  if (dl.status !== 200 || bytes.length !== Number(dl.headers.get('content-length')) || bytes.length === 0) {
    tally.unexpected.push(`download ${id} → ${dl.status}, ${bytes.length} of ${dl.headers.get('content-length')} bytes`);
  }
  tally.completed.add(id);
}

function fds(pid: number): string[] {
  const tcp = tcpStates(pid);
  return readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      // A TCP socket is named by its state: an open client connection (a keep-alive socket the
      // client still holds, ESTABLISHED) is not a leak; one left half-closed (CLOSE_WAIT) is.
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode && tcp.has(inode)) return `tcp:${tcp.get(inode)}`;
      return link.replace(/\d+/g, 'N');
    } catch {
      return 'gone';
    }
  });
}

const TCP_STATES: Record<string, string> = { '01': 'ESTABLISHED', '06': 'TIME_WAIT', '08': 'CLOSE_WAIT', '0A': 'LISTEN' };

/** Socket inode → TCP state, from the process's view of /proc/net/tcp and tcp6. */
function tcpStates(pid: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const table of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9) out.set(cols[9]!, TCP_STATES[cols[3]!] ?? `state_${cols[3]}`);
    }
  }
  return out;
}

/** Descriptors that are not open client connections (those come and go with the clients). */
const held = (list: string[]) => list.filter((f) => f !== 'tcp:ESTABLISHED');

/** "heap/external" MB of the server's main thread, from its Prometheus metrics. */
async function mainThreadMb(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 1048576;
  return `${r1(value('nodejs_heap_size_used_bytes'))}/${r1(value('nodejs_external_memory_bytes'))}`;
}

/** Every file below root, relative to it. */
async function filesUnder(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(root, rel), { withFileTypes: true }).catch(() => [])) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(root, p)));
    else out.push(p);
  }
  return out;
}

/** fd kinds of `b` not in `a` (multiset difference), for the report. */
function added(a: string[], b: string[]): string[] {
  const left = new Map<string, number>();
  for (const x of a) left.set(x, (left.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of b) {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    else out.push(x);
  }
  return out;
}

async function main(): Promise<void> {
  const inp = await inputs();
  const server = await startServer({ CLEANUP_INTERVAL_S: String(SWEEP_S) });
  const uploads = path.join(server.dir, 'uploads');
  try {
    await sleep(1500);
    await fetch(`${server.url}/api/health`);
    const fdStart = fds(server.pid);
    const rssStart = rssMb(server.pid);
    const tally: Tally = { outcomes: {}, unexpected: [], completed: new Set() };
    const started = performance.now();
    let next = 0;
    let rss100 = NaN;
    let fd100: string[] = [];
    const timeline: number[] = [];
    /** The main thread's own share of the RSS (V8 heap and external memory, from /metrics), every 100 operations. */
    const mainThread: string[] = [];
    const client = async () => {
      for (let i = next++; i < OPS; i = next++) {
        try {
          await runOp(server, i, inp, tally);
        } catch (err) {
          tally.unexpected.push(`op ${i}: ${(err as Error).message}`);
        }
        if (i % 100 === 99) {
          timeline.push(r1(rssMb(server.pid)));
          mainThread.push(await mainThreadMb(server.url));
        }
      }
    };
    // The first 100 operations, then the baseline, then the other 900.
    const first = Math.min(100, OPS);
    const firstBatch = async () => {
      for (let i = next++; i < first; i = next++) await runOp(server, i, inp, tally).catch((err: Error) => tally.unexpected.push(`op ${i}: ${err.message}`));
    };
    await Promise.all(Array.from({ length: CLIENTS }, firstBatch));
    next = first;
    await sleep(SETTLE_MS);
    rss100 = rssMb(server.pid);
    fd100 = fds(server.pid);
    const main100 = await mainThreadMb(server.url);
    await Promise.all(Array.from({ length: CLIENTS }, client));
    const ranS = (performance.now() - started) / 1000;
    // Let the sweep run over the final state (it runs every SWEEP_S), and this client's idle
    // keep-alive connections close (fetch drops them after 4 s), so they are not counted.
    await sleep(SETTLE_MS);
    const rssEnd = rssMb(server.pid);
    const fdEnd = fds(server.pid);
    const mainEnd = await mainThreadMb(server.url);

    // Files: the results of completed jobs (results/<job>/<lease>/<file>) and nothing else.
    const files = await filesUnder(uploads);
    const leaked = files.filter((f) => {
      const [root, job] = f.split('/');
      return !(root === 'results' && job && tally.completed.has(job));
    });
    const withResult = new Set(files.filter((f) => f.startsWith('results/')).map((f) => f.split('/')[1]));
    const missing = [...tally.completed].filter((id) => !withResult.has(id));

    emit({ measure: 'soak_ops', ops: OPS, clients: CLIENTS, seconds: r1(ranS), ops_per_s: r1(OPS / ranS), outcomes: tally.outcomes, unexpected: tally.unexpected.length, unexpected_sample: tally.unexpected.slice(0, 5), goal: 'unexpected = 0 (valid jobs complete and download whole, hostile uploads get a coded 4xx, cancels answer 200)', met: tally.unexpected.length === 0 });
    const growth = (rssEnd - rss100) / rss100;
    emit({ measure: 'soak_rss', rss_start_mb: r1(rssStart), rss_after_100_mb: r1(rss100), rss_end_mb: r1(rssEnd), growth_pct: r1(growth * 100), rss_every_100_ops_mb: timeline, main_heap_external_mb: mainThread, main_after_100: main100, main_end: mainEnd, goal: 'rss_end within 20 % of rss_after_100', met: Math.abs(growth) <= 0.2 });
    emit({ measure: 'soak_files', files_in_uploads: files.length, results_of_completed_jobs: tally.completed.size, leaked: leaked.length, leaked_sample: leaked.slice(0, 5), completed_without_result: missing.length, goal: 'leaked = 0 (after a sweep, uploads/ holds only the results of completed jobs)', met: leaked.length === 0 && missing.length === 0 });
    // The start count is taken right after boot; the first jobs open what stays open for the
    // process's life (worker threads, their pipes, the probe thread), so growth is judged
    // from after the first 100 operations.
    emit({
      measure: 'soak_fds',
      fd_start: fdStart.length,
      fd_after_100: fd100.length,
      fd_end: fdEnd.length,
      client_connections_end: fdEnd.length - held(fdEnd).length,
      opened_by_first_100: added(fdStart, fd100),
      opened_since_100: added(fd100, fdEnd),
      goal: 'held fds at the end <= after 100 (no descriptor left open by 900 more operations; open client connections not counted)',
      met: held(fdEnd).length <= held(fd100).length,
    });
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
