import * as Konva from './konva';
import type { NoteLayout } from '../model/layout';
import { fitText, wrapText, type FittedText, type Measure } from '../model/text';
import { measureFor } from './measure';
import type { KeyedRenderer } from './reconcile';
import { ACCENT, FOCUS, FONT, INK, NOTE_AUTHOR_HEIGHT, NOTE_PADDING, PAPER, shade } from './theme';

/**
 * One sticky note: a rectangle in the author's actor colour, its text fitted to the box, the
 * author small at the bottom. Your own notes carry a darker edge; drafts a dashed one and a tag.
 * Selection, hover and the × are attributes of the same nodes, so they never rebuild a note.
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

/** full: everything; reduced: no author line (too small to read); minimal: coloured paper only. */
export type Detail = 'full' | 'reduced' | 'minimal';

export function detailFor(scale: number): Detail {
  return scale < 0.18 ? 'minimal' : scale < 0.42 ? 'reduced' : 'full';
}

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

export function noteRenderer(ctx: () => NoteContext): KeyedRenderer<NoteItem, Konva.Group> {
  return {
    key: (item) => noteKey(item.layout),
    signature: ({ layout: l, ...state }) =>
      [l.note.text, l.x, l.y, l.width, l.height, l.color, l.note.authorName, l.note.mine, l.note.draft, l.note.late === true, state.editable, state.selected, state.hovered, state.editing, state.focused, state.detail, state.mark ?? '', ctx().draftLabel, ctx().lateLabel ?? ''].join('|'),
    create: (item) => createNote(item),
    update: (group, item) => updateNote(group, item, ctx()),
  };
}

function createNote(item: NoteItem): Konva.Group {
  const group = new Konva.Group({ name: 'note', id: noteKey(item.layout) });
  group.setAttr('noteId', item.layout.note.id);
  group.add(
    new Konva.Rect({ name: 'focus', x: -7, y: -7, cornerRadius: 9, stroke: FOCUS, strokeWidth: 6, listening: false }),
    new Konva.Rect({ name: 'paper', cornerRadius: 3, shadowColor: '#1b2733', shadowBlur: 6, shadowOffsetY: 2, shadowOpacity: 0.22, shadowForStrokeEnabled: false, perfectDrawEnabled: false }),
    new Konva.Text({ name: 'text', x: NOTE_PADDING, y: NOTE_PADDING, fontFamily: FONT, fill: INK, lineHeight: 1.2, wrap: 'none', listening: false }),
    new Konva.Text({ name: 'author', x: NOTE_PADDING, fontFamily: FONT, fontSize: 11.5, fill: INK, opacity: 0.72, wrap: 'none', ellipsis: true, listening: false }),
    new Konva.Rect({ name: 'selection', x: -4, y: -4, cornerRadius: 6, stroke: ACCENT, strokeWidth: 3, listening: false }),
  );
  const tag = new Konva.Group({ name: 'draft', listening: false });
  tag.add(new Konva.Rect({ name: 'draftBox', height: 20, cornerRadius: 10, fill: PAPER, stroke: INK, strokeWidth: 1, dash: [3, 2] }));
  tag.add(new Konva.Text({ name: 'draftText', height: 20, fontFamily: FONT, fontSize: 11.5, fontStyle: 'bold', fill: INK, align: 'center', verticalAlign: 'middle' }));
  const remove = new Konva.Group({ name: 'delete' });
  remove.add(
    new Konva.Circle({ radius: 13, fill: INK, stroke: PAPER, strokeWidth: 2 }),
    new Konva.Line({ points: [-4.5, -4.5, 4.5, 4.5], stroke: PAPER, strokeWidth: 2.2, lineCap: 'round', listening: false }),
    new Konva.Line({ points: [-4.5, 4.5, 4.5, -4.5], stroke: PAPER, strokeWidth: 2.2, lineCap: 'round', listening: false }),
  );
  const mark = new Konva.Group({ name: 'mark', listening: false, visible: false });
  mark.add(
    new Konva.Rect({ name: 'markFrame', x: -5, y: -5, cornerRadius: 7, strokeWidth: 4 }),
    new Konva.Circle({ name: 'markBadge', x: -2, y: -2, radius: 12, stroke: PAPER, strokeWidth: 2 }),
    new Konva.Text({ name: 'markText', x: -14, y: -14, width: 24, height: 24, fontFamily: FONT, fontSize: 15, fontStyle: 'bold', fill: PAPER, align: 'center', verticalAlign: 'middle' }),
  );
  group.add(tag, remove, mark);
  return group;
}

