import * as Konva from './konva';
import { t } from '../i18n/i18n.svelte';
import type { Language } from '../../../shared/schema/common';
import { areaAt, flipchartOf, layoutWall, NOTE_HEIGHT, NOTE_WIDTH, type AreaLayout, type FlipchartLayout, type NoteLayout, type Rect, type WallLayout } from '../model/layout';
import type { BoardSnapshot, WorkshopActions } from '../sync/types';
import { CursorsShape, type CursorItem } from './cursors';
import { flipchartRenderer } from './flipcharts';
import { BulkNotes, createDeleteButton, noteKey, noteRenderer, type NoteItem, type NoteMark, type NoteShape } from './notes';
import { coverFor, detailFor, keepsNode, needsRecull, RectGrid, topmostAt, type Detail } from './culling';
import { sameNotes, sameValue } from './changes';
import { PanZoom } from './panzoom';
import { noteOf, onDeleteButton, wireInput } from './input';
import { NoteDrag } from './noteDrag';
import { spotIn } from './placement';
import { methodRules, type MethodRules } from '../../../shared/rules';
import { measureFor } from './measure';
import { Keyed } from './reconcile';
import { publishWall } from './testHook';
import { SCREEN_TYPE, WALL_TYPE } from './theme';
import { fitRect, panIntoView, toScreen, type View } from './viewport';
import { HoldableLayer, ZoomPreview } from './zoomPreview';
import { WallOverview } from './overview';

/**
 * The wall on a Konva stage: a paper layer (flipcharts, redrawn per flipchart when its geometry
 * changes), a notes layer (one node per note NEAR THE VIEW, reconciled by id — see culling.ts),
 * a drag layer (the note in your hand and where it would land) and a cursors layer (redrawn alone
 * while cursors glide). Pan and zoom move the stage transform only; the set of note nodes changes
 * when the view leaves the area it was made for or the level of detail changes. A snapshot that
 * changes nothing the wall lays out (presence, 20 a second) touches only the cursors. Input that writes goes through
 * WorkshopActions; the note editor and toolbars are the Svelte view's (WallView).
 */
export interface WallCallbacks {
  /** The view moved or the scene changed: overlays (the note editor) reposition. */
  onView?(): void;
  onSelect?(noteId: string | null): void;
  onEdit?(noteId: string, isNew: boolean): void;
  /** The user moved the view by hand (drag, wheel, pinch): read-aloud following detaches. */
  onUserView?(): void;
  /** The pointer went onto a note (its key, `participantId:noteId`) or off notes (null): replay's note details. */
  onHover?(noteKey: string | null): void;
  /** A click or tap on a note (its key) or on the background (null): replay pins the note's details. */
  onNoteClick?(noteKey: string | null): void;
  /** You deleted one of your notes (the × or the Delete key): the view offers to undo it. */
  onDeleted?(note: { id: string; text: string }): void;
  /** "New note" could not tell where the note goes: the view asks which of these areas. */
  onAskArea?(choices: AreaLayout[], preselected: string | null): void;
}

export interface WallOptions {
  /** False on the room screen: no editing, no panning by hand, no cursors. */
  interactive: boolean;
  screen: boolean;
  /** Replay: keep the nodes of notes that are gone at this moment, hidden, for when they come back (see Keyed). */
  retainNotes?: boolean;
}

Konva.Global.dragDistance = 4;
Konva.Global.hitOnDragEnabled = true;

/**
 * The notes layer draws its hit graph (what the pointer is over) only when someone asks what is
 * under the pointer, not with every drawing: while documents arrive or a wheel zoom runs the
 * layer is redrawn many times with nobody pointing, and the hit graph of every note near the
 * view cost as much again as drawing them.
 */
class NotesLayer extends HoldableLayer {
  private hitStale = true;

  override drawHit(can?: Parameters<Konva.Layer['drawHit']>[0], top?: Konva.Node): this {
    if (can) return super.drawHit(can, top);
    this.hitStale = true;
    return this;
  }

