import type { AuthoredNote } from '../sync/types';

/**
 * Whether a new snapshot changes what the wall lays out. Presence (cursors) arrives about twenty
 * times a second and must not re-lay and re-reconcile 2,000 notes: when the notes are equal note
 * by note (the same objects, or the same fields), the old layout stands. Snapshots that keep
 * unchanged arrays by reference (client/src/sync) make this a pointer comparison; field by field
 * it costs well under a millisecond for 2,000 notes.
 */
export function sameNotes(a: readonly AuthoredNote[], b: readonly AuthoredNote[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!shallowEqual(a[i]!, b[i]!)) return false;
  return true;
}

function shallowEqual(a: object, b: object): boolean {
  if (a === b) return true;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let count = 0;
  for (const key in ra) {
    count++;
    if (ra[key] !== rb[key]) return false;
  }
  for (const key in rb) if (Object.prototype.hasOwnProperty.call(rb, key)) count--;
  return count === 0;
}

/** Small structures (actors, questions, session flags): equal by value. */
export const sameValue = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);
