import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/**
 * The multiplexed endpoint `/mux?token=…`: one WebSocket per browser tab carrying every
 * document of a workshop. Each frame names its document; inside a `doc` frame travels an
 * ordinary y-websocket message, under the same per-document permissions as `/ws/<doc>`.
 *
 *   open      client → server   varUint 1, varString docName
 *   close     client → server   varUint 2, varString docName
 *   doc       both ways         varUint 0, varString docName, then the y-websocket message bytes
 *   refused   server → client   varUint 3, varString docName, varUint closeCode, varString reason
 *
 * The workshop channel (docs/architecture.md, "The workshop channel"): one subscription for
 * every participant's notes document of the workshop, read-only. What it carries arrives as
 * ordinary `doc` frames named by each notes document (sync step 2 to catch up, then updates).
 *
 *   follow    client → server   varUint 4, varString workshopId, varUint n, n × (varString docName, varUint8Array stateVector)
 *   unfollow  client → server   varUint 5, varString workshopId
 *   following server → client   varUint 6, varString workshopId, varUint documents caught up
 *   unfollowed server → client  varUint 7, varString workshopId, varUint closeCode, varString reason
 *   batch     server → client   varUint 8, varString workshopId, varUint n, n × (varString docName, varUint8Array message)
 *
 * `follow` lists the state vector of every notes document the client already holds (IndexedDB,
 * an earlier connection), so that catching up sends only what it lacks; a document not listed is
 * sent whole. `following` comes after the catch-up of every document known at that moment;
 * `unfollowed` is a refusal (or the end) of the subscription, the socket stays open. A `batch`
 * carries several channel messages in one frame, in order (updates of a busy workshop, gathered
 * over a short window): it may name a document the client has open on its own, which it skips.
 *
 * Records mode of the channel (docs/architecture.md, "Records mode"): instead of each notes
 * document's Yjs updates, the server sends what the board reads of it — plain, validated records
 * (notes by key, votes by target) — so a tab that only reads a document holds records, not a Y.Doc.
 *
 *   followRecords  client → server  varUint 9, varString workshopId, varUint n, n × (varString docName, varUint8Array version)
 *   records        server → client  varUint 10, varString workshopId, varUint n, n × RecordsDoc
 *   RecordsDoc:    varString docName, varUint flags (1: full), varUint8Array version, varUint m,
 *                  m × (varUint root (0 notes, 1 votes), varString key, varUint8Array value)
 *
 * A value is one lib0 `writeAny` (a note record, a vote count); empty bytes: the key is gone. A
 * `full` entry replaces everything the client holds of that document (catch-up); others change
 * only the keys they name. `version` (catch-up only, else empty) names the document's state: sent
 * back in `followRecords`, it lets the server skip a document that has not changed since.
 * `following`, `unfollowed`, `unfollow` and `refused` are shared with the update mode.
 */
export const MuxFrame = { doc: 0, open: 1, close: 2, refused: 3, follow: 4, unfollow: 5, following: 6, unfollowed: 7, batch: 8, followRecords: 9, records: 10 } as const;

/** At most this many state vectors in one `follow` (the participant cap is 500 by default). */
export const MAX_FOLLOW_ENTRIES = 5000;

export interface FollowEntry {
  docName: string;
  stateVector: Uint8Array;
}

export interface RecordsFollowEntry {
  docName: string;
  /** The version last received for the document (a `full` entry's), or empty: none held. */
  version: Uint8Array;
}

/** Which root of a notes document a record belongs to (shared/schema/layout.ts, `notesRoots`). */
export type RecordsRoot = 'notes' | 'votes';
const ROOTS: readonly RecordsRoot[] = ['notes', 'votes'];

export interface RecordChange {
  root: RecordsRoot;
  key: string;
  /** The record as the server read it (validated again by the client); undefined: deleted. */
  value: unknown;
}

export interface RecordsDoc {
  docName: string;
  /** Replaces everything held of the document (a catch-up), rather than changing some keys. */
  full: boolean;
  /** Empty unless `full`: the state the records are of (see `followRecords`). */
  version: Uint8Array;
  changes: RecordChange[];
}

