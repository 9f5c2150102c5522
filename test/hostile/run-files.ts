import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { FILE_CASES, type FileCase } from './cases.js';
import { assertHealthy, assertStillWorks, check, jobCount, report, send, type Expect, type Observed, type RouteSpec } from './harness.js';

/**
 * Sends every hostile file to every route of a group on one shared app, checking each
 * outcome, then a valid request per route. Files are built once and reused across routes.
 */
export async function runFileCases(t: Test, app: FastifyInstance, routes: RouteSpec[], cases: FileCase[] = FILE_CASES): Promise<void> {
  const jobs = new Set<string>();
  const rows: { name: string; observed: Observed[] }[] = [];
  for (const c of cases) {
    const data = await c.data();
    const observed: Observed[] = [];
    for (const route of routes) {
      const expect: Expect = c.routes?.[route.url] ?? (route.images && c.image ? c.image : c);
      const what = `${c.name} → ${route.url}`;
      const before = await jobCount(app);
      const started = Date.now();
      const res = await send(app, route.url, { ...route.fields, ...c.fields }, [{ field: route.field, name: c.filename ?? 'hostile.pdf', data }], what);
      const outcome = await check(t, app, route, res, expect, what, before, jobs);
      observed.push({ route: route.url, outcome, ms: Date.now() - started });
      await assertHealthy(t, app, what);
    }
    rows.push({ name: c.name, observed });
  }
  for (const route of routes) await assertStillWorks(t, app, route, jobs);
  report(t, rows);
}
