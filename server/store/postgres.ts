import pg from 'pg';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { StoreError, StoreOpenError } from './errors';
import { checkTtl, fencedError, fenceList } from './lease';
import { createHealthCheck } from './postgresHealth';
import { migrate } from './postgresSchema';
import type { Checkpoint, DocStore, Lease, LoggedUpdate, MembershipRecord, ParticipantRecord, StoreHealth } from './port';

/**
 * The PostgreSQL store (issue 11): the same port and contract as SQLite (server/store/sqlite.ts),
 * for several processes on one database. What differs, and why:
 * - Sequence numbers are given by the database at commit (the `doc_seqs` row of each document,
 *   locked by the append's transaction), never from a process's cache: two writers on one
 *   document are numbered one after the other, gap-free.
 * - An append is ONE statement (so one round trip and one commit) that checks the fences, takes
 *   the numbers and inserts every row: group commit per tick, with the fence inside it.
 * - A snapshot never replaces a newer one written by another process.
 * - Lease times are the database's clock, the one clock every process shares.
 * - Failures that are the server's condition (connection lost, database down, disk full, a
 *   timeout) become a `StoreError` of kind 'unavailable'; a request's own fault (a duplicate id, a
 *   missing value) is thrown as PostgreSQL reported it.
 */
export interface PostgresOptions {
  /** postgres://USER[:PASSWORD]@HOST:PORT/DB (DATABASE_URL). */
  url: string;
  /** Connections kept at most (default 10). */
  poolSize?: number;
  /** How long a connection attempt may take before it fails (default 5000 ms). */
  connectTimeoutMs?: number;
  /** How long one query may take before it fails (default 15000 ms): a lost network fails writes instead of hanging them. */
  queryTimeoutMs?: number;
  /** Errors of idle connections (the server went away between queries); the next query reports them too. */
  onIdleError?: (error: Error) => void;
}

// BIGINT (int8) columns hold milliseconds and sequence numbers, far below 2^53: read them as numbers.
const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** The URL with its password hidden, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable DATABASE_URL)';
  }
}

// SQLSTATE classes that are the server's condition: connection (08), resources such as a full
// disk (53), operator intervention / shutdown / timeout (57), system I/O (58), serialization and
// deadlock (40), a read-only standby (25006), a lock not available (55P03). XX001/XX002: damaged data.
const UNAVAILABLE_SQLSTATE = /^(08|53|57|58|40)|^(25006|55P03|XX000)$/;
const CORRUPT_SQLSTATE = /^XX00[12]$/;

function asStoreError(error: unknown): unknown {
  if (error instanceof StoreError || error instanceof RangeError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = String((error as Error)?.message ?? error);
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    if (CORRUPT_SQLSTATE.test(code)) return new StoreError('corrupt', `PostgreSQL: ${message}`, { cause: error });
    if (UNAVAILABLE_SQLSTATE.test(code)) return new StoreError('unavailable', `PostgreSQL: ${message}`, { cause: error });
    return error; // the request's own fault: a constraint, a value
  }
  // No SQLSTATE: a socket error, a timeout, a connection ended, a pool that was closed.
  return new StoreError('unavailable', `PostgreSQL: ${message}`, { cause: error });
}

type UpdateRow = { doc: string; seq: number; ts: number; participant: string | null; data: Buffer };
type MembershipRow = { workshop: string; id: string; role: string; actor: string | null; name: string; created_at: number; token_epoch: number; removed_at: number | null };
type LeaseRow = { workshop_id: string; owner: string; address: string; epoch: number; expires_at: number };

const bytesOf = (data: Buffer) => new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
const toLogged = (row: UpdateRow): LoggedUpdate => ({ docName: row.doc, seq: row.seq, ts: row.ts, participantId: row.participant, update: bytesOf(row.data) });
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
const toLease = (row: LeaseRow): Lease => ({ workshopId: row.workshop_id, owner: row.owner, address: row.address, epoch: row.epoch, expiresAt: row.expires_at });
const asBuffer = (data: Uint8Array | null) => (data === null || data === undefined ? null : Buffer.from(data.buffer, data.byteOffset, data.byteLength));

