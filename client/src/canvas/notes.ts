import * as Konva from './konva';
import type { NoteLayout } from '../model/layout';
import { fitText, wrapText, type FittedText, type Measure } from '../model/text';
import { measureFor } from './measure';
import type { KeyedRenderer } from './reconcile';
import { ACCENT, FOCUS, FONT, INK, NOTE_AUTHOR_HEIGHT, NOTE_PADDING, PAPER, shade } from './theme';
import type { Detail } from './culling';

/**
 * One sticky note = ONE canvas node (a NoteShape): a rectangle in the author's actor colour, its
 * text fitted to the box, the author small at the bottom, all drawn by one scene function from a
 * "look" computed when the note changes (text wrapping is measured then, cached per text and box,
 * never per frame). Your own notes carry a darker edge; drafts a dashed one and a tag. Selection,
 * focus and replay's marks are part of the same drawing; the × is one shared node (wall.ts) placed
 * on the note under the pointer. 2,000 notes were 34,000 Konva nodes with one node group each.
 */
export interface NoteItem {
  layout: NoteLayout;
  /** Yours and changeable (not a draft, wall not locked). */
  editable: boolean;
  selected: boolean;
  hovered: boolean;
  editing: boolean;
  /** The note the facilitator is reading aloud. */
  focused: boolean;
  /** Level of detail for the zoom: below a readable size the small print is not drawn at all. */
  detail: Detail;
  /** Replay's comparison of two moments: how this note differs (a coloured frame and a badge). */
  mark?: NoteMark | null;
}

/** Replay (compare): added and removed notes, moved or edited ones. A removed note is drawn faded. */
export type NoteMark = 'added' | 'removed' | 'moved' | 'edited';

/** Frame colour and badge of each mark: the badge's symbol says it without the colour. */
export const NOTE_MARKS: Record<NoteMark, { color: string; symbol: string }> = {
  added: { color: '#1e7d34', symbol: '+' },
  removed: { color: '#b3261e', symbol: '−' },
  moved: { color: '#1d5fb4', symbol: '↔' },
  edited: { color: '#b25e00', symbol: '✎' },
};

export { detailFor, type Detail } from './culling';

export interface NoteContext {
  measure: Measure;
  sizes: number[];
  draftLabel: string;
  /** The tag on a note the server posted after its round ended (`note.late`, issue 9). */
  lateLabel?: string;
  deleteLabel: string;
}

export const noteKey = (n: NoteLayout) => `${n.note.participantId}:${n.note.id}`;

const fitsWords = (text: string, width: number, size: number, measure: Measure) => text.split(/\s+/).every((word) => measure(word, size) <= width);

const fitCache = new Map<string, FittedText>();
function fitted(text: string, box: { width: number; height: number }, c: NoteContext): FittedText {
  const key = `${c.sizes.join(',')}|${box.width}x${box.height}|${text}`;
  let result = fitCache.get(key);
  if (!result) {
    if (fitCache.size > 8000) fitCache.clear();
    // Prefer sizes at which no word has to be broken mid-word ("organisaatioide|n").
    // The smallest size always stays, so this never truncates more than plain fitText would.
    const whole = c.sizes.filter((size) => fitsWords(text, box.width, size, c.measure));
    result = fitText(text, box, c.measure, whole.length > 0 ? whole : c.sizes);
    fitCache.set(key, result);
  }
  return result;
}

/**
 * The note being read aloud shows its WHOLE text, never "…": when its text does not fit the
 * usual box, the card grows — twice as wide, as tall as the text needs — over its neighbours
 * (it is raised to the top while focused). Returns the grown size, or null when it fits as it is.
 */