  override getIntersection(pos: { x: number; y: number }): ReturnType<Konva.Layer['getIntersection']> {
    if (this.hitStale) {
      this.hitStale = false;
      super.drawHit();
    }
    return super.getIntersection(pos);
  }
}

const EMPTY: WallLayout = { width: 0, height: 0, flipcharts: [], notes: [], orphans: [] };

export class WallCanvas {
  readonly stage: Konva.Stage;
  readonly panzoom: PanZoom;
  layout: WallLayout = EMPTY;
  private readonly paper = new HoldableLayer({ listening: false });
  private readonly notesLayer = new NotesLayer();
  private readonly dragLayer = new Konva.Layer();
  private readonly cursorsLayer = new Konva.Layer({ listening: false });
  private readonly notesGroup = new Konva.Group();
  /** A wheel burst moves the last drawing of the paper and notes instead of redrawing them (see zoomPreview.ts). */
  private readonly zoomPreview: ZoomPreview;
  private readonly overview: WallOverview | null;
  private readonly flipcharts: Keyed<FlipchartLayout, Konva.Group>;
  private readonly notes: Keyed<NoteItem, NoteShape>;
  /** Zoomed far out: the notes without a node of their own, as one shape. */
  private readonly bulk = new BulkNotes();
  /** The one × of the wall, on the note you point at or have selected. */
  private readonly deleteButton: Konva.Group;
  /** Notes by position, for culling; rebuilt with the layout. */
  private grid = new RectGrid([]);
  private indexByKey = new Map<string, number>();
  /** The board area (and detail level) the current note nodes were made for. */
  private covered: Rect | null = null;
  private coveredDetail: Detail | null = null;
  /** What besides the layout decides how notes and flipcharts are drawn (see update). */
  private sceneKey = '';
  private readonly cursors: CursorsShape;
  private readonly cursorGlide: Konva.Animation;
  private readonly noteDrag: NoteDrag;
  private readonly measure = measureFor();
  private readonly resizeObserver: ResizeObserver | null;
  private readonly unlisten: (() => void) | null;
  private board: BoardSnapshot | null = null;
  private language: Language = 'en';
  private selectedKey: string | null = null;
  private hoveredKey: string | null = null;
  private editingId: string | null = null;
  private lastAreaKey: string | null = null;
  private notifiedSelection: string | null = null;
  /** The board point under the mouse (null when it is off the wall): "New note" uses its column. */
  private pointerPoint: { x: number; y: number } | null = null;
  private spaceHeld = false;
  private viewReady = false;
  /** A read-aloud focus waiting for its note to arrive. */
  private followRef: string | null = null;
  private detail: Detail = 'full';
  private fittedSize = '';
  /** Notes just created, until the snapshot that contains them arrives (for the editor). */
  private readonly pending = new Map<string, Rect>();
  /** Replay's comparison marks by note key (`participantId:noteId`). */
  private marks: ReadonlyMap<string, NoteMark> = new Map();