/** At most this many changes for one document in one frame (a full document: every note and vote). */
export const MAX_RECORD_CHANGES = 20_000;
/** The longest version, and the most bytes one record's value may take (a note is well under 4 KiB). */
export const MAX_VERSION_BYTES = 64;
export const MAX_RECORD_BYTES = 64 * 1024;

export type MuxMessage =
  | { kind: 'doc'; docName: string; payload: Uint8Array }
  | { kind: 'open'; docName: string }
  | { kind: 'close'; docName: string }
  | { kind: 'refused'; docName: string; code: number; reason: string }
  | { kind: 'follow'; docName: string; entries: FollowEntry[] }
  | { kind: 'unfollow'; docName: string }
  | { kind: 'following'; docName: string; documents: number }
  | { kind: 'unfollowed'; docName: string; code: number; reason: string }
  | { kind: 'batch'; docName: string; entries: BatchEntry[] }
  | { kind: 'followRecords'; docName: string; entries: RecordsFollowEntry[] }
  | { kind: 'records'; docName: string; docs: RecordsDoc[] };

export interface BatchEntry {
  docName: string;
  payload: Uint8Array;
}

/** The longest document name a frame may carry (the server's names are far shorter). */
const MAX_NAME_LENGTH = 200;

export function encodeMux(message: MuxMessage): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MuxFrame[message.kind]);
  encoding.writeVarString(encoder, message.docName);
  switch (message.kind) {
    case 'doc':
      encoding.writeUint8Array(encoder, message.payload);
      break;
    case 'refused':
    case 'unfollowed':
      encoding.writeVarUint(encoder, message.code);
      encoding.writeVarString(encoder, message.reason);
      break;
    case 'follow':
      writeEntries(encoder, message.entries, (entry) => entry.stateVector);
      break;
    case 'following':
      encoding.writeVarUint(encoder, message.documents);
      break;
    case 'batch':
      writeEntries(encoder, message.entries, (entry) => entry.payload);
      break;
    case 'followRecords':
      writeEntries(encoder, message.entries, (entry) => entry.version);
      break;
    case 'records':
      encoding.writeVarUint(encoder, message.docs.length);
      for (const doc of message.docs) writeRecordsDoc(encoder, doc);
      break;
    default:
      break;
  }
  return encoding.toUint8Array(encoder);
}

/** Throws on a frame that is not one of the kinds above, is cut short or has bytes left over. */
export function decodeMux(bytes: Uint8Array): MuxMessage {
  const decoder = decoding.createDecoder(bytes);
  const kind = decoding.readVarUint(decoder);
  const docName = readName(decoder);
  if (kind === MuxFrame.doc) return { kind: 'doc', docName, payload: bytes.subarray(decoder.pos) };
  const message = readBody(kind, docName, decoder);
  // The channel's frames (follow and after) are new: they are read whole (the older kinds keep their old leniency).
  if (kind >= MuxFrame.follow && decoding.hasContent(decoder)) throw new Error('trailing bytes');
  return message;
}

/** What follows the document name in every kind but `doc`. */
function readBody(kind: number, docName: string, decoder: decoding.Decoder): MuxMessage {
  switch (kind) {
    case MuxFrame.open:
      return { kind: 'open', docName };
    case MuxFrame.close:
      return { kind: 'close', docName };
    case MuxFrame.refused:
      return { kind: 'refused', docName, code: decoding.readVarUint(decoder), reason: decoding.readVarString(decoder) };
    case MuxFrame.follow:
      return { kind: 'follow', docName, entries: readEntries(decoder, MAX_FOLLOW_ENTRIES, (name, stateVector) => ({ docName: name, stateVector })) };
    case MuxFrame.unfollow:
      return { kind: 'unfollow', docName };
    case MuxFrame.following:
      return { kind: 'following', docName, documents: decoding.readVarUint(decoder) };
    case MuxFrame.unfollowed:
      return { kind: 'unfollowed', docName, code: decoding.readVarUint(decoder), reason: decoding.readVarString(decoder) };
    case MuxFrame.batch:
      return { kind: 'batch', docName, entries: readEntries(decoder, Infinity, (name, payload) => ({ docName: name, payload })) };
    case MuxFrame.followRecords:
      return {
        kind: 'followRecords',
        docName,
        entries: readEntries(decoder, MAX_FOLLOW_ENTRIES, (name, version) => {
          if (version.length > MAX_VERSION_BYTES) throw new Error('version too long');
          return { docName: name, version };
        }),
      };
    case MuxFrame.records:
      return { kind: 'records', docName, docs: readRecordsDocs(decoder) };
    default:
      throw new Error(`unknown mux frame kind ${kind}`);
  }
}

