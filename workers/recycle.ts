/**
 * What the pool tells each thread about recycling (Piscina's workerData): the bound, and the
 * shared flags through which a thread says it is retiring, one Int32 slot per thread
 * (threadId modulo RETIRE_SLOTS: a slot is reused only after that many threads have come and
 * gone, and a new thread clears its slot when it starts).
 */
export interface RecycleData {
  bytes: number;
  flags: SharedArrayBuffer;
}

export const RETIRE_SLOTS = 4096;