  constructor(
    private readonly container: HTMLDivElement,
    private readonly actions: WorkshopActions | null,
    private readonly options: WallOptions,
    private readonly callbacks: WallCallbacks = {},
  ) {
    this.stage = new Konva.Stage({ container, width: container.clientWidth || 1, height: container.clientHeight || 1 });
    const paperGroup = new Konva.Group();
    this.paper.add(paperGroup);
    this.notesLayer.add(this.bulk, this.notesGroup);
    this.stage.add(this.paper, this.notesLayer, this.dragLayer, this.cursorsLayer);
    const type = options.screen ? SCREEN_TYPE : WALL_TYPE;
    this.flipcharts = new Keyed(paperGroup, flipchartRenderer(() => ({
      language: this.language,
      myActorId: this.options.interactive ? this.myActorId : null,
      filledAreas: new Set(this.layout.notes.map((n) => n.areaKey)),
      type,
      canAddIn: (questionId) => this.canWriteIn(questionId),
      isLocked: (actorId) => !!this.rules?.flipchartLocked(actorId),
      labels: { about: (name) => t('wall.aboutActor', { name }), addHint: t('wall.addHint'), yours: t('wall.yours'), locked: t('wall.flipchartLocked') },
    })));
    this.notes = new Keyed(
      this.notesGroup,
      noteRenderer(() => ({ measure: this.measure, sizes: type.noteSizes, draftLabel: t('wall.draft'), lateLabel: t('late.mark'), deleteLabel: t('wall.deleteNote') })),
      { retain: options.retainNotes ?? false },
    );
    this.deleteButton = createDeleteButton(t('wall.deleteNote'));
    this.notesLayer.add(this.deleteButton);
    this.cursors = new CursorsShape(measureFor('bold'));
    this.cursorsLayer.add(this.cursors);
    this.cursorGlide = new Konva.Animation(() => {
      this.cursors.viewScale = this.panzoom.view.scale;
      if (!this.cursors.glide()) this.cursorGlide.stop();
    }, this.cursorsLayer);
    this.noteDrag = new NoteDrag({
      dragLayer: this.dragLayer,
      home: this.notesGroup,
      layout: () => this.layout,
      myActorId: () => this.myActorId,
      accepts: (noteId, area) => this.accepts(noteId, area),
      onDrop: (noteId, area, position) => this.dropped(noteId, area, position),
    });
    // Only an interactive wall zooms by wheel (the room screen does not).
    const overview = (this.overview = options.interactive ? new WallOverview(this.stage.content) : null);
    this.zoomPreview = new ZoomPreview([this.paper, this.notesLayer], () => this.recullIfNeeded(), overview && {
      show: (view) => overview.show(this.layout, view),
      hide: () => overview.hide(),
    });
    // The held layers' CSS transform may enlarge them past the wall's box.
    this.stage.content.style.overflow = 'hidden';
    this.panzoom = new PanZoom(this.stage, (wheelFrom) => this.viewChanged(wheelFrom), options.interactive, () => this.callbacks.onUserView?.());
    this.unlisten = options.interactive ? this.listen() : null;
    this.resizeObserver = typeof ResizeObserver === 'function' ? new ResizeObserver(() => this.resize()) : null;
    this.resizeObserver?.observe(container);
  }

  // ——— state in ———

  update(board: BoardSnapshot, language: Language): void {
    const previous = this.board;
    this.board = board;
    this.language = language;
    const relayout =
      !previous ||
      !sameNotes(previous.notes, board.notes) ||
      !sameValue(previous.room.actors, board.room.actors) ||
      !sameValue(previous.room.questions, board.room.questions);
    const session = board.room.session;
    const sceneKey = JSON.stringify([
      language, board.me.role, board.me.actorId, board.me.participantId, board.canWriteWall, board.room.meta?.phase,
      session.round?.questionId, session.round?.endedAt, session.locked, session.lockedActors, session.focus,
    ]);
    if (!relayout && sceneKey === this.sceneKey) {
      // Presence only: the notes and the paper stay as they are.
      this.syncCursors();
      return;
    }
    this.sceneKey = sceneKey;
    if (relayout) {
      this.layout = layoutWall(board.room.actors, board.room.questions, board.notes);
      this.grid = new RectGrid(this.layout.notes);
      this.indexByKey = new Map(this.layout.notes.map((n, i) => [noteKey(n), i]));
      this.overview?.prepare(() => this.layout);
    }
    for (const id of this.pending.keys()) if (this.findNote(id)) this.pending.delete(id);
    this.render(relayout);
  }

  /** Replay (compare): frames notes as added, removed, moved or edited; an empty map clears them. */
  setMarks(marks: ReadonlyMap<string, NoteMark>): void {
    if (marks.size === 0 && this.marks.size === 0) return;
    this.marks = marks;
    this.render();
  }

