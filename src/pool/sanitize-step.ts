import path from 'node:path';
import type { Config } from '../config.js';
import type { FileJobContext } from '../jobs/types.js';
import type { ActiveContent } from '../../workers/active-content.js';

/**
 * The first step of a job submitted with `sanitize=true`: a copy of the input without its
 * active content, in the run's scratch folder. The job then works on the copy, and its
 * result reports what was removed (`result.sanitized`).
 */
export async function sanitizeStep(ctx: FileJobContext, config: Config, input: string, tag = 'input'): Promise<{ input: string; removed: ActiveContent }> {
  ctx.progress({ percent: 1, stage: 'removing active content' });
  const output = path.join(await ctx.workDir(), `.sanitized-${tag}.pdf`);
  const removed = await ctx.pool.run('sanitize', { input, output, maxPages: config.maxPages }, { signal: ctx.signal });
  return { input: output, removed };
}