function updateNote(group: Konva.Group, item: NoteItem, c: NoteContext): void {
  const { layout: l } = item;
  const { note } = l;
  if (!group.isDragging()) group.position({ x: l.x, y: l.y });
  group.draggable(item.editable && !item.editing);
  group.setAttr('editable', item.editable);
  const paper = group.findOne<Konva.Rect>('.paper')!;
  paper.setAttrs({
    width: l.width, height: l.height, fill: l.color,
    stroke: note.mine ? shade(l.color, -0.6) : shade(l.color, -0.3),
    strokeWidth: note.mine ? 2 : 1,
    dash: note.draft ? [7, 4] : [],
    dashEnabled: note.draft,
    shadowOpacity: note.draft ? 0 : note.mine ? 0.3 : 0.2,
  });
  // A draft's tag, or a late note's, takes a line at the top.
  const tagLabel = note.draft ? c.draftLabel : note.late === true && c.lateLabel ? c.lateLabel : null;
  const tagged = tagLabel !== null;
  const textBox = { width: l.width - 2 * NOTE_PADDING, height: l.height - 2 * NOTE_PADDING - NOTE_AUTHOR_HEIGHT - (tagged ? 16 : 0) };
  // Text that is not drawn is not fitted or set either (measuring it is most of a note's cost; a
  // whole wall zoomed out shows none). The detail level is in the signature: zooming in sets it.
  const textNode = group.findOne<Konva.Text>('.text')!;
  const showText = !item.editing && item.detail !== 'minimal';
  const grown = showText && item.focused ? grownNote(note.text, textBox, c) : null;
  const width = grown ? grown.width + 2 * NOTE_PADDING : l.width;
  const height = grown ? grown.height + 2 * NOTE_PADDING + NOTE_AUTHOR_HEIGHT + (tagged ? 16 : 0) : l.height;
  paper.setAttrs({ width, height });
  if (item.focused) group.moveToTop();
  if (showText) {
    const fit = grown?.fit ?? fitted(note.text, textBox, c);
    textNode.setAttrs({ y: NOTE_PADDING + (tagged ? 16 : 0), width: grown ? grown.width : textBox.width, text: fit.lines.join('\n'), fontSize: fit.fontSize, visible: true });
  } else textNode.visible(false);
  const authorNode = group.findOne<Konva.Text>('.author')!;
  if (!item.editing && item.detail === 'full') authorNode.setAttrs({ y: height - NOTE_PADDING - 12, width: width - 2 * NOTE_PADDING, text: note.authorName, visible: true });
  else authorNode.visible(false);
  group.findOne<Konva.Rect>('.selection')!.setAttrs({ width: l.width + 8, height: l.height + 8, visible: item.selected });
  group.findOne<Konva.Rect>('.focus')!.setAttrs({ width: width + 14, height: height + 14, visible: item.focused });
  const tag = group.findOne<Konva.Group>('.draft')!;
  tag.visible(tagged && item.detail !== 'minimal');
  if (tagLabel !== null) {
    const tagWidth = Math.ceil(measureFor('bold')(tagLabel, 11.5) + 18);
    tag.position({ x: l.width - tagWidth - 6, y: 6 });
    tag.findOne<Konva.Rect>('.draftBox')!.setAttrs({ width: tagWidth, dashEnabled: note.draft });
    tag.findOne<Konva.Text>('.draftText')!.setAttrs({ width: tagWidth, text: tagLabel });
  }
  const remove = group.findOne<Konva.Group>('.delete')!;
  remove.position({ x: l.width - 2, y: 2 });
  remove.visible(item.editable && !item.editing && (item.hovered || item.selected));
  remove.setAttr('label', c.deleteLabel);
  const mark = group.findOne<Konva.Group>('.mark')!;
  const style = item.mark ? NOTE_MARKS[item.mark] : null;
  mark.visible(!!style);
  // Faded while marked removed; otherwise opacity is left alone (a drag fades the note it moves).
  const faded = item.mark === 'removed';
  if (faded !== !!group.getAttr('markFaded')) {
    group.setAttr('markFaded', faded);
    group.opacity(faded ? 0.5 : 1);
  }
  if (style) {
    // Zoomed out the marks grow, so that a comparison still reads at a glance over the whole wall.
    const k = item.detail === 'full' ? 1 : item.detail === 'reduced' ? 2 : 5;
    const pad = 3 + 2 * k;
    mark.findOne<Konva.Rect>('.markFrame')!.setAttrs({
      x: -pad, y: -pad, width: l.width + 2 * pad, height: l.height + 2 * pad, cornerRadius: 4 + 3 * k, strokeWidth: 4 * k,
      stroke: style.color, dash: item.mark === 'removed' ? [8 * k, 5 * k] : [], dashEnabled: item.mark === 'removed',
    });
    mark.findOne<Konva.Circle>('.markBadge')!.setAttrs({ x: -2, y: -2, radius: 12 * k, strokeWidth: 2 * k, fill: style.color });
    mark.findOne<Konva.Text>('.markText')!.setAttrs({ x: -2 - 12 * k, y: -2 - 12 * k, width: 24 * k, height: 24 * k, fontSize: 15 * k, text: style.symbol });
  }
}
