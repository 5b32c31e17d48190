/**
 * A load-generating process for `npm run bench` (forked by bench/relay.bench.ts, several of them,
 * so that the clients' CPU is not the server's). Each "tab" is one WebSocket following a set of
 * documents, as a browser tab of a workshop does: the room document and every participant's notes
 * document. A tab that owns a notes document writes a note into it at a fixed rate through a real
 * Y.Doc (shared/ops/notes.ts, so Arvo's content checks see real notes); the note's text carries
 * its send time, and every other tab that receives the update records edit → seen latency.
 *
 * Readers never apply what they receive (only the writer keeps a Y.Doc, of its own document):
 * the clients must stay cheap so that the numbers are the server's.
 *
 * Two framings: `mux` (Arvo's /mux and the bare relay) and `hocuspocus` (its own multiplexing:
 * every message starts with the document name; each document is authenticated first).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';

export type Dialect = 'mux' | 'hocuspocus';
export interface TabSpec {
  url: string;
  docs: string[];
  /** The notes document this tab writes into (null: reads only). */
  ownDoc: string | null;
  token: string;
}
export type ToClient =
  | { type: 'connect'; dialect: Dialect; tabs: TabSpec[]; concurrency: number }
  | { type: 'go'; writeIntervalMs: number; writeUntil: number; measureFrom: number; measureTo: number }
  | { type: 'exit' };
export type FromClient =
  | { type: 'hello' }
  | { type: 'ready'; ms: number }
  | { type: 'done'; latencies: string; deliveries: number; writes: number; errors: string[] }
  | { type: 'failed'; error: string };

const now = () => performance.timeOrigin + performance.now();
const REMOTE = Symbol('remote');
const MARK = Buffer.from('@@');

let measureFrom = Infinity;
let measureTo = -Infinity;
let latencies = new Float32Array(1 << 16);
let latencyCount = 0;
let deliveries = 0;
let writes = 0;
const errors: string[] = [];

function record(latency: number) {
  if (latencyCount === latencies.length) {
    const bigger = new Float32Array(latencies.length * 2);
    bigger.set(latencies);
    latencies = bigger;
  }
  latencies[latencyCount++] = latency;
}

/** The send time written into a note's text (`@@<ms>@@`), found in the update's bytes. */
function markerTime(payload: Uint8Array): number | null {
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const start = bytes.indexOf(MARK);
  if (start < 0) return null;
  const end = bytes.indexOf(MARK, start + 2);
  if (end < 0) return null;
  return Number(bytes.toString('latin1', start + 2, end));
}

class Tab {
  readonly ws: WebSocket;
  private readonly pending: Set<string>;
  private readonly own: Y.Doc | null;
  private writeTimer: NodeJS.Timeout | null = null;
  readonly ready: Promise<void>;

