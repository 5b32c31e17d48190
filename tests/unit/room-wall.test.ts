import { describe, expect, it } from 'vitest';
import { grownNote } from '../../client/src/canvas/notes';
import { approximateMeasure } from '../../client/src/model/text';
import { focusedNote } from '../../client/src/room/focus';
import { WALL_TYPE } from '../../client/src/canvas/theme';
import type { BoardSnapshot } from '../../client/src/sync/types';

/** The wall during read-aloud: the note being read shows its whole text; every view finds the same note. */
const c = { measure: approximateMeasure, sizes: WALL_TYPE.noteSizes };
const box = { width: 160, height: 82 };

describe('grownNote: the focused note never ends in "…"', () => {
  it('a short note keeps its size', () => {
    expect(grownNote('Premises for evening activities', box, c)).toBeNull();
  });

  it('a 500-character note grows (twice as wide, as tall as needed) and keeps every word', () => {
    const text = 'Calendars overlap and funding is project by project, so nobody owns the shared picture of the region. '.repeat(5).slice(0, 500);
    const grown = grownNote(text, box, c)!;
    expect(grown).not.toBeNull();
    expect(grown.width).toBeGreaterThan(box.width * 2);
    expect(grown.fit.truncated).toBe(false);
    expect(grown.fit.lines.join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' ').trim());
    expect(grown.fit.lines.some((line) => line.endsWith('…'))).toBe(false);
    expect(grown.height).toBeGreaterThanOrEqual(grown.fit.lines.length * grown.fit.fontSize * 1.2 - 1);
  });
});

describe('focusedNote', () => {
  const note = (id: string, draft = false) => ({ id, participantId: 'P'.repeat(16), draft }) as BoardSnapshot['notes'][number];
  const board = (focus: { participantId: string; noteId: string } | null, notes: BoardSnapshot['notes']) =>
    ({ room: { session: { focus } }, notes }) as unknown as Pick<BoardSnapshot, 'room' | 'notes'>;
  it('is the note named by session.focus; null without a focus, before the note arrives, or for a draft', () => {
    const a = note('A'.repeat(16));
    expect(focusedNote(board({ participantId: 'P'.repeat(16), noteId: a.id }, [a]))).toBe(a);
    expect(focusedNote(board(null, [a]))).toBeNull();
    expect(focusedNote(board({ participantId: 'P'.repeat(16), noteId: 'B'.repeat(16) }, [a]))).toBeNull();
    const d = note('D'.repeat(16), true);
    expect(focusedNote(board({ participantId: 'P'.repeat(16), noteId: d.id }, [d]))).toBeNull();
  });
});
