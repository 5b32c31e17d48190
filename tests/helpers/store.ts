import Database from 'better-sqlite3';
import path from 'node:path';

/**
 * Read-only looks into a server's SQLite file (`<dataDir>/arvo.sqlite`), for tests that must
 * prove what was — or was not — stored. Each call opens and closes its own connection, so no
 * handle outlives the check (the server keeps the file in WAL mode; readers never block it).
 */
function withStore<T>(dataDir: string, read: (db: Database.Database) => T): T {
  const db = new Database(path.join(dataDir, 'arvo.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Rows in the update log for one document. */
export function countUpdates(dataDir: string, docName: string): number {
  return withStore(dataDir, (db) => (db.prepare('SELECT COUNT(*) AS n FROM updates WHERE doc = ?').get(docName) as { n: number }).n);
}

/**
 * How many stored rows of one document (update log and snapshots) contain `text` as UTF-8 bytes.
 * Yjs writes strings (map keys and JSON values) verbatim, so a unique marker string in an edit
 * is found here exactly when that edit was stored.
 */
export function storedRowsContaining(dataDir: string, docName: string, text: string): number {
  const needle = Buffer.from(text, 'utf8');
  return withStore(dataDir, (db) => {
    const updates = db.prepare('SELECT data FROM updates WHERE doc = ?').all(docName) as Array<{ data: Buffer }>;
    const snapshots = db.prepare('SELECT data FROM snapshots WHERE doc = ?').all(docName) as Array<{ data: Buffer }>;
    return [...updates, ...snapshots].filter((row) => row.data.includes(needle)).length;
  });
}
