import * as Konva from './konva';
import { NOTE_HEIGHT, NOTE_WIDTH, type AreaLayout, type WallLayout } from '../model/layout';
import { dropArea, dropPosition } from './placement';
import { ACCENT } from './theme';
import type { NoteShape } from './notes';

/**
 * Dragging one of your notes: while it is in your hand it lives on the drag layer (only that
 * layer redraws), the area it would land in is outlined, and it fades when it would snap back.
 * On release it lands clamped in the area under its centre, or glides back where it was.
 */
export interface NoteDragDeps {
  dragLayer: Konva.Layer;
  /** Where note nodes live between drags. */
  home: Konva.Group;
  layout(): WallLayout;
  myActorId(): string | null;
  /** Whether this note may land in this area (drafts stay under their question). */
  accepts(noteId: string, area: AreaLayout): boolean;
  onDrop(noteId: string, area: AreaLayout, position: { x: number; y: number }): void;
}

export class NoteDrag {
  private origin: { x: number; y: number } | null = null;
  /** The note in your hand (kept drawn by the wall's culling while it is). */
  current: NoteShape | null = null;
  private readonly hint = new Konva.Rect({ visible: false, listening: false, fill: 'rgba(31,58,95,0.07)', stroke: ACCENT, strokeWidth: 2.5, dash: [10, 6], cornerRadius: 8 });

  constructor(private readonly deps: NoteDragDeps) {
    deps.dragLayer.add(this.hint);
    // An empty layer is still a full-size canvas to composite on every frame: shown only while dragging.
    deps.dragLayer.visible(false);
  }

  private target(node: NoteShape): AreaLayout | null {
    const area = dropArea(this.deps.layout(), { x: node.x() + NOTE_WIDTH / 2, y: node.y() + NOTE_HEIGHT / 2 }, this.deps.myActorId());
    return area && this.deps.accepts(node.getAttr('noteId') as string, area) ? area : null;
  }

  start(node: NoteShape): void {
    this.origin = node.position();
    this.current = node;
    this.deps.dragLayer.visible(true);
    node.moveTo(this.deps.dragLayer);
  }

  move(node: NoteShape): void {
    const area = this.target(node);
    if (area) this.hint.setAttrs({ visible: true, x: area.body.x - 3, y: area.body.y, width: area.body.width + 6, height: area.body.height });
    else this.hint.visible(false);
    node.opacity(area ? 1 : 0.55);
  }

  end(node: NoteShape): void {
    const area = this.target(node);
    this.hint.visible(false);
    node.opacity(1);
    node.moveTo(this.deps.home);
    if (area) {
      const position = dropPosition(area, node.position());
      node.position({ x: area.body.x + position.x, y: area.body.y + position.y });
      this.deps.onDrop(node.getAttr('noteId') as string, area, position);
    } else if (this.origin) {
      node.to({ x: this.origin.x, y: this.origin.y, duration: 0.22, easing: Konva.Easings.EaseOut });
    }
    this.origin = null;
    this.current = null;
    this.deps.dragLayer.visible(false);
  }
}
