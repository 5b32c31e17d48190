import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  addAction,
  addFlow,
  assignNote,
  clearMapLayout,
  createTheme,
  deleteAction,
  deleteFlow,
  deleteTheme,
  linkStrength,
  mergeFlows,
  mergeThemes,
  setMapPosition,
  unlinkStrength,
  updateAction,
  updateFlow,
  updateTheme,
} from '../../shared/ops/analysis';
import { initRoom } from '../../shared/ops/room';
import { markRead, setFlipchartLocked, setFocus, setPhase, setWallLocked, wallAcceptsEditsFrom } from '../../shared/ops/session';
import { LOCAL_ORIGIN, serverOrigin } from '../../shared/origins';
import { readAnalysis } from '../../shared/read/analysis';
import { readRoom } from '../../shared/read/snapshot';
import { noteRef, roomRoots } from '../../shared/schema/layout';
import { matrixKey } from '../../shared/schema/matrix';
import type { Phase } from '../../shared/schema/meta';
import { ID, NOW, expectArvoError } from './helpers';

const O = LOCAL_ORIGIN;
const REF_A = noteRef(ID.me, 'NoteA00000000001');
const REF_B = noteRef(ID.me, 'NoteB00000000001');
const REF_C = noteRef(ID.other, 'NoteC00000000001');
const STRENGTH_NOTE = `note:${noteRef(ID.other, 'NoteS00000000001')}`;

function room() {
  const doc = new Y.Doc();
  const { actors } = initRoom(doc, { title: 'Analyysi', template: 'value-network', language: 'fi', actors: [{ name: 'Kunta' }, { name: 'Yhdistys' }] }, NOW, O);
  return { doc, actors: actors.map((a) => a.id) as [string, string] };
}

/** Counts the document's update events while `fn` runs: a refused or no-op operation writes nothing. */
function updatesDuring(doc: Y.Doc, fn: () => void): number {
  let count = 0;
  const count1 = () => count++;
  doc.on('update', count1);
  try {
    fn();
  } finally {
    doc.off('update', count1);
  }
  return count;
}