/** The database's clock in milliseconds (clock_timestamp: the time now, not the transaction's start). */
const NOW_MS = `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`;

/**
 * One statement, one commit, for a whole batch: the fences are checked with the lease rows
 * locked FOR SHARE (a takeover's UPDATE waits for appends in flight, and an append after it sees
 * the new epoch), then every document's counter is moved on by its number of updates (its row
 * stays locked until commit; rows are locked in document order, so two writers cannot deadlock),
 * then all rows are inserted. When a fence does not hold, nothing is numbered and nothing
 * inserted: the statement returns no rows.
 */
const APPEND_SQL = `
WITH input AS (
  SELECT t.doc, t.ts, t.participant, t.data, t.ord
  FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bytea[]) WITH ORDINALITY AS t(doc, ts, participant, data, ord)
), held AS (
  SELECT count(*) AS n FROM (
    SELECT 1 FROM leases l JOIN unnest($5::text[], $6::bigint[]) AS f(workshop_id, epoch) ON l.workshop_id = f.workshop_id AND l.epoch = f.epoch
    FOR SHARE OF l
  ) locked
), counts AS (
  SELECT doc, count(*) AS n FROM input GROUP BY doc
), bumped AS (
  INSERT INTO doc_seqs AS s (doc, last_seq)
  SELECT doc, n FROM counts WHERE (SELECT n FROM held) = cardinality($5::text[]) ORDER BY doc
  ON CONFLICT (doc) DO UPDATE SET last_seq = s.last_seq + EXCLUDED.last_seq
  RETURNING s.doc, s.last_seq
), numbered AS (
  SELECT i.ord, i.doc, b.last_seq - c.n + row_number() OVER (PARTITION BY i.doc ORDER BY i.ord) AS seq, i.ts, i.participant, i.data
  FROM input i JOIN counts c ON c.doc = i.doc JOIN bumped b ON b.doc = i.doc
), inserted AS (
  INSERT INTO updates (doc, seq, ts, participant, data) SELECT doc, seq, ts, participant, data FROM numbered
)
SELECT ord, seq FROM numbered ORDER BY ord`;

/**
 * Takes the lease when it is free, expired or already ours, in one statement: ON CONFLICT locks
 * the row and evaluates the condition on its newest version, so two processes racing for one
 * workshop cannot both win. Renewal keeps the epoch; a takeover bumps it.
 */
const ACQUIRE_SQL = `
INSERT INTO leases AS l (workshop_id, owner, address, epoch, expires_at)
SELECT $1, $2, $3, 1, now.ms + $4 FROM (SELECT ${NOW_MS} AS ms) now
ON CONFLICT (workshop_id) DO UPDATE SET
  epoch = CASE WHEN l.owner = EXCLUDED.owner THEN l.epoch ELSE l.epoch + 1 END,
  owner = EXCLUDED.owner, address = EXCLUDED.address, expires_at = EXCLUDED.expires_at
WHERE l.owner = EXCLUDED.owner OR l.expires_at <= EXCLUDED.expires_at - $4
RETURNING l.workshop_id, l.owner, l.address, l.epoch, l.expires_at`;

/** A workshop's documents, in log order, drafts of anyone but `$7` left out (the keys and sizes only: see readWorkshopLogPage). */
const WORKSHOP_LOG_WHERE = `doc >= $1 AND doc < $2 AND (ts, doc, seq) > ($3, $4, $5) AND (doc NOT LIKE $6 OR doc = $7)`;

/**
 * Connects, migrates the schema (safe when several processes start at once) and returns the
 * store. PostgreSQL not answering, refusing the login or lacking the database is a
 * `StoreOpenError` of reason 'unreachable'.
 */
