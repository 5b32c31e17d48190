import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log';
import { isStoreCorrupt, StoreOpenError } from './errors';
import { checkTtl, fencedError, fenceList } from './lease';
import type { Checkpoint, DocStore, Fence, Lease, LoggedUpdate, MembershipRecord, NewUpdate, ParticipantRecord, Snapshot, StoreHealth } from './port';
import { startWalCheckpointer, type WalCheckpointer } from './walCheckpointer';

export { StoreOpenError } from './errors';

export interface SqliteOptions {
  /** A file path, or ':memory:' for tests of the contract alone. */
  file: string;
  synchronous: 'NORMAL' | 'FULL';
  /** Caps the database size in pages; used by tests to reach SQLITE_FULL for real. */
  maxPages?: number | undefined;
  /**
   * Hold a lock beside the file (`<file>.lock`) for as long as the store is open (default true
   * for files): a second process on the same file is refused at open. See `acquireLock`.
   */
  exclusive?: boolean;
  /** Where a checkpointer that had to fall back says so. */
  log?: Logger | undefined;
  /**
   * WAL checkpoints on a worker thread (walCheckpointer.ts), started after this many appends
   * (default 200: a short-lived store never starts one); `intervalMs` between them (default 1000).
   */
  checkpoints?: { startAfterCommits?: number; intervalMs?: number; driver?: string };
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS updates (
  doc TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  participant TEXT,
  data BLOB NOT NULL,
  PRIMARY KEY (doc, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (
  doc TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (doc, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS workshops (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  participant_key_hash TEXT NOT NULL,
  observer_key_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS participants (
  workshop TEXT NOT NULL REFERENCES workshops(id),
  id TEXT NOT NULL,
  role TEXT NOT NULL,
  actor TEXT,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (workshop, id)
);
CREATE TABLE IF NOT EXISTS health (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, probe BLOB);
-- Replay checkpoints: document states beside the log; a cache, at most CHECKPOINTS_PER_DOC per document (pruneCheckpoints).
CREATE TABLE IF NOT EXISTS checkpoints (
  doc TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  state BLOB NOT NULL,
  PRIMARY KEY (doc, seq)
) WITHOUT ROWID;
`;

// Workshop ownership (issue 11). One process uses a SQLite file, so leases only keep the port's
// semantics (and its contract) the same as on PostgreSQL. The table is created the first time a
// lease is used, not at open: a single-process server never uses one, and its file stays as it
// was (tests/integration/store-failure.test.ts caps the file in pages).
const LEASES = `CREATE TABLE IF NOT EXISTS leases (
  workshop_id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  address TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID`;

// ——— Membership (issue 8): columns added to existing files in place ———
// ALTER TABLE … ADD COLUMN when missing: files written before these columns open unchanged and gain
// them (defaults: epoch 0, not removed, no sealed keys, no recovery secret).
const MEMBERSHIP_COLUMNS: ReadonlyArray<readonly [table: string, column: string, declaration: string]> = [
  ['participants', 'token_epoch', 'INTEGER NOT NULL DEFAULT 0'],
  ['participants', 'removed_at', 'INTEGER'],
  ['workshops', 'join_keys_sealed', 'TEXT'],
  ['workshops', 'recovery_hash', 'TEXT'],
];

function addMembershipColumns(db: Database.Database): void {
  for (const [table, column, declaration] of MEMBERSHIP_COLUMNS) {
    const columns = db.prepare<[], { name: string }>(`PRAGMA table_info(${table})`).all();
    if (!columns.some((c) => c.name === column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${declaration}`);
  }
}

type MembershipRow = { workshop: string; id: string; role: string; actor: string | null; name: string; created_at: number; token_epoch: number; removed_at: number | null };

const toMembership = (row: MembershipRow): MembershipRecord => ({
  workshopId: row.workshop,
  participantId: row.id,
  role: row.role as MembershipRecord['role'],
  actorId: row.actor,
  name: row.name,
  createdAt: row.created_at,
  tokenEpoch: row.token_epoch,
  removedAt: row.removed_at,
});

type LeaseRow = { workshop_id: string; owner: string; address: string; epoch: number; expires_at: number };

const toLease = (row: LeaseRow): Lease => ({ workshopId: row.workshop_id, owner: row.owner, address: row.address, epoch: row.epoch, expiresAt: row.expires_at });

type UpdateRow = { doc: string; seq: number; ts: number; participant: string | null; data: Buffer };

const toLogged = (row: UpdateRow): LoggedUpdate => ({
  docName: row.doc,
  seq: row.seq,
  ts: row.ts,
  participantId: row.participant,
  update: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength),
});

/**
 * The embedded store: one SQLite file in WAL mode. better-sqlite3 is synchronous, so a commit
 * finishes before the promise is even created; the server batches appends per event-loop tick.
 */
export function openSqliteStore(options: SqliteOptions): DocStore {
  if (options.file !== ':memory:') fs.mkdirSync(path.dirname(options.file), { recursive: true });
  const lock = (options.exclusive ?? true) && options.file !== ':memory:' ? acquireLock(`${options.file}.lock`) : null;
  let db: Database.Database;
  try {
    db = openChecked(options.file);
  } catch (error) {
    lock?.close();
    throw error;
  }
  try {
    db.pragma(`synchronous = ${options.synchronous}`);
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA);
    addMembershipColumns(db);
    if (options.maxPages) db.pragma(`max_page_count = ${options.maxPages}`);
  } catch (error) {
    db.close();
    lock?.close();
    throw error;
  }
  const checkpointer =
    options.file === ':memory:'
      ? null
      : startWalCheckpointer(db, {
          file: options.file,
          startAfterCommits: options.checkpoints?.startAfterCommits ?? 200,
          intervalMs: options.checkpoints?.intervalMs ?? 1000,
          driver: options.checkpoints?.driver,
          log: options.log,
        });
  const adapter = createAdapter(db, checkpointer);
  return withCorruptionWatch({
    ...adapter,
    async close() {
      // The worker's connection goes first: the committing one, closed last, checkpoints what is left.
      await checkpointer?.close();
      await adapter.close();
      if (lock?.open) lock.close();
    },
  });
}

function createAdapter(db: Database.Database, checkpointer: WalCheckpointer | null): DocStore & { checkHealth(): Promise<StoreHealth> } {

  // The value alone (no row object with a `seq` key built per append).
  const lastSeq = db.prepare<[string], number | null>('SELECT MAX(seq) FROM updates WHERE doc = ?').pluck();
  const insertUpdate = db.prepare('INSERT INTO updates (doc, seq, ts, participant, data) VALUES (?, ?, ?, ?, ?)');
  const latestSnapshot = db.prepare<[string], { doc: string; seq: number; ts: number; data: Buffer }>(
    'SELECT doc, seq, ts, data FROM snapshots WHERE doc = ? ORDER BY seq DESC LIMIT 1',
  );
  const updatesAfter = db.prepare<[string, number], UpdateRow>('SELECT doc, seq, ts, participant, data FROM updates WHERE doc = ? AND seq > ? ORDER BY seq');
  const updatesPage = db.prepare<[string, number, number], UpdateRow>(
    'SELECT doc, seq, ts, participant, data FROM updates WHERE doc = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  const insertSnapshot = db.prepare('INSERT OR REPLACE INTO snapshots (doc, seq, ts, data) VALUES (?, ?, ?, ?)');
  // Older snapshots are redundant with the newest one plus the log, which is never deleted.
  const pruneSnapshots = db.prepare('DELETE FROM snapshots WHERE doc = ? AND seq < ?');
  // A workshop's documents are `<id>` and `<id>/…`: the primary-key range [id, id + '0') — '/' sorts
  // just below '0' and ids are 16 characters of [0-9A-Za-z]. Ordering by time sorts that range
  // (no extra index: nothing is added to the write path or the file; a page of a 3-hour workshop
  // takes a few milliseconds). Drafts of anyone but `draftsOf` are excluded by the query ('' matches no document).
  const workshopLogPage = db.prepare<[string, string, number, string, number, string, string, number], UpdateRow>(
    `SELECT doc, seq, ts, participant, data FROM updates
     WHERE doc >= ? AND doc < ? AND (ts, doc, seq) > (?, ?, ?) AND (doc NOT GLOB ? OR doc = ?)
     ORDER BY ts, doc, seq LIMIT ?`,
  );
  const newestLogged = db.prepare<[string], { seq: number; ts: number }>('SELECT seq, ts FROM updates WHERE doc = ? ORDER BY seq DESC LIMIT 1');
  const newestLoggedBy = db.prepare<[string, number], { seq: number; ts: number }>(
    'SELECT seq, ts FROM updates WHERE doc = ? AND ts <= ? ORDER BY seq DESC LIMIT 1',
  );
  const insertCheckpoint = db.prepare('INSERT OR REPLACE INTO checkpoints (doc, seq, ts, state) VALUES (?, ?, ?, ?)');
  const checkpointBefore = db.prepare<[string, number], { seq: number; ts: number; state: Buffer }>(
    'SELECT seq, ts, state FROM checkpoints WHERE doc = ? AND seq <= ? ORDER BY seq DESC LIMIT 1',
  );
  const insertWorkshop = db.prepare('INSERT INTO workshops (id, created_at, participant_key_hash, observer_key_hash) VALUES (?, ?, ?, ?)');
  const selectWorkshop = db.prepare<[string], { id: string; created_at: number; participant_key_hash: string; observer_key_hash: string }>(
    'SELECT * FROM workshops WHERE id = ?',
  );
  const insertParticipant = db.prepare('INSERT INTO participants (workshop, id, role, actor, name, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const selectParticipant = db.prepare<[string, string], { workshop: string; id: string; role: string; actor: string | null; name: string; created_at: number }>(
    'SELECT * FROM participants WHERE workshop = ? AND id = ?',
  );

  // ——— Membership (issue 8) ———
  const selectMembership = db.prepare<[string, string], MembershipRow>(
    'SELECT workshop, id, role, actor, name, created_at, token_epoch, removed_at FROM participants WHERE workshop = ? AND id = ?',
  );
  const selectMemberships = db.prepare<[string], MembershipRow>(
    'SELECT workshop, id, role, actor, name, created_at, token_epoch, removed_at FROM participants WHERE workshop = ? ORDER BY created_at, id',
  );
  const countJoined = db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM participants WHERE workshop = ? AND role != 'facilitator'");
  const markRemoved = db.prepare('UPDATE participants SET removed_at = COALESCE(removed_at, ?), token_epoch = token_epoch + 1 WHERE workshop = ? AND id = ?');
  const bumpEpoch = db.prepare<[string, string], { token_epoch: number }>(
    'UPDATE participants SET token_epoch = token_epoch + 1 WHERE workshop = ? AND id = ? RETURNING token_epoch',
  );
  const updateJoinKeys = db.prepare('UPDATE workshops SET participant_key_hash = ?, observer_key_hash = ?, join_keys_sealed = ? WHERE id = ?');
  const selectAccess = db.prepare<[string], { join_keys_sealed: string | null; recovery_hash: string | null }>(
    'SELECT join_keys_sealed, recovery_hash FROM workshops WHERE id = ?',
  );
  const updateRecoveryHash = db.prepare('UPDATE workshops SET recovery_hash = ? WHERE id = ?');
  const addWithin = db.transaction((p: ParticipantRecord, maxJoined: number): boolean => {
    if (p.role !== 'facilitator' && (countJoined.get(p.workshopId)?.n ?? 0) >= maxJoined) return false;
    addParticipantTx(p);
    return true;
  });
  const removeTx = db.transaction((workshopId: string, participantId: string, removedAt: number) => {
    if (markRemoved.run(removedAt, workshopId, participantId).changes === 0) return null;
    const row = selectMembership.get(workshopId, participantId);
    return row ? toMembership(row) : null;
  });

  const health = createHealthCheck(db);
  const history = historyQueries(db);

  // Sequence numbers come from the log (the primary key's last entry) the first time a document is
  // appended to, then from `committedSeq`: the last sequence number of each document as committed by
  // this adapter. It is set only after a transaction has committed, so a rolled-back batch cannot
  // leave it ahead; should another writer have appended to the file meanwhile (only possible
  // without the lock, e.g. a test planting rows), the insert meets the primary key, and the batch
  // is rolled back and retried once from the log itself. The query was a quarter of what a commit
  // cost in the relay benchmark (docs/relay-benchmark.md).
  const committedSeq = new Map<string, number>();
  const appendBatch = db.transaction((batch: readonly NewUpdate[], fences: readonly Fence[], fresh: boolean, last: Map<string, number>) => {
    for (const fence of fences) {
      const epoch = leases().selectEpoch.get(fence.workshopId)?.epoch ?? null;
      if (epoch !== fence.epoch) throw fencedError(fence.workshopId, fence.epoch, epoch);
    }
    const seqs = new Array<number>(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const u = batch[i]!;
      const seq = (last.get(u.docName) ?? (fresh ? undefined : committedSeq.get(u.docName)) ?? lastSeq.get(u.docName) ?? 0) + 1;
      insertUpdate.run(u.docName, seq, u.ts, u.participantId, u.update);
      last.set(u.docName, seq);
      seqs[i] = seq;
    }
    return seqs;
  });
  const append = (batch: readonly NewUpdate[], fences: readonly Fence[]): number[] => {
    let last = new Map<string, number>();
    let seqs: number[];
    try {
      seqs = appendBatch(batch, fences, false, last);
    } catch (error) {
      if ((error as { code?: unknown })?.code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw error;
      last = new Map();
      seqs = appendBatch(batch, fences, true, last);
    }
    // Bounded: a document not in the map is asked of the log again, once.
    if (committedSeq.size > 100_000) committedSeq.clear();
    for (const [doc, seq] of last) committedSeq.set(doc, seq);
    return seqs;
  };

  // ——— Ownership (issue 11): the clock is this process's, the only one using the file ———
  const leases = lazyLeaseQueries(db);
  const acquire = db.transaction((workshopId: string, owner: string, address: string, ttlMs: number): Lease => {
    const q = leases();
    const now = Date.now();
    q.upsert.run({ workshop: workshopId, owner, address, expires: now + ttlMs, now });
    return toLease(q.select.get(workshopId)!);
  });

  const addParticipantTx = (p: ParticipantRecord) => insertParticipant.run(p.workshopId, p.participantId, p.role, p.actorId, p.name, p.createdAt);

  return {
    async appendUpdates(batch, fence) {
      const fences = fenceList(fence);
      if (batch.length === 0) return [];
      // Outside the transaction: a refused batch's rollback must not take the new table with it.
      if (fences.length > 0) leases();
      const seqs = append(batch, fences);
      checkpointer?.committed();
      return seqs;
    },
    async acquireLease(workshopId, owner, address, ttlMs) {
      checkTtl(ttlMs);
      leases();
      return acquire(workshopId, owner, address, ttlMs);
    },
    async getLease(workshopId) {
      const row = leases().select.get(workshopId);
      return row ? toLease(row) : null;
    },
    async releaseLease(workshopId, owner, epoch) {
      leases().expire.run(Date.now(), workshopId, owner, epoch);
    },
    async loadDoc(docName) {
      const row = latestSnapshot.get(docName);
      const snapshot: Snapshot | null = row
        ? { docName, seq: row.seq, ts: row.ts, state: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength) }
        : null;
      return { snapshot, updates: updatesAfter.all(docName, snapshot?.seq ?? 0).map(toLogged) };
    },
    async writeSnapshot(snapshot) {
      db.transaction(() => {
        insertSnapshot.run(snapshot.docName, snapshot.seq, snapshot.ts, snapshot.state);
        pruneSnapshots.run(snapshot.docName, snapshot.seq);
      })();
    },
    async readLog(docName, afterSeq, limit) {
      return updatesPage.all(docName, afterSeq, limit).map(toLogged);
    },
    async readWorkshopLog({ workshopId, after, limit, draftsOf }) {
      const from = after ?? { ts: Number.MIN_SAFE_INTEGER, docName: '', seq: 0 };
      const draftsGlob = `${workshopId}/drafts/*`;
      const ownDrafts = draftsOf === null ? '' : `${workshopId}/drafts/${draftsOf}`;
      if (!/^[0-9A-Za-z]{16}$/.test(workshopId)) return [];
      return workshopLogPage.all(workshopId, `${workshopId}0`, from.ts, from.docName, from.seq, draftsGlob, ownDrafts, limit).map(toLogged);
    },
    async lastLogged(docName, atOrBefore) {
      const row = atOrBefore === undefined ? newestLogged.get(docName) : newestLoggedBy.get(docName, atOrBefore);
      return row ? { seq: row.seq, ts: row.ts } : null;
    },
    async writeCheckpoint(checkpoint) {
      insertCheckpoint.run(checkpoint.docName, checkpoint.seq, checkpoint.ts, checkpoint.state);
    },
    async checkpointAtOrBefore(docName, seq): Promise<Checkpoint | null> {
      const row = checkpointBefore.get(docName, seq);
      return row ? { docName, seq: row.seq, ts: row.ts, state: new Uint8Array(row.state.buffer, row.state.byteOffset, row.state.byteLength) } : null;
    },
    // History pages and checkpoint pruning (issue 8): see historyQueries below.
    readWorkshopLogPage: history.readWorkshopLogPage,
    pruneCheckpoints: history.pruneCheckpoints,
    async createWorkshop(workshop, facilitator) {
      db.transaction(() => {
        insertWorkshop.run(workshop.id, workshop.createdAt, workshop.participantKeyHash, workshop.observerKeyHash);
        addParticipantTx(facilitator);
      })();
    },
    async getWorkshop(id) {
      const row = selectWorkshop.get(id);
      return row
        ? { id: row.id, createdAt: row.created_at, participantKeyHash: row.participant_key_hash, observerKeyHash: row.observer_key_hash }
        : null;
    },
    async addParticipant(participant) {
      addParticipantTx(participant);
    },
    async getParticipant(workshopId, participantId) {
      const row = selectParticipant.get(workshopId, participantId);
      return row
        ? { workshopId: row.workshop, participantId: row.id, role: row.role as ParticipantRecord['role'], actorId: row.actor, name: row.name, createdAt: row.created_at }
        : null;
    },
    // ——— Membership (issue 8) ———
    async getMembership(workshopId, participantId) {
      const row = selectMembership.get(workshopId, participantId);
      return row ? toMembership(row) : null;
    },
    async listMemberships(workshopId) {
      return selectMemberships.all(workshopId).map(toMembership);
    },
    async addParticipantWithin(participant, maxJoined) {
      return addWithin(participant, maxJoined);
    },
    async removeParticipant(workshopId, participantId, removedAt) {
      return removeTx(workshopId, participantId, removedAt);
    },
    async bumpTokenEpoch(workshopId, participantId) {
      return bumpEpoch.get(workshopId, participantId)?.token_epoch ?? null;
    },
    async setJoinKeys(workshopId, keys) {
      updateJoinKeys.run(keys.participantKeyHash, keys.observerKeyHash, keys.sealedJoinKeys, workshopId);
    },
    async getWorkshopAccess(workshopId) {
      const row = selectAccess.get(workshopId);
      return row ? { sealedJoinKeys: row.join_keys_sealed, recoveryHash: row.recovery_hash } : null;
    },
    async setRecoveryHash(workshopId, recoveryHash) {
      updateRecoveryHash.run(recoveryHash, workshopId);
    },
    async isWritable() {
      return (await health.check()).ok;
    },
    async checkHealth() {
      return health.check();
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

/** The lease statements, prepared (and the table created) on first use. */
function lazyLeaseQueries(db: Database.Database) {
  let prepared: ReturnType<typeof prepare> | null = null;
  const prepare = () => {
    db.exec(LEASES);
    return {
      selectEpoch: db.prepare<[string], { epoch: number }>('SELECT epoch FROM leases WHERE workshop_id = ?'),
      select: db.prepare<[string], LeaseRow>('SELECT workshop_id, owner, address, epoch, expires_at FROM leases WHERE workshop_id = ?'),
      upsert: db.prepare(
        `INSERT INTO leases (workshop_id, owner, address, epoch, expires_at) VALUES (@workshop, @owner, @address, 1, @expires)
         ON CONFLICT (workshop_id) DO UPDATE SET
           epoch = CASE WHEN owner = excluded.owner THEN epoch ELSE epoch + 1 END,
           owner = excluded.owner, address = excluded.address, expires_at = excluded.expires_at
         WHERE owner = excluded.owner OR expires_at <= @now`,
      ),
      expire: db.prepare('UPDATE leases SET expires_at = MIN(expires_at, ?) WHERE workshop_id = ? AND owner = ? AND epoch = ?'),
    };
  };
  return () => (prepared ??= prepare());
}

// ---------------------------------------------------------------------------------------------
// Opening safely (issue 8): one process per data directory, and a damaged file refused at start.

/**
 * One process per data directory: an exclusive lock beside the database (`arvo.sqlite.lock`).
 *
 * The lock file is itself a tiny SQLite database opened with `locking_mode = EXCLUSIVE`; one
 * write takes SQLite's EXCLUSIVE lock on it, which this connection then holds until the store is
 * closed. That lock is a POSIX advisory lock (fcntl) kept by the kernel for the process: when
 * the process ends in any way, SIGKILL and power loss included, the lock is gone with it. So
 * there is no stale lock to clean up and no pid that could be reused by another program, unlike
 * a pid file; and unlike locking the database itself, tools (`sqlite3 arvo.sqlite .backup`, the
 * tests' read-only checks) can still read the database while the server runs. A second process
 * — or a second store in the same process — gets SQLITE_BUSY at once (busy timeout 0) and is
 * refused with a message. (File systems that do not honour POSIX locks, some network mounts,
 * defeat it: keep DATA_DIR on a local disk.)
 */
function acquireLock(lockFile: string): Database.Database {
  let lock: Database.Database | null = null;
  try {
    lock = new Database(lockFile, { timeout: 0 });
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.pragma('journal_mode = OFF');
    lock.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY, pid INTEGER NOT NULL, since INTEGER NOT NULL)');
    lock.prepare('INSERT OR REPLACE INTO holder (id, pid, since) VALUES (1, ?, ?)').run(process.pid, Date.now());
    return lock;
  } catch (error) {
    lock?.close();
    const code = (error as { code?: unknown })?.code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new StoreOpenError(
        'locked',
        `another Arvo process is using ${path.dirname(lockFile)} (it holds ${path.basename(lockFile)}). Only one server may use a DATA_DIR: stop the other one, or give this one its own DATA_DIR.`,
      );
    }
    throw error;
  }
}

/**
 * Opens the database and checks its integrity: `PRAGMA quick_check` reads every page, so a
 * damaged file stops the start with a message instead of failing requests at random later. It
 * costs one read of the file at start (about a second per few hundred MB).
 */
function openChecked(file: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (error) {
    throw asOpenError(error, file);
  }
  try {
    db.pragma('journal_mode = WAL');
    if (file !== ':memory:') {
      const verdict = db.pragma('quick_check', { simple: true });
      if (verdict !== 'ok') throw new StoreOpenError('corrupt', corruptMessage(file, String(verdict)));
    }
    return db;
  } catch (error) {
    db.close();
    throw asOpenError(error, file);
  }
}

function corruptMessage(file: string, detail: string): string {
  return `the database file ${file} is damaged (${detail.replace(/\s*\n\s*/g, '; ').slice(0, 300)}). Stop here: restore it from a backup, or move it aside to start empty (README, "Deploying").`;
}

function asOpenError(error: unknown, file: string): unknown {
  if (error instanceof StoreOpenError) return error;
  if (isStoreCorrupt(error)) return new StoreOpenError('corrupt', corruptMessage(file, String((error as Error).message)));
  return error;
}

// ---------------------------------------------------------------------------------------------
// Health (issue 8): /healthz asks whether the tables can really be read and written.

const HEALTH_CACHE_MS = 1000;

/**
 * Reads the newest row of every table (the path from each B-tree's root to its last leaf) and
 * commits a write to the update log, checkpoint and workshop tables that is removed in the same
 * transaction: an 8 KiB row needs fresh pages, so a full file or disk fails here as an append
 * would. The answer is kept for a second, so a client polling /healthz cannot turn it into a
 * stream of disk writes.
 */
function createHealthCheck(db: Database.Database) {
  // The newest row by each table's primary key (three of them are WITHOUT ROWID tables).
  const newestRows = [
    'SELECT * FROM updates ORDER BY doc DESC, seq DESC LIMIT 1',
    'SELECT * FROM snapshots ORDER BY doc DESC, seq DESC LIMIT 1',
    'SELECT * FROM checkpoints ORDER BY doc DESC, seq DESC LIMIT 1',
    'SELECT * FROM workshops ORDER BY id DESC LIMIT 1',
    'SELECT * FROM participants ORDER BY workshop DESC, id DESC LIMIT 1',
    'SELECT * FROM health ORDER BY id DESC LIMIT 1',
  ];
  const probe = '\u0001health-probe';
  let cached: { at: number; result: StoreHealth } | null = null;
  const run = () => {
    for (const sql of newestRows) db.prepare(sql).get();
    db.prepare('INSERT INTO updates (doc, seq, ts, participant, data) VALUES (?, 0, 0, NULL, zeroblob(8192))').run(probe);
    db.prepare('DELETE FROM updates WHERE doc = ?').run(probe);
    db.prepare('INSERT INTO checkpoints (doc, seq, ts, state) VALUES (?, 0, 0, zeroblob(8192))').run(probe);
    db.prepare('DELETE FROM checkpoints WHERE doc = ?').run(probe);
    db.prepare("INSERT INTO workshops (id, created_at, participant_key_hash, observer_key_hash) VALUES (?, 0, '', '')").run(probe);
    db.prepare('DELETE FROM workshops WHERE id = ?').run(probe);
    db.prepare('INSERT OR REPLACE INTO health (id, ts) VALUES (1, ?)').run(Date.now());
  };
  return {
    async check(): Promise<StoreHealth> {
      if (!db.open) return { ok: false, problem: 'the store is closed' };
      const now = Date.now();
      if (cached && now - cached.at < HEALTH_CACHE_MS) return cached.result;
      let result: StoreHealth;
      try {
        db.transaction(run)();
        result = { ok: true };
      } catch (error) {
        result = { ok: false, problem: String((error as Error)?.message ?? error) };
      }
      cached = { at: now, result };
      return result;
    },
  };
}

/**
 * Once any operation has met a damaged page, the store stays unhealthy until restarted: the
 * damage does not go away, and /healthz must not say 200 because its own probe rows happened to
 * land on good pages.
 */
function withCorruptionWatch(adapter: DocStore & { checkHealth(): Promise<StoreHealth> }): DocStore {
  let corruption: string | null = null;
  const watched = {} as Record<string, unknown>;
  for (const [name, method] of Object.entries(adapter) as Array<[string, (...args: unknown[]) => Promise<unknown>]>) {
    watched[name] = async (...args: unknown[]) => {
      try {
        return await method(...args);
      } catch (error) {
        if (isStoreCorrupt(error)) corruption ??= String((error as Error).message);
        throw error;
      }
    };
  }
  const checkHealth = async (): Promise<StoreHealth> => {
    if (corruption) return { ok: false, problem: `database damaged: ${corruption}` };
    const result = await adapter.checkHealth();
    if (!result.ok && /malformed|not a database|corrupt/i.test(result.problem)) corruption = result.problem;
    return result;
  };
  return { ...(watched as unknown as DocStore), checkHealth, isWritable: async () => (await checkHealth()).ok };
}

// ---------------------------------------------------------------------------------------------
// History (issue 8): pages bounded in bytes, and checkpoints bounded per document.

function historyQueries(db: Database.Database): Pick<DocStore, 'readWorkshopLogPage' | 'pruneCheckpoints'> {
  // The same order and filters as `workshopLogPage`, but the keys and sizes only: `length(data)`
  // is read from the record header, so sorting a churned log never drags its bytes along.
  const pageKeys = db.prepare<[string, string, number, string, number, string, string, number], { doc: string; seq: number; ts: number; participant: string | null; size: number }>(
    `SELECT doc, seq, ts, participant, length(data) AS size FROM updates
     WHERE doc >= ? AND doc < ? AND (ts, doc, seq) > (?, ?, ?) AND (doc NOT GLOB ? OR doc = ?)
     ORDER BY ts, doc, seq LIMIT ?`,
  );
  const updateData = db.prepare<[string, number], { data: Buffer }>('SELECT data FROM updates WHERE doc = ? AND seq = ?');
  const thinCheckpoints = db.prepare('DELETE FROM checkpoints WHERE doc = ? AND seq % ? != 0');

  return {
    async readWorkshopLogPage({ workshopId, after, limit, draftsOf, maxBytes }) {
      if (!/^[0-9A-Za-z]{16}$/.test(workshopId)) return { entries: [], more: false };
      const from = after ?? { ts: Number.MIN_SAFE_INTEGER, docName: '', seq: 0 };
      const ownDrafts = draftsOf === null ? '' : `${workshopId}/drafts/${draftsOf}`;
      const keys = pageKeys.all(workshopId, `${workshopId}0`, from.ts, from.docName, from.seq, `${workshopId}/drafts/*`, ownDrafts, limit + 1);
      const entries: LoggedUpdate[] = [];
      let bytes = 0;
      for (const key of keys) {
        if (entries.length === limit || (entries.length > 0 && bytes + key.size > maxBytes)) return { entries, more: true };
        const row = updateData.get(key.doc, key.seq);
        if (!row) break; // cannot happen: the log is append-only
        bytes += key.size;
        entries.push(toLogged({ doc: key.doc, seq: key.seq, ts: key.ts, participant: key.participant, data: row.data }));
      }
      return { entries, more: false };
    },
    async pruneCheckpoints(docName, keepEvery) {
      if (!Number.isInteger(keepEvery) || keepEvery < 1) throw new RangeError('keepEvery: a positive integer');
      return thinCheckpoints.run(docName, keepEvery).changes;
    },
  };
}
