import * as Y from 'yjs';
import type { DocKind } from '../schema/layout';
import { checkInsert, checkNewRecords, checkRemovals, Writes } from './content';
import { checkDeletions } from './deletions';
import { planIntegration, type DecodedUpdate } from './dependencies';
import { Placer } from './placement';
import { RULES } from './rules';
import type { Refusal } from './verdict';

export { RULES, VALUE_LIMITS } from './rules';
export type { Refusal, RefusalRule } from './verdict';

/**
 * The server's content check of a client's update to a document of `kind`, made against the
 * document as it is before the update (read only; nothing is applied or re-encoded). Returns
 * null when the update may be applied, or why it is refused. `decoded` saves a second decoding
 * when the caller has already decoded the update (a decoding error is the caller's: garbage).
 *
 * Order: dependencies first (so every reference can be resolved), then each new item in
 * dependency order (so inherited parents are known), then the whole-update rules, then deletions.
 */
export function inspectUpdate(doc: Y.Doc, kind: DocKind, update: Uint8Array, decoded: DecodedUpdate = Y.decodeUpdate(update)): Refusal | null {
  const plan = planIntegration(doc, update, decoded);
  if ('rule' in plan) return plan;
  const rules = RULES[kind];
  const placer = new Placer(doc, decoded.structs, plan);
  const writes = new Writes();
  for (const index of plan.order) {
    const place = placer.place(index);
    if (place !== 'dropped' && 'rule' in place) return place;
    const struct = decoded.structs[index]!;
    if (!(struct instanceof Y.Item)) continue;
    const refusal = checkInsert(rules, place, struct, writes);
    if (refusal) return refusal;
  }
  return checkNewRecords(writes) ?? checkRemovals(doc, decoded.ds, writes) ?? checkDeletions(doc, decoded, rules, placer, writes);
}
