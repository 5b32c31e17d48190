import type * as Konva from './konva';
import { NoteShape } from './notes';

/**
 * Konva events → the wall's intents. Knows which node was hit (a note, its ×, the background)
 * and nothing about what the wall does with it.
 */
export interface WallInput {
  doubleClick(note: NoteShape | null, boardPoint: { x: number; y: number } | null): void;
  click(note: NoteShape | null, onDelete: boolean): void;
  press(note: NoteShape | null, onDelete: boolean): void;
  /** The pointer moved (board point and hit node), or left the wall (both null). */
  pointer(boardPoint: { x: number; y: number } | null, target: Konva.Node | null): void;
  dragStart(note: NoteShape | null): void;
  dragMove(note: NoteShape): void;
  dragEnd(note: NoteShape | null): void;
}

/** The note a hit node belongs to: the note itself, or the shared × while it sits on a note. */
export const noteOf = (target: Konva.Node): NoteShape | null => {
  if (target instanceof NoteShape) return target;
  const owner: unknown = target.findAncestor('.delete', true)?.getAttr('note');
  return owner instanceof NoteShape ? owner : null;
};

export const onDeleteButton = (target: Konva.Node) => !!target.findAncestor('.delete', true);

const draggedNote = (target: Konva.Node) => (target instanceof NoteShape ? target : null);

export function wireInput(stage: Konva.Stage, input: WallInput): () => void {
  stage.on('dblclick dbltap', (e) => input.doubleClick(noteOf(e.target), stage.getRelativePointerPosition()));
  stage.on('click tap', (e) => input.click(noteOf(e.target), onDeleteButton(e.target)));
  stage.on('mousedown touchstart', (e) => input.press(noteOf(e.target), onDeleteButton(e.target)));
  stage.on('mousemove touchmove', (e) => input.pointer(stage.getRelativePointerPosition(), e.type === 'mousemove' ? e.target : null));
  // Drag events bubble from notes to the stage; the stage's own drag is the pan.
  stage.on('dragstart', (e) => {
    if (e.target === stage || draggedNote(e.target)) input.dragStart(draggedNote(e.target));
  });
  stage.on('dragmove', (e) => {
    const note = draggedNote(e.target);
    if (note) input.dragMove(note);
  });
  stage.on('dragend', (e) => {
    if (e.target === stage || draggedNote(e.target)) input.dragEnd(draggedNote(e.target));
  });
  const container = stage.container();
  const leave = () => input.pointer(null, null);
  container.addEventListener('pointerleave', leave);
  return () => container.removeEventListener('pointerleave', leave);
}
