import pino from 'pino';
import closeWithGrace from 'close-with-grace';
import ipaddr from 'ipaddr.js';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';
import { ConfigError, loadConfig } from './config.js';

/**
 * The process around the app: environment → config (a bad value exits 1 before listening),
 * listen, and a clean stop on SIGTERM/SIGINT: the dispatcher drains running jobs for
 * SHUTDOWN_GRACE_S and hands back the rest, then the process exits 0.
 */
export async function main(env: NodeJS.ProcessEnv = process.env, opts: AppOptions = {}): Promise<FastifyInstance> {
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pdf-smaller: configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  // Human-readable logs on a terminal; JSON lines (one per request) everywhere else, written
  // asynchronously: at ~1,000 status polls a second a synchronous write per line was the main
  // thread's largest single cost (flushed on exit; a SIGKILL can lose the last lines).
  const logger = process.stdout.isTTY
    ? { level: config.logLevel, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } }
    : { level: config.logLevel, stream: pino.destination({ dest: 1, sync: false }) };
  const app = await buildApp(config, { logger, ...opts });

  closeWithGrace({ delay: config.shutdownGraceMs + 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'stopping after an unexpected error');
    else app.log.info({ signal }, 'stopping');
    await app.close();
    app.log.info('stopped');
  });

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    app.log.fatal({ err }, 'could not start');
    await app.close().catch(() => {});
    process.exit(1);
  }
  if (config.apiKeys.length + config.adminKeys.length === 0 && !isLoopback(config.host)) {
    app.log.warn(
      `listening on ${config.host} without API_KEYS: anyone who can reach this address can submit jobs and read every job; set API_KEYS (README: Access control)`,
    );
  }
  return app;
}

/** A listen address only this machine can reach. */
function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || (ipaddr.isValid(h) && ipaddr.process(h).range() === 'loopback');
}