  setEditing(noteId: string | null): void {
    this.editingId = noteId;
    this.render();
  }

  setSpaceHeld(held: boolean): void {
    if (this.spaceHeld === held) return;
    this.spaceHeld = held;
    // With space held every press pans: the notes stop listening, so the stage takes the drag.
    this.notesLayer.listening(!held);
    this.container.style.cursor = held ? 'grab' : '';
  }

  get myActorId(): string | null {
    return this.board?.me.actorId ?? null;
  }

  /** The method's rules for this snapshot (shared/rules: computed once per snapshot, shared with every view). */
  private get rules(): MethodRules | null {
    return this.board ? methodRules(this.board) : null;
  }

  /** This wall writes at all: interactive, with actions (not the room screen, not replay). Who may write what is the rules'. */
  private get writes(): boolean {
    return this.options.interactive && !!this.actions;
  }

  /** You can add a note under this question now (the facilitator's locks allowing). */
  canWriteIn(questionId: string): boolean {
    return this.writes && !!this.rules?.canAddIn(questionId);
  }

  /** You can add notes somewhere on your flipchart now. */
  get canWrite(): boolean {
    return this.writes && !!this.rules?.canAdd;
  }

  private canEdit(note: { participantId: string; questionId: string; draft: boolean }): boolean {
    return this.writes && !!this.rules?.canEdit(note);
  }

  /** A note of yours may land in this area (drafts stay under their question until posted). */
  private accepts(noteId: string, area: AreaLayout): boolean {
    const placed = this.findNote(noteId);
    return !!placed && this.writes && !!this.rules?.canMove(placed.note, { actorId: area.actorId, questionId: area.question.id });
  }

  get selectedNoteId(): string | null {
    return this.selectedKey ? (this.notes.nodes.get(this.selectedKey)?.getAttr('noteId') as string | undefined) ?? null : null;
  }

  // ——— drawing ———

  private render(relayout = false): void {
    const board = this.board;
    if (!board) return;
    this.zoomPreview.settle();
    this.flipcharts.sync(this.layout.flipcharts);
    this.renderNotes();
    this.syncCursors();
    this.initialView();
    if (this.followRef) this.showNote(this.followRef);
    if (relayout || !window.__arvoWall) publishWall(this.layout, () => this.panzoom.view, this.container);
    this.notifySelection();
    this.callbacks.onView?.();
  }

  /** The notes near the view (and those you hold, edit, select or follow, wherever they are). */
  private visibleNotes(): NoteLayout[] {
    const view = this.panzoom.view;
    const size = this.stage.size();
    this.covered = coverFor(view, size);
    this.coveredDetail = detailFor(view.scale);
    const indices = this.grid.query(this.covered);
    const me = this.board?.me.participantId;
    const focus = this.board?.room.session.focus;
    const kept = [
      this.selectedKey,
      this.noteDrag.current?.id(),
      this.editingId && me ? `${me}:${this.editingId}` : null,
      focus ? `${focus.participantId}:${focus.noteId}` : null,
    ];
    let extra = false;
    for (const key of kept) {
      const index = key ? this.indexByKey.get(key) : undefined;
      if (index !== undefined && !indices.includes(index)) {
        indices.push(index);
        extra = true;
      }
    }
    if (extra) indices.sort((a, b) => a - b);
    return indices.map((i) => this.layout.notes[i]!);
  }

