import type * as Y from 'yjs';
import type { z } from 'zod';
import { fromYMap, isBoundedPlain } from '../schema/layout';

/**
 * Reading records out of a document that anyone with write access may have filled with anything
 * (a hostile or buggy client, or bytes put straight into the store). The rule for every reader:
 * read known fields only, never recurse into what a record nests, skip what is invalid and say so
 * in `problems` — a reader never throws because of what a document holds.
 */

/** A document with more records than this in one map is not a workshop's: the rest are skipped (reported). */
export const MAX_RECORDS = 5000;

/** The field names a zod object schema knows (what a reader reads; everything else is ignored). */
export function schemaKeys(schema: z.ZodType): readonly string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

/** How a record's map key must relate to the record: its `id` (default), or a key built from it. */
export type KeyRule<T> = (key: string, record: T) => boolean;
export const keyIsId: KeyRule<{ id: string }> = (key, record) => key === record.id;

export interface RecordReader<T> {
  schema: z.ZodType<T>;
  keys: readonly string[];
  keyRule: KeyRule<T> | null;
}

export function recordReader<T>(schema: z.ZodType<T>, keyRule: KeyRule<T> | null): RecordReader<T> {
  return { schema, keys: schemaKeys(schema), keyRule };
}

/** One record, or null when it is not valid (wrong shape, wrong types, key not matching). */
export function readRecord<T>(reader: RecordReader<T>, key: string, value: unknown): T | null {
  const parsed = reader.schema.safeParse(fromYMap(value, reader.keys));
  if (!parsed.success) return null;
  if (reader.keyRule && !reader.keyRule(key, parsed.data)) return null;
  return parsed.data;
}

/**
 * One record that arrived as a plain value (the workshop channel's records mode, where the server
 * read it from the document): validated exactly as `readRecord` validates one in a document —
 * known fields only, each plain and bounded, then the schema and the key rule — so a server that
 * sends anything else is not believed. Null: not valid.
 */
export function readPlainRecord<T>(reader: RecordReader<T>, key: string, value: unknown): T | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) return null;
  const fields: Record<string, unknown> = {};
  for (const field of reader.keys) {
    if (!Object.hasOwn(value, field)) continue;
    const inner = (value as Record<string, unknown>)[field];
    if (inner === undefined) continue;
    if (!isBoundedPlain(inner)) return null;
    fields[field] = inner;
  }
  const parsed = reader.schema.safeParse(fields);
  if (!parsed.success) return null;
  if (reader.keyRule && !reader.keyRule(key, parsed.data)) return null;
  return parsed.data;
}

/** Every valid record of a map (at most MAX_RECORDS looked at); each invalid one noted in `problems`. */
export function readRecords<T, V>(map: Y.Map<V>, reader: RecordReader<T>, what: string, problems: string[]): T[] {
  const out: T[] = [];
  let seen = 0;
  for (const [key, value] of map.entries()) {
    if (++seen > MAX_RECORDS) {
      problems.push(`${what}s: more than ${MAX_RECORDS}, the rest skipped`);
      break;
    }
    const record = readRecord(reader, key, value);
    if (record) out.push(record);
    else problems.push(`${what} ${key.slice(0, 40)} is invalid`);
  }
  return out;
}

/** Plain key → value entries of a map whose values are scalars (at most MAX_RECORDS looked at). */
export function readEntries<V>(map: Y.Map<V>, problems: string[], what: string): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const entry of map.entries()) {
    if (out.length >= MAX_RECORDS) {
      problems.push(`${what}: more than ${MAX_RECORDS} entries, the rest skipped`);
      break;
    }
    out.push(entry);
  }
  return out;
}
