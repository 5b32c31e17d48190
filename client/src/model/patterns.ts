import { paletteEntry, type PaletteColor } from '../../../shared/templates/palette';

/**
 * Each palette colour has a pattern (shared/templates/palette.ts) so that colour is never the
 * only cue. Drawn as a small SVG tile in dark ink over the colour, usable as a CSS background.
 */
const INK = 'stroke="#1b2733" stroke-opacity="0.55" stroke-width="1.2" fill="none"';
const TILES: Record<PaletteColor['pattern'], string | null> = {
  none: null,
  dots: '<circle cx="4" cy="4" r="1.5" fill="#1b2733" fill-opacity="0.55"/>',
  stripes: `<path d="M0 4H8" ${INK}/>`,
  grid: `<path d="M0 .6H8M.6 0V8" ${INK}/>`,
  diagonal: `<path d="M-1 1L1 -1M0 8L8 0M7 9L9 7" ${INK}/>`,
  waves: `<path d="M0 5Q2 1.5 4 5T8 5" ${INK}/>`,
  cross: `<path d="M4 1.5V6.5M1.5 4H6.5" ${INK}/>`,
  rings: `<circle cx="4" cy="4" r="2.1" ${INK}/>`,
  zigzag: `<path d="M0 6L2 2L4 6L6 2L8 6" ${INK}/>`,
};

export function patternImage(color: string): string {
  const tile = TILES[paletteEntry(color)?.pattern ?? 'none'];
  if (!tile) return 'none';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">${tile}</svg>`;
  return `url("data:image/svg+xml,${encodeURIComponent(svg)}")`;
}
