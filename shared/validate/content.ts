import * as Y from 'yjs';
import type { KindRules, RecordsRule } from './rules';
import { idKey, type Parent, type Place } from './placement';
import { checkValue } from './values';
import { invalid, type Refusal } from './verdict';

/** What the update writes, collected while its items are checked, for the checks that need the whole update. */
export class Writes {
  /** `root\0key` of fields and record fields given a live value. */
  readonly values = new Set<string>();
  /** New records (by item id): their key fields, and which of them the update gave. */
  readonly newRecords = new Map<string, { label: string; required: Readonly<Record<string, string>>; seen: Set<string> }>();
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
  const where = `${parent.root}.${show(key)}`;
  switch (rule.shape) {
    case 'fields': {
      if (rule.serverOnly || rule.serverOnlyFields.has(key)) return invalid(`${where} is written by the server only`);
      const schema = rule.fields[key];
      if (!schema) return invalid(`unknown field ${where}`);
      if (content.kind === 'deleted') return null;
      if (content.kind !== 'value') return invalid(`${where} must be a plain value, not ${content.kind === 'map' ? 'a Y.Map' : content.what}`);
      const problem = checkValue(content.value, schema);
      if (problem) return invalid(`${where}: ${problem}`);
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
      writes.newRecords.set(idKey(item.id), { label: `${parent.root}/${show(key)}`, required, seen: new Set() });
      return null;
    }
    case 'values': {
      if (!rule.key.safeParse(key).success) return invalid(`${parent.root} key ${show(key)} is not a valid key`);
      if (content.kind === 'deleted') return null;
      if (content.kind !== 'value') return invalid(`${where} must be a plain value`);
      const problem = checkValue(content.value, rule.value);
      return problem ? invalid(`${where}: ${problem}`) : null;
    }
  }
}

function checkRecordField(rule: RecordsRule, parent: Extract<Parent, { kind: 'record' }>, field: string, content: Kind, writes: Writes): Refusal | null {
  const where = `${parent.root}/${show(parent.key)}.${show(field)}`;
  if (rule.serverOnly) return invalid(`${parent.root} is written by the server only`);
  const schema = rule.fields[field];
  if (!schema) return invalid(`unknown field ${where}`);
  if (content.kind === 'deleted') return null;
  if (content.kind !== 'value') return invalid(`${where} must be a plain value, not ${content.kind === 'map' ? 'a Y.Map' : content.what}`);
  const problem = checkValue(content.value, schema);
  if (problem) return invalid(`${where}: ${problem}`);
  const fixed = rule.keyFields(parent.key);
  if (!fixed) return invalid(`${parent.root} key ${show(parent.key)} is not a valid key`);
  if (field in fixed && content.value !== fixed[field]) return invalid(`${where} must equal the record's key`);
  writes.values.add(slot(parent, field));
  writes.newRecords.get(parent.itemId)?.seen.add(field);
  return null;
}

/** Every record the update creates carries its key fields (`id` = its key) in the same update. */
export function checkNewRecords(writes: Writes): Refusal | null {
  for (const record of writes.newRecords.values()) {
    for (const field of Object.keys(record.required)) {
      if (!record.seen.has(field)) return invalid(`new record ${record.label} lacks ${show(field)}`);
    }
  }
  return null;
}
