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
  /** Notes documents only: the participant's dot-votes, `theme:<id>`/`action:<id>` → count (schema/vote.ts). */
  votes: 'votes',
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
  /** Only in public notes documents (never drafts): the owner's dot-votes. */
  votes: doc.getMap<unknown>(ROOT.votes),
});

/** Writes a plain record into a fresh Y.Map, skipping undefined fields (Yjs cannot store them). */
export function toYMap(record: Record<string, unknown>): Y.Map<unknown> {
  const map = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(record)) if (value !== undefined) map.set(key, value);
  return map;
}

/**
 * How much of a plain (JSON) value a reader looks at. Documents are written by participants, so a
 * field may hold anything: a deeper or bigger value than any record of ours has is dropped as a
 * whole (the record then fails validation), never walked further.
 */
export const PLAIN_MAX_DEPTH = 8;
export const PLAIN_MAX_NODES = 10_000;
/** A record with more keys than this is not one of ours: readers skip it without looking at them all. */
export const RECORD_MAX_KEYS = 64;

/** True when `value` is a plain JSON value within the limits above (checked without recursion). */
export function isBoundedPlain(value: unknown): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  let nodes = 0;
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (++nodes > PLAIN_MAX_NODES) return false;
    if (current === null || typeof current !== 'object') continue;
    if (current instanceof Y.AbstractType) return false;
    if (current instanceof Uint8Array) continue;
    if (depth >= PLAIN_MAX_DEPTH) return false;
    if (Array.isArray(current)) {
      if (current.length > PLAIN_MAX_NODES) return false;
      for (const item of current) stack.push([item, depth + 1]);
    } else {
      let keys = 0;
      for (const key in current) {
        if (++keys > PLAIN_MAX_NODES) return false;
        stack.push([(current as Record<string, unknown>)[key], depth + 1]);
      }
    }
  }
  return true;
}

/** One field of a record as a reader may use it: plain and bounded, else undefined (a nested Y type is never entered). */
export function readField(map: Y.Map<unknown>, key: string): unknown {
  const value = map.get(key);
  return isBoundedPlain(value) ? value : undefined;
}

/**
 * Reads a Y.Map (or anything else a third-party tool may have written) into a plain object,
 * for a validator. Only plain, bounded values are read and nothing is recursed into. With
 * `keys`, only those fields are read (what a schema knows), and one of them holding a Y type or
 * an oversized value makes the whole record null (invalid); other keys are never looked at.
 * Without `keys`, every key up to RECORD_MAX_KEYS (more: null), leaving out unreadable values.
 */
export function fromYMap(value: unknown, keys?: readonly string[]): Record<string, unknown> | null {
  if (!(value instanceof Y.Map)) return null;
  const out: Record<string, unknown> = {};
  if (keys) {
    for (const key of keys) {
      const field = value.get(key);
      if (field === undefined) continue;
      // A known field holding something no record of ours holds: the record is not valid.
      if (!isBoundedPlain(field)) return null;
      out[key] = field;
    }
    return out;
  }
  if (value.size > RECORD_MAX_KEYS) return null;
  for (const [key, inner] of value.entries()) if (isBoundedPlain(inner)) out[key] = inner;
  return out;
}

/** True when a record holds a Y type anywhere among its fields: deleting such a record makes Yjs recurse as deep as it nests. */
export function holdsNestedType(value: unknown): boolean {
  if (!(value instanceof Y.Map)) return value instanceof Y.AbstractType;
  if (value.size > RECORD_MAX_KEYS) return true;
  for (const inner of value.values()) if (inner instanceof Y.AbstractType) return true;
  return false;
}
