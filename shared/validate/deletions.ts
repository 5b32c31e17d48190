import * as Y from 'yjs';
import { recordGoes, show, slot, type Writes } from './content';
import type { DecodedUpdate } from './dependencies';
import type { Placer } from './placement';
import type { KindRules } from './rules';
import { invalid, type Refusal } from './verdict';

/**
 * Checks what the update deletes from the document (its delete set, below the document's clock:
 * deletions of the update's own new items were checked as inserts). A client may delete what it
 * may write, except:
 *  - nothing where only the server writes (`meta` of notes and drafts, `meta.schemaVersion`,
 *    `session.postedRequests`, `participants`);
 *  - a field of the room's `meta`, or a required field of a record, only by writing a new value
 *    in the same update (an overwrite deletes the old value) or, for a record's field, by
 *    deleting the whole record: records stay complete.
 * Items already deleted are skipped, so a reconnecting client's full delete set costs one pass
 * over the ranges it names (the same walk Yjs makes to apply it).
 */
export function checkDeletions(doc: Y.Doc, decoded: DecodedUpdate, rules: KindRules, placer: Placer, writes: Writes): Refusal | null {
  for (const [client, ranges] of decoded.ds.clients) {
    const known = Y.getState(doc.store, client);
    const structs = doc.store.clients.get(client);
    if (!structs) continue;
    for (const range of ranges) {
      const until = Math.min(range.clock + range.len, known);
      if (range.clock >= until) continue;
      for (let i = Y.findIndexSS(structs, range.clock); i < structs.length && structs[i]!.id.clock < until; i++) {
        const struct = structs[i]!;
        if (!(struct instanceof Y.Item) || struct.deleted) continue;
        const refusal = checkDeletion(doc, struct, decoded, rules, placer, writes);
        if (refusal) return refusal;
      }
    }
  }
  return null;
}

function checkDeletion(doc: Y.Doc, item: Y.Item, decoded: DecodedUpdate, rules: KindRules, placer: Placer, writes: Writes): Refusal | null {
  const place = placer.placeOfDocItem(item);
  if (place === 'dropped' || place.key === null || place.parent.kind === 'nested') return null;
  const { parent, key } = place;
  const rule = rules[parent.root];
  if (!rule) return null; // junk outside the schema may be cleaned up
  if (parent.kind === 'root') {
    if (rule.shape === 'fields') {
      if (rule.serverOnly || rule.serverOnlyFields.has(key)) return invalid(`${parent.root}.${show(key)} is written by the server only`);
      if (rule.replaceOnly && !writes.values.has(slot(parent, key))) return invalid(`${parent.root}.${show(key)} may only be replaced, not deleted`);
      return null;
    }
    if (rule.shape === 'records' && rule.serverOnly) return invalid(`${parent.root} is written by the server only`);
    return null;
  }
  if (rule.shape !== 'records') return null;
  if (rule.serverOnly) return invalid(`${parent.root} is written by the server only`);
  // A required field goes only with the whole record (an overwrite deletes the old value), so
  // records stay complete; an optional one may go (undoing an edit removes `updatedAt`).
  if (rule.optionalFields.has(key) || writes.values.has(slot(parent, key)) || recordGoes(doc, decoded.ds, parent.id)) return null;
  return invalid(`${parent.root}/${show(parent.key)}.${show(key)} may only be replaced, or deleted with its record`);
}
