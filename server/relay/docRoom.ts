import * as Y from 'yjs';
import { migrate } from '../../shared/migrations';
import type { DocRef } from '../../shared/protocol/docNames';
import { CloseCode, DenyReason, invalidContentReason } from '../../shared/protocol/wire';
import { inspectUpdate, type Refusal } from '../../shared/validate';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { DocStore } from '../store/port';
import { AwarenessHub } from './awarenessHub';
import {
  ProtocolError,
  encodeAwareness,
  encodeAwarenessUpdate,
  encodePermissionDenied,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  type ClientMessage,
} from './codec';
import { deliver } from './deliveryBatch';
import type { PersistQueue } from './persistQueue';
import type { DocSession } from './session';
import type { WriteQuota } from './writeQuota';

export interface RoomDeps {
  store: DocStore;
  persist: PersistQueue;
  metrics: Metrics;
  log: Logger;
  /** Bytes per participant per minute added to the log (shared by every room of the server). */
  quota: WriteQuota;
  limits: {
    docWarnBytes: number;
    docMaxBytes: number;
    snapshotEvery: number;
    awarenessIntervalMs: number;
    awarenessMaxStateBytes: number;
  };
}

/** Changes that came from the store: already durable, not persisted again. */
const LOAD_ORIGIN = Symbol('load');

/** Shared by every room: a settled promise to chain commits on, and a failure handler that does nothing. */
const SETTLED: Promise<void> = Promise.resolve();
const ignoreFailure = () => undefined;

/** Per session, until its sync step 2 arrives (a reconnect's burst of edits fits easily). */
const HOLD_MAX_UPDATES = 256;
const HOLD_MAX_BYTES = 1024 * 1024;

type RoomState = 'loading' | 'ready' | 'failed' | 'closed';

/** Why a write the connection's access allows is refused anyway: a metrics label and the DenyReason sent. */
export interface WriteRefusal {
  label: string;
  message: string;
}

/**
 * A document's extra write rule, asked after the connection's access allows the write (e.g. the
 * wall lock on notes documents). Null accepts. It must not look for meaning in `update` that a
 * client could hide; it exists so that a rule may still tell updates apart if it has to.
 */
export type WritePolicy = (session: DocSession, update: Uint8Array, decode: () => DecodedUpdate) => WriteRefusal | null;

/** An update decoded once per write and shared by the write policy and the content check. */
export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

/**
 * One loaded document and the sessions on it. The rule it keeps: an update is committed to the
 * update log before anything that contains it leaves the server — relayed updates, and the state
 * sent to joiners alike. Outgoing state is therefore computed immediately (so order holds) but
 * sent through `afterDurable`, behind the commits of every update applied before it.
 */
export class DocRoom {
  readonly doc = new Y.Doc({ gc: true });
  readonly sessions = new Set<DocSession>();
  readonly ready: Promise<void>;
  private state: RoomState = 'loading';
  private durable: Promise<void> = SETTLED;
  /**
   * The whole document as one update, for joiners with an empty state vector (a workshop's tabs
   * all ask for every document within a second of each other). Weakly held: it is rebuilt cheaply
   * when asked after a full garbage collection, and a strong copy of every loaded document's
   * state for as long as nothing changes was a kilobyte a tab (docs/relay-benchmark.md).
   */
  private fullStateCache: WeakRef<Uint8Array> | null = null;
  private approxSize = 0;
  private warnedSize = false;
  private lastSeq = 0;
  private updatesSinceSnapshot = 0;
  private pendingWrites = 0;
  private snapshotting = false;
  /** Presence, made when someone first sends any: most documents (everyone's notes) never get any. */
  private awareness: AwarenessHub | null = null;
  /** Called once when the room can no longer be trusted (the store failed): the registry drops it. */
  onFailure: (room: DocRoom) => void = ignoreFailure;
  /** Set by the registry before the room is handed out (see Rooms); null: access alone decides. */
  writePolicy: WritePolicy | null = null;

  constructor(
    readonly name: string,
    readonly ref: DocRef,
    private readonly deps: RoomDeps,
  ) {
    this.doc.on('update', (update: Uint8Array, origin: unknown) => this.onDocUpdate(update, origin));
    this.ready = this.load();
  }

  get isReady(): boolean {
    return this.state === 'ready';
  }