export async function openPostgresStore(options: PostgresOptions): Promise<DocStore> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    query_timeout: options.queryTimeoutMs ?? 15_000,
    idleTimeoutMillis: 30_000,
    application_name: 'arvo',
    keepAlive: true,
    types,
  });
  // Without a listener, an idle connection's error (the server restarted) would end the process.
  pool.on('error', (error) => options.onIdleError?.(error));
  // A connection that is checked out (between the statements of a transaction, or held by the
  // health check) is not the pool's to watch: its socket error was emitted on the client with
  // no listener and ended the process (found by tests/cluster/pg-loss.test.ts — the owner died of
  // ECONNRESET when the database went away). The statement in flight, or the next one on that
  // client, still fails with it, and the pool drops the broken client on release; the idle ones
  // are reported by the listener above.
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (error instanceof StoreOpenError) throw error;
    const code = String((error as { code?: unknown })?.code ?? '');
    // No SQLSTATE (refused, unknown host, timeout), 08 connection, 28 login, 3D000 no such database, 57P03 starting up.
    if (!/^[0-9A-Z]{5}$/.test(code) || /^(08|28|3D000|57P03)/.test(code)) {
      throw new StoreOpenError(
        'unreachable',
        `PostgreSQL at ${redactUrl(options.url)} cannot be used: ${String((error as Error)?.message ?? error) || code}. Check DATABASE_URL, that PostgreSQL runs and accepts this user, and that the database exists.`,
        { cause: error },
      );
    }
    throw error;
  }
  return createPostgresAdapter(pool);
}

