/**
 * The load tabs of the relay benchmarks, shared by `npm run bench` (bench/relay/loadClient.ts) and
 * `npm run bench:big` (bench/bigWorkshop/loadClient.ts): one module for the socket framings (Arvo's
 * /mux with its workshop channel, and Hocuspocus' own multiplexing) and for what a load process
 * measures, so that both benchmarks load a server the same way.
 *
 * A "tab" is one WebSocket, as a participant's browser tab holds it: some documents opened on
 * their own sessions (`docs`), one of them its own notes document, written through a real Y.Doc
 * (shared/ops/notes.ts, so Arvo's content checks see real notes) at a fixed rate; and, optionally,
 * every other participant's notes followed through the workshop channel instead of one session
 * each: in records mode (`followRecords`, what Arvo's client does: plain records of each note in
 * `records` frames) or, with `followMode: 'updates'` (or BENCH_FOLLOW=updates for a whole run), in
 * the Yjs-update mode (`follow`: `doc` and `batch` frames; shared/protocol/mux.ts). The note's
 * text carries its send time (`@@<ms>@@`), in an update's bytes as in a record's; every other tab
 * that receives it records edit → seen latency.
 *
 * The clients must stay cheap so that the numbers are the server's, while the server does exactly
 * the work real browsers cause it:
 * - every tab holds a real socket and reads every frame the server sends it (counted: bytes and
 *   frames), but only the tabs that `decode` parse them and look for send times in them; the
 *   others parse only until they have caught up (to know they are ready) and frames that refuse
 *   something. A benchmark decodes a sample of tabs and checks that the rest received as much;
 * - readers never apply what they receive; a writer's notes are real Yjs updates made before the
 *   writing starts (from a scratch Y.Doc, with a fixed-width placeholder for the send time that is
 *   overwritten in the frame's bytes as it is sent), so writing costs a write into a Buffer.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { MuxFrame } from '../../shared/protocol/mux';

/** The workshop channel's two modes (docs/architecture.md, "The workshop channel"). */
export type FollowMode = 'records' | 'updates';
const DEFAULT_FOLLOW_MODE: FollowMode = process.env.BENCH_FOLLOW === 'updates' ? 'updates' : 'records';

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
  /** How it follows: `records` (Arvo's client) or `updates`; default BENCH_FOLLOW, else records. */
  followMode?: FollowMode;
  /** Decodes what it receives and records deliveries and latencies (default true); else only counts bytes and frames. */
  decode?: boolean;
  /** Its latencies are the benchmark's sample (default true); a decoding tab outside it reports them apart (to check the sample). */
  sample?: boolean;
}

/** What one tab received in the measured window (by arrival time) and how many notes of the window it saw. */
export interface TabStats {
  decode: boolean;
  sample: boolean;
  bytes: number;
  frames: number;
  deliveries: number;
}

export type GoMessage = { type: 'go'; writeIntervalMs: number; writeUntil: number; measureFrom: number; measureTo: number };
export type FromLoad =
  | { type: 'hello' }
  | { type: 'ready'; ms: number }
  /** `latencies`: of the sample's tabs; `otherLatencies`: of decoding tabs outside it (base64 Float32Arrays). */
  /** `loopDelayMs`: this process's event-loop delay from `go` on (p99, max): how late it could have read a frame. */
  | { type: 'done'; latencies: string; otherLatencies: string; deliveries: number; writes: number; tabs: TabStats[]; loopDelayMs: { p99: number; max: number }; errors: string[] }
  | { type: 'failed'; error: string };

const now = () => performance.timeOrigin + performance.now();
const MARK = Buffer.from('@@');
/** The channel's `following` is awaited like a document's first state. */
const FOLLOWING = '@following';

/** Send times written into notes: `@@` + 17 characters (`now().toFixed(3)`, 13 digits of ms until 2286) + `@@`. */
const STAMP_WIDTH = 17;
const PLACEHOLDER = `@@${'0'.repeat(STAMP_WIDTH)}@@`;

let measureFrom = Infinity;
let measureTo = -Infinity;
let deliveries = 0;
let writes = 0;
/** Frames received by all tabs since the writing started: the load process reports once they stop. */
let framesSinceGo = 0;
const errors: string[] = [];