  private async load(): Promise<void> {
    const started = performance.now();
    const { snapshot, updates } = await this.deps.store.loadDoc(this.name);
    let skipped = 0;
    this.doc.transact(() => {
      if (snapshot) Y.applyUpdate(this.doc, snapshot.state);
      for (const entry of updates) {
        try {
          Y.applyUpdate(this.doc, entry.update);
        } catch (error) {
          // Updates are validated before they are logged; this guards against a damaged file.
          skipped++;
          this.deps.log.error('update-log-entry-unreadable', { doc: this.name, seq: entry.seq, error: String(error) });
        }
      }
    }, LOAD_ORIGIN);
    this.lastSeq = updates.at(-1)?.seq ?? snapshot?.seq ?? 0;
    this.updatesSinceSnapshot = updates.length;
    migrate(this.doc, this.ref.kind);
    this.approxSize = this.fullState().byteLength;
    this.checkSize();
    this.state = 'ready';
    this.deps.log.debug('room-loaded', { doc: this.name, updates: updates.length, snapshotSeq: snapshot?.seq ?? null, skipped, ms: Math.round(performance.now() - started) });
  }

  private presence(): AwarenessHub {
    return (this.awareness ??= new AwarenessHub(
      { intervalMs: this.deps.limits.awarenessIntervalMs, maxStateBytes: this.deps.limits.awarenessMaxStateBytes, maxClientsPerSession: 8 },
      (entries) => {
        const frame = encodeAwareness(encodeAwarenessUpdate(entries));
        for (const session of this.sessions) session.send(frame);
      },
    ));
  }

  /** The whole document as one update (cached until the next change, or the next full GC). */
  private fullState(): Uint8Array {
    let state = this.fullStateCache?.deref();
    if (!state) {
      state = Y.encodeStateAsUpdate(this.doc);
      this.fullStateCache = new WeakRef(state);
    }
    return state;
  }

  /** A session starts: the server's state vector (so the client sends what we lack) and presence. */
  attach(session: DocSession): void {
    this.sessions.add(session);
    session.send(encodeSyncStep1(Y.encodeStateVector(this.doc)));
    const presence = this.awareness?.current() ?? [];
    if (presence.length > 0) session.send(encodeAwareness(encodeAwarenessUpdate(presence)));
  }

  detach(session: DocSession): void {
    session.held = null;
    if (!this.sessions.delete(session)) return;
    this.awareness?.removeSession(session);
  }

  handle(session: DocSession, message: ClientMessage): void {
    if (this.state !== 'ready') return;
    switch (message.type) {
      case 'sync-step1':
        this.answerSyncStep1(session, message.stateVector);
        return;
      case 'sync-step2':
        this.write(session, message.update);
        this.releaseHeld(session);
        return;
      case 'update':
        this.write(session, message.update);
        return;
      case 'awareness':
        for (const reason of this.presence().receive(session, message.entries)) this.reject(session, reason);
        return;
      case 'query-awareness':
        session.send(encodeAwareness(encodeAwarenessUpdate(this.awareness?.current() ?? [])));
        return;
      case 'auth':
        return;
    }
  }

  /** Server-side changes (a participant joined, …): persisted and relayed like any other. */
  async change(mutate: (doc: Y.Doc) => void): Promise<void> {
    await this.ready;
    mutate(this.doc);
    await this.durable;
    if (this.state !== 'ready') throw new Error(`document ${this.name} could not be stored`);
  }

  private answerSyncStep1(session: DocSession, stateVector: Uint8Array): void {
    let update: Uint8Array;
    // An empty state vector (a new joiner) gets the cached full state instead of a fresh encoding.
    if (stateVector.byteLength <= 1 && stateVector[0] === 0) {
      update = this.fullState();
    } else {
      try {
        update = Y.encodeStateAsUpdate(this.doc, stateVector);
      } catch {
        throw new ProtocolError(CloseCode.malformedMessage, 'malformed message: invalid state vector');
      }
    }
    const frame = encodeSyncStep2(update);
    this.afterDurable(() => session.send(frame));
  }

