import type { Config } from '../config.js';
import type { FileJobContext } from '../jobs/types.js';
import { TaskFailure } from '../errors.js';
import { AiClient, DEFAULT_CLIENT_OPTIONS, type CallContext, type ClientOptions } from './client.js';
import { resolveProvider } from './provider.js';
import { emptyUsage } from './usage.js';

export interface AiOptions {
  client: ClientOptions;
  /**
   * Characters of document per call (≈ 4 characters a token): 24,000 ≈ 6,000 tokens, which
   * leaves room for the prompt and the answer in an 8k-context local model. Longer texts
   * are chunked and map-reduced; a big-context model is not slower for getting parts.
   */
  contextChars: number;
  /** Characters per translation call: models write far fewer tokens than they read. */
  translateChunkChars: number;
  /** Calls one job keeps in flight at once. */
  concurrency: number;
  /** Text beyond this (a huge PDF) fails TEXT_TOO_LARGE rather than running up a bill. */
  maxInputChars: number;
  /** extract-text puts at most this much page text in the job result; the download has all. */
  resultTextChars: number;
}

export const DEFAULT_AI_OPTIONS: AiOptions = {
  client: DEFAULT_CLIENT_OPTIONS,
  contextChars: 24_000,
  translateChunkChars: 8_000,
  concurrency: 3,
  maxInputChars: 1_000_000,
  resultTextChars: 512 * 1024,
};

export type AiOverrides = Partial<Omit<AiOptions, 'client'>> & { client?: Partial<ClientOptions> };

/** What every AI job handler shares: the config, the options and the client (none without a provider). */
export interface AiRuntime {
  config: Config;
  opts: AiOptions;
  client: AiClient | undefined;
}

export function aiRuntime(config: Config, overrides: AiOverrides = {}): AiRuntime {
  const opts: AiOptions = { ...DEFAULT_AI_OPTIONS, ...overrides, client: { ...DEFAULT_AI_OPTIONS.client, ...overrides.client } };
  const { provider } = resolveProvider(config.env);
  return { config, opts, client: provider ? new AiClient(provider, opts.client) : undefined };
}

/** The client, for job types that cannot run without one (the route already refused; the config may have changed since). */
export function requireClient(rt: AiRuntime): AiClient {
  if (!rt.client) throw new TaskFailure('AI_NOT_CONFIGURED', 'No AI provider is configured on this server.', false);
  return rt.client;
}

/** A job's call context: its abort signal, its logger and a fresh token tally. */
export function callContext(ctx: FileJobContext): CallContext {
  return { signal: ctx.signal, log: ctx.log, usage: emptyUsage() };
}
