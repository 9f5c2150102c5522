// A node for scripts/bench-nodes.ts: the real server (src/main.ts) with the no-op job type.
import { defaultHandlers, noopHandler } from '../src/jobs/index.js';
import { main } from '../src/main.js';

await main(process.env, { handlers: (config) => ({ ...defaultHandlers(config), noop: noopHandler }) });
