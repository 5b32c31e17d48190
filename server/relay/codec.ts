import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { encodeMux } from '../../shared/protocol/mux';
import { CloseCode, MessageType } from '../../shared/protocol/wire';

/**
 * Decodes client messages of the y-websocket protocol into typed values, and encodes the
 * server's. Decoding reads the whole message and refuses trailing or missing bytes, so that a
 * truncated or garbage frame is named as such instead of half-applied.
 */
export type ClientMessage =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'sync-step2'; update: Uint8Array }
  | { type: 'update'; update: Uint8Array }
  | { type: 'awareness'; entries: AwarenessEntry[] }
  | { type: 'query-awareness' }
  | { type: 'auth' };

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** JSON text as sent; 'null' means the client left. */
  state: string;
}

export class ProtocolError extends Error {
  readonly closeCode: number;
  readonly reason: string;
  constructor(closeCode: number, reason: string) {
    super(reason);
    this.closeCode = closeCode;
    this.reason = reason;
  }
}

const malformed = (what: string) => new ProtocolError(CloseCode.malformedMessage, `malformed message: ${what}`);

function readOrFail<T>(read: () => T, what: string): T {
  try {
    return read();
  } catch {
    throw malformed(what);
  }
}

export function decodeClientMessage(data: Uint8Array): ClientMessage {
  const decoder = decoding.createDecoder(data);
  const type = readOrFail(() => decoding.readVarUint(decoder), 'no message type');
  let message: ClientMessage;
  switch (type) {
    case MessageType.sync: {
      const syncType = readOrFail(() => decoding.readVarUint(decoder), 'no sync type');
      const payload = readOrFail(() => decoding.readVarUint8Array(decoder), 'truncated sync payload');
      if (syncType === 0) message = { type: 'sync-step1', stateVector: payload };
      else if (syncType === 1) message = { type: 'sync-step2', update: payload };
      else if (syncType === 2) message = { type: 'update', update: payload };
      else throw new ProtocolError(CloseCode.unknownMessageType, `unknown sync message type ${syncType}`);
      break;
    }
    case MessageType.awareness: {
      const update = readOrFail(() => decoding.readVarUint8Array(decoder), 'truncated awareness payload');
      message = { type: 'awareness', entries: decodeAwarenessUpdate(update) };
      break;
    }
    case MessageType.queryAwareness:
      message = { type: 'query-awareness' };
      break;
    case MessageType.auth:
      // Clients have nothing to say in the auth channel; read and ignore (stock clients never send it).
      message = { type: 'auth' };
      return message;
    default:
      throw new ProtocolError(CloseCode.unknownMessageType, `unknown message type ${type}`);
  }
  if (decoding.hasContent(decoder)) throw malformed('trailing bytes');
  return message;
}

function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  return readOrFail(() => {
    const count = decoding.readVarUint(decoder);
    if (count > 10_000) throw new Error('too many entries');
    const entries: AwarenessEntry[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const state = decoding.readVarString(decoder);
      JSON.parse(state);
      entries.push({ clientId, clock, state });
    }
    if (decoding.hasContent(decoder)) throw new Error('trailing bytes');
    return entries;
  }, 'invalid awareness update');
}

export function encodeAwarenessUpdate(entries: readonly AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(encoder, entry.clientId);
    encoding.writeVarUint(encoder, entry.clock);
    encoding.writeVarString(encoder, entry.state);
  }
  return encoding.toUint8Array(encoder);
}

const frame = (write: (encoder: encoding.Encoder) => void) => {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
};

export const encodeSyncStep1 = (stateVector: Uint8Array) =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.sync);
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint8Array(e, stateVector);
  });

export const encodeSyncStep2 = (update: Uint8Array) =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.sync);
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint8Array(e, update);
  });

export const encodeUpdate = (update: Uint8Array) =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.sync);
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint8Array(e, update);
  });

export const encodeAwareness = (update: Uint8Array) =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.awareness);
    encoding.writeVarUint8Array(e, update);
  });

/** y-protocols/auth "permission denied" with a reason: the stock provider logs it. */
export const encodePermissionDenied = (reason: string) =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.auth);
    encoding.writeVarUint(e, 0);
    encoding.writeVarString(e, reason);
  });

/**
 * A document's frame inside a multiplexed (`/mux`) frame, encoded once per delivery batch. A
 * room hands the SAME frame object to every session in one synchronous loop, and every mux
 * recipient of a document needs the same bytes (the document name is the channel id, equal for
 * all), so the last result is kept and reused for as long as the same frame and document come in.
 * Frames are never mutated after they are built, so reusing the bytes is safe.
 */
let lastFrame: Uint8Array | null = null;
let lastDocName = '';
let lastMuxed: Uint8Array = new Uint8Array(0);
export function muxDocFrame(docName: string, frame: Uint8Array): Uint8Array {
  if (frame !== lastFrame || docName !== lastDocName) {
    lastMuxed = encodeMux({ kind: 'doc', docName, payload: frame });
    lastFrame = frame;
    lastDocName = docName;
  }
  return lastMuxed;
}
