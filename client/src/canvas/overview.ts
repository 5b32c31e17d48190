import { FLIPCHART_HEADER, type WallLayout } from '../model/layout';
import { BODY_FILL, PAPER } from './theme';
import type { View } from './viewport';

/** At most this many pixels in the overview's bitmap (16 MiB), and at most this long a side. */
const MAX_PIXELS = 4_000_000;
const MAX_SIDE = 8192;

/** Board units → overview pixels: the whole wall within the limits, never enlarged. */
export function overviewRatio(width: number, height: number): number {
  if (width <= 0 || height <= 0) return 1;
  return Math.min(1, MAX_SIDE / width, MAX_SIDE / height, Math.sqrt(MAX_PIXELS / (width * height)));
}

/**
 * The whole wall as one small bitmap — the paper of each flipchart, its header band, and every
 * note as a rectangle of its colour (the far-out level of detail) — shown under the held layers
 * while a wheel zoom is previewed (zoomPreview.ts). Zooming out, the old drawing shrinks to the
 * middle of the screen; the overview fills the band around it with the wall as it is, placed and
 * scaled by a CSS transform like the held layers, until the sharp drawing comes back. Drawn in
 * idle time once the layout has stopped changing for a moment (at 20,000 notes drawing it and
 * handing its bitmap to the compositor takes tens of ms, which the first wheel step out would
 * otherwise wait for), or when first needed if that has not happened yet.
 */
export class WallOverview {
  readonly element: HTMLCanvasElement;
  private drawnFor: WallLayout | null = null;
  private ratio = 1;
  private pending: (() => void) | null = null;

  constructor(parent: HTMLElement) {
    const canvas = document.createElement('canvas');
    canvas.width = 1;
    canvas.height = 1;
    Object.assign(canvas.style, { position: 'absolute', left: '0', top: '0', transformOrigin: '0 0', pointerEvents: 'none', opacity: '0', willChange: 'transform, opacity' });
    canvas.setAttribute('aria-hidden', 'true');
    parent.prepend(canvas);
    this.element = canvas;
  }

  /** The layout changed: draws the newest one when the page is idle (`latest` is read then). */
  prepare(latest: () => WallLayout, quietMs = 500): void {
    this.pending?.();
    let idle: number | null = null;
    const timer = setTimeout(() => {
      const draw = () => {
        this.pending = null;
        const layout = latest();
        if (layout !== this.drawnFor) this.draw(layout);
      };
      if (typeof requestIdleCallback === 'function') idle = requestIdleCallback(draw, { timeout: 2000 });
      else draw();
    }, quietMs);
    this.pending = () => {
      clearTimeout(timer);
      if (idle !== null) cancelIdleCallback(idle);
      this.pending = null;
    };
  }

  destroy(): void {
    this.pending?.();
  }

  show(layout: WallLayout, view: View): void {
    if (this.drawnFor !== layout) this.draw(layout);
    const k = view.scale / this.ratio;
    this.element.style.transform = `matrix(${k}, 0, 0, ${k}, ${view.x}, ${view.y})`;
    this.element.style.opacity = '1';
  }

  hide(): void {
    this.element.style.opacity = '0';
  }

  private draw(layout: WallLayout): void {
    this.drawnFor = layout;
    const r = (this.ratio = overviewRatio(layout.width, layout.height));
    const canvas = this.element;
    canvas.width = Math.max(1, Math.ceil(layout.width * r));
    canvas.height = Math.max(1, Math.ceil(layout.height * r));
    const g = canvas.getContext('2d');
    if (!g) return;
    g.setTransform(r, 0, 0, r, 0, 0);
    for (const f of layout.flipcharts) {
      g.fillStyle = PAPER;
      g.fillRect(f.x, f.y, f.width, f.height);
      g.fillStyle = f.actor.color;
      g.fillRect(f.x, f.y, f.width, FLIPCHART_HEADER);
      g.fillStyle = BODY_FILL;
      for (const a of f.areas) g.fillRect(a.body.x, a.body.y, a.body.width, a.body.height);
    }
    // One path per colour, as BulkNotes draws the far-out wall.
    const byColour = new Map<string, number[]>();
    for (const n of layout.notes) {
      const rects = byColour.get(n.color);
      if (rects) rects.push(n.x, n.y, n.width, n.height);
      else byColour.set(n.color, [n.x, n.y, n.width, n.height]);
    }
    for (const [colour, rects] of byColour) {
      g.beginPath();
      for (let i = 0; i < rects.length; i += 4) g.rect(rects[i]!, rects[i + 1]!, rects[i + 2]!, rects[i + 3]!);
      g.fillStyle = colour;
      g.fill();
    }
  }
}