  constructor(
    private readonly spec: TabSpec,
    private readonly dialect: Dialect,
  ) {
    this.pending = new Set(spec.docs);
    this.own = spec.ownDoc ? new Y.Doc() : null;
    this.own?.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== REMOTE) this.send(spec.ownDoc!, (e) => this.writeSync(e, 2, update));
    });
    this.ws = new WebSocket(spec.url, { perMessageDeflate: false });
    this.ws.binaryType = 'nodebuffer';
    this.ready = new Promise((resolve, reject) => {
      this.ws.once('error', reject);
      this.ws.on('close', (code, reason) => {
        if (this.pending.size > 0) reject(new Error(`closed ${code} ${reason.toString()}`));
        else if (code !== 1000 && code !== 1005) errors.push(`closed ${code} ${reason.toString()}`);
      });
      this.ws.once('open', () => {
        for (const doc of spec.docs) this.openDoc(doc);
      });
      this.resolveReady = resolve;
    });
    this.ws.on('message', (data: Buffer) => this.onMessage(data));
  }

  private resolveReady: () => void = () => {};

  private frame(docName: string, write: (encoder: encoding.Encoder) => void): Uint8Array {
    const encoder = encoding.createEncoder();
    if (this.dialect === 'mux') {
      encoding.writeVarUint(encoder, 0);
      encoding.writeVarString(encoder, docName);
    } else encoding.writeVarString(encoder, docName);
    write(encoder);
    return encoding.toUint8Array(encoder);
  }

  private send(docName: string, write: (encoder: encoding.Encoder) => void) {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(this.frame(docName, write));
  }

  private writeSync(encoder: encoding.Encoder, sub: number, payload: Uint8Array) {
    encoding.writeVarUint(encoder, 0);
    encoding.writeVarUint(encoder, sub);
    encoding.writeVarUint8Array(encoder, payload);
  }

  private openDoc(docName: string) {
    if (this.dialect === 'mux') {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 1);
      encoding.writeVarString(encoder, docName);
      this.ws.send(encoding.toUint8Array(encoder));
    } else {
      // Hocuspocus: an auth message per document before anything else (MessageType.Auth, Token).
      this.send(docName, (e) => {
        encoding.writeVarUint(e, 2);
        encoding.writeVarUint(e, 0);
        encoding.writeVarString(e, this.spec.token);
      });
    }
    const stateVector = this.own && docName === this.spec.ownDoc ? Y.encodeStateVector(this.own) : new Uint8Array([0]);
    this.send(docName, (e) => this.writeSync(e, 0, stateVector));
  }

  private onMessage(data: Buffer) {
    const decoder = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    let docName: string;
    if (this.dialect === 'mux') {
      const kind = decoding.readVarUint(decoder);
      docName = decoding.readVarString(decoder);
      if (kind === 3) {
        errors.push(`refused ${docName}: ${decoding.readVarUint(decoder)} ${decoding.readVarString(decoder)}`);
        return;
      }
      if (kind !== 0) return;
    } else docName = decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    if (type === 2) {
      const sub = decoding.readVarUint(decoder);
      // Hocuspocus: PermissionDenied = 1; Arvo (y-protocols/auth): permission denied = 0.
      if (sub === (this.dialect === 'mux' ? 0 : 1)) errors.push(`permission denied on ${docName}: ${decoding.readVarString(decoder)}`);
      return;
    }
    if (type !== 0 && type !== 4) return; // presence, Hocuspocus' sync status, …
    const sub = decoding.readVarUint(decoder);
    if (sub === 0) return; // the server's sync step 1: nothing to send, the tab has no news
    const payload = decoding.readVarUint8Array(decoder);
    if (docName === this.spec.ownDoc) {
      Y.applyUpdate(this.own!, payload, REMOTE);
    } else if (sub === 2) {
      const sent = markerTime(payload);
      if (sent !== null && sent >= measureFrom && sent < measureTo) {
        record(now() - sent);
        deliveries++;
      }
    }
    if (sub === 1 && this.pending.delete(docName) && this.pending.size === 0) this.resolveReady();
  }

  startWriting(intervalMs: number, until: number) {
    if (!this.own) return;
    let n = 0;
    const write = () => {
      if (now() >= until) {
        if (this.writeTimer) clearInterval(this.writeTimer);
        return;
      }
      n++;
      writes++;
      addNote(this.own!, { questionId: '3a', text: `@@${now().toFixed(3)}@@`, x: n * 10, y: n * 10 }, Date.now(), LOCAL_ORIGIN);
    };
    // A random phase per writer: the load is spread, as people's typing is.
    setTimeout(() => {
      write();
      this.writeTimer = setInterval(write, intervalMs);
    }, Math.random() * intervalMs);
  }

  close() {
    if (this.writeTimer) clearInterval(this.writeTimer);
    this.ws.close(1000);
  }
}

let tabs: Tab[] = [];

async function connectAll(message: Extract<ToClient, { type: 'connect' }>) {
  const started = now();
  let next = 0;
  const worker = async () => {
    while (next < message.tabs.length) {
      const tab = new Tab(message.tabs[next++]!, message.dialect);
      tabs.push(tab);
      await tab.ready;
    }
  };
  await Promise.all(Array.from({ length: message.concurrency }, worker));
  return now() - started;
}

const reply = (message: FromClient) => process.send!(message);
reply({ type: 'hello' });

process.on('message', (message: ToClient) => {
  switch (message.type) {
    case 'connect':
      connectAll(message).then(
        (ms) => reply({ type: 'ready', ms }),
        (error: unknown) => reply({ type: 'failed', error: String(error) }),
      );
      return;
    case 'go':
      measureFrom = message.measureFrom;
      measureTo = message.measureTo;
      for (const tab of tabs) tab.startWriting(message.writeIntervalMs, message.writeUntil);
      // After the last write: report once deliveries have arrived and then none for 1.5 s
      // (a backed-up relay may deliver nothing for seconds), at most 30 s later.
      setTimeout(() => {
        const gaveUpAt = now() + 30_000;
        let seen = -1;
        const check = setInterval(() => {
          if ((deliveries !== seen || deliveries === 0) && now() < gaveUpAt) {
            seen = deliveries;
            return;
          }
          clearInterval(check);
          const bytes = Buffer.from(latencies.buffer, 0, latencyCount * 4);
          reply({ type: 'done', latencies: bytes.toString('base64'), deliveries, writes, errors: errors.slice(0, 20) });
        }, 1500);
      }, Math.max(0, message.writeUntil - now()));
      return;
    case 'exit':
      for (const tab of tabs) tab.close();
      tabs = [];
      setTimeout(() => process.exit(0), 200);
      return;
  }
});
