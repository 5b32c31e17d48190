import { describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/schema/actor';
import type { Question } from '../../shared/schema/question';
import { templateQuestions } from '../../shared/templates/questions';
import type { AuthoredNote } from '../../client/src/sync/types';
import {
  AREA_HEADER, AREA_MIN_BODY, FLIPCHART_GAP, FLIPCHART_HEADER, FLIPCHART_WIDTH, NOTE_GAP, NOTE_HEIGHT, NOTE_WIDTH, SUBAREA_HEADER,
  areaAt, areaKey, clampToBody, findArea, findFreeSpot, flipchartOf, layoutWall, occupiedIn, questionText, type Rect,
} from '../../client/src/model/layout';
import { dropArea, dropPosition, snapToCell, spotIn } from '../../client/src/canvas/placement';
import { fitRect, panIntoView, toBoard, toScreen, zoomAround, MAX_SCALE, MIN_SCALE } from '../../client/src/canvas/viewport';

const actor = (id: string, order: number, color = '#77aadd'): Actor => ({ id: id.padEnd(16, '0'), name: id, color, order });
const A = actor('A', 1);
const B = actor('B', 2, '#ee8866');
const C = actor('C', 3, '#eedd88');
const QUESTIONS: Question[] = templateQuestions('value-network');
const q = (id: string) => QUESTIONS.find((x) => x.id === id)!;
const SIMPLE: Question[] = [q('1b'), q('3a')];

let seq = 0;
function note(actorId: string | null, questionId: string, x: number, y: number, extra: Partial<AuthoredNote> = {}): AuthoredNote {
  seq++;
  return {
    id: `Note${String(seq).padStart(12, '0')}`, questionId, text: `note ${seq}`, x, y, createdAt: 1_700_000_000_000 + seq,
    aboutActorId: null, participantId: 'Participant00001', authorName: 'Anna', actorId, mine: true, draft: false, ...extra,
  };
}

const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('layoutWall', () => {
  it('puts one flipchart per actor side by side, in order, with a gap', () => {
    const layout = layoutWall([A, B, C], SIMPLE, []);
    expect(layout.flipcharts.map((f) => f.actor.id)).toEqual([A.id, B.id, C.id]);
    layout.flipcharts.forEach((f, i) => {
      expect(f.x).toBe(i * (FLIPCHART_WIDTH + FLIPCHART_GAP));
      expect(f.y).toBe(0);
      expect(f.width).toBe(FLIPCHART_WIDTH);
    });
    expect(layout.width).toBe(3 * FLIPCHART_WIDTH + 2 * FLIPCHART_GAP);
    expect(layout.height).toBe(Math.max(...layout.flipcharts.map((f) => f.height)));
  });

  it('stacks the questions as areas under the header, each with a minimum empty body', () => {
    const [fc] = layoutWall([A], SIMPLE, []).flipcharts;
    expect(fc!.areas.map((a) => a.question.id)).toEqual(['1b', '3a']);
    const [first, second] = fc!.areas;
    expect(first!.y).toBe(FLIPCHART_HEADER);
    expect(first!.body).toEqual({ x: NOTE_GAP, y: FLIPCHART_HEADER + AREA_HEADER, width: FLIPCHART_WIDTH - 2 * NOTE_GAP, height: AREA_MIN_BODY });
    expect(second!.y).toBe(first!.y + first!.height + NOTE_GAP);
    expect(fc!.height).toBe(second!.y + second!.height + NOTE_GAP);
  });

  it('splits a per-actor question into one sub-area per other actor, sharing the row', () => {
    const [fc] = layoutWall([A, B, C], [q('1a')], []).flipcharts;
    expect(fc!.areas.map((a) => a.aboutActor?.id)).toEqual([B.id, C.id]);
    const [toB, toC] = fc!.areas;
    expect(toB!.key).toBe(areaKey(A.id, '1a', B.id));
    expect(toB!.y).toBe(toC!.y);
    expect(toB!.width).toBe((FLIPCHART_WIDTH - 2 * NOTE_GAP) / 2);
    expect(toC!.x).toBe(toB!.x + toB!.width);
    expect(toB!.body.y).toBe(toB!.y + AREA_HEADER + SUBAREA_HEADER);
    // Alone on the wall, a per-actor question has no one to be about.
    expect(layoutWall([A], [q('1a')], []).flipcharts[0]!.areas).toEqual([]);
  });

  it('grows a body to fit its notes, and every sub-area of that row with it', () => {
    const n = note(A.id, '1a', 10, 400, { aboutActorId: C.id });
    const layout = layoutWall([A, B, C], [q('1a'), q('1b')], [n]);
    const [toB, toC, oneB] = layout.flipcharts[0]!.areas;
    expect(toC!.body.height).toBe(400 + NOTE_HEIGHT + NOTE_GAP);
    expect(toB!.body.height).toBe(toC!.body.height);
    expect(oneB!.y).toBe(toB!.y + toB!.height + NOTE_GAP);
    // Other flipcharts keep their own heights.
    expect(layout.flipcharts[1]!.areas[0]!.body.height).toBe(AREA_MIN_BODY);
  });

  it('places notes relative to their area body, in the actor colour, clamped horizontally', () => {
    const inside = note(B.id, '3a', 30, 40);
    const tooFar = note(B.id, '3a', 5000, -20);
    const layout = layoutWall([A, B], SIMPLE, [inside, tooFar]);
    const area = findArea(layout, areaKey(B.id, '3a'))!;
    const placed = layout.notes.find((n) => n.note.id === inside.id)!;
    expect(placed).toMatchObject({ x: area.body.x + 30, y: area.body.y + 40, width: NOTE_WIDTH, height: NOTE_HEIGHT, color: B.color, areaKey: area.key });
    const clamped = layout.notes.find((n) => n.note.id === tooFar.id)!;
    expect(clamped.x).toBe(area.body.x + area.body.width - NOTE_WIDTH);
    expect(clamped.y).toBe(area.body.y);
  });

  it('keeps notes where they are when another actor or note is added elsewhere', () => {
    const n = note(A.id, '3a', 50, 60);
    const before = layoutWall([A, B], SIMPLE, [n]).notes[0]!;
    const after = layoutWall([A, B, C], SIMPLE, [n, note(A.id, '1b', 0, 900), note(C.id, '3a', 0, 0)]);
    const area = findArea(after, areaKey(A.id, '3a'))!;
    const moved = after.notes.find((x) => x.note.id === n.id)!;
    expect(moved.x - area.body.x).toBe(before.x - findArea(layoutWall([A, B], SIMPLE, [n]), areaKey(A.id, '3a'))!.body.x);
    expect(moved.y - area.body.y).toBe(60);
  });

  it('lists notes whose actor or question is gone as orphans instead of dropping them', () => {
    const goneActor = note('Gone000000000000', '1b', 0, 0);
    const goneQuestion = note(A.id, '9z', 0, 0);
    const unknownAuthor = note(null, '1b', 0, 0);
    const kept = note(A.id, '1b', 0, 0);
    const layout = layoutWall([A], SIMPLE, [goneActor, goneQuestion, unknownAuthor, kept]);
    expect(layout.notes.map((n) => n.note.id)).toEqual([kept.id]);
    expect(layout.orphans.map((n) => n.id).sort()).toEqual([goneActor.id, goneQuestion.id, unknownAuthor.id].sort());
  });

  it('is empty without actors', () => {
    expect(layoutWall([], QUESTIONS, [])).toMatchObject({ width: 0, height: 0, flipcharts: [], notes: [] });
  });
});

describe('areaAt, flipchartOf, questionText', () => {
  const layout = layoutWall([A, B, C], QUESTIONS, []);
  it('finds the area under a point, optionally only on one actor’s flipchart', () => {
    const target = findArea(layout, areaKey(B.id, '1a', C.id))!;
    const mid = { x: target.x + target.width / 2, y: target.y + target.height / 2 };
    expect(areaAt(layout, mid)?.key).toBe(target.key);
    expect(areaAt(layout, mid, B.id)?.key).toBe(target.key);
    expect(areaAt(layout, mid, A.id)).toBeNull();
    expect(areaAt(layout, { x: FLIPCHART_WIDTH + FLIPCHART_GAP / 2, y: 300 })).toBeNull();
    expect(areaAt(layout, { x: 100, y: FLIPCHART_HEADER / 2 })).toBeNull();
  });

  it('finds an actor’s flipchart', () => {
    expect(flipchartOf(layout, B.id)?.x).toBe(FLIPCHART_WIDTH + FLIPCHART_GAP);
    expect(flipchartOf(layout, null)).toBeUndefined();
  });

  it('reads the heading in the UI language', () => {
    expect(questionText(q('3a'), 'fi')).toContain('vahvuutenne');
    expect(questionText(q('3a'), 'en')).toContain('strengths');
    expect(questionText({ ...q('3a'), text: { fi: 'Vain suomeksi', en: '' } }, 'en')).toBe('Vain suomeksi');
  });
});

describe('findFreeSpot and occupiedIn', () => {
  const width = FLIPCHART_WIDTH - 2 * NOTE_GAP;
  const box = (p: { x: number; y: number }): Rect => ({ ...p, width: NOTE_WIDTH, height: NOTE_HEIGHT });

  it('fills an empty body from the top-left grid cell', () => {
    expect(findFreeSpot([], width)).toEqual({ x: NOTE_GAP, y: NOTE_GAP });
  });

  it('never overlaps what is there, however crowded', () => {
    const occupied: Rect[] = [];
    for (let i = 0; i < 30; i++) {
      const spot = findFreeSpot(occupied, width, i % 3 === 0 ? { x: 100, y: 100 } : undefined);
      expect(occupied.some((o) => overlaps(o, box(spot))), `note ${i}`).toBe(false);
      expect(spot.x + NOTE_WIDTH).toBeLessThanOrEqual(width);
      occupied.push(box(spot));
    }
  });

  it('avoids notes lying off the grid', () => {
    const occupied = [box({ x: 100, y: 50 }), box({ x: 400, y: 10 })];
    const spot = findFreeSpot(occupied, width);
    expect(occupied.some((o) => overlaps(o, box(spot)))).toBe(false);
  });

  it('uses the pointed place when free, else the nearest free cell', () => {
    expect(findFreeSpot([], width, { x: 300, y: 200 })).toEqual({ x: 300 - NOTE_WIDTH / 2, y: 200 - NOTE_HEIGHT / 2 });
    const occupied = [box({ x: 210, y: 140 })];
    const near = { x: 300, y: 200 };
    const spot = findFreeSpot(occupied, width, near);
    expect(overlaps(occupied[0]!, box(spot))).toBe(false);
    const far = findFreeSpot(occupied, width);
    expect(Math.hypot(spot.x - near.x, spot.y - near.y)).toBeLessThanOrEqual(Math.hypot(far.x - near.x, far.y - near.y));
  });

  it('works in a narrow sub-area (one column)', () => {
    const spots: Rect[] = [];
    for (let i = 0; i < 4; i++) spots.push(box(findFreeSpot(spots, NOTE_WIDTH + 2 * NOTE_GAP)));
    expect(spots.map((s) => s.x)).toEqual([NOTE_GAP, NOTE_GAP, NOTE_GAP, NOTE_GAP]);
    expect(new Set(spots.map((s) => s.y)).size).toBe(4);
  });

  it('lists an area’s notes body-relative, leaving one out on request', () => {
    const n1 = note(A.id, '1b', 20, 30);
    const n2 = note(A.id, '1b', 300, 30);
    const layout = layoutWall([A], SIMPLE, [n1, n2, note(A.id, '3a', 0, 0)]);
    const area = findArea(layout, areaKey(A.id, '1b'))!;
    expect(occupiedIn(layout, area)).toEqual([box({ x: 20, y: 30 }), box({ x: 300, y: 30 })]);
    expect(occupiedIn(layout, area, n1.id)).toEqual([box({ x: 300, y: 30 })]);
  });

  it('clampToBody keeps x inside and y non-negative, rounded', () => {
    expect(clampToBody(-5, -5, 400)).toEqual({ x: 0, y: 0 });
    expect(clampToBody(1000, 10.6, 400)).toEqual({ x: 400 - NOTE_WIDTH, y: 11 });
    expect(clampToBody(50, 50, 100)).toEqual({ x: 0, y: 50 });
  });
});

describe('placement (canvas)', () => {
  const box = (p: { x: number; y: number }): Rect => ({ ...p, width: NOTE_WIDTH, height: NOTE_HEIGHT });
  const layout = layoutWall([A, B, C], QUESTIONS, [note(A.id, '1b', NOTE_GAP, NOTE_GAP)]);

  it('snaps a pointed place to the nearest grid cell centre', () => {
    expect(snapToCell({ x: 10, y: 10 }, 784)).toEqual({ x: NOTE_GAP + NOTE_WIDTH / 2, y: NOTE_GAP + NOTE_HEIGHT / 2 });
    // The same columns findFreeSpot fills: as many whole cells as fit after the left margin.
    const columns = 4; // a full-width body holds four notes side by side
    expect(snapToCell({ x: 5000, y: 300 }, 784)).toEqual({ x: NOTE_GAP + (columns - 1) * (NOTE_WIDTH + NOTE_GAP) + NOTE_WIDTH / 2, y: NOTE_GAP + 2 * (NOTE_HEIGHT + NOTE_GAP) + NOTE_HEIGHT / 2 });
    expect(snapToCell({ x: 250, y: 0 }, 784).x).toBe(NOTE_GAP + (NOTE_WIDTH + NOTE_GAP) + NOTE_WIDTH / 2);
  });

  it('puts a double-clicked note on the grid, off existing notes', () => {
    const area = findArea(layout, areaKey(A.id, '1b'))!;
    const free = spotIn(layout, area, { x: area.body.x + 250, y: area.body.y + 40 });
    expect(free).toEqual({ x: NOTE_GAP + NOTE_WIDTH + NOTE_GAP, y: NOTE_GAP });
    // On a taken cell: a neighbouring free cell, not the far end of the grid.
    const spot = spotIn(layout, area, { x: area.body.x + 40, y: area.body.y + 40 });
    expect(overlaps(box(spot), { x: NOTE_GAP, y: NOTE_GAP, width: NOTE_WIDTH, height: NOTE_HEIGHT })).toBe(false);
    expect([NOTE_GAP, NOTE_GAP + NOTE_WIDTH + NOTE_GAP]).toContain(spot.x);
    expect([NOTE_GAP, NOTE_GAP + NOTE_HEIGHT + NOTE_GAP]).toContain(spot.y);
  });

  it('drops onto the area under the note, the nearest one in a gap, nothing off your flipchart', () => {
    const target = findArea(layout, areaKey(A.id, '2b'))!;
    expect(dropArea(layout, { x: target.x + 50, y: target.y + 100 }, A.id)?.key).toBe(target.key);
    expect(dropArea(layout, { x: target.x + 50, y: target.y + target.height + NOTE_GAP / 2 }, A.id)).not.toBeNull();
    expect(dropArea(layout, { x: target.x + 50, y: target.y + 100 }, B.id)).toBeNull();
    expect(dropArea(layout, { x: FLIPCHART_WIDTH + 10, y: 300 }, A.id)).toBeNull();
    expect(dropPosition(target, { x: target.body.x - 40, y: target.body.y + 33 })).toEqual({ x: 0, y: 33 });
  });
});

describe('viewport', () => {
  it('maps board and screen points both ways', () => {
    const view = { x: 30, y: -20, scale: 0.5 };
    const p = { x: 100, y: 300 };
    expect(toScreen(view, p)).toEqual({ x: 80, y: 130 });
    expect(toBoard(view, toScreen(view, p))).toEqual(p);
  });

  it('zooms around a point that stays put, within limits', () => {
    const view = { x: 10, y: 20, scale: 1 };
    const anchor = { x: 400, y: 300 };
    const zoomed = zoomAround(view, anchor, 2);
    expect(zoomed.scale).toBe(2);
    expect(toBoard(zoomed, anchor)).toEqual(toBoard(view, anchor));
    expect(zoomAround(view, anchor, 1000).scale).toBe(MAX_SCALE);
    expect(zoomAround(view, anchor, 0.0001).scale).toBe(MIN_SCALE);
  });

  it('fits a rectangle, centred or from the top', () => {
    const size = { width: 1000, height: 500 };
    const centred = fitRect({ x: 0, y: 0, width: 2000, height: 500 }, size, { margin: 0, maxScale: 5 });
    expect(centred).toEqual({ x: 0, y: 125, scale: 0.5 });
    const top = fitRect({ x: 100, y: 0, width: 800, height: 3000 }, size, { margin: 20, maxScale: 1, align: 'top', widthOnly: true });
    expect(top.scale).toBe(1);
    expect(top.y).toBe(20);
    expect(top.x).toBe(100 - 100);
  });

  it('pans just enough to show a rectangle', () => {
    const view = { x: 0, y: 0, scale: 1 };
    expect(panIntoView(view, { x: 10, y: 10, width: 50, height: 50 }, { width: 500, height: 500 }, 0)).toEqual(view);
    expect(panIntoView(view, { x: 600, y: -100, width: 50, height: 50 }, { width: 500, height: 500 }, 10)).toEqual({ x: -160, y: 110, scale: 1 });
  });
});

describe('notes that land on the same spot', () => {
  it('shows a note mostly hidden under an earlier one at a free spot, the same on every client', () => {
    // Two people of one actor posted at the same instant and picked the same free spot.
    const first = note(A.id, '3a', 16, 16, { participantId: 'Participant00001', createdAt: 1000 });
    const second = note(A.id, '3a', 16, 16, { participantId: 'Participant00002', createdAt: 1001 });
    const third = note(A.id, '3a', 40, 30, { participantId: 'Participant00003', createdAt: 1002 });
    const drawn = (notes: AuthoredNote[]) =>
      Object.fromEntries(layoutWall([A], SIMPLE, notes).notes.map((n) => [n.note.participantId, { x: n.x, y: n.y }]));
    const one = drawn([first, second, third]);
    const other = drawn([third, second, first]);
    expect(one).toEqual(other);
    const rects = Object.values(one).map((p) => ({ ...p, width: NOTE_WIDTH, height: NOTE_HEIGHT }));
    for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) expect(overlaps(rects[i]!, rects[j]!)).toBe(false);
    // The earliest keeps its stored place.
    const area = findArea(layoutWall([A], SIMPLE, [first]), areaKey(A.id, '3a'))!;
    expect(one.Participant00001).toEqual({ x: area.body.x + 16, y: area.body.y + 16 });
  });

  it('keeps a deliberate slight overlap where it was put', () => {
    const first = note(A.id, '3a', 16, 16, { createdAt: 1000 });
    const second = note(A.id, '3a', 16 + NOTE_WIDTH - 30, 16, { createdAt: 1001 });
    const layout = layoutWall([A], SIMPLE, [first, second]);
    const area = findArea(layout, areaKey(A.id, '3a'))!;
    const placed = layout.notes.find((n) => n.note.id === second.id)!;
    expect({ x: placed.x - area.body.x, y: placed.y - area.body.y }).toEqual({ x: 16 + NOTE_WIDTH - 30, y: 16 });
  });
});