export function grownNote(text: string, box: { width: number; height: number }, c: Pick<NoteContext, 'measure' | 'sizes'>): { width: number; height: number; fit: FittedText } | null {
  if (!fitted(text, box, c as NoteContext).truncated) return null;
  const width = box.width * 2 + 2 * NOTE_PADDING;
  // The largest size at which the text fits 2× the width and at most 4× the height; the smallest otherwise, with all lines.
  const tall = { width, height: box.height * 4 };
  let fit = fitText(text, tall, c.measure, c.sizes);
  if (fit.truncated) {
    const fontSize = c.sizes[c.sizes.length - 1]!;
    fit = { fontSize, lines: wrapText(text, width, fontSize, c.measure), truncated: false };
  }
  return { width, height: Math.max(box.height, Math.ceil(fit.lines.length * fit.fontSize * 1.2)), fit };
}

/** Everything a note's drawing needs, computed once per change of the note (not per frame). */
interface NoteLook {
  /** Drawn size (a focused note with a long text grows). */
  width: number;
  height: number;
  /** Layout size (selection and marks frame it). */
  baseWidth: number;
  baseHeight: number;
  detail: Detail;
  color: string;
  edge: string;
  edgeWidth: number;
  dashed: boolean;
  shadow: number;
  /**
   * The fitted text, or how to fit it: fitting is measured on the note's first drawing ON SCREEN
   * (nodes exist for a margin around the view, and most of them are never looked at).
   */
  text: LookText | null | (() => LookText | null);
  author: { text: string; y: number } | null;
  tag: { label: string; x: number; width: number; dashed: boolean } | null;
  selected: boolean;
  focused: boolean;
  mark: { color: string; symbol: string; k: number; dashed: boolean } | null;
}

interface LookText { lines: string[]; fontSize: number; y: number }

function lookText(look: NoteLook): LookText | null {
  if (typeof look.text === 'function') look.text = look.text();
  return look.text;
}

/** Whether a rectangle in the context's current (translate + scale) coordinates meets its canvas. */
function onCanvas(g: CanvasRenderingContext2D, x: number, y: number, width: number, height: number): boolean {
  const m = g.getTransform();
  const left = m.a * x + m.e;
  const top = m.d * y + m.f;
  return left < g.canvas.width && top < g.canvas.height && left + m.a * width > 0 && top + m.d * height > 0;
}

/** A note on the canvas: one shape, drawn from its look. `name: 'note'`, id = noteKey, attr noteId. */
export class NoteShape extends Konva.Shape {
  look: NoteLook | null = null;

  constructor(key: string, noteId: string) {
    // `fill` is the paper's colour (what tests read); the scene function draws it, and hit testing
    // fills the shape's rectangle with its own colour key.
    super({ name: 'note', id: key, fill: '#ffffff', perfectDrawEnabled: false, shadowForStrokeEnabled: false });
    this.setAttr('noteId', noteId);
    this.sceneFunc((context) => {
      const look = this.look;
      // Konva draws every node of a layer; a note off the canvas (in the margin kept around the
      // view) is skipped here, which also keeps its text unmeasured until it comes into view.
      // The margin covers the focus ring, selection and replay's marks.
      if (look && onCanvas(context._context, -48, -48, look.width + 96, look.height + 96)) drawNote(context._context, look);
    });
    // Hit testing is the paper's rectangle: cheap, and the text never makes holes in it.
    this.hitFunc((context, shape) => {
      const look = this.look;
      if (!look) return;
      context.beginPath();
      context.rect(0, 0, look.width, look.height);
      context.closePath();
      context.fillStrokeShape(shape);
    });
  }

  /** The note's text as it is drawn now ('' when zoomed too far out or being edited). */
  drawnText(): string {
    return (this.look && lookText(this.look))?.lines.join('\n') ?? '';
  }
}

export function noteRenderer(ctx: () => NoteContext): KeyedRenderer<NoteItem, NoteShape> {
  return {
    key: (item) => noteKey(item.layout),
    signature: ({ layout: l, ...state }) =>
      [l.note.text, l.x, l.y, l.width, l.height, l.color, l.note.authorName, l.note.mine, l.note.draft, l.note.late === true, state.editable, state.selected, state.editing, state.focused, state.detail, state.mark ?? '', ctx().draftLabel, ctx().lateLabel ?? ''].join('|'),
    create: (item) => new NoteShape(noteKey(item.layout), item.layout.note.id),
    update: (shape, item) => updateNote(shape, item, ctx()),
  };
}

