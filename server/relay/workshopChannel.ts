import * as Y from 'yjs';
import { notesDocName, parseDocName, roomDocName, type DocRef } from '../../shared/protocol/docNames';
import { encodeMux, type BatchEntry, type FollowEntry, type RecordsDoc, type RecordsFollowEntry } from '../../shared/protocol/mux';
import type { Claims } from '../../shared/protocol/permissions';
import { CloseCode, DenyReason } from '../../shared/protocol/wire';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { DocStore } from '../store/port';
import { decodeClientMessage, encodePermissionDenied } from './codec';
import { loadRefusal } from './connection';
import type { DocRoom } from './docRoom';
import { docVersion, mergeDiff, RoomRecordsFeed, toRecordsDoc, type RecordsDiff } from './notesRecords';
import type { RoomListener, Rooms } from './rooms';
import { DocSession } from './session';

/**
 * The workshop channel (docs/architecture.md, "The workshop channel"): one subscription per
 * socket for every participant's notes document of its workshop, read-only. Without it a tab
 * opens each notes document on its own (a session per tab and document: N × N in a workshop of
 * N); with it a workshop holds one follower per tab, fed from the per-document rooms.
 *
 * Nothing of the per-document rules is restated here: writes still go through a document's own
 * session (permissions, content check, commit before relay); the channel only reads.
 *   - Live: every loaded notes room has one tap (a read-only session of the room, one per room,
 *     not per follower); the room hands it each update after its commit, in the same loop and
 *     order as to its own sessions, and the tap hands it to the workshop's followers.
 *   - Catch-up on follow: for each notes document of the workshop (the store's participants, and
 *     any notes room loaded since), the room answers the follower's state vector as it answers
 *     any session's sync step 1 — behind the commits, so nothing uncommitted leaves.
 *   - A notes document that loads while the workshop has followers (a participant who joined
 *     later, or one unloaded while idle) is sent to the followers that have caught up: what it
 *     holds beyond the state it had when it last unloaded, or all of it when never seen.
 * Records mode (`followRecords`, what the client uses): instead of updates, each notes document's
 * plain records (notesRecords.ts). A room's *feed* reads the keys each transaction changed and lets
 * the diff go when the tap is handed that update, committed; a catch-up reads a document whole at
 * a marker in its feed, so it reaches its follower between the diffs before and after it.
 * Drafts are never part of it (only `notes` documents are ever named or tapped). Presence stays
 * on the room document's own session, which a follower must have open on the same socket — so
 * whatever closes a workshop's sockets (removal, token expiry, a lost lease) closes it too.
 */

/** What the channel needs of a socket (server/relay/connection.ts). */
export interface FollowerSocket {
  readonly claims: Claims;
  readonly isClosed: boolean;
  hasDoc(docName: string): boolean;
  send(docName: string, frame: Uint8Array): void;
  sendFrame(frame: Uint8Array): void;
  close(code: number, reason: string): void;
  failWith(error: unknown): void;
}

export interface WorkshopChannelDeps {
  rooms: Rooms;
  store: DocStore;
  metrics: Metrics;
  log: Logger;
}

interface Follower {
  socket: FollowerSocket;
  /** While its catch-up runs: documents of index below this are its catch-up's to send. */
  catchingUpBelow: number;
  /** Records mode: plain records of each document (notesRecords.ts) instead of its Yjs updates. */
  records: boolean;
  /** Records mode: catch-up snapshots gathered into one frame; sent before anything live (order). */
  gathered: RecordsDoc[];
  gatheredChanges: number;
}

