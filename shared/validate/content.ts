import * as Y from 'yjs';
import type { KindRules, RecordsRule } from './rules';
import type { DecodedUpdate } from './dependencies';
import { idKey, type Parent, type Place } from './placement';
import { checkValue } from './values';
import { invalid, type Refusal } from './verdict';

/** What the update writes, collected while its items are checked, for the checks that need the whole update. */
export class Writes {
  /** `root\0key` of fields and `recordItem\0field` of record fields given a live value. */
  readonly values = new Set<string>();
  /** New records (by item id): their rule, key fields, and the live values the update gives them. */
  readonly newRecords = new Map<string, { label: string; rule: RecordsRule; required: Readonly<Record<string, string>>; values: Record<string, unknown> }>();
  /**
   * Deleted content written where a value may only be replaced (room `meta`, fields of existing
   * records): Yjs makes such an item the entry's newest value, which removes the key.
   */
  readonly removals: Array<{ slot: string; label: string; record: Y.ID | null }> = [];
}

export const slot = (parent: Parent, key: string) =>
  parent.kind === 'root' ? `${parent.root}\0${key}` : parent.kind === 'record' ? `${parent.itemId}\0${key}` : '';

/** A key or root name as it may appear in a refusal: short and printable. */
export const show = (name: string) => JSON.stringify(name.length > 24 ? `${name.slice(0, 24)}…` : name);

type Kind = { kind: 'value'; value: unknown } | { kind: 'deleted' } | { kind: 'map' } | { kind: 'other'; what: string };

function contentOf(item: Y.Item): Kind | Refusal {
  const content = item.content;
  if (content instanceof Y.ContentDeleted) return { kind: 'deleted' };
  if (content instanceof Y.ContentAny) return content.arr.length === 1 ? { kind: 'value', value: content.arr[0] } : invalid('several values in one map entry');
  if (content instanceof Y.ContentType) return content.type.constructor === Y.Map ? { kind: 'map' } : { kind: 'other', what: 'a Y.Array, Y.Text or XML type' };
  if (content instanceof Y.ContentString || content instanceof Y.ContentFormat || content instanceof Y.ContentEmbed) return { kind: 'other', what: 'text content' };
  if (content instanceof Y.ContentBinary) return { kind: 'other', what: 'binary content' };
  if (content instanceof Y.ContentDoc) return { kind: 'other', what: 'a subdocument' };
  return { kind: 'other', what: 'JSON content' };
}

/**
 * Checks one new item against the rules of its document kind (see rules.ts): known roots, keys
 * and fields, plain values that pass their field schema, records as Y.Maps whose key fields equal
 * their key, no nested shared types, nothing where only the server writes. Deleted content is
 * accepted wherever a client may write (it is what a deletion looks like after garbage collection).
 */
export function checkInsert(rules: KindRules, place: Place, item: Y.Item, writes: Writes): Refusal | null {
  if (place === 'dropped') return null;
  const content = contentOf(item);
  if ('rule' in content) return content;
  const { parent, key } = place;
  if (parent.kind === 'nested') return content.kind === 'deleted' ? null : invalid('a nested shared type the schema does not have');
  const rule = rules[parent.root];
  if (!rule) return invalid(`unknown root ${show(parent.root)}`);
  if (key === null) return invalid(`list content in ${show(parent.root)}, which is a map`);
  if (parent.kind === 'record') {
    if (rule.shape !== 'records') return invalid(`a shared type nested in ${show(parent.root)}`);
    return checkRecordField(rule, parent, key, content, writes);
  }
  // Labels are built only for a refusal: this runs for every field of every update.
  const where = () => `${parent.root}.${show(key)}`;
  switch (rule.shape) {
    case 'fields': {
      if (rule.serverOnly || rule.serverOnlyFields.has(key)) return invalid(`${where()} is written by the server only`);
      const schema = rule.fields[key];
      if (!schema) return invalid(`unknown field ${where()}`);
      if (content.kind === 'deleted') {
        if (rule.replaceOnly) writes.removals.push({ slot: slot(parent, key), label: where(), record: null });
        return null;
      }
      if (content.kind !== 'value') return invalid(`${where()} must be a plain value, not ${content.kind === 'map' ? 'a Y.Map' : content.what}`);
      const problem = checkValue(content.value, schema);
      if (problem) return invalid(`${where()}: ${problem}`);
      writes.values.add(slot(parent, key));
      return null;
    }
    case 'records': {
      const keyProblem = rule.key.safeParse(key).success ? null : `${parent.root} key ${show(key)} is not a valid key`;
      if (keyProblem) return invalid(keyProblem);
      if (rule.serverOnly) return invalid(`${parent.root} is written by the server only`);
      if (content.kind === 'deleted') return null;
      if (content.kind !== 'map') return invalid(`${parent.root}/${show(key)} must be a record (a Y.Map)`);
      const required = rule.keyFields(key);
      if (!required) return invalid(`${parent.root} key ${show(key)} is not a valid key`);
      writes.newRecords.set(idKey(item.id), { label: `${parent.root}/${show(key)}`, rule, required, values: {} });
      return null;
    }
    case 'values': {
      if (!rule.key.safeParse(key).success) return invalid(`${parent.root} key ${show(key)} is not a valid key`);
      if (content.kind === 'deleted') return null;
      if (content.kind !== 'value') return invalid(`${where()} must be a plain value`);
      const problem = checkValue(content.value, rule.value);
      return problem ? invalid(`${where()}: ${problem}`) : null;
    }
  }
}

