import type { PaletteColor } from '../../../shared/templates/palette';

/**
 * What the map draws, fully decided: positions, words (already translated), styles. Built from
 * the board by `build.ts`, turned into SVG text by `svg.ts` — the same text for the screen and
 * for the exported file, so what the facilitator sees is what goes into the memo.
 */
export type MapLayer = 'current' | 'future' | 'both' | 'difference';

/**
 * How an arrow is drawn. `plain`: a one-layer map. `current` / `future`: the two layers drawn
 * together. `added` / `removed` / `kept`: the difference between the current and future maps.
 */
export type EdgeStyle = 'plain' | 'current' | 'future' | 'added' | 'removed' | 'kept';

export interface MapNodeView {
  id: string;
  name: string;
  kind: 'actor' | 'clients';
  color: string;
  pattern: PaletteColor['pattern'];
  x: number;
  y: number;
  /** Read aloud and shown as the tooltip: name, colour name, pattern. */
  ariaLabel: string;
  /** The facilitator can drag it (and move it with the arrow keys). */
  movable: boolean;
}

export interface MapEdgeView {
  id: string;
  from: string;
  to: string;
  kind: 'tangible' | 'intangible';
  style: EdgeStyle;
  label: string;
  /** A word drawn above the label, so that colour is never the only cue ('+ added', 'future'). */
  tag: string | null;
  /** "A → B: label (intangible)". */
  ariaLabel: string;
  selected: boolean;
}

export interface LegendItem {
  sample: 'tangible' | 'intangible' | EdgeStyle;
  text: string;
}

export interface MapModel {
  title: string;
  description: string;
  frame: { width: number; height: number };
  nodes: MapNodeView[];
  edges: MapEdgeView[];
  legend: { heading: string; items: LegendItem[] };
  /** Edges and movable nodes are focusable buttons (the live view); false for exports. */
  interactive: boolean;
  /** Prefix for ids inside the SVG (markers, patterns), so that two maps can share a page. */
  idPrefix: string;
  /** Shown when there are no flows on the selected layer. */
  emptyText?: string;
}

export const NODE_WIDTH = 172;
export const NODE_HEIGHT = 64;
/** The circle a node keeps clear in the automatic layout. */
export const NODE_RADIUS = Math.ceil(Math.hypot(NODE_WIDTH, NODE_HEIGHT) / 2) + 4;

export interface EdgePaint {
  color: string;
  width: number;
  opacity: number;
}

export const EDGE_PAINT: Record<EdgeStyle, EdgePaint> = {
  plain: { color: '#2b3a4a', width: 2.25, opacity: 1 },
  current: { color: '#2b3a4a', width: 2.25, opacity: 1 },
  future: { color: '#1f5fa8', width: 2.75, opacity: 1 },
  added: { color: '#1d7a3e', width: 3.75, opacity: 1 },
  removed: { color: '#b3261e', width: 1.75, opacity: 0.85 },
  kept: { color: '#8795a3', width: 1.75, opacity: 0.9 },
};

export const DASH = '9 6';

/** Space kept around nodes inside the drawing's frame (the frame grows past a node placed closer). */
export const FRAME_PAD = 28;