interface Channel {
  workshopId: string;
  readonly followers: Set<Follower>;
  /** Every notes document of the workshop seen so far, with the order it was first seen in. */
  readonly known: Map<string, number>;
  /** State vectors of notes documents as they unloaded (a reload sends only what is beyond). */
  readonly lastSeen: Map<string, Uint8Array>;
  /** The store's participant list being read (shared by follows that arrive together). */
  listing: Promise<void> | null;
  /** Updates gathered while the batch window is open (see `deliver`). */
  pending: BatchEntry[];
  /** The batch window: open from one sent update until BATCH_WINDOW_MS without any. */
  window: NodeJS.Timeout | null;
  /** Updates delivered in the current and the previous second (whether the workshop is busy). */
  rate: { second: number; current: number; previous: number };
  /** Records mode: each loaded notes room's diffs in commit order, while records followers exist. */
  readonly feeds: Map<DocRoom, RoomRecordsFeed>;
  /** Records mode: the version of notes documents as they unloaded (a reload unchanged is not sent). */
  readonly lastVersion: Map<string, Uint8Array>;
  /** Records mode's batch window (as `pending`/`window`/`rate`): diffs of one document merge by key. */
  recordsPending: Map<string, RecordsDiff>;
  recordsWindow: NodeJS.Timeout | null;
  recordsRate: { second: number; current: number; previous: number };
}

/** Reads a document's sync step 2 that carries nothing (an empty update): not worth sending. */
const EMPTY_STEP2 = [0, 1, 2, 0, 0];
const isEmptyStep2 = (frame: Uint8Array) => frame.length === EMPTY_STEP2.length && EMPTY_STEP2.every((byte, i) => frame[i] === byte);
/** y-websocket sync message, subtype update: what the tap passes on (step 1 and presence are not). */
const isUpdate = (frame: Uint8Array) => frame[0] === 0 && frame[1] === 2;
const EMPTY_STATE_VECTOR = new Uint8Array([0]);
const CATCH_UP_CONCURRENCY = 8;
/** A records catch-up reads a document whose room failed under it again, this many times in all. */
const CATCH_UP_ATTEMPTS = 3;
/**
 * A busy workshop's updates go out together, at most this often: one frame per follower per
 * window instead of one per update (at 200 participants writing a note a second each, 200
 * updates a second become 50 frames per follower). An update that finds no window open is sent
 * at once, and only a busy workshop's (BUSY_UPDATES_PER_SECOND) opens one.
 */
export const BATCH_WINDOW_MS = 20;
/**
 * Below this many updates a second a workshop is not busy and nothing is held: every update goes
 * out at once. A window would only add up to BATCH_WINDOW_MS to the tail latency of an ordinary
 * workshop (20 people, an update a second each: p99 about 20 ms instead of 8, docs/relay-benchmark.md)
 * while saving few frames; batching pays once several updates fall into one window.
 */
export const BUSY_UPDATES_PER_SECOND = 100;
/** Counts one update and says whether the workshop is busy (BUSY_UPDATES_PER_SECOND, this second or the last). */
function isBusy(rate: Channel['rate'], nowMs: number): boolean {
  const second = Math.floor(nowMs / 1000);
  if (second !== rate.second) {
    rate.previous = second === rate.second + 1 ? rate.current : 0;
    rate.current = 0;
    rate.second = second;
  }
  rate.current++;
  return rate.current >= BUSY_UPDATES_PER_SECOND || rate.previous >= BUSY_UPDATES_PER_SECOND;
}

/** A catch-up's answers leave as `batch` frames of about this size (one frame, not one per document). */
const CATCH_UP_BATCH_BYTES = 256 * 1024;
/** The same for records: about this many records a frame (a note is 100–200 bytes). */
const CATCH_UP_BATCH_RECORDS = 2000;

export class WorkshopChannels implements RoomListener {
  private readonly channels = new Map<string, Channel>();
  private readonly bySocket = new Map<FollowerSocket, { channel: Channel; follower: Follower }>();
  /** A socket may follow once: a follow costs a pass over every document, so it is not repeatable at will. */
  private readonly followedOnce = new WeakSet<FollowerSocket>();
  private readonly taps = new WeakMap<DocRoom, DocSession>();

  constructor(private readonly deps: WorkshopChannelDeps) {}

  /** Followers of a workshop now (tests, metrics). */
  followerCount(workshopId: string): number {
    return this.channels.get(workshopId)?.followers.size ?? 0;
  }

  follow(socket: FollowerSocket, workshopId: string, entries: readonly FollowEntry[]): void {
    this.subscribe(socket, workshopId, false, entries.map((entry) => [entry.docName, entry.stateVector]));
  }

