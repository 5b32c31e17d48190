import { Awareness } from 'y-protocols/awareness';
import { newDoc } from './newDoc';
import { LOCAL_ORIGIN } from '../../../shared/origins';
import { OP_NAMES, runOp, type OpInput, type OpMethods, type OpName, type OpResult } from '../../../shared/ops/registry';
import type { Claims } from '../../../shared/protocol/permissions';
import { BoardFeed } from './board/feed';
import { BoardModel } from './board/model';
import { ServerClock } from './clock';
import { CursorSender } from './cursor';
import { WorkshopDocs } from './documents';
import { MuxConnection } from './mux';
import { browserTransports, type SyncTransports } from './transports';
import type { BoardSnapshot, ConnectionStatus, Readable, WorkshopActions } from './types';
import { OwnUndo } from './undo';

/**
 * A workshop as the browser holds it: the room document, your own notes and drafts — over one
 * multiplexed socket, kept offline (IndexedDB) so that offline edits survive a reload — and every
 * other participant's public notes as plain records through the workshop channel (documents.ts).
 * This is the composition root of the sync layer; each part has one job:
 *   documents.ts   which documents are open (and their persistence)
 *   mux.ts         the socket and the y-websocket exchange per document
 *   board/         the board read incrementally (model.ts) and when it is published (feed.ts)
 *   undo.ts, cursor.ts, clock.ts   per-user undo, pointer presence, the server's clock
 * Its transports (socket, storage, fetch, clock, frames) come in through `transports`.
 */
export interface WorkshopSyncOptions {
  workshopId: string;
  token: string;
  claims: Claims;
  name: string;
  /** ws(s)://host — defaults to the page's origin. */
  wsOrigin?: string;
  /** Off in tests that want a cold start. */
  persistOffline?: boolean;
  /** http(s)://host for /api/time — defaults to the page's origin. */
  httpOrigin?: string;
  /** The browser's by default; tests pass Node's (the `ws` socket, no persistence). */
  transports?: Partial<SyncTransports>;
  /** Reconnect backoff of the socket (tests shorten it). */
  minBackoffMs?: number;
  /** False: every notes document on its own session instead of the workshop channel (tests, benchmark). */
  workshopChannel?: boolean;
}

