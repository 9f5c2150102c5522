import { execa } from 'execa';
import { TaskError } from '../task.js';
import { ensureTessdata } from './tessdata.js';

/**
 * The `tesseract` binary (4.x/5.x), one process per page, image on stdin, TSV on stdout.
 *
 * OMP_THREAD_LIMIT=1: Tesseract's OpenMP code otherwise starts a thread per core in every
 * process; with one process per pool thread that oversubscribes the CPU and measured 6×
 * slower on 2 cores. Parallelism comes from the pool instead (one page per thread).
 *
 * --tessdata-dir points at the npm packages' models (see tessdata.ts), so the binary and
 * tesseract.js read the very same model files and support the same languages; the system's
 * own tessdata (often eng + osd only, "fast" models) is not used.
 */
/** `dpi` 0 = unknown: Tesseract estimates it from the text height. */
export async function recognizeNative(image: Uint8Array, langs: readonly string[], dpi: number, timeoutMs: number): Promise<string> {
  const tessdata = ensureTessdata(langs);
  const args = ['stdin', 'stdout', '--tessdata-dir', tessdata, '-l', langs.join('+'), '--psm', '3', ...(dpi > 0 ? ['--dpi', String(dpi)] : []), '-c', 'tessedit_create_tsv=1', '-c', 'tessedit_create_txt=0'];
  const res = await execa('tesseract', args, {
    input: Buffer.from(image.buffer, image.byteOffset, image.byteLength),
    env: { OMP_THREAD_LIMIT: '1' },
    extendEnv: true,
    reject: false,
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    stripFinalNewline: false,
  });
  if (res.timedOut) throw new TaskError('PROCESSING_FAILED', `OCR of one page took longer than ${Math.round(timeoutMs / 1000)} s and was stopped.`);
  if (res.failed || res.exitCode !== 0) {
    const why = String(res.stderr ?? '').split('\n').filter((l) => l && !/^Estimating resolution|^Warning/.test(l)).slice(-2).join(' ');
    if (/cannot be read|pixRead|Unsupported image type|Error in pixReadMem/i.test(why)) throw new TaskError('INVALID_IMAGE', 'The image could not be decoded.');
    if (res.code === 'ENOENT' || /ENOENT/.test(String(res.message))) throw new TaskError('OCR_ENGINE_UNAVAILABLE', 'The tesseract binary is not installed on this server.');
    throw new TaskError('PROCESSING_FAILED', `tesseract failed: ${why.replace(/(?:\/[\w.@-]+)+/g, '<file>').slice(0, 200) || `exit ${res.exitCode}`}`);
  }
  return String(res.stdout);
}
