import type { Theme } from '../schema/theme';
import { readBoardFromStates, type Board, type BoardNote } from './board';

/**
 * Compare (issue 5): what changed on the wall between two moments — notes added, removed,
 * moved (position, question or about-actor), edited (text) — and in the analysis themes.
 * Only wall notes count; drafts are private and never compared.
 */
export interface NoteChangePair {
  ref: string;
  before: BoardNote;
  after: BoardNote;
}

export interface ThemeMembershipChange {
  /** `<participantId>/<noteId>` */
  ref: string;
  before: string | null;
  after: string | null;
}

export interface BoardDiff {
  added: BoardNote[];
  removed: BoardNote[];
  moved: NoteChangePair[];
  edited: NoteChangePair[];
  themes: {
    added: Theme[];
    removed: Theme[];
    /** Name, need, kind or order changed. */
    changed: Array<{ before: Theme; after: Theme }>;
    /** A note put into, moved between, or taken out of themes. */
    membership: ThemeMembershipChange[];
  };
}

const moved = (a: BoardNote, b: BoardNote) => a.x !== b.x || a.y !== b.y || a.questionId !== b.questionId || (a.aboutActorId ?? null) !== (b.aboutActorId ?? null);
const themeChanged = (a: Theme, b: Theme) => a.name !== b.name || a.need !== b.need || a.kind !== b.kind || a.order !== b.order;

export function diffBoards(a: Board, b: Board): BoardDiff {
  const before = new Map(a.notes.map((n) => [n.ref, n]));
  const after = new Map(b.notes.map((n) => [n.ref, n]));
  const diff: BoardDiff = { added: [], removed: [], moved: [], edited: [], themes: { added: [], removed: [], changed: [], membership: [] } };
  for (const [ref, note] of after) {
    const old = before.get(ref);
    if (!old) diff.added.push(note);
    else {
      if (old.text !== note.text) diff.edited.push({ ref, before: old, after: note });
      if (moved(old, note)) diff.moved.push({ ref, before: old, after: note });
    }
  }
  for (const [ref, note] of before) if (!after.has(ref)) diff.removed.push(note);

  const themesBefore = new Map(a.analysis.themes.map((t) => [t.id, t]));
  const themesAfter = new Map(b.analysis.themes.map((t) => [t.id, t]));
  for (const [id, theme] of themesAfter) {
    const old = themesBefore.get(id);
    if (!old) diff.themes.added.push(theme);
    else if (themeChanged(old, theme)) diff.themes.changed.push({ before: old, after: theme });
  }
  for (const [id, theme] of themesBefore) if (!themesAfter.has(id)) diff.themes.removed.push(theme);
  const refs = new Set([...Object.keys(a.analysis.themeOf), ...Object.keys(b.analysis.themeOf)]);
  for (const ref of [...refs].sort()) {
    const x = a.analysis.themeOf[ref] ?? null;
    const y = b.analysis.themeOf[ref] ?? null;
    if (x !== y) diff.themes.membership.push({ ref, before: x, after: y });
  }
  return diff;
}

/** `diffBoards` of two sets of encoded document states (e.g. `engine.stateAt(a)`, `engine.stateAt(b)`). */
export function diffStates(a: ReadonlyMap<string, Uint8Array>, b: ReadonlyMap<string, Uint8Array>): BoardDiff {
  return diffBoards(readBoardFromStates(a), readBoardFromStates(b));
}

/** True when nothing changed. */
export const isEmptyDiff = (d: BoardDiff) =>
  d.added.length + d.removed.length + d.moved.length + d.edited.length + d.themes.added.length + d.themes.removed.length + d.themes.changed.length + d.themes.membership.length === 0;
