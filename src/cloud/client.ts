import { setTimeout as delay } from 'node:timers/promises';
import { TaskFailure } from '../errors.js';
import { answerFailure, clean, isRetryable } from './failures.js';
import { backoffMs, call, NetworkError, retryAfterMs, type Answer, type Req } from './http.js';
import { PROVIDER_LABELS, type ExportProvider } from './providers.js';
import type { RetrySettings } from './settings.js';

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface ClientOptions {
  provider: ExportProvider;
  /** The user's access token: sent as a Bearer header to the provider's API, never elsewhere. */
  token?: string | undefined;
  signal: AbortSignal;
  retry: RetrySettings;
  requestTimeoutMs: number;
  /** Injectable so tests can see the waits (Retry-After) without spending them. */
  sleep?: Sleep;
}

const realSleep: Sleep = (ms, signal) => delay(ms, undefined, { signal });

/**
 * A provider session of one export or one route call: adds the Bearer header, retries what
 * is worth retrying (429, 5xx, Drive's rate-limit 403s, network errors) with backoff that
 * honours Retry-After, and turns final answers into coded failures without echoing the token.
 */
export class ProviderClient {
  readonly provider: ExportProvider;
  readonly signal: AbortSignal;
  private readonly o: ClientOptions;
  private readonly sleep: Sleep;

  constructor(o: ClientOptions) {
    this.o = o;
    this.provider = o.provider;
    this.signal = o.signal;
    this.sleep = o.sleep ?? realSleep;
  }

  get label(): string {
    return PROVIDER_LABELS[this.provider];
  }

  get retries(): number {
    return this.o.retry.attempts;
  }

  /** One exchange, no retry. `auth: false` for URLs the provider handed out (upload sessions). */
  send(req: Req, opts: { auth?: boolean; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Answer> {
    const headers = { ...req.headers };
    if (opts.auth !== false && this.o.token) headers.authorization = `Bearer ${this.o.token}`;
    return call({ ...req, headers }, opts.signal ?? this.signal, opts.timeoutMs ?? this.o.requestTimeoutMs);
  }

  /**
   * send() until the answer is final: a retryable answer or a network error is tried again
   * after a pause, up to CLOUD_RETRIES times; then it becomes a (retryable) job failure.
   * Any other answer is returned for the caller to read, errors included.
   */
  async request(req: Req, doing: string, opts: { auth?: boolean } = {}): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      let answer: Answer;
      try {
        answer = await this.send(req, opts);
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        if (await this.pause(attempt)) continue;
        throw this.networkFailure(err, doing);
      }
      if (!isRetryable(this.provider, answer)) return answer;
      if (await this.pause(attempt, answer)) continue;
      throw this.failure(answer, doing);
    }
  }

  /**
   * Waits before try number attempt+1: Retry-After when the provider sent one, else backoff.
   * False when the tries are used up, or when the provider asks for a wait longer than a job
   * should sit on (the job then fails retryable and the queue backs off instead).
   */
  async pause(attempt: number, answer?: Answer): Promise<boolean> {
    if (attempt >= this.o.retry.attempts) return false;
    const asked = answer ? retryAfterMs(answer.headers) : undefined;
    if (asked !== undefined && asked > this.o.retry.maxWaitMs) return false;
    await this.sleep(asked ?? backoffMs(attempt, this.o.retry.baseMs), this.signal);
    return true;
  }

  /** The answer as JSON when its status is one of `ok`, else its coded failure. */
  expect(answer: Answer, doing: string, ok: readonly number[] = [200, 201]): unknown {
    if (!ok.includes(answer.status)) throw this.failure(answer, doing);
    return answer.json;
  }

  failure(answer: Answer, doing: string): TaskFailure {
    return answerFailure(this.provider, answer, doing, this.o.token);
  }

  networkFailure(err: NetworkError, doing: string): TaskFailure {
    return new TaskFailure('CLOUD_PROVIDER_ERROR', `${this.label} could not be reached while ${doing} (${clean(err.message, this.o.token)}).`, true);
  }
}