const ellipsisCache = new Map<string, string>();
/** `text` cut with "…" to fit `width` at `size` (the author line), cached. */
function ellipsize(text: string, width: number, size: number, measure: Measure): string {
  const key = `${width}|${size}|${text}`;
  let result = ellipsisCache.get(key);
  if (result === undefined) {
    if (ellipsisCache.size > 4000) ellipsisCache.clear();
    result = text;
    if (measure(text, size) > width) {
      let cut = text.length;
      while (cut > 0 && measure(`${text.slice(0, cut)}…`, size) > width) cut--;
      result = `${text.slice(0, cut)}…`;
    }
    ellipsisCache.set(key, result);
  }
  return result;
}

const AUTHOR_SIZE = 11.5;
const TAG_SIZE = 11.5;

function updateNote(shape: NoteShape, item: NoteItem, c: NoteContext): void {
  const { layout: l } = item;
  const { note } = l;
  if (!shape.isDragging()) shape.position({ x: l.x, y: l.y });
  shape.draggable(item.editable && !item.editing);
  shape.setAttr('editable', item.editable);
  // A draft's tag, or a late note's, takes a line at the top.
  const tagLabel = note.draft ? c.draftLabel : note.late === true && c.lateLabel ? c.lateLabel : null;
  const tagged = tagLabel !== null;
  const textBox = { width: l.width - 2 * NOTE_PADDING, height: l.height - 2 * NOTE_PADDING - NOTE_AUTHOR_HEIGHT - (tagged ? 16 : 0) };
  // Text that is not drawn is not fitted either (measuring is most of a note's cost; a whole wall
  // zoomed out shows none). The detail level is in the signature: zooming in refits.
  const showText = !item.editing && item.detail !== 'minimal';
  const grown = showText && item.focused ? grownNote(note.text, textBox, c) : null;
  const width = grown ? grown.width + 2 * NOTE_PADDING : l.width;
  const height = grown ? grown.height + 2 * NOTE_PADDING + NOTE_AUTHOR_HEIGHT + (tagged ? 16 : 0) : l.height;
  const textY = NOTE_PADDING + (tagged ? 16 : 0);
  const style = item.mark ? NOTE_MARKS[item.mark] : null;
  const tagWidth = tagLabel !== null ? Math.ceil(measureFor('bold')(tagLabel, TAG_SIZE) + 18) : 0;
  shape.look = {
    width, height, baseWidth: l.width, baseHeight: l.height,
    detail: item.detail,
    color: l.color,
    edge: note.mine ? shade(l.color, -0.6) : shade(l.color, -0.3),
    edgeWidth: note.mine ? 2 : 1,
    dashed: note.draft,
    shadow: note.draft ? 0 : note.mine ? 0.16 : 0.11,
    text: !showText ? null : grown ? { lines: grown.fit.lines, fontSize: grown.fit.fontSize, y: textY } : () => {
      const fit = fitted(note.text, textBox, c);
      return { lines: fit.lines, fontSize: fit.fontSize, y: textY };
    },
    author: !item.editing && item.detail === 'full' && note.authorName
      ? { text: ellipsize(note.authorName, width - 2 * NOTE_PADDING, AUTHOR_SIZE, c.measure), y: height - NOTE_PADDING - 12 }
      : null,
    tag: tagLabel !== null && item.detail !== 'minimal' ? { label: tagLabel, x: l.width - tagWidth - 6, width: tagWidth, dashed: note.draft } : null,
    selected: item.selected,
    focused: item.focused,
    // Zoomed out the marks grow, so that a comparison still reads at a glance over the whole wall.
    mark: style ? { color: style.color, symbol: style.symbol, k: item.detail === 'full' ? 1 : item.detail === 'reduced' ? 2 : 5, dashed: item.mark === 'removed' } : null,
  };
  shape.size({ width, height });
  shape.fill(l.color);
  if (item.focused) shape.moveToTop();
  // Faded while marked removed; otherwise opacity is left alone (a drag fades the note it moves).
  const faded = item.mark === 'removed';
  if (faded !== !!shape.getAttr('markFaded')) {
    shape.setAttr('markFaded', faded);
    shape.opacity(faded ? 0.5 : 1);
  }
}