  private write(session: DocSession, update: Uint8Array): void {
    if (!session.canWrite) {
      if (this.isRedundant(update)) return;
      this.deny(session, 'forbidden-write', DenyReason.readOnly);
      return;
    }
    // Decoded at most once for the policy and the checks below (it throws on garbage; each caller
    // handles that as before). Y.applyUpdate still decodes on its own.
    let decodedOnce: DecodedUpdate | null = null;
    const decode = () => (decodedOnce ??= Y.decodeUpdate(update));
    const refusal = this.writePolicy?.(session, update, decode) ?? null;
    if (refusal) {
      // A reconnecting client's sync step 2 with nothing new is not an edit: accept it silently.
      if (this.isRedundant(update)) return;
      this.deny(session, refusal.label, refusal.message);
      return;
    }
    let decoded: DecodedUpdate;
    try {
      // Decoding first refuses garbage before it can touch the document.
      decoded = decode();
    } catch (error) {
      throw new ProtocolError(CloseCode.invalidUpdate, `invalid update: ${String((error as Error).message ?? error).slice(0, 80)}`);
    }
    if (!this.deps.quota.allows(session.claims, update.byteLength)) {
      if (this.isRedundant(update)) return;
      this.deny(session, 'quota-exceeded', DenyReason.quotaExceeded);
      return;
    }
    if (this.approxSize + update.byteLength > this.deps.limits.docMaxBytes) {
      this.deny(session, 'document-too-large', DenyReason.documentTooLarge);
      return;
    }
    // The content check (shared/validate): the schema of this kind of document, and nothing
    // missing — before anything is applied, stored or relayed. Refused updates never reach Yjs.
    const invalid = this.inspect(update, decoded);
    if (invalid) {
      if (invalid.rule === 'missing-dependency' && this.hold(session, update)) return;
      this.deny(session, invalid.rule, invalidContentReason(invalid.why));
      return;
    }
    try {
      Y.applyUpdate(this.doc, update, session);
    } catch (error) {
      throw new ProtocolError(CloseCode.invalidUpdate, `invalid update: ${String((error as Error).message ?? error).slice(0, 80)}`);
    } finally {
      this.dropPending(session);
    }
  }

  /**
   * A client's live edit can reach us before its sync step 2 — after a reconnect or a failover it
   * sends its step 1, edits, and answers our step 1 only when that arrives — and the edit then
   * builds on what the step 2 carries (a clock gap, or a deletion of items we do not have yet).
   * Such an update is held, bounded, and tried again once the step 2 is applied; only what is still
   * missing then is refused. Held updates are neither applied, stored nor relayed.
   */
  private hold(session: DocSession, update: Uint8Array): boolean {
    if (session.answeredStep1) return false;
    const held = (session.held ??= []);
    if (held.length >= HOLD_MAX_UPDATES || session.heldBytes + update.byteLength > HOLD_MAX_BYTES) return false;
    held.push(update);
    this.deps.log.debug('update-held-until-step2', { doc: this.name, participant: session.claims.participantId, bytes: update.byteLength });
    return true;
  }

  private releaseHeld(session: DocSession): void {
    if (session.answeredStep1) return;
    session.answeredStep1 = true;
    const held = session.held;
    session.held = null;
    if (held) for (const update of held) if (this.state === 'ready' && !session.closed) this.write(session, update);
  }

  private inspect(update: Uint8Array, decoded: ReturnType<typeof Y.decodeUpdate>): Refusal | null {
    const started = performance.now();
    try {
      return inspectUpdate(this.doc, this.ref.kind, update, decoded);
    } catch (error) {
      // A bug in the check must not let an unchecked update through, nor end the process.
      this.deps.log.error('update-inspection-failed', { doc: this.name, error: String((error as Error)?.stack ?? error) });
      return { rule: 'invalid-content', why: 'the update could not be checked' };
    } finally {
      const ms = performance.now() - started;
      // Far above the microseconds a normal update takes (a loaded machine alone can cost tens of ms).
      if (ms > 250) this.deps.log.warn('update-inspection-slow', { doc: this.name, bytes: update.byteLength, ms: Math.round(ms) });
    }
  }

  /**
   * The content check refuses whatever Yjs would park as pending (missing dependencies). Should
   * anything be parked all the same, it is dropped: it was neither stored nor relayed, and kept
   * it would be re-merged on every later update, outside the size limit.
   */
  private dropPending(session: DocSession): void {
    const store = this.doc.store;
    if (store.pendingStructs === null && store.pendingDs === null) return;
    store.pendingStructs = null;
    store.pendingDs = null;
    this.reject(session, 'pending-dropped');
    this.deps.log.error('pending-dropped', { doc: this.name, participant: session.claims.participantId });
  }

  /**
   * A read-only client still answers our sync step 1 with what it has that we lack. Usually
   * that is nothing — but Yjs always encodes the whole delete set, so "nothing new" means: every
   * struct is already known and every deletion already applied here.
   */
  private isRedundant(update: Uint8Array): boolean {
    let decoded: ReturnType<typeof Y.decodeUpdate>;
    try {
      decoded = Y.decodeUpdate(update);
    } catch {
      return false;
    }
    const stateVector = Y.decodeStateVector(Y.encodeStateVector(this.doc));
    for (const struct of decoded.structs) {
      if ((stateVector.get(struct.id.client) ?? 0) < struct.id.clock + struct.length) return false;
    }
    if (decoded.ds.clients.size === 0) return true;
    const known = Y.snapshot(this.doc).ds;
    for (const [client, items] of decoded.ds.clients) {
      for (const item of items) {
        const covering = known.clients.get(client)?.some((k) => k.clock <= item.clock && k.clock + k.len >= item.clock + item.len);
        if (!covering) return false;
      }
    }
    return true;
  }