describe('themes', () => {
  it('createTheme stores a validated theme with the next order', () => {
    const { doc } = room();
    const first = createTheme(doc, { name: '  Asenteet ', kind: 'challenge' }, O);
    const second = createTheme(doc, { name: 'Verkostot', kind: 'strength', need: 'ignored for strengths but kept' }, O);
    expect(first).toEqual({ id: first.id, name: 'Asenteet', kind: 'challenge', order: 1, need: '' });
    expect(second.order).toBe(2);
    expect(readAnalysis(doc).themes).toEqual([first, second]);
  });

  it('createTheme refuses an empty name or an unknown kind', () => {
    const { doc } = room();
    expectArvoError(() => createTheme(doc, { name: '   ', kind: 'challenge' }, O), 'invalid-input');
    expectArvoError(() => createTheme(doc, { name: 'X', kind: 'wish' as never }, O), 'invalid-input');
    expect(roomRoots(doc).themes.size).toBe(0);
  });

  it('updateTheme changes name, need and order; refuses bad input and unknown themes', () => {
    const { doc } = room();
    const theme = createTheme(doc, { name: 'Asenteet', kind: 'challenge' }, O);
    updateTheme(doc, theme.id, { name: 'Asenteet ja luottamus', need: 'Tiedottamista', order: 7 }, O);
    expect(readAnalysis(doc).themes[0]).toEqual({ ...theme, name: 'Asenteet ja luottamus', need: 'Tiedottamista', order: 7 });
    expect(updatesDuring(doc, () => expectArvoError(() => updateTheme(doc, theme.id, { name: '' }, O), 'invalid-input'))).toBe(0);
    expectArvoError(() => updateTheme(doc, 'NoSuchTheme00001', { name: 'X' }, O), 'not-found');
  });

  it('assignNote keeps a note in one theme at a time; null takes it out', () => {
    const { doc } = room();
    const a = createTheme(doc, { name: 'A', kind: 'challenge' }, O);
    const b = createTheme(doc, { name: 'B', kind: 'challenge' }, O);
    assignNote(doc, REF_A, a.id, O);
    assignNote(doc, REF_B, a.id, O);
    assignNote(doc, REF_A, b.id, O);
    expect(readAnalysis(doc).themeOf).toEqual({ [REF_A]: b.id, [REF_B]: a.id });
    assignNote(doc, REF_A, null, O);
    expect(readAnalysis(doc).themeOf).toEqual({ [REF_B]: a.id });
  });

  it('assignNote refuses an unknown theme and leaves the note where it was', () => {
    const { doc } = room();
    const a = createTheme(doc, { name: 'A', kind: 'challenge' }, O);
    assignNote(doc, REF_A, a.id, O);
    expectArvoError(() => assignNote(doc, REF_A, 'NoSuchTheme00001', O), 'not-found');
    expect(readAnalysis(doc).themeOf).toEqual({ [REF_A]: a.id });
  });

  it('mergeThemes moves notes and both ends of matrix links into the target, joins needs, removes the source', () => {
    const { doc } = room();
    const source = createTheme(doc, { name: 'Tiedotus', kind: 'challenge', need: 'Viestintää' }, O);
    const target = createTheme(doc, { name: 'Asenteet', kind: 'challenge', need: 'Luottamusta' }, O);
    const strength = createTheme(doc, { name: 'Verkostot', kind: 'strength' }, O);
    const otherStrength = createTheme(doc, { name: 'Vapaaehtoiset', kind: 'strength' }, O);
    assignNote(doc, REF_A, source.id, O);
    assignNote(doc, REF_B, target.id, O);
    linkStrength(doc, source.id, STRENGTH_NOTE, NOW + 1, O);
    linkStrength(doc, source.id, `theme:${strength.id}`, NOW + 2, O);
    linkStrength(doc, target.id, `theme:${strength.id}`, NOW + 3, O);

    mergeThemes(doc, source.id, target.id, O);
    const analysis = readAnalysis(doc);
    expect(analysis.themes.map((t) => t.id)).toEqual([target.id, strength.id, otherStrength.id]);
    expect(analysis.themes[0]!.need).toBe('Luottamusta\nViestintää');
    expect(analysis.themeOf).toEqual({ [REF_A]: target.id, [REF_B]: target.id });
    // The same strength linked to both collapses into one link.
    const links = (a = readAnalysis(doc)) => a.matrix.map((l) => `${l.challengeThemeId}|${l.strengthRef}`).sort();
    expect(links(analysis)).toEqual([matrixKey(target.id, STRENGTH_NOTE), matrixKey(target.id, `theme:${strength.id}`)].sort());
    expect([...roomRoots(doc).matrix.keys()].sort()).toEqual(links(analysis));

    // Strength themes merge too: links that name the source strength theme follow it.
    mergeThemes(doc, strength.id, otherStrength.id, O);
    expect(links()).toEqual([matrixKey(target.id, STRENGTH_NOTE), matrixKey(target.id, `theme:${otherStrength.id}`)].sort());
  });

  // Regression: mergeThemes once read a link's createdAt after deleting the link (a deleted Y.Map
  // reads as empty), so every moved link got createdAt 0 and jumped to the top of the matrix.
  it('mergeThemes keeps the createdAt of the links it moves', () => {
    const { doc } = room();
    const source = createTheme(doc, { name: 'Tiedotus', kind: 'challenge' }, O);
    const target = createTheme(doc, { name: 'Asenteet', kind: 'challenge' }, O);
    linkStrength(doc, source.id, STRENGTH_NOTE, NOW + 7, O);
    mergeThemes(doc, source.id, target.id, O);
    expect(readAnalysis(doc).matrix).toEqual([{ challengeThemeId: target.id, strengthRef: STRENGTH_NOTE, createdAt: NOW + 7 }]);
  });

  it('mergeThemes refuses themes of different kinds and unknown themes, changing nothing; merging into itself is a no-op', () => {
    const { doc } = room();
    const challenge = createTheme(doc, { name: 'Haaste', kind: 'challenge' }, O);
    const strength = createTheme(doc, { name: 'Vahvuus', kind: 'strength' }, O);
    assignNote(doc, REF_A, challenge.id, O);
    expect(updatesDuring(doc, () => expectArvoError(() => mergeThemes(doc, challenge.id, strength.id, O), 'invalid-input'))).toBe(0);
    expectArvoError(() => mergeThemes(doc, challenge.id, 'NoSuchTheme00001', O), 'not-found');
    expect(updatesDuring(doc, () => mergeThemes(doc, challenge.id, challenge.id, O))).toBe(0);
    expect(readAnalysis(doc).themes).toHaveLength(2);
    expect(readAnalysis(doc).themeOf).toEqual({ [REF_A]: challenge.id });
  });

  it('deleteTheme removes its notes, every link naming it on either side, and unhooks its actions', () => {
    const { doc } = room();
    const challenge = createTheme(doc, { name: 'Haaste', kind: 'challenge' }, O);
    const other = createTheme(doc, { name: 'Toinen haaste', kind: 'challenge' }, O);
    const strength = createTheme(doc, { name: 'Vahvuus', kind: 'strength' }, O);
    assignNote(doc, REF_A, challenge.id, O);
    assignNote(doc, REF_C, other.id, O);
    linkStrength(doc, challenge.id, STRENGTH_NOTE, NOW, O);
    linkStrength(doc, other.id, `theme:${strength.id}`, NOW + 1, O);
    linkStrength(doc, other.id, STRENGTH_NOTE, NOW + 2, O);
    const action = addAction(doc, { themeId: challenge.id, what: 'Ohjausryhmä' }, NOW, O);
    const kept = addAction(doc, { themeId: other.id, what: 'Reitit' }, NOW, O);

    deleteTheme(doc, challenge.id, O);
    deleteTheme(doc, strength.id, O);
    const analysis = readAnalysis(doc);
    expect(analysis.themes.map((t) => t.id)).toEqual([other.id]);
    expect(analysis.themeOf).toEqual({ [REF_C]: other.id });
    expect(analysis.matrix.map((l) => [l.challengeThemeId, l.strengthRef])).toEqual([[other.id, STRENGTH_NOTE]]);
    expect(analysis.actions.find((a) => a.id === action.id)!.themeId).toBeNull();
    expect(analysis.actions.find((a) => a.id === kept.id)!.themeId).toBe(other.id);
    expectArvoError(() => deleteTheme(doc, challenge.id, O), 'not-found');
  });
});

