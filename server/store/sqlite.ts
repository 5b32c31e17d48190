import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { Checkpoint, DocStore, LoggedUpdate, MembershipRecord, NewUpdate, ParticipantRecord, Snapshot } from './port';

export interface SqliteOptions {
  /** A file path, or ':memory:' for tests of the contract alone. */
  file: string;
  synchronous: 'NORMAL' | 'FULL';
  /** Caps the database size in pages; used by tests to reach SQLITE_FULL for real. */
  maxPages?: number | undefined;
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
-- Replay checkpoints: document states beside the log, kept (unlike snapshots, never pruned).
CREATE TABLE IF NOT EXISTS checkpoints (
  doc TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  state BLOB NOT NULL,
  PRIMARY KEY (doc, seq)
) WITHOUT ROWID;
`;

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
  const db = new Database(options.file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous}`);
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  addMembershipColumns(db);
  if (options.maxPages) db.pragma(`max_page_count = ${options.maxPages}`);

  const lastSeq = db.prepare<[string], { seq: number | null }>('SELECT MAX(seq) AS seq FROM updates WHERE doc = ?');
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

  const touchHealth = db.prepare('INSERT OR REPLACE INTO health (id, ts) VALUES (1, ?)');
  const insertProbe = db.prepare('INSERT INTO health (id, ts, probe) VALUES (2, 0, zeroblob(8192))');
  const deleteProbe = db.prepare('DELETE FROM health WHERE id = 2');
  const probeSpace = db.transaction(() => {
    insertProbe.run();
    deleteProbe.run();
  });
  let lastAppendFailed = false;

  // Sequence numbers are cached per document: one process owns a document while it is loaded.
  const seqCache = new Map<string, number>();
  const nextSeq = (doc: string) => {
    const current = seqCache.get(doc) ?? lastSeq.get(doc)?.seq ?? 0;
    return current + 1;
  };

  const appendBatch = db.transaction((batch: readonly NewUpdate[]) => {
    return batch.map((u) => {
      const seq = nextSeq(u.docName);
      insertUpdate.run(u.docName, seq, u.ts, u.participantId, u.update);
      seqCache.set(u.docName, seq);
      return seq;
    });
  });

  const addParticipantTx = (p: ParticipantRecord) => insertParticipant.run(p.workshopId, p.participantId, p.role, p.actorId, p.name, p.createdAt);

  return {
    async appendUpdates(batch) {
      if (batch.length === 0) return [];
      try {
        const seqs = appendBatch(batch);
        lastAppendFailed = false;
        return seqs;
      } catch (error) {
        lastAppendFailed = true;
        // The transaction rolled back: forget cached sequence numbers it may have advanced.
        for (const u of batch) seqCache.delete(u.docName);
        throw error;
      }
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
      try {
        if (!lastAppendFailed) {
          touchHealth.run(Date.now());
          return true;
        }
        // After a failed append (disk full?), prove that a page-sized write fits again.
        probeSpace();
        lastAppendFailed = false;
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
