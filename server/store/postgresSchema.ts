import type { Pool } from 'pg';
import { StoreOpenError } from './errors';

/**
 * The PostgreSQL schema, as ordered, append-only migrations (docs/postgres.md describes it).
 *
 * Every process runs `migrate` at start. The migrations run inside one transaction that first
 * takes a transaction-scoped advisory lock, so processes started together apply them once, one
 * after another: the first applies, the others wait and then find nothing left to do. DDL is
 * transactional in PostgreSQL, so a failed migration leaves the schema as it was.
 *
 * Identifiers and document names are `COLLATE "C"` (byte order), as in SQLite: a workshop's
 * documents are the range [id, id + '0') only in byte order ('/' sorts just below '0'), and
 * listing order must not depend on the server's locale.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema: update log, per-document counters, snapshots, checkpoints, workshops, participants, leases, health',
    sql: `
CREATE TABLE updates (
  doc TEXT COLLATE "C" NOT NULL,
  seq BIGINT NOT NULL,
  ts BIGINT NOT NULL,
  participant TEXT COLLATE "C",
  data BYTEA NOT NULL,
  PRIMARY KEY (doc, seq)
);
-- The last sequence number given per document. Appends take its row lock for the length of
-- their transaction, so two writers on one document are numbered one after the other, without
-- gaps (a rolled-back append rolls its increment back too).
CREATE TABLE doc_seqs (
  doc TEXT COLLATE "C" PRIMARY KEY,
  last_seq BIGINT NOT NULL
);
-- The newest snapshot per document only: a write never replaces a newer one (see writeSnapshot).
CREATE TABLE snapshots (
  doc TEXT COLLATE "C" PRIMARY KEY,
  seq BIGINT NOT NULL,
  ts BIGINT NOT NULL,
  data BYTEA NOT NULL
);
-- Replay checkpoints: a cache of the log, thinned per document (pruneCheckpoints).
CREATE TABLE checkpoints (
  doc TEXT COLLATE "C" NOT NULL,
  seq BIGINT NOT NULL,
  ts BIGINT NOT NULL,
  state BYTEA NOT NULL,
  PRIMARY KEY (doc, seq)
);
CREATE TABLE workshops (
  id TEXT COLLATE "C" PRIMARY KEY,
  created_at BIGINT NOT NULL,
  participant_key_hash TEXT NOT NULL,
  observer_key_hash TEXT NOT NULL,
  join_keys_sealed TEXT,
  recovery_hash TEXT
);
CREATE TABLE participants (
  workshop TEXT COLLATE "C" NOT NULL REFERENCES workshops(id),
  id TEXT COLLATE "C" NOT NULL,
  role TEXT NOT NULL,
  actor TEXT COLLATE "C",
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  token_epoch INTEGER NOT NULL DEFAULT 0,
  removed_at BIGINT,
  PRIMARY KEY (workshop, id)
);
-- Workshop ownership (issue 11): one owner process at a time; epoch = fencing token.
CREATE TABLE leases (
  workshop_id TEXT COLLATE "C" PRIMARY KEY,
  owner TEXT NOT NULL,
  address TEXT NOT NULL,
  epoch BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE TABLE health (
  id INTEGER PRIMARY KEY,
  ts BIGINT NOT NULL
);
`,
  },
];

/** Any constant: it names "Arvo's schema" among the advisory locks of this database. */
const MIGRATION_LOCK = 0x4172766f;

/** Applies the migrations not yet applied; returns the versions it applied (empty: already current). */
export async function migrate(pool: Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    const applied = new Set(rows.map((r) => r.version));
    const known = Math.max(0, ...migrations.map((m) => m.version));
    const newest = Math.max(0, ...applied);
    if (newest > known) {
      throw new StoreOpenError(
        'incompatible',
        `the database's schema is at version ${newest}, newer than this Arvo knows (${known}): a newer Arvo has used it. Run that version, or a database of its own.`,
      );
    }
    const done: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      done.push(migration.version);
    }
    await client.query('COMMIT');
    return done;
  } catch (error) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release(failed);
  }
}
