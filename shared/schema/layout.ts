import * as Y from 'yjs';

/**
 * The only file that names Yjs roots. A workshop is several documents (see docs/schema.md):
 *   room   `<workshopId>`                      written by facilitators only
 *   notes  `<workshopId>/p/<participantId>`    written by that participant and facilitators
 *   drafts `<workshopId>/drafts/<participantId>` read and written by that participant only
 * Every document kind has a `meta` map holding `schemaVersion`.
 */
export const ROOT = {
  meta: 'meta',
  actors: 'actors',
  questions: 'questions',
  participants: 'participants',
  session: 'session',
  notes: 'notes',
  themes: 'themes',
  themeNotes: 'themeNotes',
  matrix: 'matrix',
  flows: 'flows',
  actions: 'actions',
  readMarks: 'readMarks',
  mapLayout: 'mapLayout',
} as const;

export type DocKind = 'room' | 'notes' | 'drafts';

export const roomRoots = (doc: Y.Doc) => ({
  meta: doc.getMap<unknown>(ROOT.meta),
  actors: doc.getMap<Y.Map<unknown>>(ROOT.actors),
  questions: doc.getMap<Y.Map<unknown>>(ROOT.questions),
  participants: doc.getMap<Y.Map<unknown>>(ROOT.participants),
  session: doc.getMap<unknown>(ROOT.session),
  /** Analysis (facilitator): themes, which theme each note is in, challenge × strength links. */
  themes: doc.getMap<Y.Map<unknown>>(ROOT.themes),
  themeNotes: doc.getMap<string>(ROOT.themeNotes),
  matrix: doc.getMap<Y.Map<unknown>>(ROOT.matrix),
  flows: doc.getMap<Y.Map<unknown>>(ROOT.flows),
  actions: doc.getMap<Y.Map<unknown>>(ROOT.actions),
  readMarks: doc.getMap<number>(ROOT.readMarks),
  mapLayout: doc.getMap<{ x: number; y: number }>(ROOT.mapLayout),
});

/** A note anywhere in the workshop: `<participantId>/<noteId>` (notes live in per-participant documents). */
export const noteRef = (participantId: string, noteId: string) => `${participantId}/${noteId}`;
export function parseNoteRef(ref: string): { participantId: string; noteId: string } | null {
  const [participantId, noteId, extra] = ref.split('/');
  return participantId && noteId && extra === undefined ? { participantId, noteId } : null;
}

/** Notes and drafts documents share one layout: drafts are notes that nobody else sees yet. */
export const notesRoots = (doc: Y.Doc) => ({
  meta: doc.getMap<unknown>(ROOT.meta),
  notes: doc.getMap<Y.Map<unknown>>(ROOT.notes),
});

/** Writes a plain record into a fresh Y.Map, skipping undefined fields (Yjs cannot store them). */
export function toYMap(record: Record<string, unknown>): Y.Map<unknown> {
  const map = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(record)) if (value !== undefined) map.set(key, value);
  return map;
}

/** Reads a Y.Map (or anything else a third-party tool may have written) into a plain object. */
export function fromYMap(value: unknown): Record<string, unknown> | null {
  if (!(value instanceof Y.Map)) return null;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of value.entries()) out[key] = inner instanceof Y.AbstractType ? inner.toJSON() : inner;
  return out;
}
