import type { Progress } from '../pool/pool.js';
import { chunkText, joinChunks } from './chunking.js';
import type { AiClient, CallContext } from './client.js';
import type { Language } from './languages.js';
import { mapLimit } from '../pool/map-limit.js';
import { translatePrompt } from './prompts.js';

export interface Translation {
  text: string;
  model: string;
  chunks: number;
}

/**
 * Translates chunk by chunk (cut on paragraph boundaries, at most `chunkChars` each, since a
 * model's output limit is usually far below its input window) and puts the pieces back with
 * the original whitespace between them: paragraph order and blank lines survive exactly,
 * and line breaks inside a chunk are kept by the prompt's instruction.
 */
export async function translateText(
  client: AiClient,
  text: string,
  target: Language,
  source: Language | undefined,
  opts: { chunkChars: number; concurrency: number },
  ctx: CallContext,
  progress: (p: Progress) => void,
): Promise<Translation> {
  const { prefix, chunks } = chunkText(text, opts.chunkChars);
  const targetName = `${target.name} (${target.code})`;
  const sourceName = source ? `${source.name} (${source.code})` : undefined;
  let done = 0;
  let model = '';
  const translated = await mapLimit(chunks, opts.concurrency, async (chunk, i) => {
    if (!/\p{L}/u.test(chunk.text)) return chunk.text; // numbers, punctuation, page furniture: nothing to translate
    const answer = await client.chat(translatePrompt(chunk.text, targetName, sourceName, { index: i + 1, count: chunks.length }), ctx);
    model = answer.model;
    progress({ percent: 20 + Math.round((++done / chunks.length) * 75), stage: `translated part ${done}/${chunks.length}` });
    return cleanTranslation(answer.text, chunk.text);
  });
  return { text: joinChunks(prefix, chunks, translated), model, chunks: chunks.length };
}

/**
 * The chunk's own separators carry the whitespace around it, so the answer is trimmed; a
 * code fence or quotes the model wrapped around the whole answer (and the source did not
 * have) are removed.
 */
function cleanTranslation(answer: string, source: string): string {
  let out = answer.trim();
  const fenced = /^```[\w-]*\n([\s\S]*?)\n?```$/.exec(out);
  if (fenced && !source.trimStart().startsWith('```')) out = fenced[1]!.trim();
  const quoted = /^["“«]([\s\S]*)["”»]$/.exec(out);
  if (quoted && !/^["“«]/.test(source.trim())) out = quoted[1]!.trim();
  return out;
}
