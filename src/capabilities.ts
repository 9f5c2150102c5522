import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { execa } from 'execa';
import { resolveProvider } from './ai/provider.js';
import type { Config } from './config.js';

export interface Capabilities {
  /** External programs found on PATH, with their version line. */
  tools: { ghostscript?: string; qpdf?: string; tesseract?: string };
  /** OCR languages installed as @tesseract.js-data packages (offline traineddata). */
  ocrLanguages: string[];
  ai: { configured: boolean; provider?: string; model?: string };
  cloudProviders: string[];
}

async function versionOf(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await execa(cmd, args, { timeout: 5000, reject: false });
    const line = `${stdout}\n${stderr}`.split('\n').find((l) => /\d/.test(l))?.trim();
    return line || undefined;
  } catch {
    return undefined;
  }
}

export function installedOcrLanguages(): string[] {
  try {
    const dir = path.dirname(path.dirname(createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json')));
    return readdirSync(dir).filter((d) => /^[a-z_]{3,8}$/.test(d)).sort();
  } catch {
    return [];
  }
}

/** What this node can do right now; probed once at start (a few ms of child processes). */
export async function probeCapabilities(config: Config): Promise<Capabilities> {
  const [ghostscript, qpdf, tesseract] = await Promise.all([
    versionOf('gs', ['--version']),
    versionOf('qpdf', ['--version']),
    versionOf('tesseract', ['--version']),
  ]);
  const e = config.env;
  // Only the provider's name and model leave this function: the resolution carries the key.
  const { provider } = resolveProvider(e);
  const cloudProviders = [
    e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET && 'google_drive',
    e.DROPBOX_APP_KEY && e.DROPBOX_APP_SECRET && 'dropbox',
    e.ONEDRIVE_CLIENT_ID && e.ONEDRIVE_CLIENT_SECRET && 'onedrive',
    e.S3_BUCKET && 's3',
  ].filter((p): p is string => Boolean(p));
  return {
    tools: { ...(ghostscript ? { ghostscript } : {}), ...(qpdf ? { qpdf } : {}), ...(tesseract ? { tesseract } : {}) },
    ocrLanguages: installedOcrLanguages(),
    ai: { configured: Boolean(provider), ...(provider ? { provider: provider.name } : {}), ...(provider?.model ? { model: provider.model } : {}) },
    cloudProviders,
  };
}
