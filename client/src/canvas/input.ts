import * as Konva from './konva';

/**
 * Konva events → the wall's intents. Knows which node was hit (a note, its ×, the background)
 * and nothing about what the wall does with it.
 */
export interface WallInput {
  doubleClick(note: Konva.Group | null, boardPoint: { x: number; y: number } | null): void;
  click(note: Konva.Group | null, onDelete: boolean): void;
  press(note: Konva.Group | null, onDelete: boolean): void;
  /** The pointer moved (board point and hit node), or left the wall (both null). */
  pointer(boardPoint: { x: number; y: number } | null, target: Konva.Node | null): void;
  dragStart(note: Konva.Group | null): void;
  dragMove(note: Konva.Group): void;
  dragEnd(note: Konva.Group | null): void;
}

export const noteOf = (target: Konva.Node): Konva.Group | null => {
  const node = target.findAncestor('.note', true);
  return node instanceof Konva.Group ? node : null;
};

export const onDeleteButton = (target: Konva.Node) => !!target.findAncestor('.delete', true);

const draggedNote = (target: Konva.Node) => (target instanceof Konva.Group && target.name() === 'note' ? target : null);

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
