import * as Y from 'yjs';
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

/**
 * The document's schema version: an integer, else null (unversioned). Whatever else a client
 * wrote there (a string, a fraction, an object) reads as null and is re-stamped by `migrate`;
 * a huge integer reads as a version from the future and is refused by `migrate`.
 */
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
  if (doc.getMap<unknown>(ROOT.meta).get('schemaVersion') instanceof Y.AbstractType) {
    // Re-stamping would delete the nested type, and Yjs deletes nested types recursively: a
    // hostile nesting a hundred thousand deep would overflow the stack. Refuse the document.
    throw new ArvoError('invalid-input', 'document meta.schemaVersion holds a nested type: the document cannot be read');
  }
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
