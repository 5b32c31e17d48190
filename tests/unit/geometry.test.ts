import { describe, expect, it } from 'vitest';
import { FLIPCHART_WIDTH, NOTE_GAP, NOTE_HEIGHT, NOTE_WIDTH, areaBodyWidth, clampToBody, findFreeSpot, flipchartWidth, overlaps, type Rect } from '../../shared/geometry';

/** shared/geometry.ts: the wall geometry the server's round engine and the client share. */
const FULL = FLIPCHART_WIDTH - 2 * NOTE_GAP;
const box = (p: { x: number; y: number }): Rect => ({ ...p, width: NOTE_WIDTH, height: NOTE_HEIGHT });
const hitsAny = (occupied: readonly Rect[], spot: { x: number; y: number }) => occupied.some((o) => overlaps(o, box(spot)));

describe('areaBodyWidth', () => {
  it('a question for everyone spans the flipchart body', () => {
    expect(FLIPCHART_WIDTH).toBe(2 * NOTE_GAP + 4 * (NOTE_WIDTH + NOTE_GAP));
    for (const actors of [0, 1, 2, 4]) expect(areaBodyWidth({ perActor: false }, actors)).toBe(FULL);
  });

  it('widens every flipchart when per-actor columns would be narrower than a note', () => {
    expect(flipchartWidth(4)).toBe(FLIPCHART_WIDTH);
    // Five actors: four columns of a note plus a gap on each side.
    expect(flipchartWidth(5)).toBe(2 * NOTE_GAP + 4 * (NOTE_WIDTH + 2 * NOTE_GAP));
    for (const actors of [5, 6, 8, 12]) expect(areaBodyWidth({ perActor: true }, actors)).toBeGreaterThanOrEqual(NOTE_WIDTH + 2 * NOTE_GAP);
  });

  it('a per-actor question is split once per other actor', () => {
    expect(areaBodyWidth({ perActor: true }, 2)).toBe(FULL);
    expect(areaBodyWidth({ perActor: true }, 3)).toBe(FULL / 2);
    expect(areaBodyWidth({ perActor: true }, 4)).toBe(FULL / 3);
  });

  it('with no other actor a per-actor question falls back to the full width', () => {
    expect(areaBodyWidth({ perActor: true }, 1)).toBe(FULL);
    expect(areaBodyWidth({ perActor: true }, 0)).toBe(FULL);
  });
});

describe('findFreeSpot', () => {
  it('fills an empty body from the top-left grid cell, then along the row', () => {
    const spots: Rect[] = [];
    // The full body (784) holds four grid columns: the fourth ends at 16 + 3 × 196 + 180 = 784.
    for (let i = 0; i < 5; i++) spots.push(box(findFreeSpot(spots, FULL)));
    const step = NOTE_WIDTH + NOTE_GAP;
    expect(spots.map(({ x, y }) => ({ x, y }))).toEqual([
      { x: NOTE_GAP, y: NOTE_GAP },
      { x: NOTE_GAP + step, y: NOTE_GAP },
      { x: NOTE_GAP + 2 * step, y: NOTE_GAP },
      { x: NOTE_GAP + 3 * step, y: NOTE_GAP },
      { x: NOTE_GAP, y: NOTE_GAP + NOTE_HEIGHT + NOTE_GAP },
    ]);
  });

  it('never overlaps and stays inside the width, however crowded, with or without a pointed place', () => {
    for (const width of [FULL, FULL / 2, FULL / 3, NOTE_WIDTH + 2 * NOTE_GAP]) {
      const occupied: Rect[] = [];
      for (let i = 0; i < 40; i++) {
        const spot = findFreeSpot(occupied, width, i % 4 === 0 ? { x: 150, y: 90 } : undefined);
        expect(hitsAny(occupied, spot), `width ${width}, note ${i}`).toBe(false);
        expect(spot.x + NOTE_WIDTH).toBeLessThanOrEqual(Math.max(width, NOTE_WIDTH + NOTE_GAP));
        occupied.push(box(spot));
      }
    }
  });

  it('avoids notes lying off the grid', () => {
    const occupied = [box({ x: 100, y: 50 }), box({ x: 400, y: 10 })];
    expect(hitsAny(occupied, findFreeSpot(occupied, FULL))).toBe(false);
  });

  it('finds a free place even when few notes block many grid cells', () => {
    // Each note straddles four grid cells: a fixed number of grid rows would be all taken.
    const stepX = NOTE_WIDTH + NOTE_GAP;
    const stepY = NOTE_HEIGHT + NOTE_GAP;
    const occupied: Rect[] = [];
    for (let row = 0; row < 10; row++) for (let column = 0; column < 2; column++) occupied.push(box({ x: NOTE_GAP + stepX / 2 + column * stepX, y: NOTE_GAP + stepY / 2 + row * stepY }));
    const spot = findFreeSpot(occupied, FULL);
    expect(hitsAny(occupied, spot)).toBe(false);
    // A note far down the body: the free place is not under it.
    const far = [box({ x: NOTE_GAP, y: 5000 })];
    expect(findFreeSpot(far, FULL)).toEqual({ x: NOTE_GAP, y: NOTE_GAP });
    const column = Array.from({ length: 50 }, (_, i) => box({ x: 0, y: i * 100 }));
    expect(hitsAny(column, findFreeSpot(column, NOTE_WIDTH + 2 * NOTE_GAP))).toBe(false);
  });

  it('uses the pointed place when free, else the nearest free cell', () => {
    expect(findFreeSpot([], FULL, { x: 300, y: 200 })).toEqual({ x: 300 - NOTE_WIDTH / 2, y: 200 - NOTE_HEIGHT / 2 });
    const occupied = [box({ x: 210, y: 140 })];
    const near = { x: 300, y: 200 };
    const spot = findFreeSpot(occupied, FULL, near);
    expect(hitsAny(occupied, spot)).toBe(false);
    const first = findFreeSpot(occupied, FULL);
    expect(Math.hypot(spot.x - near.x, spot.y - near.y)).toBeLessThanOrEqual(Math.hypot(first.x - near.x, first.y - near.y));
  });

  it('a pointed place far down, when taken, gives a cell near it rather than the top', () => {
    const near = { x: 200, y: 3000 };
    const occupied = [box(clampToBody(near.x - NOTE_WIDTH / 2, near.y - NOTE_HEIGHT / 2, FULL))];
    const spot = findFreeSpot(occupied, FULL, near);
    expect(hitsAny(occupied, spot)).toBe(false);
    expect(Math.abs(spot.y - near.y)).toBeLessThan(2 * (NOTE_HEIGHT + NOTE_GAP));
  });

  it('works in a narrow sub-area (one column)', () => {
    const spots: Rect[] = [];
    for (let i = 0; i < 4; i++) spots.push(box(findFreeSpot(spots, NOTE_WIDTH + 2 * NOTE_GAP)));
    expect(spots.map((s) => s.x)).toEqual([NOTE_GAP, NOTE_GAP, NOTE_GAP, NOTE_GAP]);
    expect(new Set(spots.map((s) => s.y)).size).toBe(4);
  });
});

describe('clampToBody', () => {
  it('keeps x inside and y non-negative, rounded', () => {
    expect(clampToBody(-5, -5, 400)).toEqual({ x: 0, y: 0 });
    expect(clampToBody(1000, 10.6, 400)).toEqual({ x: 400 - NOTE_WIDTH, y: 11 });
    expect(clampToBody(50, 50, 100)).toEqual({ x: 0, y: 50 });
  });
});
