import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import { FINAL_STATUSES, type Database, type JobRow } from '../db/types.js';
import type { FinishedEvent } from '../dispatch/types.js';
import { getJob } from '../queue/index.js';
import { effectiveStatus } from './job-view.js';

type Listener = (row: JobRow) => void;

/**
 * Tells subscribers when a job's row changes (status, progress, result). One poll of all
 * watched ids every intervalMs serves every open event stream, and sees changes written by
 * any process on the database; poke() checks one job at once when this process knows it
 * just changed (the dispatcher's events), so a final status is not delayed by the poll.
 */
export class JobWatcher {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly seen = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly intervalMs = 250,
  ) {}

  get watching(): number {
    return this.listeners.size;
  }

  /** Calls `fn` on every change of the job's row; returns the unsubscribe function. */
  subscribe(id: string, fn: Listener): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(fn);
    this.timer ??= setInterval(() => void this.poll(), this.intervalMs).unref();
    return () => {
      set.delete(fn);
      if (set.size === 0) {
        this.listeners.delete(id);
        this.seen.delete(id);
      }
      if (this.listeners.size === 0) this.stop();
    };
  }

  poke(id: string): void {
    if (this.listeners.has(id)) setImmediate(() => void this.poll([id]));
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(ids = [...this.listeners.keys()]): Promise<void> {
    if (this.polling || ids.length === 0) return;
    this.polling = true;
    try {
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await this.db.selectFrom('jobs').selectAll().where('id', 'in', ids.slice(i, i + 500)).execute();
        for (const row of rows) {
          const mark = `${row.status}|${row.progress_percent}|${row.progress_stage}|${row.updated_at}|${row.expires_at}`;
          if (this.seen.get(row.id) === mark) continue;
          this.seen.set(row.id, mark);
          for (const fn of this.listeners.get(row.id) ?? []) fn(row);
        }
      }
    } catch {
      // The next poll tries again; a stream must not die of one failed read.
    } finally {
      this.polling = false;
    }
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Follows job rows for event streams and for submissions that wait (?wait=). */
    watcher: JobWatcher;
  }
}

/** One watcher per app: a single poll serves every stream and waiting request; a job this node finishes is looked at at once. */
export const watcherPlugin = fp(
  async (app) => {
    const watcher = new JobWatcher(app.store.db);
    app.dispatcher.on('finished', (e: FinishedEvent) => watcher.poke(e.id));
    app.addHook('preClose', async () => watcher.stop());
    app.decorate('watcher', watcher);
  },
  { name: 'watcher', dependencies: ['db', 'dispatcher'] },
);

/**
 * The job's row once it is final (completed, failed, cancelled, expired), or undefined when
 * `ms` pass first or `signal` aborts (the client went away). The job itself goes on either way.
 */
export function waitForFinal(app: FastifyInstance, id: string, ms: number, signal: AbortSignal): Promise<JobRow | undefined> {
  return new Promise((resolve) => {
    let unsubscribe = () => {};
    const done = (row: JobRow | undefined) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      unsubscribe();
      resolve(row);
    };
    const abort = () => done(undefined);
    const timer = setTimeout(abort, ms);
    signal.addEventListener('abort', abort, { once: true });
    const check = (row: JobRow | undefined) => {
      if (row && FINAL_STATUSES.includes(effectiveStatus(row))) done(row);
    };
    unsubscribe = app.watcher.subscribe(id, check);
    // It may have finished before the subscription.
    void getJob(app.store.db, id).then(check, () => {});
  });
}
