import type { Role } from '../../shared/schema/participant';

/**
 * The storage port. Every adapter (SQLite now, PostgreSQL later) passes the same contract suite
 * (tests/contract/store.contract.ts). Methods are async so that a networked adapter fits.
 */
export interface NewUpdate {
  docName: string;
  ts: number;
  /** Who made the change; null for the server itself (migrations, joins). */
  participantId: string | null;
  update: Uint8Array;
}

export interface LoggedUpdate extends NewUpdate {
  seq: number;
}

export interface Snapshot {
  docName: string;
  /** The log sequence number the snapshot includes everything up to. */
  seq: number;
  ts: number;
  state: Uint8Array;
}

/** A place in a workshop's log, which is ordered by (ts, docName, seq) across its documents. */
export interface LogPosition {
  ts: number;
  docName: string;
  seq: number;
}

export interface WorkshopLogQuery {
  workshopId: string;
  /** Entries strictly after this position; null: from the start. */
  after: LogPosition | null;
  limit: number;
  /**
   * The one participant whose drafts document (`<workshopId>/drafts/<id>`) may be included; every
   * other drafts document is left out by the query itself. Null: no drafts at all.
   */
  draftsOf: string | null;
}

/**
 * A stored state of one document as of a log sequence number, for replay. A cache of the log
 * (always rebuildable from it), so it may be pruned: see `pruneCheckpoints`.
 */
export type Checkpoint = Snapshot;

export interface WorkshopRecord {
  id: string;
  createdAt: number;
  /** SHA-256 of the join keys (hex): a stolen database file does not hand out join links. */
  participantKeyHash: string;
  observerKeyHash: string;
}

export interface ParticipantRecord {
  workshopId: string;
  participantId: string;
  role: Role;
  actorId: string | null;
  name: string;
  createdAt: number;
}

// ——— Membership (issue 8): removal, token epochs, join-key rotation, recovery ———

/** A participant as the membership checks see them. */
export interface MembershipRecord extends ParticipantRecord {
  /** Bumped to revoke every token issued before (removal, sign-out); tokens carry the epoch they were issued at. */
  tokenEpoch: number;
  /** When the facilitator removed them (null: still in). */
  removedAt: number | null;
}

/** What the facilitator's recovery needs beside the key hashes. */
export interface WorkshopAccess {
  /** The current join keys sealed with a key derived from the server secret (null: never sealed). */
  sealedJoinKeys: string | null;
  /** SHA-256 of the recovery secret (hex), null: none issued. */
  recoveryHash: string | null;
}
export type StoreHealth = { ok: true } | { ok: false; problem: string };

// ——— Ownership (issue 11): one owner process per workshop, fenced by an epoch ———

/** Ownership of one workshop by one process. The epoch only ever grows (fencing token). */
export interface Lease {
  workshopId: string;
  /** Process id (a random UUID per process start). */
  owner: string;
  /** How other processes reach the owner: http://host:port (ADVERTISE_URL). */
  address: string;
  epoch: number;
  /** Milliseconds since 1970 in the DATABASE's clock (PostgreSQL now()), not the caller's. Expired when ≤ that clock. */
  expiresAt: number;
}

/** "Store this only if the workshop's lease is still at this epoch" (see `appendUpdates`). */
export interface Fence {
  workshopId: string;
  epoch: number;
}