describe('linkStrength', () => {
  it('links a strength note or a strength theme to a challenge theme; unlinkStrength removes it', () => {
    const { doc } = room();
    const challenge = createTheme(doc, { name: 'Haaste', kind: 'challenge' }, O);
    const strength = createTheme(doc, { name: 'Vahvuus', kind: 'strength' }, O);
    linkStrength(doc, challenge.id, STRENGTH_NOTE, NOW, O);
    linkStrength(doc, challenge.id, `theme:${strength.id}`, NOW + 1, O);
    expect(readAnalysis(doc).matrix).toEqual([
      { challengeThemeId: challenge.id, strengthRef: STRENGTH_NOTE, createdAt: NOW },
      { challengeThemeId: challenge.id, strengthRef: `theme:${strength.id}`, createdAt: NOW + 1 },
    ]);
    unlinkStrength(doc, challenge.id, STRENGTH_NOTE, O);
    expect(readAnalysis(doc).matrix.map((l) => l.strengthRef)).toEqual([`theme:${strength.id}`]);
  });

  it('is idempotent: linking again writes nothing and keeps the first time', () => {
    const { doc } = room();
    const challenge = createTheme(doc, { name: 'Haaste', kind: 'challenge' }, O);
    linkStrength(doc, challenge.id, STRENGTH_NOTE, NOW, O);
    expect(updatesDuring(doc, () => linkStrength(doc, challenge.id, STRENGTH_NOTE, NOW + 5000, O))).toBe(0);
    expect(readAnalysis(doc).matrix).toEqual([{ challengeThemeId: challenge.id, strengthRef: STRENGTH_NOTE, createdAt: NOW }]);
  });

  it('links only to challenge themes', () => {
    const { doc } = room();
    const strength = createTheme(doc, { name: 'Vahvuus', kind: 'strength' }, O);
    expectArvoError(() => linkStrength(doc, strength.id, STRENGTH_NOTE, NOW, O), 'invalid-input');
    expectArvoError(() => linkStrength(doc, 'NoSuchTheme00001', STRENGTH_NOTE, NOW, O), 'not-found');
    expect(roomRoots(doc).matrix.size).toBe(0);
  });

  it('accepts only strength themes as theme references, and only well-formed references', () => {
    const { doc } = room();
    const challenge = createTheme(doc, { name: 'Haaste', kind: 'challenge' }, O);
    const otherChallenge = createTheme(doc, { name: 'Toinen', kind: 'challenge' }, O);
    expectArvoError(() => linkStrength(doc, challenge.id, `theme:${otherChallenge.id}`, NOW, O), 'invalid-input');
    expectArvoError(() => linkStrength(doc, challenge.id, 'theme:NoSuchTheme00001', NOW, O), 'not-found');
    for (const bad of ['note:short/ref', `${ID.me}/NoteA00000000001`, 'theme:', `note:${ID.me}`, `note:${REF_A}/extra`]) {
      expectArvoError(() => linkStrength(doc, challenge.id, bad, NOW, O), 'invalid-input');
    }
    expect(roomRoots(doc).matrix.size).toBe(0);
  });
});

