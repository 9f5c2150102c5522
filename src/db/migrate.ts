import { readFileSync } from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { projectRoot } from '../paths.js';

export interface Migration {
  version: number;
  sql: string;
}

/** Splits schema.sql into its "-- version: N" sections, checking they count up from 1. */
export function parseSchema(text: string): Migration[] {
  const parts = text.split(/^-- version: (\d+)\s*$/m);
  const migrations: Migration[] = [];
  for (let i = 1; i < parts.length; i += 2) {
    const version = Number(parts[i]);
    if (version !== migrations.length + 1) throw new Error(`schema.sql: expected version ${migrations.length + 1}, found ${version}`);
    migrations.push({ version, sql: parts[i + 1] ?? '' });
  }
  return migrations;
}

export function loadSchema(file = path.join(projectRoot, 'schema.sql')): Migration[] {
  return parseSchema(readFileSync(file, 'utf8'));
}

/** The PostgreSQL twin of schema.sql (same versions). */
export function loadPgSchema(file = path.join(projectRoot, 'schema.pg.sql')): Migration[] {
  return parseSchema(readFileSync(file, 'utf8'));
}

/**
 * Brings the database up to the newest schema version. Each section and its user_version
 * bump commit together, so a crash mid-upgrade leaves the database at the previous version.
 * A database newer than this code is refused rather than guessed at.
 */
export function migrate(sqlite: BetterSqlite3.Database, migrations = loadSchema()): { from: number; to: number } {
  const from = sqlite.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (from > latest) {
    throw new Error(`database schema version ${from} is newer than this build supports (${latest}); upgrade pdf-smaller`);
  }
  for (const m of migrations.slice(from)) {
    sqlite.transaction(() => {
      sqlite.exec(m.sql);
      sqlite.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return { from, to: latest };
}
