import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { FastifyBaseLogger as Logger } from 'fastify';
import { TaskFailure } from '../errors.js';
import type { Provider } from './provider.js';
import { redactSecrets } from './redact.js';
import { addUsage, emptyUsage, type Usage } from './usage.js';

export interface ClientOptions {
  /** One HTTP attempt, from request to the last byte of the answer. */
  timeoutMs: number;
  /** Attempts after the first, for 408/409/429/5xx, timeouts and connection errors. */
  maxRetries: number;
  /** Exponential backoff: baseDelayMs · 2^n (±20 %), capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited out: the call fails (retryable) at once. */
  maxRetryAfterMs: number;
}

/** Local models on a CPU can take minutes for a long summary; JOB_TIMEOUT_S bounds the whole job. */
export const DEFAULT_CLIENT_OPTIONS: ClientOptions = { timeoutMs: 180_000, maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 30_000, maxRetryAfterMs: 60_000 };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatAnswer {
  text: string;
  model: string;
  finishReason: string | null;
}

export interface CallContext {
  signal: AbortSignal;
  log: Logger;
  /** Token counts of every successful call are added here. */
  usage: Usage;
}

/**
 * The one way this service talks to a model: chat completions on any OpenAI-compatible
 * server. The request carries only `model` and `messages`: temperature, max_tokens and
 * response_format are each refused by some provider (reasoning models, LM Studio, Anthropic's
 * compatibility layer), and the prompts ask for what they need instead.
 *
 * Retries are ours, not the SDK's (maxRetries: 0 there): the SDK's backoff starts at a fixed
 * 0.5 s, waits out any Retry-After however long, cannot be interrupted by a job's cancel, and
 * does not tell a rate limit from an outage once it gives up.
 */
export class AiClient {
  readonly providerName: Provider['name'];
  private readonly sdk: OpenAI;
  private readonly secret: string;
  private model: string | undefined;

  constructor(provider: Provider, private readonly opts: ClientOptions = DEFAULT_CLIENT_OPTIONS) {
    this.providerName = provider.name;
    this.secret = provider.apiKey;
    this.model = provider.model;
    this.sdk = new OpenAI({
      apiKey: provider.apiKey,
      baseURL: provider.baseURL,
      maxRetries: 0,
      timeout: opts.timeoutMs,
      logLevel: 'off', // its debug lines carry request details; ours say what matters, key-free
      // The SDK would read OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment and send them to
      // any base URL; only OpenAI itself gets them.
      ...(provider.name === 'openai' ? {} : { organization: null, project: null }),
      ...(provider.name === 'openrouter' ? { defaultHeaders: { 'X-Title': 'pdf-smaller' } } : {}),
    });
  }

