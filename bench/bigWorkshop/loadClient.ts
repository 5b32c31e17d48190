/**
 * A load process for `npm run bench:big` (forked by bench/big-workshop.bench.ts, two of them, so
 * that the clients' CPU is not the server's). Each "tab" is one /mux WebSocket of one workshop,
 * as a participant's browser tab holds it: the room document, its own notes (written through a
 * real Y.Doc, so the server's content check sees real notes) and its own drafts on their own
 * sessions — and everyone else's notes either through the workshop channel (`follow`, one
 * subscription) or one session per document (`perdoc`, as before the channel).
 *
 * Readers keep no Y.Doc: a note's text carries its send time (`@@<ms>@@`), found in the update's
 * bytes on first arrival, so the clients stay cheap and the numbers are the server's.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';

export type Mode = 'channel' | 'perdoc';
export interface TabSpec {
  token: string;
  /** Index of its own notes document in `notes`. */
  own: number;
  drafts: string;
}
export type ToClient =
  | { type: 'connect'; mode: Mode; muxUrl: string; workshopId: string; room: string; notes: string[]; tabs: TabSpec[]; concurrency: number }
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

/** The send time written into a note's text, found in the update's bytes. */
function markerTime(bytes: Buffer, from: number): number | null {
  const start = bytes.indexOf(MARK, from);
  if (start < 0) return null;
  const end = bytes.indexOf(MARK, start + 2);
  if (end < 0) return null;
  return Number(bytes.toString('latin1', start + 2, end));
}

const frame = (kind: number, docName: string, write?: (e: encoding.Encoder) => void) => {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, kind);
  encoding.writeVarString(e, docName);
  write?.(e);
  return encoding.toUint8Array(e);
};
const syncFrame = (docName: string, sub: number, payload: Uint8Array) =>
  frame(0, docName, (e) => {
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, sub);
    encoding.writeVarUint8Array(e, payload);
  });

class Tab {
  readonly ws: WebSocket;
  /** Documents whose first state (sync step 2) has not come yet; the channel's `following` counts as one. */
  private readonly pending = new Set<string>();
  private readonly own: Y.Doc = new Y.Doc();
  private readonly ownName: string;
  private writeTimer: NodeJS.Timeout | null = null;
  readonly ready: Promise<void>;
  private resolveReady: () => void = () => {};

  constructor(spec: TabSpec, message: Extract<ToClient, { type: 'connect' }>) {
    this.ownName = message.notes[spec.own]!;
    const opened = [message.room, this.ownName, spec.drafts, ...(message.mode === 'perdoc' ? message.notes.filter((n) => n !== this.ownName) : [])];
    for (const name of opened) this.pending.add(name);
    if (message.mode === 'channel') this.pending.add('@following');
    this.own.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== REMOTE) this.send(syncFrame(this.ownName, 2, update));
    });
    this.ws = new WebSocket(`${message.muxUrl}?token=${encodeURIComponent(spec.token)}`, { perMessageDeflate: false });
    this.ws.binaryType = 'nodebuffer';
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.ws.once('error', reject);
      this.ws.on('close', (code, reason) => {
        if (this.pending.size > 0) reject(new Error(`closed ${code} ${reason.toString()}`));
        else if (code !== 1000 && code !== 1005) errors.push(`closed ${code} ${reason.toString()}`);
      });
      this.ws.once('open', () => {
        for (const name of opened) {
          this.send(frame(1, name));
          this.send(syncFrame(name, 0, name === this.ownName ? Y.encodeStateVector(this.own) : new Uint8Array([0])));
        }
        if (message.mode === 'channel') this.send(frame(4, message.workshopId, (e) => encoding.writeVarUint(e, 0)));
      });
    });
    this.ws.on('message', (data: Buffer) => this.onMessage(data));
  }

  private send(bytes: Uint8Array) {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(bytes);
  }

  private settle(name: string) {
    if (this.pending.delete(name) && this.pending.size === 0) this.resolveReady();
  }

  private onMessage(data: Buffer) {
    const decoder = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const kind = decoding.readVarUint(decoder);
    const docName = decoding.readVarString(decoder);
    if (kind === 6) return this.settle('@following');
    if (kind === 8) {
      // A batch of channel messages (a busy workshop's updates gathered over a short window).
      const count = decoding.readVarUint(decoder);
      for (let i = 0; i < count; i++) {
        const name = decoding.readVarString(decoder);
        const length = decoding.readVarUint(decoder);
        const start = decoder.pos;
        decoder.pos += length;
        if (name !== this.ownName) this.seen(data, start, start + length);
      }
      return;
    }
    if (kind === 3 || kind === 7) {
      errors.push(`refused ${docName}: ${decoding.readVarUint(decoder)} ${decoding.readVarString(decoder)}`);
      return;
    }
    if (kind !== 0) return;
    const type = decoding.readVarUint(decoder);
    if (type === 2) {
      if (decoding.readVarUint(decoder) === 0) errors.push(`permission denied on ${docName}: ${decoding.readVarString(decoder)}`);
      return;
    }
    if (type !== 0) return; // presence
    const sub = decoding.readVarUint(decoder);
    if (sub === 0) return; // the server's sync step 1: the tab has no news for it
    if (docName === this.ownName) {
      Y.applyUpdate(this.own, decoding.readVarUint8Array(decoder), REMOTE);
    } else if (sub === 2) this.seen(data, decoder.pos, data.length);
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
    let n = 0;
    const write = () => {
      if (now() >= until) {
        if (this.writeTimer) clearInterval(this.writeTimer);
        return;
      }
      n++;
      writes++;
      addNote(this.own, { questionId: '3a', text: `@@${now().toFixed(3)}@@`, x: n * 10, y: n * 10 }, Date.now(), LOCAL_ORIGIN);
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
      const tab = new Tab(message.tabs[next++]!, message);
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
      // After the last write: report once deliveries stop coming for 1.5 s, at most 20 s later.
      setTimeout(() => {
        const gaveUpAt = now() + 20_000;
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
