import type { Kysely } from 'kysely';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Database } from '../db/types.js';
import type { LinkSigner } from '../http/links.js';
import type { Handlers } from '../jobs/types.js';
import type { Progress, WorkerPool } from '../pool/pool.js';
import type { ClaimedJob, Lease } from '../queue/index.js';
import type { Storage } from '../storage/layout.js';

export interface DispatcherOptions {
  db: Kysely<Database>;
  storage: Storage;
  pool: WorkerPool;
  handlers: Handlers;
  /** Signs the links of job JSON that handlers send out (webhooks). */
  links: LinkSigner;
  log: Logger;
  leaseMs: number;
  timeoutMs: number;
  ttlMs: number;
  /** Concurrent main-thread (io lane) jobs. */
  ioConcurrency?: number;
  /** Poll backoff bounds: how soon to look again after an empty claim. */
  minPollMs?: number;
  maxPollMs?: number;
  /** Progress is written to the row at most this often per job. */
  progressIntervalMs?: number;
  node?: string;
}

export type FinalStatus = 'completed' | 'failed' | 'retrying' | 'released' | 'discarded';

export interface FinishedEvent {
  id: string;
  type: string;
  status: FinalStatus;
  errorCode?: string;
  durationMs: number;
}

export interface Lane {
  name: 'cpu' | 'io';
  capacity: number;
  types: string[];
  running: number;
  /**
   * Worth a claim: set by an in-process enqueue of one of its types, a job of the lane
   * finishing, and every poll; cleared by a claim that finds the lane's queue drained. An
   * idle lane then costs no query per job of the busy one (a round trip each on PostgreSQL:
   * one thread ran 197 no-op jobs/s when every tick also claimed the empty io lane).
   */
  due: boolean;
  /** Moving average of the lane's jobs, claim to finish (ms); undefined until one finishes. */
  avgMs?: number;
}

export type StopReason = 'cancelled' | 'lease-lost' | 'shutdown' | 'timeout';

/** A job running on this node: its lease, its abort switch, why it was stopped, its latest progress. */
export interface Active {
  job: ClaimedJob;
  lease: Lease;
  controller: AbortController;
  reason?: StopReason;
  /** The run has ended and its outcome is being written: heartbeats no longer concern it. */
  settled: boolean;
  progress?: Progress;
  progressDirty: boolean;
  done: Promise<void>;
}

