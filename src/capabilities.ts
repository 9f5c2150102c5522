import { execa } from 'execa';
import { resolveProvider } from './ai/provider.js';
import type { Config } from './config.js';
import { languageCodes } from './ocr/languages.js';

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

/** OCR languages installed as @tesseract.js-data packages (the OCR module's own list). */
export function installedOcrLanguages(): string[] {
  return languageCodes();
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
