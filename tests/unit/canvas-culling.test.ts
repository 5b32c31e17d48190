import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { contains, coverFor, detailFor, intersects, keepsNode, needsRecull, RectGrid, topmostAt, viewRect } from '../../client/src/canvas/culling';
import { sameNotes } from '../../client/src/canvas/changes';
import type { AuthoredNote } from '../../client/src/sync/types';

const size = { width: 1440, height: 900 };

describe('level of detail', () => {
  test('zoomed far out notes are paper, in between text, near 1:1 everything', () => {
    expect(detailFor(0.08)).toBe('minimal');
    expect(detailFor(0.17)).toBe('minimal');
    expect(detailFor(0.18)).toBe('reduced');
    expect(detailFor(0.41)).toBe('reduced');
    expect(detailFor(0.42)).toBe('full');
    expect(detailFor(3)).toBe('full');
  });

  test('zoomed far out, only notes you can act on or that look different keep a node', () => {
    const plain = { editable: false, selected: false, editing: false, focused: false, marked: false, held: false };
    expect(keepsNode(plain)).toBe(false);
    for (const flag of Object.keys(plain) as Array<keyof typeof plain>) expect(keepsNode({ ...plain, [flag]: true }), flag).toBe(true);
  });
});

describe('viewport culling', () => {
  test('the view rectangle is the board area the container shows', () => {
    expect(viewRect({ x: -200, y: 100, scale: 2 }, size)).toEqual({ x: 100, y: -50, width: 720, height: 450 });
  });

  const rect = fc.record({ x: fc.integer({ min: -5000, max: 20000 }), y: fc.integer({ min: -5000, max: 20000 }), width: fc.integer({ min: 0, max: 400 }), height: fc.integer({ min: 0, max: 300 }) });

  test('the grid finds exactly the rects that meet an area, in drawing order (property)', () => {
    fc.assert(
      fc.property(fc.array(rect, { maxLength: 200 }), rect, fc.integer({ min: 1, max: 40 }), (rects, area, grow) => {
        const query = { ...area, width: area.width * grow, height: area.height * grow };
        const expected = rects.flatMap((r, i) => (intersects(r, query) ? [i] : []));
        expect(new RectGrid(rects, 600).query(query)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  test('a pan of less than half a screen keeps the drawn notes; leaving the covered area re-culls', () => {
    const view = { x: 0, y: 0, scale: 0.5 };
    const covered = coverFor(view, size);
    expect(contains(covered, viewRect(view, size))).toBe(true);
    expect(needsRecull(covered, detailFor(0.5), { ...view, x: -size.width * 0.4 }, size)).toBe(false);
    expect(needsRecull(covered, detailFor(0.5), { ...view, y: size.height * 0.4 }, size)).toBe(false);
    expect(needsRecull(covered, detailFor(0.5), { ...view, x: -size.width * 0.6 }, size)).toBe(true);
    expect(needsRecull(null, null, view, size)).toBe(true);
  });

  test('crossing a detail level, or zooming in far enough that most drawn notes are off screen, re-culls', () => {
    const view = { x: 0, y: 0, scale: 0.5 };
    const covered = coverFor(view, size);
    // Zooming in around the centre stays inside the covered area…
    const zoomAt = (scale: number) => ({ scale, x: size.width / 2 - (size.width / 2 / 0.5) * scale, y: size.height / 2 - (size.height / 2 / 0.5) * scale });
    expect(needsRecull(covered, 'full', zoomAt(0.8), size)).toBe(false);
    // …but at 4× less than a sixteenth of the covered area is on screen: make fewer nodes.
    expect(needsRecull(covered, 'full', zoomAt(2.1), size)).toBe(true);
    expect(needsRecull(covered, 'full', zoomAt(0.4), size)).toBe(true);
  });

  test('a point finds the topmost note under it', () => {
    const grid = new RectGrid([
      { x: 0, y: 0, width: 180, height: 120 },
      { x: 100, y: 50, width: 180, height: 120 },
      { x: 1000, y: 1000, width: 180, height: 120 },
    ]);
    expect(topmostAt(grid, { x: 10, y: 10 })).toBe(0);
    expect(topmostAt(grid, { x: 150, y: 100 })).toBe(1);
    expect(topmostAt(grid, { x: 500, y: 500 })).toBeNull();
  });
});

describe('snapshots that change nothing the wall lays out', () => {
  const note = (id: string, text = 'x'): AuthoredNote => ({ id, text, questionId: '1a', x: 0, y: 0, createdAt: 1, participantId: 'p', authorName: 'A', actorId: 'a', mine: false, draft: false });

  test('equal note by note, also as new objects (presence-only snapshots rebuild them today)', () => {
    const a = [note('1'), note('2')];
    expect(sameNotes(a, a)).toBe(true);
    expect(sameNotes(a, [note('1'), note('2')])).toBe(true);
    expect(sameNotes(a, [note('1'), note('2', 'y')])).toBe(false);
    expect(sameNotes(a, [note('1')])).toBe(false);
    expect(sameNotes([note('1')], [{ ...note('1'), late: true }])).toBe(false);
  });
});
