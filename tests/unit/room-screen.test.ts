import { describe, expect, it } from 'vitest';
import { fitReading, fitRound, LINE_HEIGHT, MIN_NOTE_PX, shareLines, showsAllWhole } from '../../client/src/room/fit';
import { roomStage, showsJoinCode } from '../../client/src/room/stage';
import { peopleCounts } from '../../client/src/room/people';
import { approximateMeasure, wrapText } from '../../client/src/model/text';
import * as Y from 'yjs';
import { initRoom } from '../../shared/ops/room';
import { setPresent } from '../../shared/ops/session';
import { LOCAL_ORIGIN, serverOrigin } from '../../shared/origins';
import { readRoom } from '../../shared/read/snapshot';
import { presentOf, type Round } from '../../shared/schema/session';
import type { Participant } from '../../shared/schema/participant';

const round = (endedAt: number | null = null): Round => ({ questionId: '1b', startedAt: 0, durationMs: 600_000, pausedAt: null, pausedTotalMs: 0, endedAt });
const focus = { participantId: 'P'.repeat(16), noteId: 'N'.repeat(16) };

describe('roomStage: what the projector shows', () => {
  it.each([
    ['nothing yet', { round: null, focus: null }, 'setup', true, 'welcome'],
    ['a running round', { round: round(), focus: null }, 'writing', true, 'round'],
    ['an ended round, still writing', { round: round(5), focus: null }, 'writing', true, 'round'],
    ['reading aloud wins over a running round', { round: round(), focus }, 'reading', true, 'reading'],
    ['a focus whose note is not here (yet) does not blank the screen', { round: round(5), focus }, 'reading', false, 'round'],
    ['analysis', { round: round(5), focus: null }, 'analysis', true, 'analysis'],
    ['workshop II', { round: round(5), focus: null }, 'workshop2', true, 'workshop2'],
    ['closed shows the results of workshop II', { round: null, focus: null }, 'closed', true, 'workshop2'],
    ['present: auto follows the stage', { round: round(), focus: null, present: 'auto' as const }, 'writing', true, 'round'],
    ['present pins a view', { round: round(), focus, present: 'map' as const }, 'reading', true, 'map'],
    ['present: wall', { round: null, focus: null, present: 'wall' as const }, 'setup', true, 'wall'],
  ] as const)('%s', (_, session, phase, shown, expected) => {
    expect(roomStage(session, phase, shown)).toBe(expected);
  });

  it('the join code shows where people may still arrive or write, not over analysis or read-aloud', () => {
    expect(['welcome', 'round', 'wall'].every((s) => showsJoinCode(s as never))).toBe(true);
    expect(['reading', 'analysis', 'workshop2', 'map', 'actions'].some((s) => showsJoinCode(s as never))).toBe(false);
  });
});

describe('shareLines: cutting the longest notes of a full column first', () => {
  it('keeps everything when it fits', () => {
    expect(shareLines([2, 3, 1], 6)).toEqual([null, null, null]);
  });
  it('cuts the long notes to the same length and hands out what is left, in order', () => {
    // Needs 2+5+4+1 = 12 lines in 9: limit 3 uses 2+3+3+1 = 9.
    expect(shareLines([2, 5, 4, 1], 9)).toEqual([null, 3, 3, null]);
    // In 10: one spare line goes to the first long note.
    expect(shareLines([2, 5, 4, 1], 10)).toEqual([null, 4, 3, null]);
    // A spare that completes a note leaves it whole.
    expect(shareLines([2, 4, 4, 1], 10)).toEqual([null, null, 3, null]);
  });
  it('never below the floor', () => {
    expect(shareLines([3, 3, 3], 5)).toBeNull();
    expect(shareLines([3, 3, 3], 6)).toEqual([2, 2, 2]);
  });
});

