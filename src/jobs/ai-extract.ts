import path from 'node:path';
import type { FileJobHandler } from './types.js';
import { safeFilename } from '../storage/filenames.js';
import { EXPORT_TYPES, writeExport, type ExportFormat } from '../ai/export.js';
import { extractData } from '../ai/extract.js';
import { documentFields, jobOptions, readDocumentText } from '../ai/job-input.js';
import { compileSchema } from '../ai/json-schema.js';
import { PRESETS, type PresetName } from '../ai/presets.js';
import { callContext, requireClient, type AiRuntime } from '../ai/runtime.js';

/** The stored options of an ai_extract job: a preset name or the client's schema (checked at submission). */
export interface ExtractJobOptions {
  preset?: PresetName;
  schema?: object;
  export_format: ExportFormat;
}

/** ai_extract: schema-valid data in `result.data` and as a json, csv or xlsx download. */
export function extractHandler(rt: AiRuntime): FileJobHandler {
  return {
    lane: 'io',
    async run(ctx) {
      const client = requireClient(rt);
      const o = jobOptions<ExtractJobOptions>(ctx);
      const schema: object = o.preset ? PRESETS[o.preset] : (o.schema ?? {});
      const validate = compileSchema(schema);
      const doc = await readDocumentText(ctx, { config: rt.config, maxPages: rt.config.maxPages, maxChars: rt.opts.maxInputChars, requireText: true });
      const call = callContext(ctx);
      const x = await extractData(client, doc.text, schema, validate, { contextChars: rt.opts.contextChars, concurrency: rt.opts.concurrency }, call, ctx.progress);
      const { ext, contentType } = EXPORT_TYPES[o.export_format];
      const name = `extracted${ext}`;
      await writeExport(x.data, o.export_format, path.join(await ctx.workDir(), name));
      const base = path.parse(safeFilename(doc.filename)).name;
      return {
        result: {
          data: x.data,
          schema: o.preset ?? 'custom',
          export_format: o.export_format,
          engine: 'llm',
          model: x.model,
          usage: call.usage,
          chunks: x.chunks,
          corrections: x.corrections,
          ...documentFields(doc),
        },
        files: [{ name, downloadName: `${base}_extracted${ext}`, contentType }],
      };
    },
  };
}
