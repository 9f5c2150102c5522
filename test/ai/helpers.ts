import pino from 'pino';
import type { Test } from 'tap';
import type { FastifyBaseLogger } from 'fastify';
import { defaultHandlers } from '../../src/jobs/index.js';
import type { AiOverrides } from '../../src/ai/runtime.js';
import { emptyUsage } from '../../src/ai/usage.js';
import type { CallContext, ClientOptions } from '../../src/ai/client.js';
import { LogSink, startApp, type TestApp } from '../helpers/app.js';
import type { FakeOpenAI } from '../helpers/fake-openai.js';

/** A key shaped like a real one, so redaction by pattern and by value are both exercised. */
export const SECRET_KEY = 'sk-test-Zx8SECRETkey0123456789';

/**
 * Backoff in milliseconds, not seconds: the suite must stay fast. The timeout is generous (a
 * loaded CI machine); tests of the timeout itself set a short one against a much slower answer.
 */
export const FAST_CLIENT: ClientOptions = { timeoutMs: 5000, maxRetries: 2, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2000 };

/** Environment pointing the app at a fake provider; one attempt per job, so failures are final at once. */
export function aiEnv(fake: FakeOpenAI, extra: Record<string, string> = {}): Record<string, string> {
  return { AI_BASE_URL: fake.url, AI_API_KEY: SECRET_KEY, AI_MODEL: 'fake-model', JOB_MAX_ATTEMPTS: '1', ...extra };
}

/** The app with only the AI job types, fast client options and the given overrides. */
export async function startAiApp(t: Test, env: Record<string, string>, overrides: AiOverrides = {}): Promise<TestApp> {
  return startApp(t, { JOB_MAX_ATTEMPTS: '1', ...env }, { handlers: (config) => defaultHandlers(config, { ai: { ...overrides, client: { ...FAST_CLIENT, ...overrides.client } } }) });
}

/** A call context whose log lines are collected (to check what they say, and what they never say). */
export function callContext(signal: AbortSignal = new AbortController().signal): { ctx: CallContext; logs: LogSink } {
  const logs = new LogSink();
  const log = pino({ level: 'debug' }, logs) as unknown as FastifyBaseLogger;
  return { ctx: { signal, log, usage: emptyUsage() }, logs };
}

/** A PDF whose pages hold the given lines of text (an empty page array = a page with no text layer). */
export async function prosePdf(pages: string[][]): Promise<Buffer> {
  const { PDFDocument, StandardFonts } = await import('pdf-lib');
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = doc.addPage([595, 842]);
    lines.forEach((line, n) => page.drawText(line, { x: 40, y: 800 - n * 16, size: 10, font }));
  }
  return Buffer.from(await doc.save());
}
