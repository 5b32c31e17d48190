/**
 * Store failures that are the server's condition rather than the request's: the disk is full,
 * the file cannot be written or read, another connection holds the lock. The HTTP API answers
 * them with 503 and Retry-After (server/http/json.ts); the relay closes with 4503.
 *
 * better-sqlite3 throws a SqliteError whose `code` is SQLite's extended result code name
 * (SQLITE_FULL, SQLITE_IOERR_WRITE, …). A networked adapter would add its own codes here.
 */
const UNAVAILABLE = /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|NOMEM|PROTOCOL)/;
const CORRUPT = /^SQLITE_(CORRUPT|NOTADB)/;

const codeOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
};

/** Also when the store's error is the `cause` of another (a room that could not store a change). */
export function isStoreUnavailable(error: unknown, depth = 0): boolean {
  const code = codeOf(error);
  if (UNAVAILABLE.test(code) || CORRUPT.test(code)) return true;
  const cause = (error as { cause?: unknown } | null)?.cause;
  return depth < 4 && cause !== undefined && isStoreUnavailable(cause, depth + 1);
}

/** The database file is damaged: nothing will work until it is restored (see README, "Deploying"). */
export function isStoreCorrupt(error: unknown): boolean {
  return CORRUPT.test(codeOf(error));
}
