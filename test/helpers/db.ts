import path from 'node:path';
import type { Test } from 'tap';
import { openSqlite, type Store } from '../../src/db/connection.js';
import { tempDir } from './app.js';

/** A real SQLite file in a temp folder, closed when the test ends. */
export function testStore(t: Test, dir = tempDir(t)): Store & { dir: string } {
  const store = openSqlite(path.join(dir));
  t.teardown(() => store.close());
  return Object.assign(store, { dir });
}
