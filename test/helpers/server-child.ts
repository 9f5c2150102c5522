// The real process entry (src/main.ts: config, listen, signal handling, drain) with the
// no-op job type added, so process tests control how long a job runs. Jobs are enqueued
// by the test straight into the shared database file, as a second process would.
import { defaultHandlers, noopHandler } from '../../src/jobs/index.js';
import { main } from '../../src/main.js';

await main(process.env, { handlers: (config) => ({ ...defaultHandlers(config), noop: noopHandler }) });
