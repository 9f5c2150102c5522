import type { CompressOptions, Level } from './types.js';

/** What one attempt does; a level plus the user's options resolves to one of these. */
export interface Settings {
  level: Level;
  /** False on `low`: no pixel of the rendering may change. */
  lossy: boolean;
  /** Target resolution of colour and gray images at their largest displayed size. */
  ppi: number;
  /**
   * Downsample only images above ppi × threshold: just above the target the saving is small
   * and resampling still costs sharpness (Ghostscript's presets use 1.5 for the same reason).
   */
  threshold: number;
  /** JPEG quality (IJG scale 10–100). */
  quality: number;
  grayscale: boolean;
  removeMetadata: boolean;
}

/**
 * Target resolutions. 150 ppi is the usual screen-and-office-printer resolution (also
 * Ghostscript's /ebook); 110 ppi still reads well on a laptop at 100 % zoom; 72 ppi is a 1:1
 * screen view. The README table and the benchmark note give sizes and visual differences.
 */
export const LEVEL_PPI: Record<Exclude<Level, 'low'>, number> = { medium: 150, high: 110, maximum: 72 };
const THRESHOLD = 1.3;

export function settingsFor(o: CompressOptions): Settings {
  const base = { grayscale: !!o.grayscale, removeMetadata: !!o.removeMetadata, quality: clampQuality(o.imageQuality), threshold: THRESHOLD };
  if (o.compressionLevel === 'low') return { ...base, level: 'low', lossy: false, ppi: Infinity };
  return { ...base, level: o.compressionLevel, lossy: true, ppi: LEVEL_PPI[o.compressionLevel] };
}

/**
 * The next stronger attempt for targetSizeMB: first lower resolutions (cheapest in visible
 * quality per byte saved), then lower JPEG quality, ending at 50 ppi / q25. Null when nothing
 * stronger is left.
 */
export function stronger(s: Settings): Settings | null {
  const ladder = [150, 110, 72, 50];
  const nextPpi = ladder.find((p) => p < s.ppi);
  if (!s.lossy) return { ...s, level: 'medium', lossy: true, ppi: LEVEL_PPI.medium };
  if (nextPpi !== undefined && s.ppi > 72) return { ...s, ppi: nextPpi, level: nextPpi === 110 ? 'high' : 'maximum' };
  if (s.quality > 40) return { ...s, quality: Math.max(40, s.quality - 20), level: 'maximum' };
  if (nextPpi !== undefined) return { ...s, ppi: nextPpi, quality: 25, threshold: 1, level: 'maximum' };
  return null;
}

export function describeSettings(s: Settings): string {
  const parts: string[] = [s.level];
  if (s.lossy) parts.push(`${s.ppi}ppi`, `q${s.quality}`);
  if (s.grayscale) parts.push('gray');
  if (s.removeMetadata) parts.push('no-metadata');
  return parts.join(' ');
}

function clampQuality(q: number): number {
  return Number.isFinite(q) ? Math.min(100, Math.max(10, Math.round(q))) : 80;
}