  private renderNotes(): void {
    const board = this.board;
    if (!board) return;
    const focus = board.room.session.focus;
    const detail = (this.detail = detailFor(this.panzoom.view.scale));
    const held = this.noteDrag.current?.id() ?? null;
    const items: NoteItem[] = [];
    const bulk: NoteLayout[] = [];
    for (const layout of this.visibleNotes()) {
      const key = noteKey(layout);
      const editable = this.canEdit(layout.note);
      const item: NoteItem = {
        layout,
        editable,
        selected: editable && key === this.selectedKey,
        hovered: false,
        editing: layout.note.mine && layout.note.id === this.editingId,
        focused: !!focus && focus.noteId === layout.note.id && focus.participantId === layout.note.participantId,
        detail,
        mark: this.marks.get(key) ?? null,
      };
      if (detail !== 'minimal' || keepsNode({ ...item, marked: !!item.mark, held: key === held })) items.push(item);
      else bulk.push(layout);
    }
    this.notes.sync(items);
    this.bulk.setNotes(bulk);
    this.placeDeleteButton();
    const selected = this.selectedKey;
    if (selected && !this.notes.has(selected) && !this.pending.has(selected.slice(selected.indexOf(':') + 1))) this.select(null);
  }

  private syncCursors(): void {
    const board = this.board;
    if (!board || !this.options.interactive) return;
    const others = board.presence.filter((p): p is CursorItem => !p.self && p.cursor !== null);
    if (this.cursors.sync(others)) this.cursorGlide.start();
    // An empty layer is not cleared and handed to the compositor again with every frame of a zoom.
    const anyone = this.cursors.count > 0;
    if (this.cursorsLayer.visible() !== anyone) this.cursorsLayer.visible(anyone);
  }

  /** The × on the note under the pointer, else on the selected one, when it is yours to delete. */
  private placeDeleteButton(): void {
    const candidates = [this.hoveredKey, this.selectedKey];
    let owner: NoteShape | null = null;
    for (const key of candidates) {
      const node = key ? this.notes.nodes.get(key) : undefined;
      if (node && this.notes.has(key!) && node.getAttr('editable') && !node.isDragging() && node.getAttr('noteId') !== this.editingId) {
        owner = node;
        break;
      }
    }
    const button = this.deleteButton;
    if (!owner) {
      if (button.visible()) button.setAttrs({ visible: false, note: null });
      return;
    }
    button.setAttrs({ visible: true, note: owner, x: owner.x() + (owner.look?.baseWidth ?? owner.width()) - 2, y: owner.y() + 2 });
    button.moveToTop();
  }

  /**
   * Every frame of a pan or zoom: the stage has moved; notes are re-culled only when needed. A
   * wheel step only moves the last drawing (zoomPreview.ts); culling waits for the wheel to rest.
   */
  private viewChanged(wheelFrom?: View): void {
    if (this.cursors.count > 0) {
      this.cursors.viewScale = this.panzoom.view.scale;
      this.cursorGlide.start();
    }
    if (wheelFrom) this.zoomPreview.move(wheelFrom, this.panzoom.view);
    else {
      this.zoomPreview.settle();
      this.recullIfNeeded();
    }
    this.callbacks.onView?.();
  }

  private recullIfNeeded(): void {
    if (needsRecull(this.covered, this.coveredDetail, this.panzoom.view, this.stage.size())) this.renderNotes();
  }

  private resize(): void {
    const { clientWidth: width, clientHeight: height } = this.container;
    if (width === 0 || height === 0) return;
    this.zoomPreview.settle();
    this.stage.size({ width, height });
    if (this.options.screen) this.fittedSize = '';
    this.initialView();
    if (needsRecull(this.covered, this.coveredDetail, this.panzoom.view, this.stage.size())) this.renderNotes();
    this.callbacks.onView?.();
  }

  /** The first view: your flipchart from its header down, or the whole wall. The room screen refits whenever the wall grows. */
  private initialView(): void {
    if (this.layout.flipcharts.length === 0 || this.stage.width() <= 1) return;
    if (this.options.screen) {
      const size = `${this.layout.width}x${this.layout.height}x${this.stage.width()}x${this.stage.height()}`;
      if (size !== this.fittedSize) this.panzoom.set(fitRect({ x: 0, y: 0, width: this.layout.width, height: this.layout.height }, this.stage.size(), { margin: 24, maxScale: 1.2 }));
      this.fittedSize = size;
      return;
    }
    if (this.viewReady) return;
    this.viewReady = true;
    if (flipchartOf(this.layout, this.myActorId)) this.fitMine(false);
    else this.fitAll(false);
  }

