import type { Rect } from '../model/layout';

/**
 * The view onto the board: board point p is drawn at (x + p.x·scale, y + p.y·scale) in the
 * container. Pure functions; the pan/zoom controller applies them to the Konva stage.
 */
export interface View {
  x: number;
  y: number;
  scale: number;
}

export interface Size {
  width: number;
  height: number;
}

export const MIN_SCALE = 0.08;
export const MAX_SCALE = 3;

export const clampScale = (scale: number) => Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));

export const toScreen = (view: View, p: { x: number; y: number }) => ({ x: view.x + p.x * view.scale, y: view.y + p.y * view.scale });
export const toBoard = (view: View, p: { x: number; y: number }) => ({ x: (p.x - view.x) / view.scale, y: (p.y - view.y) / view.scale });

/** Zooms by `factor` keeping the board point under `anchor` (container pixels) in place. */
export function zoomAround(view: View, anchor: { x: number; y: number }, factor: number): View {
  const scale = clampScale(view.scale * factor);
  const board = toBoard(view, anchor);
  return { scale, x: anchor.x - board.x * scale, y: anchor.y - board.y * scale };
}

/**
 * The view that shows `rect` within `size` with `margin` pixels around it, centred; `align: 'top'`
 * puts the rect's top at the margin instead (for reading a tall flipchart from its header down).
 */
export function fitRect(rect: Rect, size: Size, options: { margin?: number; maxScale?: number; align?: 'center' | 'top'; widthOnly?: boolean } = {}): View {
  const margin = options.margin ?? 40;
  const availableW = Math.max(1, size.width - 2 * margin);
  const availableH = Math.max(1, size.height - 2 * margin);
  const byWidth = availableW / Math.max(1, rect.width);
  const byHeight = availableH / Math.max(1, rect.height);
  const scale = clampScale(Math.min(options.maxScale ?? 1.5, options.widthOnly ? byWidth : Math.min(byWidth, byHeight)));
  const x = (size.width - rect.width * scale) / 2 - rect.x * scale;
  const fitsVertically = rect.height * scale <= availableH;
  const y = options.align === 'top' && !fitsVertically ? margin - rect.y * scale : (size.height - rect.height * scale) / 2 - rect.y * scale;
  return { x, y, scale };
}

/** The smallest pan that brings `rect` (board units) fully into view, with a margin. */
export function panIntoView(view: View, rect: Rect, size: Size, margin = 24): View {
  const s = toScreen(view, rect);
  const w = rect.width * view.scale;
  const h = rect.height * view.scale;
  let dx = 0;
  let dy = 0;
  if (s.x < margin) dx = margin - s.x;
  else if (s.x + w > size.width - margin) dx = size.width - margin - (s.x + w);
  if (s.y < margin) dy = margin - s.y;
  else if (s.y + h > size.height - margin) dy = size.height - margin - (s.y + h);
  return { ...view, x: view.x + dx, y: view.y + dy };
}

export const ease = (t: number) => 1 - Math.pow(1 - t, 3);

export function interpolate(from: View, to: View, t: number): View {
  // Interpolating scale geometrically keeps the zoom speed even.
  const scale = from.scale * Math.pow(to.scale / from.scale, t);
  return { x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t, scale };
}
