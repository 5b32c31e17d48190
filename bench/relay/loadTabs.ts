/**
 * The load tabs of the relay benchmarks, shared by `npm run bench` (bench/relay/loadClient.ts) and
 * `npm run bench:big` (bench/bigWorkshop/loadClient.ts): one module for the socket framings (Arvo's
 * /mux with its workshop channel, and Hocuspocus' own multiplexing) and for what a load process
 * measures, so that both benchmarks load a server the same way.
 *
 * A "tab" is one WebSocket, as a participant's browser tab holds it: some documents opened on
 * their own sessions (`docs`), one of them its own notes document, written through a real Y.Doc
 * (shared/ops/notes.ts, so Arvo's content checks see real notes) at a fixed rate; and, optionally,
 * every other participant's notes followed through the workshop channel (`follow`, one `follow`
 * frame; shared/protocol/mux.ts) instead of one session each. The note's text carries its send
 * time (`@@<ms>@@`); every other tab that receives the update records edit → seen latency.
 *
 * Readers never apply what they receive (only the writer keeps a Y.Doc, of its own document): the
 * clients must stay cheap so that the numbers are the server's.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { MuxFrame } from '../../shared/protocol/mux';

/** `mux`: Arvo's /mux (and the bare relay, which speaks it); `hocuspocus`: every message starts with the document name. */
export type Dialect = 'mux' | 'hocuspocus';

export interface LoadTab {
  url: string;
  dialect: Dialect;
  /** Documents opened on their own sessions. */
  docs: string[];
  /** The notes document this tab writes into (null: reads only). */
  ownDoc: string | null;
  /** Hocuspocus authenticates every document with it (Arvo's is in the URL). */
  token: string;
  /** A workshop whose notes this tab follows through the workshop channel (mux only), or null. */
  follow: string | null;
}

export type GoMessage = { type: 'go'; writeIntervalMs: number; writeUntil: number; measureFrom: number; measureTo: number };
export type FromLoad =
  | { type: 'hello' }
  | { type: 'ready'; ms: number }
  | { type: 'done'; latencies: string; deliveries: number; writes: number; errors: string[] }
  | { type: 'failed'; error: string };

const now = () => performance.timeOrigin + performance.now();
const REMOTE = Symbol('remote');
const MARK = Buffer.from('@@');
/** The channel's `following` is awaited like a document's first state. */
const FOLLOWING = '@following';

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

/** The send time written into a note's text, found in the update's bytes (from `from` on). */
function markerTime(bytes: Buffer, from: number): number | null {
  const start = bytes.indexOf(MARK, from);
  if (start < 0) return null;
  const end = bytes.indexOf(MARK, start + 2);
  if (end < 0) return null;
  return Number(bytes.toString('latin1', start + 2, end));
}

function writeSync(encoder: encoding.Encoder, sub: number, payload: Uint8Array) {
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, sub);
  encoding.writeVarUint8Array(encoder, payload);
}

class Tab {
  readonly ws: WebSocket;
  /** Documents whose first state (sync step 2) has not come yet, and the channel's `following`. */
  private readonly pending: Set<string>;
  private readonly own: Y.Doc | null;
  private writeTimer: NodeJS.Timeout | null = null;
  readonly ready: Promise<void>;
  private resolveReady: () => void = () => {};