function readName(decoder: decoding.Decoder): string {
  const name = decoding.readVarString(decoder);
  if (name.length > MAX_NAME_LENGTH) throw new Error('document name too long');
  return name;
}

/** The entries of `follow` and `batch`: varUint n, then n × (varString docName, varUint8Array bytes). */
function writeEntries<T extends { docName: string }>(encoder: encoding.Encoder, entries: readonly T[], bytesOf: (entry: T) => Uint8Array): void {
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) {
    encoding.writeVarString(encoder, entry.docName);
    encoding.writeVarUint8Array(encoder, bytesOf(entry));
  }
}

function readEntries<T>(decoder: decoding.Decoder, max: number, make: (docName: string, bytes: Uint8Array) => T): T[] {
  const count = decoding.readVarUint(decoder);
  if (count > max) throw new Error('too many documents in one follow');
  const entries: T[] = [];
  for (let i = 0; i < count; i++) {
    const name = readName(decoder);
    entries.push(make(name, decoding.readVarUint8Array(decoder)));
  }
  return entries;
}

/** One document's records (see `records` above); a value is encoded on its own so that its length bounds its decoding. */
function writeRecordsDoc(encoder: encoding.Encoder, doc: RecordsDoc): void {
  encoding.writeVarString(encoder, doc.docName);
  encoding.writeVarUint(encoder, doc.full ? 1 : 0);
  encoding.writeVarUint8Array(encoder, doc.version);
  encoding.writeVarUint(encoder, doc.changes.length);
  for (const change of doc.changes) {
    encoding.writeVarUint(encoder, ROOTS.indexOf(change.root));
    encoding.writeVarString(encoder, change.key);
    encoding.writeVarUint8Array(encoder, change.value === undefined ? EMPTY : encodeRecordValue(change.value));
  }
}

const EMPTY = new Uint8Array(0);

/** A record's value as it travels (the server encodes each once, however many followers get it). */
export function encodeRecordValue(value: unknown): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeAny(encoder, value as encoding.AnyEncodable);
  return encoding.toUint8Array(encoder);
}

function readRecordsDocs(decoder: decoding.Decoder): RecordsDoc[] {
  const count = decoding.readVarUint(decoder);
  if (count > MAX_FOLLOW_ENTRIES) throw new Error('too many documents in one records frame');
  const docs: RecordsDoc[] = [];
  for (let i = 0; i < count; i++) {
    const docName = readName(decoder);
    const flags = decoding.readVarUint(decoder);
    if (flags > 1) throw new Error('unknown records flags');
    const version = decoding.readVarUint8Array(decoder);
    if (version.length > MAX_VERSION_BYTES) throw new Error('version too long');
    const changeCount = decoding.readVarUint(decoder);
    if (changeCount > MAX_RECORD_CHANGES) throw new Error('too many records for one document');
    const changes: RecordChange[] = [];
    for (let j = 0; j < changeCount; j++) {
      const root = ROOTS[decoding.readVarUint(decoder)];
      if (!root) throw new Error('unknown records root');
      const key = readName(decoder);
      const bytes = decoding.readVarUint8Array(decoder);
      if (bytes.length > MAX_RECORD_BYTES) throw new Error('record too large');
      changes.push({ root, key, value: bytes.length === 0 ? undefined : readValue(bytes) });
    }
    docs.push({ docName, full: flags === 1, version, changes });
  }
  return docs;
}

/** One value, read whole (what a hostile server sends is validated by the client after this). */
function readValue(bytes: Uint8Array): unknown {
  const decoder = decoding.createDecoder(bytes);
  const value: unknown = decoding.readAny(decoder);
  if (decoding.hasContent(decoder)) throw new Error('trailing bytes in a record');
  return value;
}