  /** Records mode: plain records of every notes document instead of its updates (`versions`: what the client holds). */
  followRecords(socket: FollowerSocket, workshopId: string, entries: readonly RecordsFollowEntry[]): void {
    this.subscribe(socket, workshopId, true, entries.map((entry) => [entry.docName, entry.version]));
  }

  private subscribe(socket: FollowerSocket, workshopId: string, records: boolean, entries: ReadonlyArray<[string, Uint8Array]>): void {
    const refuse = (code: number, reason: string, label: string) => {
      this.deps.metrics.rejected.inc({ reason: label });
      this.deps.log.warn('follow-refused', { participant: socket.claims.participantId, reason: label });
      socket.sendFrame(encodeMux({ kind: 'unfollowed', docName: workshopId, code, reason }));
    };
    if (socket.isClosed) return;
    if (socket.claims.workshopId !== workshopId) return refuse(CloseCode.forbidden, 'token is for another workshop', 'foreign-workshop');
    if (this.followedOnce.has(socket)) return refuse(CloseCode.badRequest, 'this socket has followed its workshop already', 'follow-repeated');
    // The room document carries who participates and presence, and its session is what a lost
    // lease or a removal closes: the channel rides on it.
    if (!socket.hasDoc(roomDocName(workshopId))) return refuse(CloseCode.badRequest, "open the workshop's room document before following it", 'follow-without-room');
    // State vectors (update mode) or versions (records mode) of what the client holds.
    const held = new Map<string, Uint8Array>();
    for (const [docName, bytes] of entries) {
      const ref = parseDocName(docName);
      // Only notes documents of this workshop: drafts and foreign names are never sent, whatever is asked.
      if (ref?.kind === 'notes' && ref.workshopId === workshopId) held.set(docName, bytes);
    }
    this.followedOnce.add(socket);
    let channel = this.channels.get(workshopId);
    if (!channel) {
      channel = {
        workshopId,
        followers: new Set(),
        known: new Map(),
        lastSeen: new Map(),
        listing: null,
        pending: [],
        window: null,
        rate: { second: 0, current: 0, previous: 0 },
        feeds: new Map(),
        lastVersion: new Map(),
        recordsPending: new Map(),
        recordsWindow: null,
        recordsRate: { second: 0, current: 0, previous: 0 },
      };
      this.channels.set(workshopId, channel);
    }
    // Registered before anything is read: every commit from now on reaches it live.
    const follower: Follower = { socket, catchingUpBelow: Infinity, records, gathered: [], gatheredChanges: 0 };
    channel.followers.add(follower);
    this.bySocket.set(socket, { channel, follower });
    this.deps.metrics.followers.inc();
    void (records ? this.catchUpRecords(channel, follower, held) : this.catchUp(channel, follower, held));
  }

  unfollow(socket: FollowerSocket): void {
    const entry = this.bySocket.get(socket);
    if (!entry) return;
    this.bySocket.delete(socket);
    const { channel, follower } = entry;
    if (!channel.followers.delete(follower)) return;
    this.deps.metrics.followers.dec();
    if (channel.followers.size === 0 && this.channels.get(channel.workshopId) === channel) {
      this.channels.delete(channel.workshopId);
      if (channel.window) clearTimeout(channel.window);
      channel.window = null;
      channel.pending = [];
    }
    // No one reads records any more: the rooms stop reading their diffs.
    if (follower.records && ![...channel.followers].some((f) => f.records)) {
      for (const feed of channel.feeds.values()) feed.dispose();
      channel.feeds.clear();
      if (channel.recordsWindow) clearTimeout(channel.recordsWindow);
      channel.recordsWindow = null;
      channel.recordsPending = new Map();
    }
  }