  // ——— view commands ———

  fitAll(animate = true): void {
    const target = fitRect({ x: 0, y: 0, width: this.layout.width, height: this.layout.height }, this.stage.size(), { margin: 32, maxScale: 1 });
    if (animate) this.panzoom.animateTo(target);
    else this.panzoom.set(target);
  }

  fitMine(animate = true): void {
    const mine = flipchartOf(this.layout, this.myActorId);
    if (!mine) return this.fitAll(animate);
    const target = fitRect(mine, this.stage.size(), { margin: 28, maxScale: 1, align: 'top', widthOnly: true });
    if (animate) this.panzoom.animateTo(target);
    else this.panzoom.set(target);
  }

  zoomBy(factor: number): void {
    this.panzoom.zoomBy(factor);
  }

  zoomTo(scale: number): void {
    this.panzoom.zoomBy(scale / this.panzoom.view.scale);
  }

  /**
   * Read-aloud: glides to the note everyone is reading (`participantId/noteId`), large enough to
   * read. A note not on the wall yet is shown as soon as it arrives.
   */
  showNote(ref: string | null): void {
    this.followRef = ref;
    if (!ref) return;
    const [participantId, noteId] = ref.split('/');
    const placed = this.layout.notes.find((n) => n.note.participantId === participantId && n.note.id === noteId);
    if (!placed) return;
    this.followRef = null;
    const size = this.stage.size();
    const scale = Math.min(1.5, Math.max(this.panzoom.view.scale, 1.1));
    this.panzoom.animateTo({ scale, x: size.width / 2 - (placed.x + placed.width / 2) * scale, y: size.height / 2 - (placed.y + placed.height / 2) * scale }, 420);
  }

  /** Brings a note into view at a size you can type in. */
  reveal(noteId: string): void {
    const rect = this.noteBoardRect(noteId);
    if (!rect) return;
    const view = this.panzoom.view;
    const size = this.stage.size();
    if (view.scale < 0.85) {
      const scale = 1;
      this.panzoom.animateTo({ scale, x: size.width / 2 - (rect.x + rect.width / 2) * scale, y: size.height / 2 - (rect.y + rect.height / 2) * scale });
    } else {
      const target = panIntoView(view, { ...rect, y: rect.y - 8, height: rect.height + 60 }, size, 32);
      if (target.x !== view.x || target.y !== view.y) this.panzoom.animateTo(target, 200);
    }
  }

  // ——— geometry out ———

  private findNote(noteId: string) {
    return this.layout.notes.find((n) => n.note.mine && n.note.id === noteId);
  }

  noteBoardRect(noteId: string): Rect | null {
    const placed = this.findNote(noteId);
    return placed ? { x: placed.x, y: placed.y, width: placed.width, height: placed.height } : (this.pending.get(noteId) ?? null);
  }

  /** A note's rectangle in container pixels, with the view's scale (for the editor overlay). */
  noteScreenRect(noteId: string): (Rect & { scale: number }) | null {
    const rect = this.noteBoardRect(noteId);
    if (!rect) return null;
    const view: View = this.panzoom.view;
    const p = toScreen(view, rect);
    return { x: p.x, y: p.y, width: rect.width, height: rect.height, scale: view.scale };
  }

  noteText(noteId: string): string {
    return this.findNote(noteId)?.note.text ?? '';
  }

  hasNote(noteId: string): boolean {
    return !!this.findNote(noteId) || this.pending.has(noteId);
  }

  // ——— writes ———

  /** The board point at the centre of the visible wall. */
  private viewCentre(): { x: number; y: number } {
    const view = this.panzoom.view;
    return { x: (this.stage.width() / 2 - view.x) / view.scale, y: (this.stage.height() / 2 - view.y) / view.scale };
  }

