/**
 * Lean threads (WORKER_RECYCLE_MB): idle RSS of a real server process before a batch of large
 * photo PDFs, right after it, and 30 s later, with recycling on (the default, 512 MB) and off
 * (WORKER_RECYCLE_MB=0), measured in the same run. A WebAssembly heap never shrinks: without
 * recycling, the threads keep the high-water mark of the largest file they compressed.
 *
 * Run: npm run build && node dist/scripts/bench-recycle.js [--files 4] [--mpx 40] [--recycle-mb 256]
 */
import { photoPdf } from '../test/helpers/image-fixtures.js';
import { rssMb, startServer } from './bench-load.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const FILES = arg('files', 4);
/** Megapixels per photo page; 4 pages a file. */
const MPX = arg('mpx', 40);
/** The bound under test (the default's, unless given). */
const RECYCLE_MB = arg('recycle-mb', 256);
const emit = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify({ bench: 'recycle', ...o }) + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r0 = (x: number) => Math.round(x);

async function untilFinal(url: string, id: string): Promise<Record<string, any>> {
  for (const end = Date.now() + 600_000; Date.now() < end; await sleep(200)) {
    const job = (await (await fetch(`${url}/api/jobs/${id}`)).json()) as Record<string, any>;
    if (['completed', 'failed'].includes(job.status)) return job;
  }
  throw new Error(`job ${id} not final after 600 s`);
}

async function run(recycleMb: number, pdfs: Buffer[]) {
  const server = await startServer({ WORKER_RECYCLE_MB: String(recycleMb), WORKER_THREADS: '2', MAX_FILE_SIZE_MB: '500' });
  try {
    await sleep(3000);
    const before = rssMb(server.pid);
    const ids: string[] = [];
    for (const [i, pdf] of pdfs.entries()) {
      const form = new FormData();
      form.append('file', new Blob([pdf]), `photos-${i}.pdf`);
      form.append('compressionLevel', 'medium');
      const res = await fetch(`${server.url}/api/compress`, { method: 'POST', body: form });
      ids.push(((await res.json()) as { job_id: string }).job_id);
    }
    const jobs = await Promise.all(ids.map((id) => untilFinal(server.url, id)));
    const failed = jobs.filter((j) => j.status !== 'completed').length;
    await sleep(1000);
    const after = rssMb(server.pid);
    await sleep(30_000);
    const later = rssMb(server.pid);
    emit({
      worker_recycle_mb: recycleMb,
      files: pdfs.length,
      file_mb: r0(pdfs[0]!.length / 1e6),
      failed,
      rss_idle_before_mb: r0(before),
      rss_after_batch_mb: r0(after),
      rss_30s_later_mb: r0(later),
      rss_kept_mb: r0(later - before),
    });
    return later - before;
  } finally {
    await server.stop();
  }
}

const side = Math.round(Math.sqrt(MPX * 1e6 * 1.5));
const pdfs = Array.from({ length: FILES }, () => photoPdf(4, [side, Math.round(side / 1.5)]));
const on = await run(RECYCLE_MB, pdfs);
const off = await run(0, pdfs);
emit({ metric: 'rss_kept_ratio_recycled_vs_not', value: Math.round((on / Math.max(1, off)) * 100) / 100, goal: 'idle RSS returns near its start with recycling' });