  /**
   * A message for a document the socket did not open. When the channel covers it (a notes
   * document of the workshop the socket follows), a write is refused as on a read-only session —
   * nothing is applied, stored or relayed — and anything else is ignored. False: not ours.
   */
  onUnopened(socket: FollowerSocket, docName: string, data: Uint8Array): boolean {
    const entry = this.bySocket.get(socket);
    const ref = parseDocName(docName);
    if (!entry || ref?.kind !== 'notes' || ref.workshopId !== entry.channel.workshopId) return false;
    let message: ReturnType<typeof decodeClientMessage>;
    try {
      message = decodeClientMessage(data);
    } catch (error) {
      socket.failWith(error);
      return true;
    }
    if (message.type === 'sync-step2' || message.type === 'update') {
      this.deps.metrics.rejected.inc({ reason: 'forbidden-write' });
      this.deps.log.warn('write-refused', { doc: docName, participant: socket.claims.participantId, role: socket.claims.role, reason: 'channel-read-only' });
      socket.send(docName, encodePermissionDenied(DenyReason.readOnly));
    }
    return true;
  }

  // ——— the rooms (RoomListener) ———

  loaded(room: DocRoom): void {
    if (room.ref.kind !== 'notes') return;
    const { workshopId } = room.ref;
    const tap = new DocSession(room.name, { workshopId, participantId: '', role: 'observer', actorId: null }, 'read', {
      send: (_docName, frame) => {
        if (!isUpdate(frame)) return;
        this.deliver(workshopId, room.name, frame);
        this.channels.get(workshopId)?.feeds.get(room)?.committed(frame);
      },
      // A failed room closes its sessions; the channel's followers need not go with it: what
      // was not committed never reached them, and the reload sends the document whole (below).
      close: () => undefined,
    });
    this.taps.set(room, tap);
    room.attach(tap);
    const channel = this.channels.get(workshopId);
    if (!channel) return;
    const index = this.know(channel, room.name);
    const base = channel.lastSeen.get(room.name) ?? EMPTY_STATE_VECTOR;
    channel.lastSeen.delete(room.name);
    const lastVersion = channel.lastVersion.get(room.name);
    channel.lastVersion.delete(room.name);
    // Whoever is still catching up with this document in its list gets it from its own catch-up.
    const wants = (follower: Follower) => !(index < follower.catchingUpBelow) && !follower.socket.hasDoc(room.name);
    if ([...channel.followers].some((f) => f.records)) {
      // Records followers that have caught up: the document whole, unless it is as it unloaded.
      const feed = this.feedFor(channel, room);
      const { version, snapshot } = feed.current(room.name);
      if ([...channel.followers].some((f) => f.records && wants(f)) && !(lastVersion && sameBytes(lastVersion, version))) {
        feed.whenCommitted(() => {
          const frame = encodeMux({ kind: 'records', docName: workshopId, docs: [snapshot] });
          for (const follower of channel.followers) if (follower.records && wants(follower)) this.sendRecords(follower, frame);
        }, ignore);
      }
    }
    if (![...channel.followers].some((f) => !f.records && wants(f))) return;
    this.answer(room, base, (frame) => {
      for (const follower of channel.followers) if (!follower.records && wants(follower)) follower.socket.send(room.name, frame);
    });
  }

  unloading(room: DocRoom): void {
    if (room.ref.kind !== 'notes') return;
    const tap = this.taps.get(room);
    if (tap) {
      tap.closed = true;
      room.detach(tap);
      this.taps.delete(room);
    }
    const channel = this.channels.get(room.ref.workshopId);
    // A failed room may hold changes that were never committed (never relayed): no state vector
    // is kept for it, so its reload sends the document whole.
    if (channel && room.isReady) channel.lastSeen.set(room.name, Y.encodeStateVector(room.doc));
    else channel?.lastSeen.delete(room.name);
    const feed = channel?.feeds.get(room);
    if (channel && feed) {
      feed.dispose();
      channel.feeds.delete(room);
      if (room.isReady) channel.lastVersion.set(room.name, docVersion(room.doc));
      else channel.lastVersion.delete(room.name);
    }
  }

  // ——— inside ———