function createPostgresAdapter(pool: Pool): DocStore {
  let closed = false;
  let corruption: string | null = null;

  /** Every query goes through here: failures of the server's kind become StoreErrors. */
  const connect = async (): Promise<PoolClient> => {
    if (closed) throw new StoreError('unavailable', 'the store is closed');
    try {
      return await pool.connect();
    } catch (error) {
      // Whatever stops a connection (refused, login, "not accepting connections") is the server's condition.
      throw new StoreError('unavailable', `PostgreSQL: ${String((error as Error)?.message ?? error)}`, { cause: error });
    }
  };
  const query = async <R extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> => {
    const client = await connect();
    let broken = false;
    try {
      return (await client.query<R>(sql, params)).rows;
    } catch (error) {
      const mapped = asStoreError(error);
      // A connection that failed for the server's reasons may be dead: do not hand it out again.
      broken = mapped instanceof StoreError;
      throw noteCorruption(mapped);
    } finally {
      client.release(broken);
    }
  };
  const noteCorruption = (error: unknown) => {
    if (error instanceof StoreError && error.kind === 'corrupt') corruption ??= error.message;
    return error;
  };
  /** A transaction on one connection; a connection that failed mid-way is discarded, not reused. */
  const transaction = async <T>(work: (client: PoolClient) => Promise<T>): Promise<T> => {
    const client = await connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw noteCorruption(asStoreError(error));
    } finally {
      client.release(broken);
    }
  };

  const health = createHealthCheck(pool, () => closed);
  const checkHealth = async (): Promise<StoreHealth> => (corruption ? { ok: false, problem: `database damaged: ${corruption}` } : health());
  const one = async <R extends QueryResultRow>(sql: string, params: unknown[]): Promise<R | null> => (await query<R>(sql, params))[0] ?? null;

  return {
    async appendUpdates(batch, fence) {
      const fences = fenceList(fence);
      if (batch.length === 0) return [];
      const rows = await query<{ ord: number; seq: number }>(APPEND_SQL, [
        batch.map((u) => u.docName),
        batch.map((u) => u.ts),
        batch.map((u) => u.participantId),
        batch.map((u) => asBuffer(u.update)),
        fences.map((f) => f.workshopId),
        fences.map((f) => f.epoch),
      ]);
      if (rows.length !== batch.length) {
        // Nothing was stored: a fence did not hold. Name the one that failed, for the log.
        const current = await query<{ workshop_id: string; epoch: number }>('SELECT workshop_id, epoch FROM leases WHERE workshop_id = ANY($1::text[])', [fences.map((f) => f.workshopId)]);
        const lost = fences.find((f) => current.find((c) => c.workshop_id === f.workshopId)?.epoch !== f.epoch) ?? fences[0]!;
        throw fencedError(lost.workshopId, lost.epoch, current.find((c) => c.workshop_id === lost.workshopId)?.epoch ?? null);
      }
      return rows.map((r) => r.seq);
    },
    async loadDoc(docName) {
      const row = await one<{ seq: number; ts: number; data: Buffer }>('SELECT seq, ts, data FROM snapshots WHERE doc = $1', [docName]);
      const snapshot = row ? { docName, seq: row.seq, ts: row.ts, state: bytesOf(row.data) } : null;
      const updates = await query<UpdateRow>('SELECT doc, seq, ts, participant, data FROM updates WHERE doc = $1 AND seq > $2 ORDER BY seq', [docName, snapshot?.seq ?? 0]);
      return { snapshot, updates: updates.map(toLogged) };
    },
    async writeSnapshot(snapshot) {
      // One row per document; another process's newer snapshot is kept (the WHERE of the upsert).
      await query(
        `INSERT INTO snapshots AS s (doc, seq, ts, data) VALUES ($1, $2, $3, $4)
         ON CONFLICT (doc) DO UPDATE SET seq = EXCLUDED.seq, ts = EXCLUDED.ts, data = EXCLUDED.data WHERE s.seq <= EXCLUDED.seq`,
        [snapshot.docName, snapshot.seq, snapshot.ts, asBuffer(snapshot.state)],
      );
    },
    async readLog(docName, afterSeq, limit) {
      const rows = await query<UpdateRow>('SELECT doc, seq, ts, participant, data FROM updates WHERE doc = $1 AND seq > $2 ORDER BY seq LIMIT $3', [docName, afterSeq, limit]);
      return rows.map(toLogged);
    },
    async readWorkshopLog({ workshopId, after, limit, draftsOf }) {
      if (!/^[0-9A-Za-z]{16}$/.test(workshopId)) return [];
      const rows = await query<UpdateRow>(
        `SELECT doc, seq, ts, participant, data FROM updates WHERE ${WORKSHOP_LOG_WHERE} ORDER BY ts, doc, seq LIMIT $8`,
        [...workshopLogParams(workshopId, after, draftsOf), limit],
      );
      return rows.map(toLogged);
    },
    async readWorkshopLogPage({ workshopId, after, limit, draftsOf, maxBytes }) {
      if (!/^[0-9A-Za-z]{16}$/.test(workshopId)) return { entries: [], more: false };
      // Keys and sizes first (octet_length reads a stored value's size without fetching it), then
      // the bytes of the entries that fit: a page of a churned log never drags more than maxBytes.
      const keys = await query<{ doc: string; seq: number; ts: number; participant: string | null; size: number }>(
        `SELECT doc, seq, ts, participant, octet_length(data) AS size FROM updates WHERE ${WORKSHOP_LOG_WHERE} ORDER BY ts, doc, seq LIMIT $8`,
        [...workshopLogParams(workshopId, after, draftsOf), limit + 1],
      );
      const chosen: typeof keys = [];
      let bytes = 0;
      let more = false;
      for (const key of keys) {
        if (chosen.length === limit || (chosen.length > 0 && bytes + key.size > maxBytes)) {
          more = true;
          break;
        }
        bytes += key.size;
        chosen.push(key);
      }
      if (chosen.length === 0) return { entries: [], more };
      const data = await query<{ doc: string; seq: number; data: Buffer }>(
        'SELECT u.doc, u.seq, u.data FROM updates u JOIN unnest($1::text[], $2::bigint[]) AS k(doc, seq) ON u.doc = k.doc AND u.seq = k.seq',
        [chosen.map((k) => k.doc), chosen.map((k) => k.seq)],
      );
      const byKey = new Map(data.map((row) => [`${row.seq}\u0000${row.doc}`, row.data]));
      const entries: LoggedUpdate[] = [];
      for (const key of chosen) {
        const found = byKey.get(`${key.seq}\u0000${key.doc}`);
        if (!found) break; // cannot happen: the log is append-only
        entries.push(toLogged({ doc: key.doc, seq: key.seq, ts: key.ts, participant: key.participant, data: found }));
      }
      return { entries, more };
    },
    async lastLogged(docName, atOrBefore) {
      const row =
        atOrBefore === undefined
          ? await one<{ seq: number; ts: number }>('SELECT seq, ts FROM updates WHERE doc = $1 ORDER BY seq DESC LIMIT 1', [docName])
          : await one<{ seq: number; ts: number }>('SELECT seq, ts FROM updates WHERE doc = $1 AND ts <= $2 ORDER BY seq DESC LIMIT 1', [docName, atOrBefore]);
      return row ? { seq: row.seq, ts: row.ts } : null;
    },
    async writeCheckpoint(checkpoint) {
      await query(
        `INSERT INTO checkpoints (doc, seq, ts, state) VALUES ($1, $2, $3, $4)
         ON CONFLICT (doc, seq) DO UPDATE SET ts = EXCLUDED.ts, state = EXCLUDED.state`,
        [checkpoint.docName, checkpoint.seq, checkpoint.ts, asBuffer(checkpoint.state)],
      );
    },
    async checkpointAtOrBefore(docName, seq): Promise<Checkpoint | null> {
      const row = await one<{ seq: number; ts: number; state: Buffer }>('SELECT seq, ts, state FROM checkpoints WHERE doc = $1 AND seq <= $2 ORDER BY seq DESC LIMIT 1', [docName, seq]);
      return row ? { docName, seq: row.seq, ts: row.ts, state: bytesOf(row.state) } : null;
    },
    async pruneCheckpoints(docName, keepEvery) {
      if (!Number.isInteger(keepEvery) || keepEvery < 1) throw new RangeError('keepEvery: a positive integer');
      const rows = await query<{ seq: number }>('DELETE FROM checkpoints WHERE doc = $1 AND seq % $2 <> 0 RETURNING seq', [docName, keepEvery]);
      return rows.length;
    },

    async createWorkshop(workshop, f) {
      // One statement: the workshop and its facilitator are stored together or not at all.
      await query(
        `WITH w AS (INSERT INTO workshops (id, created_at, participant_key_hash, observer_key_hash) VALUES ($1, $2, $3, $4) RETURNING id)
         INSERT INTO participants (workshop, id, role, actor, name, created_at) SELECT $5, $6, $7, $8, $9, $10 FROM w`,
        [workshop.id, workshop.createdAt, workshop.participantKeyHash, workshop.observerKeyHash, f.workshopId, f.participantId, f.role, f.actorId, f.name, f.createdAt],
      );
    },
    async getWorkshop(id) {
      const row = await one<{ id: string; created_at: number; participant_key_hash: string; observer_key_hash: string }>(
        'SELECT id, created_at, participant_key_hash, observer_key_hash FROM workshops WHERE id = $1',
        [id],
      );
      return row ? { id: row.id, createdAt: row.created_at, participantKeyHash: row.participant_key_hash, observerKeyHash: row.observer_key_hash } : null;
    },
    async addParticipant(p) {
      await query(INSERT_PARTICIPANT, participantParams(p));
    },
    async getParticipant(workshopId, participantId) {
      const row = await one<MembershipRow>(SELECT_MEMBERSHIP, [workshopId, participantId]);
      if (!row) return null;
      const { tokenEpoch: _epoch, removedAt: _removed, ...record } = toMembership(row);
      return record satisfies ParticipantRecord;
    },
    async getMembership(workshopId, participantId) {
      const row = await one<MembershipRow>(SELECT_MEMBERSHIP, [workshopId, participantId]);
      return row ? toMembership(row) : null;
    },
    async listMemberships(workshopId) {
      const rows = await query<MembershipRow>(
        'SELECT workshop, id, role, actor, name, created_at, token_epoch, removed_at FROM participants WHERE workshop = $1 ORDER BY created_at, id',
        [workshopId],
      );
      return rows.map(toMembership);
    },
    async addParticipantWithin(p, maxJoined) {
      // The workshop row is locked first (NO KEY UPDATE: plain inserts' foreign-key checks are not
      // blocked), and only then counted, in a statement of its own — so its snapshot includes every
      // join committed before the lock was granted, and concurrent joins cannot pass the cap together.
      return transaction(async (client) => {
        await client.query('SELECT 1 FROM workshops WHERE id = $1 FOR NO KEY UPDATE', [p.workshopId]);
        if (p.role !== 'facilitator') {
          const { rows } = await client.query<{ n: number }>("SELECT count(*) AS n FROM participants WHERE workshop = $1 AND role <> 'facilitator'", [p.workshopId]);
          if ((rows[0]?.n ?? 0) >= maxJoined) return false;
        }
        await client.query(INSERT_PARTICIPANT, participantParams(p));
        return true;
      });
    },
    async removeParticipant(workshopId, participantId, removedAt) {
      const row = await one<MembershipRow>(
        `UPDATE participants SET removed_at = COALESCE(removed_at, $1), token_epoch = token_epoch + 1 WHERE workshop = $2 AND id = $3
         RETURNING workshop, id, role, actor, name, created_at, token_epoch, removed_at`,
        [removedAt, workshopId, participantId],
      );
      return row ? toMembership(row) : null;
    },
    async bumpTokenEpoch(workshopId, participantId) {
      const row = await one<{ token_epoch: number }>('UPDATE participants SET token_epoch = token_epoch + 1 WHERE workshop = $1 AND id = $2 RETURNING token_epoch', [
        workshopId,
        participantId,
      ]);
      return row?.token_epoch ?? null;
    },
    async setJoinKeys(workshopId, keys) {
      await query('UPDATE workshops SET participant_key_hash = $1, observer_key_hash = $2, join_keys_sealed = $3 WHERE id = $4', [
        keys.participantKeyHash,
        keys.observerKeyHash,
        keys.sealedJoinKeys,
        workshopId,
      ]);
    },
    async getWorkshopAccess(workshopId) {
      const row = await one<{ join_keys_sealed: string | null; recovery_hash: string | null }>('SELECT join_keys_sealed, recovery_hash FROM workshops WHERE id = $1', [workshopId]);
      return row ? { sealedJoinKeys: row.join_keys_sealed, recoveryHash: row.recovery_hash } : null;
    },
    async setRecoveryHash(workshopId, recoveryHash) {
      await query('UPDATE workshops SET recovery_hash = $1 WHERE id = $2', [recoveryHash, workshopId]);
    },

    async acquireLease(workshopId, owner, address, ttlMs) {
      checkTtl(ttlMs);
      const taken = await one<LeaseRow>(ACQUIRE_SQL, [workshopId, owner, address, ttlMs]);
      if (taken) return toLease(taken);
      // Held by another owner and not expired: that lease is in force (it cannot vanish meanwhile; at most be renewed).
      const held = await one<LeaseRow>('SELECT workshop_id, owner, address, epoch, expires_at FROM leases WHERE workshop_id = $1', [workshopId]);
      if (!held) throw new StoreError('unavailable', `lease of ${workshopId}: neither taken nor held`);
      return toLease(held);
    },
    async getLease(workshopId) {
      const row = await one<LeaseRow>('SELECT workshop_id, owner, address, epoch, expires_at FROM leases WHERE workshop_id = $1', [workshopId]);
      return row ? toLease(row) : null;
    },
    async releaseLease(workshopId, owner, epoch) {
      await query(`UPDATE leases SET expires_at = LEAST(expires_at, ${NOW_MS}) WHERE workshop_id = $1 AND owner = $2 AND epoch = $3`, [workshopId, owner, epoch]);
    },

    async isWritable() {
      return (await checkHealth()).ok;
    },
    checkHealth,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

const SELECT_MEMBERSHIP = 'SELECT workshop, id, role, actor, name, created_at, token_epoch, removed_at FROM participants WHERE workshop = $1 AND id = $2';
const INSERT_PARTICIPANT = 'INSERT INTO participants (workshop, id, role, actor, name, created_at) VALUES ($1, $2, $3, $4, $5, $6)';
const participantParams = (p: ParticipantRecord) => [p.workshopId, p.participantId, p.role, p.actorId, p.name, p.createdAt];

/** $1..$7 of WORKSHOP_LOG_WHERE: the id range, the position after which to read, the drafts filter ('' matches no document). */
function workshopLogParams(workshopId: string, after: { ts: number; docName: string; seq: number } | null, draftsOf: string | null): unknown[] {
  const from = after ?? { ts: Number.MIN_SAFE_INTEGER, docName: '', seq: 0 };
  return [workshopId, `${workshopId}0`, from.ts, from.docName, from.seq, `${workshopId}/drafts/%`, draftsOf === null ? '' : `${workshopId}/drafts/${draftsOf}`];
}