  private deny(session: DocSession, reason: string, message: string): void {
    this.reject(session, reason);
    this.deps.log.warn('write-refused', { doc: this.name, participant: session.claims.participantId, role: session.claims.role, reason, message });
    session.send(encodePermissionDenied(message));
  }

  private reject(session: DocSession, reason: string): void {
    this.deps.metrics.rejected.inc({ reason });
    this.deps.log.debug('message-rejected', { doc: this.name, participant: session.claims.participantId, reason });
  }

  private onDocUpdate(update: Uint8Array, origin: unknown): void {
    this.fullStateCache = null;
    this.approxSize += update.byteLength;
    this.checkSize();
    if (origin === LOAD_ORIGIN) return;
    const frame = encodeUpdate(update);
    const from = origin as DocSession | undefined;
    const participantId = this.sessions.has(from as DocSession) ? (from as DocSession).claims.participantId : null;
    if (participantId !== null) this.deps.quota.charge((from as DocSession).claims, update.byteLength);
    this.pendingWrites++;
    const committed = this.deps.persist.enqueue({ docName: this.name, ts: Date.now(), participantId, update });
    this.durable = this.durable
      .then(() => committed)
      .then((seq) => {
        this.pendingWrites--;
        this.lastSeq = seq;
        this.updatesSinceSnapshot++;
        if (this.state !== 'ready') return;
        this.broadcast(frame, from);
        if (this.updatesSinceSnapshot >= this.deps.limits.snapshotEvery) this.scheduleSnapshot();
      })
      .catch((error: unknown) => this.fail(error));
  }

  private broadcast(frame: Uint8Array, except: DocSession | undefined): void {
    deliver(() => {
      for (const session of this.sessions) if (session !== except) session.send(frame);
    });
  }

  private afterDurable(send: () => void): void {
    if (this.pendingWrites === 0) {
      send();
      return;
    }
    this.durable = this.durable.then(() => {
      if (this.state === 'ready') send();
    });
  }

  private checkSize(): void {
    if (!this.warnedSize && this.approxSize > this.deps.limits.docWarnBytes) {
      this.warnedSize = true;
      this.deps.metrics.docSizeWarnings.inc();
      this.deps.log.warn('document-large', { doc: this.name, bytes: this.approxSize, hardLimit: this.deps.limits.docMaxBytes });
    }
  }

  private scheduleSnapshot(): void {
    if (this.snapshotting) return;
    this.snapshotting = true;
    setImmediate(() => {
      this.snapshotting = false;
      void this.snapshot();
    });
  }

  /** Compaction: the state so far, beside the log (which keeps every update for replay). */
  private async snapshot(): Promise<void> {
    if (this.state !== 'ready' || this.pendingWrites > 0 || this.updatesSinceSnapshot === 0) return;
    const state = this.fullState();
    const seq = this.lastSeq;
    try {
      await this.deps.store.writeSnapshot({ docName: this.name, seq, ts: Date.now(), state });
      this.updatesSinceSnapshot = 0;
      this.approxSize = state.byteLength;
      this.deps.metrics.snapshots.inc();
    } catch (error) {
      // A failed snapshot loses nothing (the log has it all); try again at the next threshold.
      this.deps.log.warn('snapshot-failed', { doc: this.name, error: String(error) });
    }
  }

  /** Drops the room as if its store had failed (the registry uses it when a dependency failed). */
  abandon(reason: string): void {
    this.fail(new Error(reason));
  }

  /**
   * The store refused a commit (disk full, I/O error). The in-memory document now holds a change
   * that is not durable, so it must not be served: every session is closed (clients keep their
   * edits and resend them on reconnect) and the room is dropped to be reloaded from the store.
   */
  private fail(error: unknown): void {
    if (this.state === 'failed' || this.state === 'closed') return;
    this.state = 'failed';
    this.deps.log.error('room-failed', { doc: this.name, error: String(error) });
    for (const session of [...this.sessions]) session.close(CloseCode.storeUnavailable, 'storage unavailable; your edits are kept and will be sent again');
    this.onFailure(this);
    this.dispose();
  }

  /** Unload: wait for commits, leave a snapshot for fast loading, free the memory. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    await this.ready.catch(() => undefined);
    await this.durable;
    if (this.state === 'ready') await this.snapshot();
    this.dispose();
  }

  private dispose(): void {
    if (this.state !== 'failed') this.state = 'closed';
    this.awareness?.destroy();
    this.doc.destroy();
  }
}
