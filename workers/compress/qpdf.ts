import path from 'node:path';
import { findTool, runTool, type ToolRun } from './external.js';

/**
 * qpdf's lossless rewrite: every Flate stream recompressed at level 9, objects packed into
 * object streams. Exit code 3 means "succeeded with warnings" (e.g. a duplicated dictionary
 * key in automultiplechoice.pdf); the output is then still complete, and validated anyway.
 * --deterministic-id: a missing /ID is made from the content, not the clock, so two runs of
 * the same job write the same bytes.
 */
export async function runQpdf(input: string, workDir: string, name: string, timeoutMs: number): Promise<ToolRun & { file: string }> {
  const file = path.join(workDir, `${name}.pdf`);
  const qpdf = findTool('qpdf');
  if (!qpdf) return { ok: false, ms: 0, error: 'qpdf not installed', file };
  const args = ['--recompress-flate', '--compression-level=9', '--object-streams=generate', '--deterministic-id', input, file];
  const run = await runTool(qpdf, args, { cwd: workDir, log: `${name}.log`, timeoutMs, okCodes: [0, 3] });
  return { ...run, file };
}

export function qpdfAvailable(): boolean {
  return findTool('qpdf') !== null;
}