function checkRecordField(rule: RecordsRule, parent: Extract<Parent, { kind: 'record' }>, field: string, content: Kind, writes: Writes): Refusal | null {
  const where = () => `${parent.root}/${show(parent.key)}.${show(field)}`;
  if (rule.serverOnly) return invalid(`${parent.root} is written by the server only`);
  const schema = rule.fields[field];
  if (!schema) return invalid(`unknown field ${where()}`);
  const created = writes.newRecords.get(parent.itemId);
  if (content.kind === 'deleted') {
    if (!created && !rule.optionalFields.has(field)) writes.removals.push({ slot: slot(parent, field), label: where(), record: parent.id });
    return null;
  }
  if (content.kind !== 'value') return invalid(`${where()} must be a plain value, not ${content.kind === 'map' ? 'a Y.Map' : content.what}`);
  const problem = checkValue(content.value, schema);
  if (problem) return invalid(`${where()}: ${problem}`);
  const fixed = rule.keyFields(parent.key);
  if (!fixed) return invalid(`${parent.root} key ${show(parent.key)} is not a valid key`);
  if (field in fixed && content.value !== fixed[field]) return invalid(`${where()} must equal the record's key`);
  writes.values.add(slot(parent, field));
  if (created) created.values[field] = content.value;
  return null;
}

/**
 * A record the update creates is complete: its key fields (`id` = its key) and every field its
 * schema requires arrive with it, so readers never meet a half-written record.
 */
export function checkNewRecords(writes: Writes): Refusal | null {
  for (const record of writes.newRecords.values()) {
    for (const field of Object.keys(record.required)) {
      if (!(field in record.values)) return invalid(`new record ${record.label} lacks ${show(field)}`);
    }
    // Every value in `values` already passed its own field schema (checkRecordField). When the
    // record schema adds nothing to its fields (no whole-object checks) and every required field
    // is there, parsing the whole record again can only agree: skip it (it parsed every field of
    // every new note a second time). Otherwise the parse below decides and words the refusal, as before.
    if (recordAddsNothing(record.rule) && hasRequired(record.rule, record.values)) continue;
    const parsed = record.rule.record.safeParse(record.values);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return invalid(`new record ${record.label} is incomplete: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`);
    }
  }
  return null;
}

/** Whether a record schema is nothing but its fields: a plain object with no checks of its own. */
const addsNothing = new WeakMap<RecordsRule, boolean>();
function recordAddsNothing(rule: RecordsRule): boolean {
  let known = addsNothing.get(rule);
  if (known === undefined) {
    const def = (rule.record as unknown as { _zod?: { def?: { type?: string; checks?: unknown[]; catchall?: unknown } } })._zod?.def;
    known = def?.type === 'object' && (def.checks?.length ?? 0) === 0 && def.catchall === undefined;
    addsNothing.set(rule, known);
  }
  return known;
}

function hasRequired(rule: RecordsRule, values: Record<string, unknown>): boolean {
  for (const field of Object.keys(rule.fields)) if (!rule.optionalFields.has(field) && !(field in values)) return false;
  return true;
}

/** Deleted content where a value may only be replaced: allowed with a new value, or with the whole record. */
export function checkRemovals(doc: Y.Doc, ds: DecodedUpdate['ds'], writes: Writes): Refusal | null {
  for (const removal of writes.removals) {
    if (writes.values.has(removal.slot)) continue;
    if (removal.record && recordGoes(doc, ds, removal.record)) continue;
    return invalid(`${removal.label} may only be replaced, not deleted`);
  }
  return null;
}

/** Whether a record of the document is deleted already or by this update. */
export function recordGoes(doc: Y.Doc, ds: DecodedUpdate['ds'], id: Y.ID): boolean {
  if (id.clock >= Y.getState(doc.store, id.client)) return false;
  const item = Y.getItem(doc.store, id) as Y.Item | Y.GC;
  return !(item instanceof Y.Item) || item.deleted || Y.isDeleted(ds, id);
}