describe('flows', () => {
  it('addFlow fills defaults and validates the ends and the layer', () => {
    const { doc, actors } = room();
    const flow = addFlow(doc, { from: actors[0], to: 'clients', layer: 'current' }, O);
    expect(flow).toEqual({ id: flow.id, from: actors[0], to: 'clients', kind: 'intangible', layer: 'current', label: '', noteRefs: [] });
    expect(readAnalysis(doc).flows).toEqual([flow]);
    expectArvoError(() => addFlow(doc, { from: actors[0], to: actors[0], layer: 'current' }, O), 'invalid-input');
    expectArvoError(() => addFlow(doc, { from: 'everyone', to: actors[1], layer: 'current' }, O), 'invalid-input');
    expectArvoError(() => addFlow(doc, { from: actors[0], to: actors[1], layer: 'past' as never }, O), 'invalid-input');
    expectArvoError(() => addFlow(doc, { from: actors[0], to: actors[1], layer: 'future', label: 'x'.repeat(201) }, O), 'invalid-input');
    expect(readAnalysis(doc).flows).toHaveLength(1);
  });

  it('updateFlow changes kind, label and layer; refuses bad values and unknown flows', () => {
    const { doc, actors } = room();
    const flow = addFlow(doc, { from: actors[0], to: actors[1], layer: 'current', label: 'tietoa' }, O);
    updateFlow(doc, flow.id, { kind: 'tangible', label: 'tiloja', layer: 'future' }, O);
    expect(readAnalysis(doc).flows[0]).toEqual({ ...flow, kind: 'tangible', label: 'tiloja', layer: 'future' });
    expect(updatesDuring(doc, () => expectArvoError(() => updateFlow(doc, flow.id, { kind: 'money' as never }, O), 'invalid-input'))).toBe(0);
    expectArvoError(() => updateFlow(doc, 'NoSuchFlow000001', { label: 'x' }, O), 'not-found');
  });

  it('mergeFlows keeps the first: labels joined, notes united without repeats, the others removed', () => {
    const { doc, actors } = room();
    const keep = addFlow(doc, { from: actors[0], to: actors[1], layer: 'current', label: 'tietoa', noteRefs: [REF_A, REF_B] }, O);
    const second = addFlow(doc, { from: actors[0], to: actors[1], layer: 'current', label: '', noteRefs: [REF_B, REF_C] }, O);
    const third = addFlow(doc, { from: actors[0], to: actors[1], layer: 'current', label: 'osaamista', noteRefs: [] }, O);
    mergeFlows(doc, [keep.id, second.id, third.id], O);
    expect(readAnalysis(doc).flows).toEqual([{ ...keep, label: 'tietoa; osaamista', noteRefs: [REF_A, REF_B, REF_C] }]);
  });

  it('mergeFlows refuses an unknown flow before changing anything; an empty list is a no-op', () => {
    const { doc, actors } = room();
    const a = addFlow(doc, { from: actors[0], to: actors[1], layer: 'current', label: 'a' }, O);
    const b = addFlow(doc, { from: actors[0], to: actors[1], layer: 'current', label: 'b' }, O);
    expect(updatesDuring(doc, () => expectArvoError(() => mergeFlows(doc, [a.id, 'NoSuchFlow000001', b.id], O), 'not-found'))).toBe(0);
    expect(updatesDuring(doc, () => mergeFlows(doc, [], O))).toBe(0);
    expect(readAnalysis(doc).flows).toHaveLength(2);
  });

  // Regression: a flow listed twice was both kept and merged away, so mergeFlows([a, a]) deleted `a`.
  it('mergeFlows with the same flow twice keeps it', () => {
    const { doc, actors } = room();
    const a = addFlow(doc, { from: actors[0], to: actors[1], layer: 'current', label: 'a' }, O);
    mergeFlows(doc, [a.id, a.id], O);
    expect(readAnalysis(doc).flows).toEqual([a]);
  });

  it('deleteFlow removes a flow; setMapPosition stores whole-number positions', () => {
    const { doc, actors } = room();
    const flow = addFlow(doc, { from: 'clients', to: actors[1], layer: 'current' }, O);
    deleteFlow(doc, flow.id, O);
    expect(readAnalysis(doc).flows).toEqual([]);
    setMapPosition(doc, actors[0], { x: 10.4, y: -3.6 }, O);
    setMapPosition(doc, 'clients', { x: 200, y: 300 }, O);
    expect(readAnalysis(doc).mapLayout).toEqual({ [actors[0]]: { x: 10, y: -4 }, clients: { x: 200, y: 300 } });
  });
});