  async chat(messages: ChatMessage[], ctx: CallContext): Promise<ChatAnswer> {
    const model = await this.resolveModel(ctx);
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(this.opts.timeoutMs);
      try {
        const res = await this.sdk.chat.completions.create({ model, messages }, { signal: AbortSignal.any([ctx.signal, timeout]) });
        const choice = res.choices?.[0];
        const text = stripReasoning(typeof choice?.message?.content === 'string' ? choice.message.content : '');
        if (!text.trim()) {
          throw new TaskFailure('AI_PROVIDER_ERROR', `The AI provider returned an empty answer (finish_reason ${String(choice?.finish_reason ?? 'none')}).`, false);
        }
        addUsage(ctx.usage, res.usage);
        return { text, model: typeof res.model === 'string' && res.model ? res.model : model, finishReason: choice?.finish_reason ?? null };
      } catch (err) {
        ctx.signal.throwIfAborted(); // cancel, job timeout, shutdown: the dispatcher knows why
        const failure = this.classify(err, timeout.aborted);
        if (!failure.retryable || attempt >= this.opts.maxRetries) throw failure.error;
        const waitMs = failure.retryAfterMs ?? this.backoffMs(attempt);
        if (waitMs > this.opts.maxRetryAfterMs) {
          throw new TaskFailure(failure.error.code, `${failure.error.message} It asked to wait ${Math.ceil(waitMs / 1000)} s, longer than this server waits.`, true);
        }
        ctx.log.warn({ provider: this.providerName, status: failure.status, attempt: attempt + 1, delayMs: Math.round(waitMs) }, 'AI provider call failed; retrying');
        // An abort during the wait surfaces as the signal's own reason, like one during a call.
        await sleep(waitMs, undefined, { signal: ctx.signal }).catch(() => ctx.signal.throwIfAborted());
      }
    }
  }

  /** AI_MODEL unset with a custom server: vLLM, LM Studio and Ollama list what they serve. */
  private async resolveModel(ctx: CallContext): Promise<string> {
    if (this.model) return this.model;
    try {
      for await (const m of this.sdk.models.list({ signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(this.opts.timeoutMs)]) })) {
        if (m.id) return (this.model = m.id);
      }
    } catch (err) {
      ctx.signal.throwIfAborted();
      ctx.log.warn({ provider: this.providerName, err: this.classify(err, false).error.message }, 'could not list models');
    }
    throw new TaskFailure('AI_PROVIDER_ERROR', 'AI_MODEL is not set and the AI server did not list a model; set AI_MODEL.', false);
  }

  private backoffMs(attempt: number): number {
    const exp = Math.min(this.opts.baseDelayMs * 2 ** attempt, this.opts.maxDelayMs);
    return exp * (0.8 + 0.4 * Math.random());
  }

  /** Any SDK error → a coded failure whose message is safe to show (key and tokens removed). */
  private classify(err: unknown, timedOut: boolean): { error: TaskFailure; retryable: boolean; status?: number; retryAfterMs?: number } {
    const clean = (s: string) => redactSecrets(s, this.secret).slice(0, 300);
    if (err instanceof TaskFailure) return { error: err, retryable: false };
    if (timedOut || err instanceof APIConnectionTimeoutError) {
      const s = Math.round(this.opts.timeoutMs / 1000);
      return { error: new TaskFailure('AI_PROVIDER_ERROR', `The AI provider did not answer within ${s} s.`, true), retryable: true, status: 0 };
    }
    if (err instanceof APIUserAbortError || err instanceof APIConnectionError) {
      return { error: new TaskFailure('AI_PROVIDER_ERROR', 'Could not connect to the AI provider.', true), retryable: true, status: 0 };
    }
    if (err instanceof APIError && typeof err.status === 'number') {
      const status = err.status;
      const body = err.error as { message?: unknown } | undefined;
      const detail = clean(typeof body?.message === 'string' ? body.message : err.message.replace(/^\d+\s*/, ''));
      const transient = status === 408 || status === 409 || status === 429 || status >= 500;
      const code = status === 429 ? 'AI_RATE_LIMITED' : 'AI_PROVIDER_ERROR';
      const what = status === 401 || status === 403 ? 'rejected the credentials' : status === 429 ? 'is rate limiting this server' : `answered HTTP ${status}`;
      const error = new TaskFailure(code, `The AI provider ${what}${detail ? `: ${detail}` : ''}.`.replace(/\.\.$/, '.'), transient);
      return { error, retryable: transient, status, retryAfterMs: retryAfterMs(err.headers) };
    }
    // A 200 whose body is not a chat completion (a proxy's HTML page, a truncated answer).
    const message = err instanceof Error ? clean(err.message) : 'unknown error';
    return { error: new TaskFailure('AI_PROVIDER_ERROR', `The AI provider's answer could not be read: ${message}`, true), retryable: true, status: 200 };
  }
}

/** retry-after-ms (OpenAI), else Retry-After in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers?.get('retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Reasoning models served raw (DeepSeek-R1 on Ollama) prefix their answer with <think>…</think>. */
function stripReasoning(text: string): string {
  return text.replace(/^\s*<think>[\s\S]*?<\/think>\s*/, '');
}

export { emptyUsage, type Usage };