  /**
   * "New note" (the button, the N key): a new note where planNewNote says, or — when it cannot
   * tell (outside a round; a per-actor round question with no column pointed at) — the view is
   * asked to let you choose (onAskArea), and calls createNote(area) with the answer.
   */
  newNote(): string | null {
    const rules = this.rules;
    if (!this.canWrite || !rules) return null;
    const plan = rules.planNewNote(this.layout, { pointer: this.pointerPoint, centre: this.viewCentre(), lastAreaKey: this.lastAreaKey });
    if (plan.kind === 'area') {
      const pointed = this.pointerPoint && plan.area.key === areaAt(this.layout, this.pointerPoint, this.myActorId ?? undefined)?.key;
      return this.createNote(plan.area, pointed ? this.pointerPoint! : undefined);
    }
    if (plan.kind === 'ask') this.callbacks.onAskArea?.(plan.choices, plan.preselected);
    return null;
  }

  /** Areas by key, for the view's answer to onAskArea. */
  area(key: string): AreaLayout | null {
    return this.layout.flipcharts.flatMap((f) => f.areas).find((a) => a.key === key) ?? null;
  }

  /** A new empty note on your flipchart in `area` (near `near` when given) and its editor. */
  createNote(area: AreaLayout, near?: { x: number; y: number }): string | null {
    if (!this.canWrite || !this.actions || !this.board) return null;
    const target = area;
    if (!this.canWriteIn(target.question.id)) return null;
    const spot = spotIn(this.layout, target, near);
    const id = this.attempt(() =>
      this.actions!.addNote({ questionId: target.question.id, aboutActorId: target.aboutActor?.id ?? null, text: '', x: spot.x, y: spot.y }),
    );
    if (!id) return null;
    this.lastAreaKey = target.key;
    this.pending.set(id, { x: target.body.x + spot.x, y: target.body.y + spot.y, width: NOTE_WIDTH, height: NOTE_HEIGHT });
    this.selectKeyOf(id);
    this.callbacks.onEdit?.(id, true);
    return id;
  }

  saveText(noteId: string, text: string): void {
    const note = this.findNote(noteId);
    if (note && note.note.text === text) return;
    this.attempt(() => this.actions?.updateNote(noteId, { text }));
  }

  /** False when the write was refused (the note stays). */
  deleteNote(noteId: string): boolean {
    const done = this.attempt(() => (this.actions?.deleteNote(noteId), true)) === true;
    this.pending.delete(noteId);
    if (this.selectedNoteId === noteId) this.select(null);
    return done;
  }

  deleteSelected(): void {
    const id = this.selectedNoteId;
    if (id) this.deleteByUser(id);
  }

  /** A delete you asked for (× or Delete key): done, then offered for undo. */
  private deleteByUser(noteId: string): void {
    const placed = this.findNote(noteId);
    if (!placed || !this.canEdit(placed.note)) return;
    if (this.deleteNote(noteId)) this.callbacks.onDeleted?.({ id: noteId, text: placed.note.text });
  }

  private attempt<T>(write: () => T): T | null {
    try {
      return write();
    } catch (error) {
      // A refused write (a stale id after undo elsewhere, a locked wall) must not break the canvas.
      console.warn('Arvo wall: write refused', error);
      return null;
    }
  }

  // ——— selection ———

  private select(key: string | null): void {
    if (this.selectedKey === key) return;
    this.selectedKey = key;
    this.render();
  }

  /**
   * Tells the view when the selected note's id changes. Checked after every render: a note
   * selected while still pending (just created) has no node yet, and gets its id once drawn.
   */
  private notifySelection(): void {
    const id = this.selectedNoteId;
    if (id === this.notifiedSelection) return;
    this.notifiedSelection = id;
    this.callbacks.onSelect?.(id);
  }