describe('fitRound: one type size for every note on the screen', () => {
  const measure = approximateMeasure;
  const box = { textWidth: 190, height: 800, chrome: 15 };
  const linesUsed = (texts: readonly string[], size: number, lines: ReadonlyArray<number | null>) =>
    texts.reduce((sum, text, i) => sum + Math.min(wrapText(text, box.textWidth, size, measure).length, lines[i] ?? Infinity) * size * LINE_HEIGHT + box.chrome, 0);

  it('few short notes get large type', () => {
    const fit = fitRound([['Premises'], ['Volunteers', 'Guidance on grants']], box, measure);
    expect(fit.fontSize).toBe(40);
    expect(fit.visible).toEqual([1, 2]);
    expect(fit.lines.flat().every((l) => l === null)).toBe(true);
  });

  it('8 actors × 12 notes: never below 20 px, and every column fits its height', () => {
    const texts = Array.from({ length: 8 }, (_, a) => Array.from({ length: 12 }, (_, i) => `Note ${a}-${i}: premises for evening activities${i % 3 === 0 ? ' and weekend camps for families' : ''}`));
    const fit = fitRound(texts, box, measure);
    expect(fit.fontSize).toBeGreaterThanOrEqual(MIN_NOTE_PX);
    expect(fit.visible).toEqual(Array(8).fill(12));
    texts.forEach((column, i) => expect(linesUsed(column, fit.fontSize, fit.lines[i]!)).toBeLessThanOrEqual(box.height));
  });

  it('a column too full even at two lines a note shows its newest notes, at the minimum size', () => {
    const crowded = Array.from({ length: 40 }, (_, i) => `A fairly long note number ${i} about premises and volunteers`);
    const fit = fitRound([crowded, ['Short']], box, measure);
    expect(fit.fontSize).toBe(MIN_NOTE_PX);
    expect(fit.visible[0]).toBeLessThan(40);
    expect(fit.visible[0]).toBeGreaterThan(5);
    expect(fit.visible[1]).toBe(1);
    const shown = crowded.slice(40 - fit.visible[0]!);
    // The "+ N more" line takes one note's room.
    expect(linesUsed(shown, MIN_NOTE_PX, fit.lines[0]!) + box.chrome + MIN_NOTE_PX * LINE_HEIGHT).toBeLessThanOrEqual(box.height + 1);
  });
});

describe('showsAllWhole: whether the round stage has room to spare for a larger join code', () => {
  const box = { textWidth: 190, height: 800, chrome: 15 };
  const texts = Array.from({ length: 8 }, (_, a) => Array.from({ length: 12 }, (_, i) => `Note ${a}-${i}: premises for evening activities and weekend camps for families`));
  const counts = texts.map((c) => c.length);
  it('few notes: whole, with a lot less height too', () => {
    expect(showsAllWhole(fitRound([['Premises'], []], box, approximateMeasure), [1, 0])).toBe(true);
    expect(showsAllWhole(fitRound([['Premises'], []], { ...box, height: box.height - 104 }, approximateMeasure), [1, 0])).toBe(true);
  });
  it('a full screen: not whole once the height is short (notes cut with "…" or left out)', () => {
    const roomy = fitRound(texts, { ...box, height: 4000 }, approximateMeasure);
    expect(showsAllWhole(roomy, counts)).toBe(true);
    const tight = fitRound(texts, { ...box, height: 500 }, approximateMeasure);
    expect(tight.fontSize).toBe(MIN_NOTE_PX);
    expect(showsAllWhole(tight, counts)).toBe(false);
  });
});

describe('fitReading: the note read aloud, whole', () => {
  const text500 = 'Calendars overlap and funding is project by project, so nobody owns the shared picture. '.repeat(6).slice(0, 500);
  it('a 500-character note fits a 1080p box well above the minimum', () => {
    const box = { width: 1600, height: 640 };
    const size = fitReading(text500, box, approximateMeasure);
    expect(size).toBeGreaterThanOrEqual(40);
    expect(wrapText(text500, box.width, size, approximateMeasure).length * size * LINE_HEIGHT).toBeLessThanOrEqual(box.height);
  });
  it('a short note is large, up to the maximum', () => {
    expect(fitReading('Yes', { width: 1600, height: 640 }, approximateMeasure, { max: 88 })).toBe(88);
  });
  it('a box too small gives the minimum', () => {
    expect(fitReading(text500, { width: 200, height: 50 }, approximateMeasure)).toBe(24);
  });
});

describe('peopleCounts: counts, never contents', () => {
  const p = (id: string, role: Participant['role']): Participant => ({ id: id.padEnd(16, '0'), name: id, actorId: null, role, joinedAt: 1 });
  const presence = (id: string) => ({ clientId: Math.random(), participantId: id.padEnd(16, '0'), name: id, color: '#fff', cursor: null, self: false });
  it('counts participants with an open tab once each; facilitators and observers are not writers', () => {
    const participants = [p('a', 'participant'), p('b', 'participant'), p('c', 'participant'), p('f', 'facilitator'), p('o', 'observer')];
    expect(peopleCounts([presence('a'), presence('a'), presence('b'), presence('f'), presence('o')], participants)).toEqual({ connected: 2, joined: 3 });
  });
});

describe('setPresent: the room screen view in the session', () => {
  it('writes a known view, refuses an unknown one, and readers default an absent one to auto', () => {
    const doc = new Y.Doc();
    initRoom(doc, { title: 'T', template: 'value-network', language: 'en', actors: [] }, 1, serverOrigin('test'));
    expect(readRoom(doc).session.present).toBeUndefined();
    expect(presentOf(readRoom(doc).session)).toBe('auto');
    setPresent(doc, 'map', LOCAL_ORIGIN);
    expect(presentOf(readRoom(doc).session)).toBe('map');
    expect(() => setPresent(doc, 'everything' as never, LOCAL_ORIGIN)).toThrow(/room screen view/);
    expect(presentOf(readRoom(doc).session)).toBe('map');
    expect(readRoom(doc).problems).toEqual([]);
  });
});