function roundRect(g: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  g.beginPath();
  g.roundRect(x, y, w, h, r);
}

/** The scene function of a note: native canvas calls only, in the note's own coordinates. */
function drawNote(g: CanvasRenderingContext2D, look: NoteLook): void {
  const { width: w, height: h } = look;
  if (look.detail === 'minimal') {
    // A few pixels on screen: coloured paper with its edge, nothing else.
    g.fillStyle = look.color;
    g.fillRect(0, 0, w, h);
    g.lineWidth = look.edgeWidth * 2;
    g.strokeStyle = look.edge;
    g.strokeRect(0, 0, w, h);
  } else {
    if (look.focused) {
      g.strokeStyle = FOCUS;
      g.lineWidth = 6;
      roundRect(g, -7, -7, w + 14, h + 14, 9);
      g.stroke();
    }
    // A soft drop shadow as two offset translucent sheets: a blurred shadow is the most expensive
    // thing software rendering can be asked for, 2,000 times per frame. Zoomed out (below 42 %)
    // it would be under a pixel wide: not drawn, and those are the frames with the most notes.
    if (look.shadow > 0 && look.detail === 'full') {
      g.fillStyle = `rgba(27,39,51,${look.shadow})`;
      roundRect(g, 0, 2, w, h + 1, 4);
      g.fill();
      g.fillStyle = `rgba(27,39,51,${look.shadow / 2})`;
      roundRect(g, -1, 1, w + 2, h + 3, 5);
      g.fill();
    }
    roundRect(g, 0, 0, w, h, 3);
    g.fillStyle = look.color;
    g.fill();
    g.strokeStyle = look.edge;
    g.lineWidth = look.edgeWidth;
    if (look.dashed) g.setLineDash([7, 4]);
    g.stroke();
    if (look.dashed) g.setLineDash([]);
    g.fillStyle = INK;
    g.textBaseline = 'middle';
    const text = lookText(look);
    if (text) {
      const { lines, fontSize, y } = text;
      g.font = `${fontSize}px ${FONT}`;
      const lineHeight = fontSize * 1.2;
      for (let i = 0; i < lines.length; i++) g.fillText(lines[i]!, NOTE_PADDING, y + (i + 0.5) * lineHeight);
    }
    if (look.author) {
      g.globalAlpha *= 0.72;
      g.font = `${AUTHOR_SIZE}px ${FONT}`;
      g.fillText(look.author.text, NOTE_PADDING, look.author.y + AUTHOR_SIZE / 2);
      g.globalAlpha /= 0.72;
    }
    if (look.tag) {
      const { x, width, label, dashed } = look.tag;
      roundRect(g, x, 6, width, 20, 10);
      g.fillStyle = PAPER;
      g.fill();
      g.strokeStyle = INK;
      g.lineWidth = 1;
      if (dashed) g.setLineDash([3, 2]);
      g.stroke();
      if (dashed) g.setLineDash([]);
      g.fillStyle = INK;
      g.font = `bold ${TAG_SIZE}px ${FONT}`;
      g.textAlign = 'center';
      g.fillText(label, x + width / 2, 16);
      g.textAlign = 'left';
    }
  }
  if (look.selected) {
    g.strokeStyle = ACCENT;
    g.lineWidth = 3;
    roundRect(g, -4, -4, look.baseWidth + 8, look.baseHeight + 8, 6);
    g.stroke();
  }
  const mark = look.mark;
  if (mark) {
    const k = mark.k;
    const pad = 3 + 2 * k;
    g.strokeStyle = mark.color;
    g.lineWidth = 4 * k;
    if (mark.dashed) g.setLineDash([8 * k, 5 * k]);
    roundRect(g, -pad, -pad, look.baseWidth + 2 * pad, look.baseHeight + 2 * pad, 4 + 3 * k);
    g.stroke();
    if (mark.dashed) g.setLineDash([]);
    g.beginPath();
    g.arc(-2, -2, 12 * k, 0, Math.PI * 2);
    g.fillStyle = mark.color;
    g.fill();
    g.strokeStyle = PAPER;
    g.lineWidth = 2 * k;
    g.stroke();
    g.fillStyle = PAPER;
    g.font = `bold ${15 * k}px ${FONT}`;
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.fillText(mark.symbol, -2, -1);
    g.textAlign = 'left';
  }
}

