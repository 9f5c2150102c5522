import { readFileSync } from 'node:fs';
import type * as Mupdf from 'mupdf';

/**
 * MuPDF is loaded on first use, not at thread start: a thread that only ever runs cheap
 * tasks (the queue benchmark's no-op) then costs no WASM heap.
 */
let mupdfModule: Promise<typeof Mupdf> | undefined;
export function loadMupdf(): Promise<typeof Mupdf> {
  return (mupdfModule ??= (capWasmHeap(), import('mupdf')).then((m) => {
    // MuPDF writes its warnings ("trying to repair broken xref", …) straight to stderr, a few
    // lines for every damaged upload, outside the JSON log. What matters reaches the caller as
    // the exception it throws; the chatter is dropped.
    m.setLog({});
    return m;
  }));
}

/**
 * MuPDF's WebAssembly heap per thread. The build lets it grow to 2 GiB, and a WebAssembly
 * heap never shrinks: one whole-stream read of a 16000×16000 image (768 MB, compression's
 * lossless pass) left its thread at 1.96 GB RSS for good; capped, the read fails like any
 * allocation ("realloc … failed", caught, the image left as it is) at 263 MB and MuPDF
 * carries on. 1 GiB holds what real files need (a 600 dpi A3 colour scan is 209 MB).
 */
export const MUPDF_HEAP_LIMIT = 1024 ** 3;

/**
 * The binding reads `globalThis.$libmupdf_wasm_Module` as Emscripten's module options when
 * it is first imported; its instantiateWasm hook lets us instantiate the module ourselves
 * and refuse growth past the limit on the exported memory (Emscripten grows the heap only
 * through that memory's grow(), and treats a throw as an allocation failure).
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: abstract new () => WasmMemory;
}

let heapMemory: WasmMemory | undefined;

function capWasmHeap(): void {
  const g = globalThis as { $libmupdf_wasm_Module?: object };
  if (g.$libmupdf_wasm_Module) return;
  let bytes: Buffer;
  try {
    bytes = readFileSync(new URL('mupdf-wasm.wasm', import.meta.resolve('mupdf')));
  } catch {
    return; // a layout this code does not know: MuPDF keeps its own 2 GiB limit
  }
  const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly; // no DOM lib here, so typed by hand
  g.$libmupdf_wasm_Module = {
    instantiateWasm(imports: object, done: (instance: object, module: object) => void) {
      const module = new wasm.Module(bytes); // ~35 ms, once per thread
      const instance = new wasm.Instance(module, imports);
      for (const value of Object.values(instance.exports)) {
        if (!(value instanceof wasm.Memory)) continue;
        const memory = value;
        heapMemory = memory;
        const grow = memory.grow.bind(memory);
        memory.grow = (pages: number) => {
          if (memory.buffer.byteLength + pages * 65536 > MUPDF_HEAP_LIMIT) throw new RangeError('MuPDF heap limit');
          return grow(pages);
        };
      }
      done(instance, module);
      return {};
    },
  };
}

/**
 * How much memory this thread's MuPDF holds now: its WebAssembly heap, which grows to the
 * largest document it ever opened and never shrinks (0 until MuPDF is first loaded). The pool
 * replaces a thread whose heap passed WORKER_RECYCLE_MB (workers/task.ts).
 */
export function mupdfHeapBytes(): number {
  return heapMemory?.buffer.byteLength ?? 0;
}
