import type { Config } from '../config.js';
import { cloudSettings } from './settings.js';

interface Held {
  token: string;
  expiresAt: number;
}

/**
 * Access tokens of queued exports, held in this process's memory only, keyed by export job
 * id. The job row never sees a token: a token written to SQLite would outlive the export in
 * the database file, its WAL and every backup. The price is that an export runs only on the
 * node that accepted it and before the process restarts; a run that finds no token fails
 * CLOUD_TOKEN_UNAVAILABLE and the client submits the export again.
 *
 * Entries expire after CLOUD_TOKEN_TTL_S (a job left pending that long would carry a token
 * the provider has likely expired anyway) and are dropped by the handler once the export no
 * longer needs them. Expired entries are swept on every put, so the map cannot grow past the
 * number of exports accepted within one TTL (itself bounded by MAX_PENDING_JOBS).
 */
export class TokenVault {
  private readonly held = new Map<string, Held>();

  constructor(private readonly ttlMs: number) {}

  put(jobId: string, token: string, now = Date.now()): void {
    for (const [id, h] of this.held) if (h.expiresAt <= now) this.held.delete(id);
    this.held.set(jobId, { token, expiresAt: now + this.ttlMs });
  }

  get(jobId: string, now = Date.now()): string | undefined {
    const h = this.held.get(jobId);
    if (!h) return undefined;
    if (h.expiresAt <= now) {
      this.held.delete(jobId);
      return undefined;
    }
    return h.token;
  }

  delete(jobId: string): void {
    this.held.delete(jobId);
  }

  get size(): number {
    return this.held.size;
  }
}

/**
 * One vault per app. The route (which has the app) and the export handler (built by
 * defaultHandlers(config), which has only the config) must share it, and both see the same
 * Config object; keying on it keeps two apps in one process (tests) apart like two processes.
 */
const vaults = new WeakMap<Config, TokenVault>();

export function tokenVaultFor(config: Config): TokenVault {
  let v = vaults.get(config);
  if (!v) {
    v = new TokenVault(cloudSettings(config).tokenTtlMs);
    vaults.set(config, v);
  }
  return v;
}