describe('actions', () => {
  it('addAction fills defaults and stores the agreement', () => {
    const { doc } = room();
    const action = addAction(doc, { themeId: null, what: '  Seuraava tapaaminen syksyllä ' }, NOW, O);
    expect(action).toEqual({
      id: action.id, themeId: null, what: 'Seuraava tapaaminen syksyllä', ownerActorId: null, ownerName: '', checkDate: '', status: 'planned', notes: '', createdAt: NOW,
    });
    expect(readAnalysis(doc).actions).toEqual([action]);
  });

  it('accepts an ISO check date or none, and refuses other formats, statuses and empty texts', () => {
    const { doc, actors } = room();
    const ok = addAction(doc, { themeId: null, what: 'Reitit', ownerActorId: actors[0], ownerName: 'Aino', checkDate: '2025-05-20', status: 'in-progress' }, NOW, O);
    expect(ok.checkDate).toBe('2025-05-20');
    for (const checkDate of ['2025-5-20', '20.5.2025', '2025-05-20T00:00', 'soon']) {
      expectArvoError(() => addAction(doc, { themeId: null, what: 'X', checkDate }, NOW, O), 'invalid-input');
    }
    expectArvoError(() => addAction(doc, { themeId: null, what: 'X', status: 'maybe' as never }, NOW, O), 'invalid-input');
    expectArvoError(() => addAction(doc, { themeId: null, what: '   ' }, NOW, O), 'invalid-input');
    expectArvoError(() => addAction(doc, { themeId: 'not an id', what: 'X' }, NOW, O), 'invalid-input');
    expect(readAnalysis(doc).actions).toEqual([ok]);
  });

  it('updateAction patches valid fields, refuses invalid ones without writing, and unknown actions', () => {
    const { doc } = room();
    const action = addAction(doc, { themeId: null, what: 'Reitit' }, NOW, O);
    updateAction(doc, action.id, { status: 'done', checkDate: '2025-08-29', ownerName: 'Sanna' }, O);
    expect(readAnalysis(doc).actions[0]).toEqual({ ...action, status: 'done', checkDate: '2025-08-29', ownerName: 'Sanna' });
    updateAction(doc, action.id, { checkDate: '' }, O);
    expect(readAnalysis(doc).actions[0]!.checkDate).toBe('');
    expect(updatesDuring(doc, () => expectArvoError(() => updateAction(doc, action.id, { checkDate: '29.8.2025' }, O), 'invalid-input'))).toBe(0);
    expectArvoError(() => updateAction(doc, action.id, { status: 'abandoned' as never }, O), 'invalid-input');
    expectArvoError(() => updateAction(doc, 'NoSuchAction0001', { status: 'done' }, O), 'not-found');
    deleteAction(doc, action.id, O);
    expect(readAnalysis(doc).actions).toEqual([]);
  });

  it('readAnalysis lists actions by check date, the ones without a date last', () => {
    const { doc } = room();
    const late = addAction(doc, { themeId: null, what: 'Myöhään', checkDate: '2025-09-01' }, NOW, O);
    const none = addAction(doc, { themeId: null, what: 'Ei päivää' }, NOW - 10, O);
    const early = addAction(doc, { themeId: null, what: 'Aikaisin', checkDate: '2025-05-01' }, NOW + 10, O);
    expect(readAnalysis(doc).actions.map((a) => a.id)).toEqual([early.id, late.id, none.id]);
  });
});

