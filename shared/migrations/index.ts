import type * as Y from 'yjs';
import { ArvoError } from '../errors';
import { MIGRATION_ORIGIN } from '../origins';
import { ROOT, type DocKind } from '../schema/layout';

/**
 * Ordered, append-only list of schema migrations. Never edit or reorder a released entry: add a
 * new one. Each runs at most once per document, inside one transaction with origin 'migration'
 * (the server persists the result like any other update).
 */
export interface Migration {
  version: number;
  name: string;
  up(doc: Y.Doc, kind: DocKind): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial layout',
    up() {
      // Version 1 is the first released layout; documents without a version are taken as it.
    },
  },
  {
    version: 2,
    name: 'session lock and workshop phase',
    up(doc, kind) {
      if (kind !== 'room') return;
      const meta = doc.getMap<unknown>(ROOT.meta);
      const session = doc.getMap<unknown>(ROOT.session);
      if (!meta.has('phase')) meta.set('phase', 'setup');
      if (!session.has('locked')) session.set('locked', false);
      if (!session.has('round')) session.set('round', null);
      if (!session.has('focus')) session.set('focus', null);
    },
  },
];

export const CURRENT_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function schemaVersionOf(doc: Y.Doc): number | null {
  const version = doc.getMap<unknown>(ROOT.meta).get('schemaVersion');
  return typeof version === 'number' && Number.isInteger(version) ? version : null;
}

function isEmpty(doc: Y.Doc): boolean {
  return doc.store.clients.size === 0;
}

export interface MigrationResult {
  from: number | null;
  to: number;
  applied: string[];
}

/**
 * Brings a document to the current schema. An empty document is stamped with the current
 * version and nothing else (it is new). A document newer than this code is refused: writing to
 * it with old code could lose fields the newer code relies on.
 */
export function migrate(doc: Y.Doc, kind: DocKind): MigrationResult {
  const from = schemaVersionOf(doc);
  if (from !== null && from > CURRENT_SCHEMA_VERSION) {
    throw new ArvoError(
      'schema-too-new',
      `document schema version ${from} is newer than this server understands (${CURRENT_SCHEMA_VERSION}); upgrade Arvo`,
    );
  }
  if (from === CURRENT_SCHEMA_VERSION) return { from, to: from, applied: [] };
  const applied: string[] = [];
  const empty = isEmpty(doc);
  doc.transact(() => {
    if (!empty) {
      for (const migration of MIGRATIONS) {
        if (migration.version <= (from ?? 0)) continue;
        migration.up(doc, kind);
        applied.push(migration.name);
      }
    }
    doc.getMap<unknown>(ROOT.meta).set('schemaVersion', CURRENT_SCHEMA_VERSION);
  }, MIGRATION_ORIGIN);
  return { from, to: CURRENT_SCHEMA_VERSION, applied };
}