class Latencies {
  private values = new Float32Array(1 << 16);
  private count = 0;
  record(latency: number) {
    if (this.count === this.values.length) {
      const bigger = new Float32Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.count++] = latency;
  }
  base64() {
    return Buffer.from(this.values.buffer, 0, this.count * 4).toString('base64');
  }
}
const sampleLatencies = new Latencies();
const otherLatencies = new Latencies();

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
  private readonly decode: boolean;
  private readonly latencies: Latencies;
  private writeTimer: NodeJS.Timeout | null = null;
  readonly ready: Promise<void>;
  private resolveReady: () => void = () => {};
  readonly stats: TabStats;

  constructor(private readonly spec: LoadTab) {
    this.pending = new Set(spec.docs);
    if (spec.follow !== null) this.pending.add(FOLLOWING);
    this.decode = spec.decode ?? true;
    const sample = spec.sample ?? true;
    this.latencies = sample ? sampleLatencies : otherLatencies;
    this.stats = { decode: this.decode, sample, bytes: 0, frames: 0, deliveries: 0 };
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
        // No state vectors (versions): the tab holds nothing yet, so the channel catches it up with every document whole.
        const kind = (spec.followMode ?? DEFAULT_FOLLOW_MODE) === 'records' ? MuxFrame.followRecords : MuxFrame.follow;
        if (spec.follow !== null) this.sendMux(kind, spec.follow, (e) => encoding.writeVarUint(e, 0));
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
  private docFrame(docName: string, write: (encoder: encoding.Encoder) => void): Uint8Array {
    const encoder = encoding.createEncoder();
    if (this.spec.dialect === 'mux') encoding.writeVarUint(encoder, MuxFrame.doc);
    encoding.writeVarString(encoder, docName);
    write(encoder);
    return encoding.toUint8Array(encoder);
  }

  private sendDoc(docName: string, write: (encoder: encoding.Encoder) => void) {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(this.docFrame(docName, write));
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
    // An empty state vector: the tab holds nothing (a writer's notes exist only as frames to send).
    this.sendDoc(docName, (e) => writeSync(e, 0, new Uint8Array([0])));
  }

  private settle(name: string) {
    if (this.pending.delete(name) && this.pending.size === 0) this.resolveReady();
  }

  private onMessage(data: Buffer) {
    const at = now();
    if (at >= measureFrom && at < measureTo) {
      this.stats.bytes += data.length;
      this.stats.frames++;
    }
    framesSinceGo++;
    // A counting tab that has caught up reads only frames that refuse something (their kind is the first byte).
    if (!this.decode && this.pending.size === 0 && data[0] !== MuxFrame.refused && data[0] !== MuxFrame.unfollowed) return;
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
          if (name !== this.spec.ownDoc && this.decode) this.seen(data, start, start + length);
        }
        return;
      }
      if (kind === MuxFrame.records) {
        if (this.decode) this.seenRecords(data, decoder);
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
    if (sub === 2 && docName !== this.spec.ownDoc && this.decode) this.seen(data, decoder.pos, data.length);
    if (sub === 1) this.settle(docName);
  }

  /**
   * A `records` frame (after its workshop name): each changed record of someone else's notes is
   * looked at on its own (a busy window merges several notes of one document into one entry). The
   * values are not decoded: the send time is found in their bytes, as in an update's.
   */
  private seenRecords(data: Buffer, decoder: decoding.Decoder) {
    const docs = decoding.readVarUint(decoder);
    for (let i = 0; i < docs; i++) {
      const name = decoding.readVarString(decoder);
      decoding.readVarUint(decoder); // flags
      const versionLength = decoding.readVarUint(decoder);
      decoder.pos += versionLength;
      const changes = decoding.readVarUint(decoder);
      const others = name !== this.spec.ownDoc;
      for (let j = 0; j < changes; j++) {
        decoding.readVarUint(decoder); // root
        decoding.readVarString(decoder); // key
        const length = decoding.readVarUint(decoder);
        const start = decoder.pos;
        decoder.pos += length;
        if (others && length > 0) this.seen(data, start, start + length);
      }
    }
  }

  /** An update for someone else's notes (bytes from..to of the frame): one delivery when measured. */
  private seen(data: Buffer, from: number, to: number) {
    const sent = markerTime(data.subarray(0, to), from);
    if (sent !== null && sent >= measureFrom && sent < measureTo) {
      this.latencies.record(now() - sent);
      this.stats.deliveries++;
      deliveries++;
    }
  }

  /** The frames of the notes this tab will write until `until`, each a real note's Yjs update, made now. */
  private noteFrames(intervalMs: number, until: number): Buffer[] {
    const ownDoc = this.spec.ownDoc!;
    const scratch = new Y.Doc();
    const frames: Buffer[] = [];
    scratch.on('update', (update: Uint8Array) => frames.push(Buffer.from(this.docFrame(ownDoc, (e) => writeSync(e, 2, update)))));
    const count = Math.ceil((until - now()) / intervalMs) + 1;
    for (let n = 1; n <= count; n++) addNote(scratch, { questionId: '3a', text: PLACEHOLDER, x: n * 10, y: n * 10 }, Date.now(), LOCAL_ORIGIN);
    scratch.destroy();
    return frames;
  }

  startWriting(intervalMs: number, until: number) {
    if (!this.spec.ownDoc) return;
    const frames = this.noteFrames(intervalMs, until);
    const write = () => {
      const frame = frames.shift();
      if (now() >= until || !frame) {
        if (this.writeTimer) clearInterval(this.writeTimer);
        return;
      }
      writes++;
      const stamp = now().toFixed(3);
      if (stamp.length !== STAMP_WIDTH) throw new Error(`send time ${stamp} is not ${STAMP_WIDTH} characters wide`);
      frame.write(stamp, frame.indexOf(MARK) + 2, 'latin1');
      if (this.ws.readyState === this.ws.OPEN) this.ws.send(frame);
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
 * write it reports once frames have arrived and then none for 1.5 s (a backed-up relay may
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
        framesSinceGo = 0;
        const loopDelay = monitorEventLoopDelay({ resolution: 10 });
        loopDelay.enable();
        for (const tab of tabs) tab.startWriting(go.writeIntervalMs, go.writeUntil);
        setTimeout(() => {
          const gaveUpAt = now() + giveUpMs;
          let seen = -1;
          const check = setInterval(() => {
            if ((framesSinceGo !== seen || framesSinceGo === 0) && now() < gaveUpAt) {
              seen = framesSinceGo;
              return;
            }
            clearInterval(check);
            loopDelay.disable();
            reply({
              type: 'done',
              latencies: sampleLatencies.base64(),
              otherLatencies: otherLatencies.base64(),
              deliveries,
              writes,
              tabs: tabs.map((tab) => tab.stats),
              loopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
              errors: errors.slice(0, 20),
            });
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
