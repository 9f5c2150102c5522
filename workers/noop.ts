import { defineTask } from './task.js';

/** Does nothing: the queue benchmark measures the job machinery around it. */
export const noop = defineTask((p: { echo?: unknown }) => ({ echo: p.echo ?? null }));