  /**
   * A committed update to the followers: at once when no batch window is open (then one opens),
   * else gathered and sent with the window's others as one `batch` frame, encoded once for all
   * followers. Order is kept: a window's updates follow the one that opened it.
   */
  private deliver(workshopId: string, docName: string, frame: Uint8Array): void {
    const channel = this.channels.get(workshopId);
    if (!channel) return;
    if (channel.window) {
      channel.pending.push({ docName, payload: frame });
      return;
    }
    let sent = false;
    for (const { socket, records } of channel.followers) {
      if (records || socket.hasDoc(docName)) continue;
      socket.send(docName, frame);
      sent = true;
    }
    if (sent && isBusy(channel.rate, performance.now())) this.openWindow(channel);
  }

  private openWindow(channel: Channel): void {
    channel.window = setTimeout(() => {
      channel.window = null;
      if (channel.pending.length === 0 || this.channels.get(channel.workshopId) !== channel) return;
      const entries = channel.pending;
      channel.pending = [];
      // The same bytes for everyone: an entry for a document a follower has open on its own (its
      // own notes) is skipped by that client, which already has it.
      const frame = encodeMux({ kind: 'batch', docName: channel.workshopId, entries });
      for (const { socket, records } of channel.followers) if (!records) socket.sendFrame(frame);
      this.openWindow(channel);
    }, BATCH_WINDOW_MS);
    channel.window.unref();
  }

  // ——— records mode ———

  /** The room's records feed in this channel (made, with its warm-up, on first need). */
  private feedFor(channel: Channel, room: DocRoom): RoomRecordsFeed {
    let feed = channel.feeds.get(room);
    if (!feed) {
      feed = new RoomRecordsFeed(room, (diff) => this.deliverRecords(channel, room.name, diff));
      channel.feeds.set(room, feed);
    }
    return feed;
  }

  /**
   * A committed diff to the records followers: at once, in one frame encoded once for all of them,
   * unless a busy workshop's window is open (as `deliver`); then diffs of one document merge by key
   * and leave at the window's end.
   */
  private deliverRecords(channel: Channel, docName: string, diff: RecordsDiff): void {
    if (channel.recordsWindow) {
      const earlier = channel.recordsPending.get(docName);
      channel.recordsPending.set(docName, earlier ? mergeDiff(earlier, diff) : diff);
      return;
    }
    const readers = [...channel.followers].filter((f) => f.records && !f.socket.hasDoc(docName));
    if (readers.length === 0) return;
    const frame = encodeMux({ kind: 'records', docName: channel.workshopId, docs: [toRecordsDoc(docName, diff)] });
    for (const follower of readers) this.sendRecords(follower, frame);
    if (isBusy(channel.recordsRate, performance.now())) this.openRecordsWindow(channel);
  }

  private openRecordsWindow(channel: Channel): void {
    channel.recordsWindow = setTimeout(() => {
      channel.recordsWindow = null;
      if (channel.recordsPending.size === 0 || this.channels.get(channel.workshopId) !== channel) return;
      const docs = [...channel.recordsPending].map(([docName, diff]) => toRecordsDoc(docName, diff));
      channel.recordsPending = new Map();
      // The same bytes for everyone: a client skips a document it has open on its own.
      const frame = encodeMux({ kind: 'records', docName: channel.workshopId, docs });
      for (const follower of channel.followers) if (follower.records) this.sendRecords(follower, frame);
      this.openRecordsWindow(channel);
    }, BATCH_WINDOW_MS);
    channel.recordsWindow.unref();
  }

  /** A live records frame: what the follower's catch-up has gathered goes first (it is older). */
  private sendRecords(follower: Follower, frame: Uint8Array): void {
    this.flushGathered(follower);
    follower.socket.sendFrame(frame);
  }

  private flushGathered(follower: Follower): void {
    if (follower.gathered.length === 0) return;
    const docs = follower.gathered;
    follower.gathered = [];
    follower.gatheredChanges = 0;
    if (!follower.socket.isClosed) follower.socket.sendFrame(encodeMux({ kind: 'records', docName: follower.socket.claims.workshopId, docs }));
  }