// The typed op methods (generated below the class from the registry) are part of the class's type.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface WorkshopSync extends OpMethods {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class WorkshopSync implements WorkshopActions, Readable<BoardSnapshot> {
  readonly room = newDoc();
  readonly awareness = new Awareness(this.room);
  private readonly transports: SyncTransports;
  private readonly mux: MuxConnection;
  private readonly docs: WorkshopDocs;
  private readonly model: BoardModel;
  private readonly feed: BoardFeed;
  private readonly undoHistory: OwnUndo;
  private readonly cursor: CursorSender;
  private readonly clock: ServerClock;
  private status: ConnectionStatus = 'connecting';
  private statusReason: string | null = null;
  private lastRefusal: BoardSnapshot['lastRefusal'] = null;
  private readonly warned = new Set<string>();

  constructor(private readonly options: WorkshopSyncOptions) {
    this.transports = { ...browserTransports(), ...options.transports };
    this.clock = new ServerClock(this.transports.fetch, this.transports.now);
    this.feed = new BoardFeed(() => this.model.snapshot(), this.transports.frames);
    this.model = new BoardModel({
      room: this.room,
      awareness: this.awareness,
      me: { ...options.claims, name: options.name },
      ui: () => ({
        status: this.status,
        statusReason: this.statusReason,
        lastRefusal: this.lastRefusal,
        canUndo: this.undoHistory?.canUndo ?? false,
        canRedo: this.undoHistory?.canRedo ?? false,
      }),
      onChange: (local) => this.feed.invalidate(local),
      warn: (key, message, detail) => this.warnOnce(key, message, detail),
    });
    const origin = options.wsOrigin ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
    this.mux = new MuxConnection({
      url: `${origin}/mux?w=${encodeURIComponent(options.workshopId)}&token=${encodeURIComponent(options.token)}`, // w: the load balancer's routing hint (deploy/haproxy.cfg)
      onStatus: (status, reason) => {
        this.status = status;
        this.statusReason = reason;
        this.feed.invalidate(false);
      },
      onRefusal: (docName, reason, code) => this.refused(docName, reason, code),
      createSocket: this.transports.createSocket,
      ...(options.minBackoffMs === undefined ? {} : { minBackoffMs: options.minBackoffMs }),
    });
    this.docs = new WorkshopDocs({
      workshopId: options.workshopId,
      claims: options.claims,
      room: this.room,
      awareness: this.awareness,
      mux: this.mux,
      persistence: options.persistOffline === false ? null : this.transports.persistence,
      recordsStore: options.persistOffline === false ? null : this.transports.recordsStore,
      dropPersisted: options.persistOffline === false ? null : (this.transports.dropPersisted ?? null),
      onNotes: (entry) => this.model.addDoc(entry),
      warn: (key, message, detail) => this.warnOnce(key, message, detail),
      ...(options.workshopChannel === undefined ? {} : { workshopChannel: options.workshopChannel }),
    });
    this.awareness.setLocalState({ participantId: options.claims.participantId, name: options.name, cursor: null });
    this.undoHistory = new OwnUndo([this.docs.ownNotes, this.docs.ownDrafts], () => this.feed.invalidate(true));
    this.cursor = new CursorSender(this.awareness);
    void this.clock.sync(options.httpOrigin ?? '');
  }

  /** Resolves when the room document has arrived from the server (or from IndexedDB offline). */
  whenRoomReady(): Promise<void> {
    return this.mux.whenSynced(this.docs.roomName);
  }

  subscribe(run: (snapshot: BoardSnapshot) => void): () => void {
    return this.feed.subscribe(run);
  }

  /** The board now, local edits included (it may be ahead of what listeners have heard). */
  get current(): BoardSnapshot {
    return this.feed.current;
  }

  // ——— actions ———

  /**
   * The one path every operation takes (shared/ops/registry.ts): its documents, its input, the
   * context (origin, clocks, what the board holds now). The typed methods views call
   * (`addNote(…)`, `startRound(…)` …) are generated from the same table below the class.
   */
  run<K extends OpName>(name: K, input: OpInput<K>): OpResult<K> {
    // Only typing into a note merges into one undo step; adding, deleting or posting is its own.
    if (name !== 'updateNote') this.undoHistory.boundary();
    return runOp(name, (need) => (need === 'room' ? this.room : need === 'notes' ? this.docs.ownNotes : { notes: this.docs.ownNotes, drafts: this.docs.ownDrafts }), input, {
      origin: LOCAL_ORIGIN,
      now: this.clock.now(),
      deviceNow: this.transports.now(),
      me: this.options.claims,
      board: this.current,
    });
  }

  /** Per-user undo: only this browser's own note edits (origin LOCAL), never anyone else's. */
  undo(): void {
    this.undoHistory.undo();
  }

  redo(): void {
    this.undoHistory.redo();
  }

  serverNow(): number {
    return this.clock.now();
  }

  setCursor(cursor: { x: number; y: number } | null): void {
    this.cursor.set(cursor);
  }

  destroy(): void {
    this.feed.destroy();
    this.cursor.destroy();
    this.mux.destroy();
    this.model.destroy();
    this.undoHistory.destroy();
    this.docs.destroy();
  }

  /**
   * A refused write, or a document the server would not open. A refusal of someone else's notes
   * (their document is damaged, say) is theirs: the board goes on without those notes and the
   * console says so once. Refusals of my own documents or the room are shown (a toast).
   */
  private refused(docName: string, reason: string, code: number | undefined): void {
    const owner = this.docs?.ownerOf(docName);
    const mine = owner === undefined || owner === null || owner === this.options.claims.participantId;
    if (code === undefined || mine) {
      this.lastRefusal = { at: Date.now(), reason };
      this.feed.invalidate(false);
      return;
    }
    this.warnOnce(docName, `arvo: the server refused ${docName} (${code} ${reason}); the board is shown without it`);
  }

  /** Diagnostics, once per document and problem: a hostile or damaged document must not flood the console. */
  private warnOnce(key: string, message: string, detail?: unknown): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    console.warn(message, ...(detail === undefined ? [] : [detail]));
  }
}

// One method per registry entry, each the generic path with its name: `sync.addNote(note)` is `sync.run('addNote', [note])`.
for (const name of OP_NAMES) {
  Object.defineProperty(WorkshopSync.prototype, name, {
    value(this: WorkshopSync, ...input: unknown[]) {
      return this.run(name, input as never);
    },
    writable: true,
    configurable: true,
  });
}
