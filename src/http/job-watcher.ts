import type { Kysely } from 'kysely';
import type { Database, JobRow } from '../db/types.js';

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
