import type { Actor } from '../../../shared/schema/actor';
import type { Question } from '../../../shared/schema/question';
import { localised, type Language } from '../../../shared/schema/common';
import type { AuthoredNote } from '../sync/types';
import { NOTE_WIDTH, NOTE_HEIGHT, NOTE_GAP, areaBodyWidth, clampToBody, flipchartWidth, type Rect } from '../../../shared/geometry';
import { PlacedNotes } from './freeSpots';

/**
 * The wall as geometry: one flipchart per actor, side by side; on each, the questions stacked as
 * headed areas (a per-actor question is split into one sub-area per other actor). A note's x/y
 * are stored RELATIVE to its area's body, so adding an actor or a note elsewhere never moves it.
 * Pure: snapshot in, rectangles out — the canvas, the room screen and the tests share it.
 */
// Note size, flipchart width and free-spot search are shared with the server's round engine.
export { NOTE_WIDTH, NOTE_HEIGHT, NOTE_GAP, FLIPCHART_WIDTH, flipchartWidth, clampToBody, findFreeSpot, type Rect } from '../../../shared/geometry';
export const FLIPCHART_GAP = 80;
export const FLIPCHART_HEADER = 84;
export const AREA_HEADER = 64;
export const AREA_MIN_BODY = 2 * NOTE_GAP + NOTE_HEIGHT;
export const SUBAREA_HEADER = 30;

export interface AreaLayout extends Rect {
  /** `${actorId}/${questionId}` or `${actorId}/${questionId}/${aboutActorId}`. */
  key: string;
  actorId: string;
  question: Question;
  aboutActor: Actor | null;
  /** Where notes live; note x/y are relative to body.x/body.y. */
  body: Rect;
}

export interface FlipchartLayout extends Rect {
  actor: Actor;
  areas: AreaLayout[];
}

export interface NoteLayout extends Rect {
  note: AuthoredNote;
  color: string;
  areaKey: string;
}

export interface WallLayout {
  width: number;
  height: number;
  flipcharts: FlipchartLayout[];
  notes: NoteLayout[];
  /** Notes whose actor or question is gone (kept, listed apart, never silently dropped). */
  orphans: AuthoredNote[];
}

export const areaKey = (actorId: string, questionId: string, aboutActorId?: string | null) =>
  aboutActorId ? `${actorId}/${questionId}/${aboutActorId}` : `${actorId}/${questionId}`;

const NO_NOTES: readonly AuthoredNote[] = [];
const noteKey = (note: AuthoredNote) => (note.actorId ? areaKey(note.actorId, note.questionId, note.aboutActorId) : null);

/** A note covered this much by an earlier one cannot be read: it is shown at a free spot instead. */
const ILLEGIBLE_OVERLAP = 0.4;

/**
 * Where an area's notes are DRAWN (body-relative). Normally where they are stored; but two notes
 * can land on the same spot when people of one actor post at the same instant (each client
 * picks the free spot it sees), so a note mostly hidden under an earlier one is shown at the
 * nearest free spot. Every client orders notes the same way (time, then id), so all walls agree.
 */
function settleArea(notes: readonly AuthoredNote[], bodyWidth: number): Map<AuthoredNote, { x: number; y: number }> {
  const ordered = [...notes].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id) || a.participantId.localeCompare(b.participantId));
  const settled = new PlacedNotes();
  const positions = new Map<AuthoredNote, { x: number; y: number }>();
  const illegible = (r: Rect) => (o: Rect) => {
    const w = Math.min(o.x + o.width, r.x + r.width) - Math.max(o.x, r.x);
    const h = Math.min(o.y + o.height, r.y + r.height) - Math.max(o.y, r.y);
    return (w * h) / (NOTE_WIDTH * NOTE_HEIGHT) >= ILLEGIBLE_OVERLAP;
  };
  for (const note of ordered) {
    let pos = clampToBody(note.x, note.y, bodyWidth);
    const rect = { ...pos, width: NOTE_WIDTH, height: NOTE_HEIGHT };
    if (settled.some(rect, illegible(rect))) {
      pos = settled.findFreeSpot(bodyWidth, { x: pos.x + NOTE_WIDTH / 2, y: pos.y + NOTE_HEIGHT / 2 });
    }
    settled.add({ ...pos, width: NOTE_WIDTH, height: NOTE_HEIGHT });
    positions.set(note, pos);
  }
  return positions;
}

/**
 * The last settling of each area, reused while the area holds the very same note objects (the
 * board model keeps a note's object until it changes): a relayout after one edit, or while
 * documents arrive one by one, settles only the areas that changed. Pure all the same — the
 * result depends on the notes and the width only.
 */
const settledAreas = new Map<string, { notes: readonly AuthoredNote[]; width: number; positions: Map<AuthoredNote, { x: number; y: number }> }>();
const MAX_SETTLED_AREAS = 2000;