  clearSelection(): void {
    this.select(null);
  }

  private selectKeyOf(noteId: string): void {
    const me = this.board?.me.participantId;
    if (me) this.select(`${me}:${noteId}`);
  }

  // ——— input ———

  private listen(): () => void {
    return wireInput(this.stage, {
      doubleClick: (note, point) => {
        if (note) {
          if (!note.getAttr('editable')) return;
          const noteId = note.getAttr('noteId') as string;
          this.lastAreaKey = this.findNote(noteId)?.areaKey ?? this.lastAreaKey;
          this.callbacks.onEdit?.(noteId, false);
          return;
        }
        const area = point && this.canWrite ? areaAt(this.layout, point, this.myActorId ?? undefined) : null;
        if (area) this.createNote(area, point ?? undefined);
      },
      click: (note, onDelete) => {
        if (note && onDelete) this.deleteByUser(note.getAttr('noteId') as string);
        else this.select(note?.getAttr('editable') ? note.id() : null);
        if (!onDelete) this.callbacks.onNoteClick?.(note ? note.id() : this.bulkNoteAt(this.stage.getRelativePointerPosition()));
      },
      press: (note, onDelete) => {
        if (note?.getAttr('editable') && !onDelete) this.select(note.id());
      },
      pointer: (point, target) => {
        this.actions?.setCursor(point ? { x: Math.round(point.x), y: Math.round(point.y) } : null);
        this.pointerPoint = point;
        if (target || !point) this.hover(target);
      },
      dragStart: (note) => {
        if (note) {
          // The note leaves the notes layer: that layer must not show it where it was.
          this.zoomPreview.settle();
          this.noteDrag.start(note);
          this.placeDeleteButton();
        }
        this.container.style.cursor = 'grabbing';
      },
      dragMove: (note) => this.noteDrag.move(note),
      dragEnd: (note) => {
        if (note) {
          this.noteDrag.end(note);
          this.placeDeleteButton();
        }
        this.container.style.cursor = this.spaceHeld ? 'grab' : '';
      },
    });
  }

  /** The key of the note under a board point when it has no node (drawn in bulk), else null. */
  private bulkNoteAt(point: { x: number; y: number } | null): string | null {
    if (!point || this.detail !== 'minimal') return null;
    const index = topmostAt(this.grid, point);
    const key = index === null ? null : noteKey(this.layout.notes[index]!);
    return key && !this.notes.has(key) ? key : null;
  }

  private hover(target: Konva.Node | null): void {
    const note = target ? noteOf(target) : null;
    const key = note ? note.id() : this.bulkNoteAt(this.pointerPoint);
    if (!this.spaceHeld && !this.stage.isDragging()) {
      this.container.style.cursor = target && onDeleteButton(target) ? 'pointer' : note?.getAttr('editable') ? 'grab' : '';
    }
    if (key === this.hoveredKey) return;
    this.hoveredKey = key;
    this.placeDeleteButton();
    this.callbacks.onHover?.(key);
  }

  /** A note of yours dropped into one of your areas: its new place, question and subject. */
  private dropped(noteId: string, area: AreaLayout, position: { x: number; y: number }): void {
    const placed = this.findNote(noteId);
    if (!placed) return;
    const about = area.aboutActor?.id ?? null;
    this.attempt(() =>
      this.actions?.updateNote(noteId, {
        ...position,
        ...(area.question.id !== placed.note.questionId ? { questionId: area.question.id } : {}),
        ...(about !== (placed.note.aboutActorId ?? null) ? { aboutActorId: about } : {}),
      }),
    );
    this.lastAreaKey = area.key;
  }

  destroy(): void {
    this.resizeObserver?.disconnect();
    this.unlisten?.();
    this.cursorGlide.stop();
    this.zoomPreview.destroy();
    this.overview?.destroy();
    this.panzoom.destroy();
    this.stage.destroy();
  }
}
