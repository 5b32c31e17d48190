import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NOTE_HEIGHT, NOTE_WIDTH, findFreeSpot, overlaps, type Rect } from '../../shared/geometry';
import { PlacedNotes } from '../../client/src/model/freeSpots';

/**
 * The wall's indexed placement (client/src/model/freeSpots.ts) must answer exactly as
 * shared/geometry's plain scans, which the server's round engine uses: same spot, same overlap
 * answer, for any notes placed anywhere (piled up, spread out, overlapping).
 */
const note = fc.record({ x: fc.integer({ min: 0, max: 900 }), y: fc.integer({ min: 0, max: 2400 }) }).map((p): Rect => ({ ...p, width: NOTE_WIDTH, height: NOTE_HEIGHT }));
const near = fc.option(fc.record({ x: fc.integer({ min: -100, max: 1000 }), y: fc.integer({ min: -100, max: 2600 }) }), { nil: undefined });

describe('PlacedNotes', () => {
  it('finds the same free spot as findFreeSpot and answers overlaps as a plain scan', () => {
    fc.assert(
      fc.property(fc.array(note, { maxLength: 60 }), fc.constantFrom(212, 408, 800, 1000), near, note, (placed, bodyWidth, pointed, probe) => {
        const index = new PlacedNotes();
        for (const rect of placed) index.add(rect);
        expect(index.findFreeSpot(bodyWidth, pointed)).toEqual(findFreeSpot(placed, bodyWidth, pointed));
        expect(index.some(probe)).toBe(placed.some((o) => overlaps(o, probe)));
        expect(index.length).toBe(placed.length);
      }),
      { numRuns: 400 },
    );
  });

  it('finds a spot below a pile of notes all at one place', () => {
    const index = new PlacedNotes();
    const pile = Array.from({ length: 30 }, () => ({ x: 16, y: 16, width: NOTE_WIDTH, height: NOTE_HEIGHT }));
    for (const rect of pile) index.add(rect);
    const spot = index.findFreeSpot(800);
    expect(spot).toEqual(findFreeSpot(pile, 800));
    expect(index.some({ ...spot, width: NOTE_WIDTH, height: NOTE_HEIGHT })).toBe(false);
  });
});
