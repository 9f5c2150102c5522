/** Token counts of a job's model calls, summed: the `usage` of an AI job's result. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Successful chat-completion calls (map + reduce, chunks, a validation retry…). */
  requests: number;
}

export function emptyUsage(): Usage {
  return { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, requests: 0 };
}

const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/** Adds one answer's `usage` (absent on some local servers: then only `requests` grows). */
export function addUsage(into: Usage, u: { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown } | null | undefined): void {
  const prompt = count(u?.prompt_tokens);
  const completion = count(u?.completion_tokens);
  into.prompt_tokens += prompt;
  into.completion_tokens += completion;
  into.total_tokens += count(u?.total_tokens) || prompt + completion;
  into.requests += 1;
}
