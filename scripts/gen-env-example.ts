// Writes .env.example from the config schema (src/config.ts), so the two never drift.
// Run: npm run build && node dist/scripts/gen-env-example.js
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { EnvSchema } from '../src/config.js';
import { projectRoot } from '../src/paths.js';

const lines = [
  '# pdf-smaller settings. Every variable is optional; the value shown is the default.',
  '# Copy to .env (read at start; real environment variables win) and uncomment what you change.',
  '# Generated from src/config.ts by scripts/gen-env-example.ts.',
  '',
];
for (const [name, schema] of Object.entries(EnvSchema.properties)) {
  const s = schema as { default?: unknown; description?: string };
  const def = name === 'WORKER_THREADS' ? '' : s.default === undefined ? '' : String(s.default);
  lines.push(`# ${s.description ?? ''}${name === 'WORKER_THREADS' ? ' (default: CPU count)' : ''}`, `# ${name}=${def}`, '');
}
writeFileSync(path.join(projectRoot, '.env.example'), lines.join('\n'));
