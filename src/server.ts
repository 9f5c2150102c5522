import { existsSync } from 'node:fs';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';

/**
 * The process: environment → config, listen, and a clean stop on SIGTERM/SIGINT (the
 * dispatcher drains running jobs for SHUTDOWN_GRACE_S and hands back the rest; exit 0).
 * Tests never import this file; they call buildApp().
 */
if (existsSync('.env')) process.loadEnvFile('.env'); // real environment variables win

let config: Config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`pdf-smaller: configuration error: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

const app = await buildApp(config);

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