describe('every analysis operation writes with the origin it is given', () => {
  it('tags its transactions', () => {
    const { doc, actors } = room();
    const origin = serverOrigin('analysis-test');
    const origins: unknown[] = [];
    doc.on('update', (_u: Uint8Array, o: unknown) => origins.push(o));
    const theme = createTheme(doc, { name: 'A', kind: 'challenge' }, origin);
    assignNote(doc, REF_A, theme.id, origin);
    linkStrength(doc, theme.id, STRENGTH_NOTE, NOW, origin);
    addFlow(doc, { from: actors[0], to: actors[1], layer: 'current' }, origin);
    addAction(doc, { themeId: theme.id, what: 'X' }, NOW, origin);
    expect(origins).toHaveLength(5);
    expect(origins.every((o) => o === origin)).toBe(true);
  });
});

describe('session controls', () => {
  it('setWallLocked locks and unlocks the whole wall', () => {
    const { doc } = room();
    setWallLocked(doc, true, O);
    expect(readRoom(doc).session.locked).toBe(true);
    setWallLocked(doc, false, O);
    expect(readRoom(doc).session.locked).toBe(false);
  });

  it('setFlipchartLocked adds an actor once and removes it', () => {
    const { doc, actors } = room();
    expect(readRoom(doc).session.lockedActors).toEqual([]);
    setFlipchartLocked(doc, actors[0], true, O);
    setFlipchartLocked(doc, actors[0], true, O);
    setFlipchartLocked(doc, actors[1], true, O);
    expect(readRoom(doc).session.lockedActors).toEqual([actors[0], actors[1]]);
    setFlipchartLocked(doc, actors[0], false, O);
    expect(readRoom(doc).session.lockedActors).toEqual([actors[1]]);
    setFlipchartLocked(doc, actors[0], false, O);
    expect(readRoom(doc).session.lockedActors).toEqual([actors[1]]);
  });

  it('setFocus points everyone at one note and clears it', () => {
    const { doc } = room();
    setFocus(doc, { participantId: ID.me, noteId: 'NoteA00000000001' }, O);
    expect(readRoom(doc).session.focus).toEqual({ participantId: ID.me, noteId: 'NoteA00000000001' });
    setFocus(doc, null, O);
    expect(readRoom(doc).session.focus).toBeNull();
  });

  it('markRead records when a note was read aloud and can be undone', () => {
    const { doc } = room();
    markRead(doc, REF_A, true, NOW, O);
    markRead(doc, REF_B, true, NOW + 1000, O);
    expect(readAnalysis(doc).readMarks).toEqual({ [REF_A]: NOW, [REF_B]: NOW + 1000 });
    markRead(doc, REF_A, false, NOW + 2000, O);
    expect(readAnalysis(doc).readMarks).toEqual({ [REF_B]: NOW + 1000 });
  });

  it('setPhase moves through the phases and refuses unknown ones', () => {
    const { doc } = room();
    for (const phase of ['writing', 'reading', 'analysis', 'workshop2', 'closed', 'setup'] as const) {
      setPhase(doc, phase, O);
      expect(readRoom(doc).meta!.phase).toBe(phase);
    }
    expect(updatesDuring(doc, () => expectArvoError(() => setPhase(doc, 'lunch' as Phase, O), 'invalid-input'))).toBe(0);
    expect(readRoom(doc).meta!.phase).toBe('setup');
  });

  it('wallAcceptsEditsFrom: a locked wall refuses everyone, a locked flipchart only its actor', () => {
    const open = { locked: false, lockedActors: [] };
    expect(wallAcceptsEditsFrom(open, ID.actorA)).toBe(true);
    expect(wallAcceptsEditsFrom(open, null)).toBe(true);
    const chart = { locked: false, lockedActors: [ID.actorA] };
    expect(wallAcceptsEditsFrom(chart, ID.actorA)).toBe(false);
    expect(wallAcceptsEditsFrom(chart, ID.actorB)).toBe(true);
    expect(wallAcceptsEditsFrom(chart, null)).toBe(true);
    const wall = { locked: true, lockedActors: [] };
    expect(wallAcceptsEditsFrom(wall, ID.actorA)).toBe(false);
    expect(wallAcceptsEditsFrom(wall, null)).toBe(false);
  });

  it('wallAcceptsEditsFrom reads a session as readRoom returns it', () => {
    const { doc, actors } = room();
    setFlipchartLocked(doc, actors[1], true, O);
    const { session } = readRoom(doc);
    expect(wallAcceptsEditsFrom(session, actors[0])).toBe(true);
    expect(wallAcceptsEditsFrom(session, actors[1])).toBe(false);
  });
});