/**
 * The × that deletes a note: ONE node for the whole wall, moved onto the note you point at or
 * have selected (see wall.ts). Its `note` attribute is the note it currently belongs to.
 */
export function createDeleteButton(label: string): Konva.Group {
  const remove = new Konva.Group({ name: 'delete', visible: false });
  remove.setAttr('label', label);
  remove.add(
    new Konva.Circle({ radius: 13, fill: INK, stroke: PAPER, strokeWidth: 2 }),
    new Konva.Line({ points: [-4.5, -4.5, 4.5, 4.5], stroke: PAPER, strokeWidth: 2.2, lineCap: 'round', listening: false }),
    new Konva.Line({ points: [-4.5, 4.5, 4.5, -4.5], stroke: PAPER, strokeWidth: 2.2, lineCap: 'round', listening: false }),
  );
  return remove;
}

/**
 * Zoomed far out (detail 'minimal') every note is a few pixels of coloured paper: the notes that
 * nobody can act on there are drawn by ONE shape, a path per colour, instead of a node each —
 * at 20,000 notes a node each would be 20,000 transforms to invalidate and draw on every frame
 * of a zoom. Yours (draggable), the selected, followed, edited or marked ones stay nodes.
 * It does not listen; wall.ts finds the note under the pointer in its grid instead.
 */
export class BulkNotes extends Konva.Shape {
  private byColour = new Map<string, { edge: string; rects: number[] }>();

  constructor() {
    super({ name: 'bulk-notes', listening: false, perfectDrawEnabled: false });
    this.sceneFunc((context) => {
      const g = context._context;
      // Only the rects on the canvas go into the paths (the set covers a margin around the view);
      // the edge is drawn only while a note is wider than a few pixels, where it still separates
      // neighbours — below that it is a hairline that costs as much as the paper.
      const m = g.getTransform();
      const left = -m.e / m.a;
      const top = -m.f / m.d;
      const right = left + g.canvas.width / m.a;
      const bottom = top + g.canvas.height / m.d;
      for (const [colour, { edge, rects }] of this.byColour) {
        g.beginPath();
        let edges = false;
        for (let i = 0; i < rects.length; i += 4) {
          const x = rects[i]!;
          const y = rects[i + 1]!;
          const w = rects[i + 2]!;
          const h = rects[i + 3]!;
          if (x > right || y > bottom || x + w < left || y + h < top) continue;
          g.rect(x, y, w, h);
          edges ||= w * m.a >= 6;
        }
        g.fillStyle = colour;
        g.fill();
        if (!edges) continue;
        g.lineWidth = 2;
        g.strokeStyle = edge;
        g.stroke();
      }
    });
  }

  setNotes(notes: readonly NoteLayout[]): void {
    const byColour = new Map<string, { edge: string; rects: number[] }>();
    for (const n of notes) {
      let entry = byColour.get(n.color);
      if (!entry) byColour.set(n.color, (entry = { edge: shade(n.color, -0.3), rects: [] }));
      entry.rects.push(n.x, n.y, n.width, n.height);
    }
    if (byColour.size === 0 && this.byColour.size === 0) return;
    this.byColour = byColour;
    this.getLayer()?.batchDraw();
  }
}
