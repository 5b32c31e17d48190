import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { NotesRecords } from '../../client/src/sync/board/notesRecords';
import { decodeMux, encodeMux, type FollowEntry, type MuxMessage, type RecordsDoc, type RecordsFollowEntry } from '../../shared/protocol/mux';
import { parseDocName } from '../../shared/protocol/docNames';

/**
 * A /mux socket driven by hand, so that a test sends exactly the frames it chooses and sees every
 * frame and the close: the documents it opens (or that reach it through the workshop channel) are
 * kept up to date from the server's sync messages, nothing is ever answered.
 */
export class RawMux {
  readonly frames: MuxMessage[] = [];
  readonly docs = new Map<string, Y.Doc>();
  /** What the channel's records mode brought, per document (the client's own records class). */
  readonly records = new Map<string, NotesRecords>();
  /** Warnings about invalid records the server sent (there should be none). */
  readonly recordWarnings: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The close code once the socket has closed; null while it is open. */
  closedWith: number | null = null;
  private wake: Array<() => void> = [];

  private constructor(
    readonly ws: WebSocket,
    /** How long `waitFor` waits by default. */
    private readonly waitMs: number,
  ) {
    ws.on('message', (data: Buffer) => {
      const frame = decodeMux(new Uint8Array(data));
      this.frames.push(frame);
      if (frame.kind === 'doc') this.apply(frame.docName, frame.payload);
      if (frame.kind === 'batch') for (const entry of frame.entries) this.apply(entry.docName, entry.payload);
      if (frame.kind === 'records') for (const doc of frame.docs) this.recordsOf(doc.docName).apply(doc, (key) => this.recordWarnings.push(key));
      for (const w of this.wake.splice(0)) w();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closedWith = code;
        resolve({ code, reason: reason.toString() });
        for (const w of this.wake.splice(0)) w();
      }),
    );
  }

  /** Resolves once the socket is open (a refused token opens too, then closes with its code). */
  static open(url: string, options: { waitMs?: number } = {}): Promise<RawMux> {
    const ws = new WebSocket(url);
    const raw = new RawMux(ws, options.waitMs ?? 5000);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(raw));
      ws.once('error', reject);
    });
  }

  doc(docName: string): Y.Doc {
    let doc = this.docs.get(docName);
    if (!doc) this.docs.set(docName, (doc = new Y.Doc()));
    return doc;
  }

  /** `open` and sync step 1 for the document. */
  openDoc(docName: string): Y.Doc {
    const doc = this.doc(docName);
    this.ws.send(encodeMux({ kind: 'open', docName }));
    this.sendSync(docName, 0, Y.encodeStateVector(doc));
    return doc;
  }

  follow(workshopId: string, entries: FollowEntry[] = []): void {
    this.ws.send(encodeMux({ kind: 'follow', docName: workshopId, entries }));
  }

  /** Follows in records mode, with the versions of documents already held. */
  followRecords(workshopId: string, entries: RecordsFollowEntry[] = []): void {
    this.ws.send(encodeMux({ kind: 'followRecords', docName: workshopId, entries }));
  }

  /** The records held of a document (made empty if none came). */
  recordsOf(docName: string): NotesRecords {
    let records = this.records.get(docName);
    if (!records) {
      const ref = parseDocName(docName);
      records = new NotesRecords(docName, ref && ref.kind !== 'room' ? ref.participantId : '');
      this.records.set(docName, records);
    }
    return records;
  }

  /** Every records entry for a document, in order. */
  recordFrames(docName: string): RecordsDoc[] {
    return this.frames.flatMap((f) => (f.kind === 'records' ? f.docs.filter((d) => d.docName === docName) : []));
  }

  sendSync(docName: string, subtype: number, payload: Uint8Array): void {
    this.ws.send(encodeMux({ kind: 'doc', docName, payload: syncFrame(subtype, payload) }));
  }

  /** A local edit sent as an update on that document's channel. */
  edit(docName: string, change: (doc: Y.Doc) => void): void {
    const doc = this.doc(docName);
    const before = Y.encodeStateVector(doc);
    change(doc);
    this.sendSync(docName, 2, Y.encodeStateAsUpdate(doc, before));
  }

  /** Resolves once `predicate` holds, checked after every frame and the close (and every 200 ms). */
  async waitFor(predicate: () => boolean, what: string, timeoutMs = this.waitMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The workshop channel has caught up (its `following` arrived). */
  following(): boolean {
    return this.frames.some((f) => f.kind === 'following');
  }

  /** Every message for a document: in its own frame, or an entry of a channel batch. */
  docFrames(docName: string): Uint8Array[] {
    return this.frames.flatMap((f) => {
      if (f.kind === 'doc') return f.docName === docName ? [f.payload] : [];
      if (f.kind === 'batch') return f.entries.filter((e) => e.docName === docName).map((e) => e.payload);
      return [];
    });
  }

  /** The reasons of the writes to the document the server denied (y-protocols auth messages). */
  deniedOn(docName: string): string[] {
    return this.docFrames(docName).flatMap((payload) => {
      const d = decoding.createDecoder(payload);
      if (decoding.readVarUint(d) !== 2 || decoding.readVarUint(d) !== 0) return [];
      return [decoding.readVarString(d)];
    });
  }

  refusals(docName: string) {
    return this.frames.filter((f): f is Extract<MuxMessage, { kind: 'refused' }> => f.kind === 'refused' && f.docName === docName);
  }

  private apply(docName: string, payload: Uint8Array): void {
    const d = decoding.createDecoder(payload);
    if (decoding.readVarUint(d) !== 0) return;
    const subtype = decoding.readVarUint(d);
    if (subtype === 1 || subtype === 2) Y.applyUpdate(this.doc(docName), decoding.readVarUint8Array(d), 'server');
  }
}

/** The /mux address of a server for a token. */
export function muxUrl(server: { url: string }, token: string): string {
  return `${server.url.replace('http', 'ws')}/mux?token=${encodeURIComponent(token)}`;
}

/** A y-websocket sync message: step 1 (0), step 2 (1) or update (2) with its payload. */
export function syncFrame(subtype: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, subtype);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}