function settledArea(key: string, notes: readonly AuthoredNote[], bodyWidth: number): Map<AuthoredNote, { x: number; y: number }> {
  const cached = settledAreas.get(key);
  if (cached && cached.width === bodyWidth && cached.notes.length === notes.length && cached.notes.every((note, i) => note === notes[i])) return cached.positions;
  const positions = settleArea(notes, bodyWidth);
  if (settledAreas.size >= MAX_SETTLED_AREAS) settledAreas.clear();
  settledAreas.set(key, { notes, width: bodyWidth, positions });
  return positions;
}

export function layoutWall(actors: readonly Actor[], questions: readonly Question[], notes: readonly AuthoredNote[]): WallLayout {
  const notesByArea = new Map<string, AuthoredNote[]>();
  for (const note of notes) {
    const key = noteKey(note);
    if (!key) continue;
    const list = notesByArea.get(key);
    if (list) list.push(note);
    else notesByArea.set(key, [note]);
  }
  const flipcharts: FlipchartLayout[] = [];
  const placed: NoteLayout[] = [];
  const placedKeys = new Set<string>();
  let x = 0;
  const width = flipchartWidth(actors.length);
  for (const actor of actors) {
    const others = actors.filter((a) => a.id !== actor.id);
    let y = FLIPCHART_HEADER;
    const areas: AreaLayout[] = [];
    for (const question of questions) {
      const subjects: Array<Actor | null> = question.perActor ? (others.length > 0 ? others : []) : [null];
      const columnWidth = areaBodyWidth(question, actors.length);
      const subHeader = question.perActor ? SUBAREA_HEADER : 0;
      // All sub-areas of one question share a height: the tallest one's.
      let bodyHeight = AREA_MIN_BODY;
      const drawnAt = new Map<string, Map<AuthoredNote, { x: number; y: number }>>();
      for (const about of subjects) {
        const key = areaKey(actor.id, question.id, about?.id);
        const positions = settledArea(key, notesByArea.get(key) ?? NO_NOTES, columnWidth);
        drawnAt.set(key, positions);
        for (const { y: ny } of positions.values()) bodyHeight = Math.max(bodyHeight, ny + NOTE_HEIGHT + NOTE_GAP);
      }
      subjects.forEach((about, i) => {
        const key = areaKey(actor.id, question.id, about?.id);
        const areaX = x + NOTE_GAP + i * columnWidth;
        const body: Rect = { x: areaX, y: y + AREA_HEADER + subHeader, width: columnWidth, height: bodyHeight };
        areas.push({ key, actorId: actor.id, question, aboutActor: about, x: areaX, y, width: columnWidth, height: AREA_HEADER + subHeader + bodyHeight, body });
        for (const [note, pos] of drawnAt.get(key) ?? []) {
          placed.push({ note, color: actor.color, areaKey: key, x: body.x + pos.x, y: body.y + pos.y, width: NOTE_WIDTH, height: NOTE_HEIGHT });
          placedKeys.add(note.id + note.participantId);
        }
      });
      y += AREA_HEADER + subHeader + bodyHeight + NOTE_GAP;
    }
    flipcharts.push({ actor, x, y: 0, width, height: Math.max(y, FLIPCHART_HEADER + AREA_MIN_BODY), areas });
    x += width + FLIPCHART_GAP;
  }
  const orphans = notes.filter((n) => !placedKeys.has(n.id + n.participantId));
  return {
    width: Math.max(0, x - FLIPCHART_GAP),
    height: Math.max(0, ...flipcharts.map((f) => f.height)),
    flipcharts,
    notes: placed,
    orphans,
  };
}

export function findArea(layout: WallLayout, key: string): AreaLayout | undefined {
  for (const flipchart of layout.flipcharts) for (const area of flipchart.areas) if (area.key === key) return area;
  return undefined;
}

/** The area under a board point, optionally only on one actor's flipchart (your own). */
export function areaAt(layout: WallLayout, point: { x: number; y: number }, actorId?: string): AreaLayout | null {
  for (const flipchart of layout.flipcharts) {
    if (actorId && flipchart.actor.id !== actorId) continue;
    for (const area of flipchart.areas) {
      if (point.x >= area.x && point.x < area.x + area.width && point.y >= area.y && point.y < area.y + area.height) return area;
    }
  }
  return null;
}

/** Occupied rectangles of an area, body-relative, for findFreeSpot. */
export function occupiedIn(layout: WallLayout, area: AreaLayout, exceptNoteId?: string): Rect[] {
  return layout.notes
    .filter((n) => n.areaKey === area.key && n.note.id !== exceptNoteId)
    .map((n) => ({ x: n.x - area.body.x, y: n.y - area.body.y, width: n.width, height: n.height }));
}

export const questionText = (question: Question, language: Language) => localised(question.text, language);

/** The board's bounding box of one actor's flipchart, for "my flipchart" zoom. */
export function flipchartOf(layout: WallLayout, actorId: string | null): FlipchartLayout | undefined {
  return layout.flipcharts.find((f) => f.actor.id === actorId);
}
