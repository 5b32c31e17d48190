/**
 * Typed transaction origins. Every `doc.transact` in Arvo names who made the change, so that
 * undo tracks only the user's own edits (client) and the store knows who wrote what (server).
 */
export type TransactionOrigin =
  | { readonly kind: 'local' }
  | { readonly kind: 'migration' }
  | { readonly kind: 'server'; readonly reason: string }
  | { readonly kind: 'round-engine' };

export const LOCAL_ORIGIN: TransactionOrigin = Object.freeze({ kind: 'local' });
export const MIGRATION_ORIGIN: TransactionOrigin = Object.freeze({ kind: 'migration' });
export const serverOrigin = (reason: string): TransactionOrigin => Object.freeze({ kind: 'server', reason });