  constructor(private readonly spec: LoadTab) {
    this.pending = new Set(spec.docs);
    if (spec.follow !== null) this.pending.add(FOLLOWING);
    this.own = spec.ownDoc ? new Y.Doc() : null;
    this.own?.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== REMOTE) this.sendDoc(spec.ownDoc!, (e) => writeSync(e, 2, update));
    });
    this.ws = new WebSocket(spec.url, { perMessageDeflate: false });
    this.ws.binaryType = 'nodebuffer';
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.ws.once('error', reject);
      this.ws.on('close', (code, reason) => {
        if (this.pending.size > 0) reject(new Error(`closed ${code} ${reason.toString()}`));
        else if (code !== 1000 && code !== 1005) errors.push(`closed ${code} ${reason.toString()}`);
      });
      this.ws.once('open', () => {
        for (const doc of spec.docs) this.openDoc(doc);
        // No state vectors: the tab holds nothing yet, so the channel catches it up with every document whole.
        if (spec.follow !== null) this.sendMux(MuxFrame.follow, spec.follow, (e) => encoding.writeVarUint(e, 0));
      });
    });
    this.ws.on('message', (data: Buffer) => this.onMessage(data));
  }

  private sendMux(kind: number, name: string, write?: (encoder: encoding.Encoder) => void) {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, kind);
    encoding.writeVarString(encoder, name);
    write?.(encoder);
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(encoding.toUint8Array(encoder));
  }

  /** A y-websocket message for one document, framed as the dialect frames it. */
  private sendDoc(docName: string, write: (encoder: encoding.Encoder) => void) {
    if (this.spec.dialect === 'mux') return this.sendMux(MuxFrame.doc, docName, write);
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, docName);
    write(encoder);
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(encoding.toUint8Array(encoder));
  }

  private openDoc(docName: string) {
    if (this.spec.dialect === 'mux') this.sendMux(MuxFrame.open, docName);
    else {
      // Hocuspocus: an auth message per document before anything else (MessageType.Auth, Token).
      this.sendDoc(docName, (e) => {
        encoding.writeVarUint(e, 2);
        encoding.writeVarUint(e, 0);
        encoding.writeVarString(e, this.spec.token);
      });
    }
    const stateVector = this.own && docName === this.spec.ownDoc ? Y.encodeStateVector(this.own) : new Uint8Array([0]);
    this.sendDoc(docName, (e) => writeSync(e, 0, stateVector));
  }

  private settle(name: string) {
    if (this.pending.delete(name) && this.pending.size === 0) this.resolveReady();
  }

  private onMessage(data: Buffer) {
    const decoder = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const mux = this.spec.dialect === 'mux';
    let docName: string;
    if (mux) {
      const kind = decoding.readVarUint(decoder);
      docName = decoding.readVarString(decoder);
      if (kind === MuxFrame.following) return this.settle(FOLLOWING);
      if (kind === MuxFrame.batch) {
        // Channel messages gathered over a short window; one naming this tab's own document is skipped.
        const count = decoding.readVarUint(decoder);
        for (let i = 0; i < count; i++) {
          const name = decoding.readVarString(decoder);
          const length = decoding.readVarUint(decoder);
          const start = decoder.pos;
          decoder.pos += length;
          if (name !== this.spec.ownDoc) this.seen(data, start, start + length);
        }
        return;
      }
      if (kind === MuxFrame.refused || kind === MuxFrame.unfollowed) {
        errors.push(`refused ${docName}: ${decoding.readVarUint(decoder)} ${decoding.readVarString(decoder)}`);
        return;
      }
      if (kind !== MuxFrame.doc) return;
    } else docName = decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    if (type === 2) {
      // Hocuspocus: PermissionDenied = 1; Arvo (y-protocols/auth): permission denied = 0.
      if (decoding.readVarUint(decoder) === (mux ? 0 : 1)) errors.push(`permission denied on ${docName}: ${decoding.readVarString(decoder)}`);
      return;
    }
    if (type !== 0 && (mux || type !== 4)) return; // presence, Hocuspocus' sync status, … (its SyncReply = 4 is a sync message)
    const sub = decoding.readVarUint(decoder);
    if (sub === 0) return; // the server's sync step 1: the tab has no news for it
    if (docName === this.spec.ownDoc) Y.applyUpdate(this.own!, decoding.readVarUint8Array(decoder), REMOTE);
    else if (sub === 2) this.seen(data, decoder.pos, data.length);
    if (sub === 1) this.settle(docName);
  }

  /** An update for someone else's notes (bytes from..to of the frame): one delivery when measured. */
  private seen(data: Buffer, from: number, to: number) {
    const sent = markerTime(data.subarray(0, to), from);
    if (sent !== null && sent >= measureFrom && sent < measureTo) {
      record(now() - sent);
      deliveries++;
    }
  }

  startWriting(intervalMs: number, until: number) {
    const own = this.own;
    if (!own) return;
    let n = 0;
    const write = () => {
      if (now() >= until) {
        if (this.writeTimer) clearInterval(this.writeTimer);
        return;
      }
      n++;
      writes++;
      addNote(own, { questionId: '3a', text: `@@${now().toFixed(3)}@@`, x: n * 10, y: n * 10 }, Date.now(), LOCAL_ORIGIN);
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

async function connectAll(specs: LoadTab[], concurrency: number) {
  const started = now();
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const tab = new Tab(specs[next++]!);
      tabs.push(tab);
      await tab.ready;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return now() - started;
}

/**
 * Runs this process as a load process of a benchmark (forked, talking over IPC): `connect` (the
 * benchmark's own message, turned into tabs by `toTabs`), then `go`, then `exit`. After the last
 * write it reports once deliveries have arrived and then none for 1.5 s (a backed-up relay may
 * deliver nothing for seconds), at most `giveUpMs` later.
 */
export function serveLoad<Connect extends { type: 'connect' }>(toTabs: (message: Connect) => { tabs: LoadTab[]; concurrency: number }, giveUpMs: number): void {
  const reply = (message: FromLoad) => process.send!(message);
  reply({ type: 'hello' });
  process.on('message', (message: Connect | GoMessage | { type: 'exit' }) => {
    switch (message.type) {
      case 'connect': {
        const { tabs: specs, concurrency } = toTabs(message as Connect);
        connectAll(specs, concurrency).then(
          (ms) => reply({ type: 'ready', ms }),
          (error: unknown) => reply({ type: 'failed', error: String(error) }),
        );
        return;
      }
      case 'go': {
        const go = message as GoMessage;
        measureFrom = go.measureFrom;
        measureTo = go.measureTo;
        for (const tab of tabs) tab.startWriting(go.writeIntervalMs, go.writeUntil);
        setTimeout(() => {
          const gaveUpAt = now() + giveUpMs;
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
        }, Math.max(0, go.writeUntil - now()));
        return;
      }
      case 'exit':
        for (const tab of tabs) tab.close();
        tabs = [];
        setTimeout(() => process.exit(0), 200);
        return;
    }
  });
}