describe('partial updates write only the fields given', () => {
  it('updateFlow, updateTheme and updateAction keep the fields they were not asked to change', async () => {
    const Y = await import('yjs');
    const ops = await import('../../shared/ops/analysis');
    const { readAnalysis } = await import('../../shared/read/analysis');
    const { LOCAL_ORIGIN } = await import('../../shared/origins');
    const doc = new Y.Doc();
    const flow = ops.addFlow(doc, { from: 'clients', to: 'A'.repeat(16), layer: 'current', kind: 'tangible', label: 'Rides' }, LOCAL_ORIGIN);
    ops.updateFlow(doc, flow.id, { label: 'Rides to events' }, LOCAL_ORIGIN);
    ops.updateFlow(doc, flow.id, { layer: 'future' }, LOCAL_ORIGIN);
    expect(readAnalysis(doc).flows[0]).toMatchObject({ kind: 'tangible', label: 'Rides to events', layer: 'future' });
    const theme = ops.createTheme(doc, { name: 'Attitudes', kind: 'challenge', need: 'Trust' }, LOCAL_ORIGIN);
    ops.updateTheme(doc, theme.id, { name: 'Attitudes and trust' }, LOCAL_ORIGIN);
    expect(readAnalysis(doc).themes[0]).toMatchObject({ name: 'Attitudes and trust', need: 'Trust' });
    const action = ops.addAction(doc, { themeId: theme.id, what: 'Meet', ownerName: 'Aino', status: 'in-progress', checkDate: '2026-01-31' }, 1, LOCAL_ORIGIN);
    ops.updateAction(doc, action.id, { what: 'Meet monthly' }, LOCAL_ORIGIN);
    expect(readAnalysis(doc).actions[0]).toMatchObject({ what: 'Meet monthly', ownerName: 'Aino', status: 'in-progress', checkDate: '2026-01-31' });
  });
});

describe('clearMapLayout', () => {
  it('deletes every stored map position in one transaction, with the origin it is given', () => {
    const { doc, actors } = room();
    setMapPosition(doc, actors[0], { x: 10, y: 20 }, O);
    setMapPosition(doc, actors[1], { x: 30, y: 40 }, O);
    setMapPosition(doc, 'clients', { x: 200, y: 300 }, O);
    expect(Object.keys(readAnalysis(doc).mapLayout)).toHaveLength(3);
    const origin = serverOrigin('clear-map-test');
    const origins: unknown[] = [];
    doc.on('update', (_u: Uint8Array, o: unknown) => origins.push(o));
    clearMapLayout(doc, origin);
    expect(readAnalysis(doc).mapLayout).toEqual({});
    expect(origins).toEqual([origin]);
    // Nothing stored: nothing written.
    clearMapLayout(doc, origin);
    expect(origins).toEqual([origin]);
  });
});
