import * as Konva from './konva';
import type { View } from './viewport';

/**
 * A layer whose redrawing can be held back: while held, a request to draw it (Konva's batchDraw
 * after the stage moved, a node changed) is remembered, not done; release draws it once.
 */
export class HoldableLayer extends Konva.Layer {
  private held = false;
  private missed = false;

  override drawScene(can?: Parameters<Konva.Layer['drawScene']>[0], top?: Konva.Node): this {
    // A canvas of someone else's (an export, a cache) is always drawn.
    if (!can && this.held) {
      this.missed = true;
      return this;
    }
    return super.drawScene(can, top);
  }

  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    if (!this.missed) return;
    this.missed = false;
    this.draw();
  }

  get element(): HTMLCanvasElement {
    return this.getCanvas()._canvas;
  }
}

/** What the preview needs of a layer (a HoldableLayer). */
export interface Holdable {
  hold(): void;
  release(): void;
  readonly element: { readonly style: { transform: string; transformOrigin: string } };
}

/** What shows under the held layers where their old drawing no longer reaches (zooming out). */
export interface Underlay {
  show(view: View): void;
  hide(): void;
}

/**
 * The wheel zoom's answer within a frame, whatever the wall holds. During a burst of wheel events
 * the layers that only move with the view (the paper, the notes) are not redrawn: their last
 * drawing is moved and scaled with a CSS transform, which the compositor applies without
 * touching their content — at 20,000 notes a redraw (culling, new nodes at a new level of
 * detail, Konva's drawing, the canvas raster) is what made a wheel step cost 40–130 ms. When the
 * wheel rests (`restMs`), or anything else moves the view or changes the board, the layers are
 * redrawn sharp at the view of that moment and the transform removed in the same task (so the
 * same frame shows the sharp drawing). Zoomed in, the preview is the old drawing enlarged (soft
 * for a moment); zoomed out, the band the old drawing did not cover shows the underlay (the
 * whole wall in little, overview.ts) until the rest.
 */
export class ZoomPreview {
  /** The view the held layers were last drawn at; null when nothing is held. */
  private drawn: View | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly layers: readonly Holdable[],
    /** Runs when the preview ends, before the layers are redrawn (the wall re-culls its notes here). */
    private readonly beforeRedraw: () => void,
    private readonly underlay: Underlay | null = null,
    /**
     * A mouse wheel's notches come 20–100 ms apart while it turns; on a loaded machine the page
     * takes them slower still, and a rest detected inside a burst costs the full redraw the
     * preview exists to avoid (the next step then waits for it).
     */
    private readonly restMs = 250,
  ) {}

  get active(): boolean {
    return this.drawn !== null;
  }

  /** The wheel moved the view from `from` (as drawn) to `to`. */
  move(from: View, to: View): void {
    if (!this.drawn) {
      this.drawn = from;
      for (const layer of this.layers) {
        layer.hold();
        layer.element.style.transformOrigin = '0 0';
      }
    }
    const d = this.drawn;
    const k = to.scale / d.scale;
    // Board point b was drawn at d.x + b·d.scale and belongs at to.x + b·to.scale = k·(drawn) + (to.x − k·d.x).
    const transform = `matrix(${k}, 0, 0, ${k}, ${to.x - k * d.x}, ${to.y - k * d.y})`;
    for (const layer of this.layers) layer.element.style.transform = transform;
    if (k < 1) this.underlay?.show(to);
    else this.underlay?.hide();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.settle(), this.restMs);
  }

  /** Ends the preview now (if any): the layers are drawn sharp at the current view. */
  settle(): void {
    if (!this.drawn) return;
    this.drawn = null;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.beforeRedraw();
    for (const layer of this.layers) {
      layer.element.style.transform = '';
      layer.release();
    }
    this.underlay?.hide();
  }

  destroy(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