export interface DocStore {
  /**
   * Appends in one committed transaction; returns each update's sequence number, in order.
   * Sequence numbers are per document, consecutive from 1, assigned by the store at commit (never
   * from a cache of one process), so two writers on one database never collide or leave gaps.
   *
   * `fence` (one, or several for a batch that spans workshops): the append is refused as a whole
   * with a `StoreError` of kind 'fenced' unless every named workshop's lease row has exactly that
   * epoch — checked inside the same transaction that inserts the rows, so a process that lost a
   * workshop can no longer commit (and therefore not relay) anything for it.
   */
  appendUpdates(batch: readonly NewUpdate[], fence?: Fence | readonly Fence[]): Promise<number[]>;
  /** The newest snapshot (if any) and every logged update after it, in sequence order. */
  loadDoc(docName: string): Promise<{ snapshot: Snapshot | null; updates: LoggedUpdate[] }>;
  writeSnapshot(snapshot: Snapshot): Promise<void>;
  /** The full history, oldest first, paged (for replay). */
  readLog(docName: string, afterSeq: number, limit: number): Promise<LoggedUpdate[]>;
  /** A workshop's log across its documents (room, notes, at most one drafts), in (ts, docName, seq) order, paged. */
  readWorkshopLog(query: WorkshopLogQuery): Promise<LoggedUpdate[]>;
  /**
   * A page of `readWorkshopLog` bounded in bytes as well: entries in the same order, at most
   * `limit` of them, and no more update bytes than `maxBytes` in all — except that the first
   * entry always comes, whatever its size, so that a reader always gets past it. `more`: entries
   * follow the last one returned.
   */
  readWorkshopLogPage(query: WorkshopLogQuery & { maxBytes: number }): Promise<{ entries: LoggedUpdate[]; more: boolean }>;
  /** The newest logged entry of a document (null: none) — optionally the newest with `ts <= atOrBefore`. */
  lastLogged(docName: string, atOrBefore?: number): Promise<{ seq: number; ts: number } | null>;
  /** Replay checkpoints: states kept beside the log. Writing one for an existing (doc, seq) replaces it. */
  writeCheckpoint(checkpoint: Checkpoint): Promise<void>;
  /** The checkpoint with the highest seq ≤ `seq`, or null. */
  checkpointAtOrBefore(docName: string, seq: number): Promise<Checkpoint | null>;
  /** Deletes the document's checkpoints whose seq is not a multiple of `keepEvery`; returns how many. */
  pruneCheckpoints(docName: string, keepEvery: number): Promise<number>;

  createWorkshop(workshop: WorkshopRecord, facilitator: ParticipantRecord): Promise<void>;
  getWorkshop(id: string): Promise<WorkshopRecord | null>;
  addParticipant(participant: ParticipantRecord): Promise<void>;
  getParticipant(workshopId: string, participantId: string): Promise<ParticipantRecord | null>;

  // ——— Membership (issue 8) ———
  /** A participant with their token epoch and removal mark, or null. */
  getMembership(workshopId: string, participantId: string): Promise<MembershipRecord | null>;
  /** Everyone who joined the workshop (facilitator included), in join order. */
  listMemberships(workshopId: string): Promise<MembershipRecord[]>;
  /**
   * Adds a participant unless the workshop already has `maxJoined` joined identities (everyone but
   * facilitators, removed people included: their documents still load). Checked and inserted in
   * one transaction. Returns false when full.
   */
  addParticipantWithin(participant: ParticipantRecord, maxJoined: number): Promise<boolean>;
  /** Marks removed (first time only) and bumps the token epoch; returns the record after, or null. */
  removeParticipant(workshopId: string, participantId: string, removedAt: number): Promise<MembershipRecord | null>;
  /** Moves the token epoch on (every token issued before stops working); returns the new epoch, or null. */
  bumpTokenEpoch(workshopId: string, participantId: string): Promise<number | null>;
  /** Replaces the join-key hashes (and their sealed copy) — old join links stop working. */
  setJoinKeys(workshopId: string, keys: { participantKeyHash: string; observerKeyHash: string; sealedJoinKeys: string }): Promise<void>;
  getWorkshopAccess(workshopId: string): Promise<WorkshopAccess | null>;
  setRecoveryHash(workshopId: string, recoveryHash: string): Promise<void>;

  // ——— Ownership (issue 11) ———
  /**
   * Takes or renews the lease: succeeds when there is no lease row, when it has expired, or when
   * `owner` already holds it (renewal keeps the epoch, moves expiresAt to now + ttlMs). A takeover
   * (no row, or another owner's expired lease) bumps the epoch by one (the first lease has epoch
   * 1). Returns the lease now in force — the caller owns the workshop iff result.owner === owner.
   * ttlMs 0 gives a lease that has already expired (tests; a handover).
   */
  acquireLease(workshopId: string, owner: string, address: string, ttlMs: number): Promise<Lease>;
  getLease(workshopId: string): Promise<Lease | null>;
  /** Gives the lease up (graceful drain) so another process may take it at once: expires it now, only if owner+epoch still match. */
  releaseLease(workshopId: string, owner: string, epoch: number): Promise<void>;

  /** True when a write can be committed now: `checkHealth().ok`. */
  isWritable(): Promise<boolean>;
  /**
   * For /healthz: can every table really be read and written now? Not ok when the disk is full,
   * the file cannot be written, or any operation has met a damaged database since it was opened.
   */
  checkHealth(): Promise<StoreHealth>;
  close(): Promise<void>;
}