  /**
   * Records mode's catch-up: each notes document's records, read at a marker in its room's feed
   * (so after every diff before it and before every diff after it), gathered into frames of about
   * CATCH_UP_BATCH_RECORDS records. A document whose version is the one the client sent is skipped.
   */
  private async catchUpRecords(channel: Channel, follower: Follower, versions: Map<string, Uint8Array>): Promise<void> {
    const { socket } = follower;
    const stillFollowing = () => !socket.isClosed && channel.followers.has(follower);
    const names = await this.catchUpList(channel, follower, stillFollowing);
    if (!names) return;
    let next = 0;
    const worker = async () => {
      while (next < names.length && stillFollowing()) {
        const docName = names[next++]!;
        if (socket.hasDoc(docName)) continue;
        // A room that fails before its read could leave drops it; its reload goes only to the
        // followers already caught up (`loaded`), so this catch-up reads the document again.
        for (let attempt = 1; stillFollowing(); attempt++) {
          const outcome = await this.catchUpDocument(channel, follower, docName, versions.get(docName));
          if (outcome !== 'dropped') break;
          if (attempt === CATCH_UP_ATTEMPTS) {
            this.deps.log.error('follow-document-dropped', { doc: docName, attempts: attempt });
            if (stillFollowing()) socket.sendFrame(encodeMux({ kind: 'refused', docName, code: CloseCode.storeUnavailable, reason: 'storage unavailable; try again shortly' }));
            break;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: CATCH_UP_CONCURRENCY }, worker));
    follower.catchingUpBelow = -1;
    if (!stillFollowing()) return;
    this.flushGathered(follower);
    socket.sendFrame(encodeMux({ kind: 'following', docName: channel.workshopId, documents: names.length }));
  }

  /**
   * One document of a records catch-up: read at a marker in its room's feed and gathered. 'dropped':
   * the room failed before the marker was reached (what it held was not all committed).
   */
  private async catchUpDocument(channel: Channel, follower: Follower, docName: string, held: Uint8Array | undefined): Promise<'sent' | 'skipped' | 'dropped'> {
    const { socket } = follower;
    const stillFollowing = () => !socket.isClosed && channel.followers.has(follower);
    let room: DocRoom;
    try {
      room = await this.deps.rooms.acquire(docName, parseDocName(docName) as DocRef);
    } catch (error) {
      const refusal = loadRefusal(error);
      this.deps.log.error('room-load-failed', { doc: docName, error: String(error) });
      if (stillFollowing()) socket.sendFrame(encodeMux({ kind: 'refused', docName, code: refusal.code, reason: refusal.reason }));
      return 'skipped';
    }
    try {
      if (!stillFollowing()) return 'skipped';
      // What the records feed holds from here on is what this follower gets live.
      const feed = this.feedFor(channel, room);
      const { version, snapshot } = feed.current(docName);
      if (held && sameBytes(held, version)) return 'skipped';
      return await new Promise<'sent' | 'dropped'>((resolve) =>
        feed.whenCommitted(
          () => {
            if (stillFollowing()) this.gather(follower, snapshot);
            resolve('sent');
          },
          () => resolve('dropped'),
        ),
      );
    } finally {
      this.deps.rooms.release(room);
    }
  }

  private gather(follower: Follower, snapshot: RecordsDoc): void {
    follower.gathered.push(snapshot);
    follower.gatheredChanges += snapshot.changes.length + 1;
    if (follower.gatheredChanges >= CATCH_UP_BATCH_RECORDS) this.flushGathered(follower);
  }

  private know(channel: Channel, docName: string): number {
    let index = channel.known.get(docName);
    if (index === undefined) channel.known.set(docName, (index = channel.known.size));
    return index;
  }

  /**
   * Where every catch-up starts: the workshop's notes documents as the store lists them now, the
   * follower marked as catching up on all of them. Null: it stopped following meanwhile, or the
   * store could not list them (the follower's socket is closed with a retryable code).
   */
  private async catchUpList(channel: Channel, follower: Follower, stillFollowing: () => boolean): Promise<string[] | null> {
    try {
      await this.refreshKnown(channel);
    } catch (error) {
      this.deps.log.error('follow-list-failed', { workshop: channel.workshopId, error: String(error) });
      if (stillFollowing()) follower.socket.close(CloseCode.storeUnavailable, 'storage unavailable; try again shortly');
      return null;
    }
    if (!stillFollowing()) return null;
    const names = [...channel.known.keys()];
    follower.catchingUpBelow = names.length;
    return names;
  }

  /** The workshop's notes documents from the store: every joined participant's (removed ones too: their notes stay on the wall). */
  private refreshKnown(channel: Channel): Promise<void> {
    channel.listing ??= this.deps.store
      .listMemberships(channel.workshopId)
      .then((members) => {
        for (const member of members) if (member.role === 'participant') this.know(channel, notesDocName(channel.workshopId, member.participantId));
      })
      .finally(() => (channel.listing = null));
    return channel.listing;
  }

  private async catchUp(channel: Channel, follower: Follower, stateVectors: Map<string, Uint8Array>): Promise<void> {
    const { socket } = follower;
    const stillFollowing = () => !socket.isClosed && channel.followers.has(follower);
    const names = await this.catchUpList(channel, follower, stillFollowing);
    if (!names) return;
    const sent: Array<Promise<void>> = [];
    // The answers are gathered into batch frames: a tab catching up on 500 documents reads a few
    // frames, not 500 (what a reconnect storm costs both sides).
    let gathered: BatchEntry[] = [];
    let gatheredBytes = 0;
    const flush = () => {
      if (gathered.length === 0) return;
      if (stillFollowing()) socket.sendFrame(encodeMux({ kind: 'batch', docName: channel.workshopId, entries: gathered }));
      gathered = [];
      gatheredBytes = 0;
    };
    let next = 0;
    const worker = async () => {
      while (next < names.length && stillFollowing()) {
        const docName = names[next++]!;
        if (socket.hasDoc(docName)) continue;
        const ref = parseDocName(docName) as DocRef;
        let room: DocRoom;
        try {
          room = await this.deps.rooms.acquire(docName, ref);
        } catch (error) {
          // One document that cannot load is refused on its own, as on its own session.
          const refusal = loadRefusal(error);
          this.deps.log.error('room-load-failed', { doc: docName, error: String(error) });
          if (stillFollowing()) socket.sendFrame(encodeMux({ kind: 'refused', docName, code: refusal.code, reason: refusal.reason }));
          continue;
        }
        if (!stillFollowing()) {
          this.deps.rooms.release(room);
          return;
        }
        try {
          this.answer(room, stateVectors.get(docName) ?? EMPTY_STATE_VECTOR, (frame) => {
            gathered.push({ docName, payload: frame });
            gatheredBytes += frame.byteLength;
            if (gatheredBytes >= CATCH_UP_BATCH_BYTES) flush();
          });
        } catch (error) {
          // An unreadable state vector: the same close code as on the document's own session.
          this.deps.rooms.release(room);
          socket.failWith(error);
          return;
        }
        // `change` with nothing to change resolves behind the room's pending commits, i.e. after
        // the answer above was sent: then the room may be let go (and `following` be sent).
        sent.push(
          room
            .change(() => undefined)
            .catch(() => undefined)
            .finally(() => this.deps.rooms.release(room)),
        );
      }
    };
    await Promise.all(Array.from({ length: CATCH_UP_CONCURRENCY }, worker));
    follower.catchingUpBelow = -1;
    await Promise.all(sent);
    flush();
    if (stillFollowing()) socket.sendFrame(encodeMux({ kind: 'following', docName: channel.workshopId, documents: names.length }));
  }

  /**
   * What `room` holds beyond `stateVector`, sent by `send` — through the room's own answer to a
   * sync step 1 (behind its commits; an invalid state vector throws the session's ProtocolError).
   */
  private answer(room: DocRoom, stateVector: Uint8Array, send: (frame: Uint8Array) => void): void {
    const once = new DocSession(room.name, { workshopId: room.ref.workshopId, participantId: '', role: 'observer', actorId: null }, 'read', {
      send: (_docName, frame) => {
        if (!isEmptyStep2(frame)) send(frame);
      },
      close: () => undefined,
    });
    room.handle(once, { type: 'sync-step1', stateVector });
  }
}

const ignore = () => undefined;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
