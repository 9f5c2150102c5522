/**
 * The Piscina worker module: every task the pool can run, by name
 * (`pool.run(payload, { name })`). Each is a plain async function of its payload.
 */
export { probe } from './probe.js';
export { compress } from './compress.js';
export { noop } from './noop.js';
export { extractText } from './extract-text.js';
