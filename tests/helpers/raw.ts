import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocket } from 'ws';
import * as Y from 'yjs';

/**
 * A hand-driven y-websocket client: sends exactly the bytes a test chooses and records every
 * message the server sends, decoded. For permission, privacy and bad-input tests, where a stock
 * provider would hide what travels on the wire.
 */
export type ServerMessage =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'sync-step2'; update: Uint8Array }
  | { type: 'update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'permission-denied'; reason: string }
  | { type: 'other'; bytes: Uint8Array };

export class RawClient {
  readonly doc = new Y.Doc();
  readonly received: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];
  private answered = false;

  private constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer) => {
      const message = decodeServerMessage(new Uint8Array(data));
      if (message.type === 'sync-step2' || message.type === 'update') Y.applyUpdate(this.doc, message.update, 'server');
      this.received.push(message);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const wake of this.waiters.splice(0)) wake();
    }));
  }

  static open(url: string): Promise<RawClient> {
    const ws = new WebSocket(url);
    const client = new RawClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  static connect(wsUrl: string, docName: string, token: string): Promise<RawClient> {
    return RawClient.open(`${wsUrl}/${docName}?token=${encodeURIComponent(token)}`);
  }

  send(bytes: Uint8Array): void {
    this.ws.send(bytes);
  }

  sendSyncStep1(): void {
    this.send(frame([0, 0], Y.encodeStateVector(this.doc)));
  }

  sendUpdate(update: Uint8Array): void {
    this.send(frame([0, 2], update));
  }

  /** Makes a change locally and sends exactly that change. */
  edit(change: (doc: Y.Doc) => void): Uint8Array {
    const before = Y.encodeStateVector(this.doc);
    this.doc.transact(() => change(this.doc), 'local');
    const update = Y.encodeStateAsUpdate(this.doc, before);
    this.sendUpdate(update);
    return update;
  }

  /** Waits until a message matching `predicate` has arrived (or the socket closed). */
  async waitFor(predicate: (m: ServerMessage) => boolean, what: string, timeoutMs = 5000): Promise<ServerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(predicate);
      if (found) return found;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /**
   * Sync: our step 1 → the server's step 2 (the document as it is now); and, as every y-websocket
   * client does, the answer to the server's step 1 (what we have that it lacks), once per
   * connection: until it arrives the server holds edits that depend on something it lacks.
   */
  async sync(): Promise<void> {
    const before = this.received.length;
    this.sendSyncStep1();
    await this.waitFor((m) => m.type === 'sync-step2' && this.received.indexOf(m) >= before, 'sync step 2');
    this.answerSyncStep1();
  }

  /** Our sync step 2 in answer to the server's step 1 (sent once, after that step 1 arrived). */
  answerSyncStep1(): void {
    if (this.answered) return;
    const step1 = this.received.find((m) => m.type === 'sync-step1');
    if (step1?.type !== 'sync-step1') return;
    this.answered = true;
    this.send(frame([0, 1], Y.encodeStateAsUpdate(this.doc, step1.stateVector)));
  }

  /** A round trip: everything the server sent before it answers this has arrived. */
  async roundTrip(): Promise<void> {
    await this.sync();
  }

  close(): void {
    this.ws.close();
  }
}

function frame(prefix: number[], payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  for (const n of prefix) encoding.writeVarUint(encoder, n);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

export function awarenessFrame(entries: Array<{ clientId: number; clock: number; state: unknown }>): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, entries.length);
  for (const e of entries) {
    encoding.writeVarUint(inner, e.clientId);
    encoding.writeVarUint(inner, e.clock);
    encoding.writeVarString(inner, JSON.stringify(e.state));
  }
  return frame([1], encoding.toUint8Array(inner));
}

function decodeServerMessage(bytes: Uint8Array): ServerMessage {
  const decoder = decoding.createDecoder(bytes);
  const type = decoding.readVarUint(decoder);
  if (type === 0) {
    const sub = decoding.readVarUint(decoder);
    const payload = decoding.readVarUint8Array(decoder);
    if (sub === 0) return { type: 'sync-step1', stateVector: payload };
    if (sub === 1) return { type: 'sync-step2', update: payload };
    return { type: 'update', update: payload };
  }
  if (type === 1) return { type: 'awareness', update: decoding.readVarUint8Array(decoder) };
  if (type === 2 && decoding.readVarUint(decoder) === 0) return { type: 'permission-denied', reason: decoding.readVarString(decoder) };
  return { type: 'other', bytes };
}
