import * as Y from 'yjs';

/**
 * Keeps a document's values from holding memory they do not use.
 *
 * Yjs decodes every value of a map (a note's x, y, text, …) as a ContentAny whose array is built
 * by `push` onto an empty array, and V8 gives such an array room for 17 elements: 76 bytes for the
 * one value it holds, against 12 for an array of the right length. The facilitator's tab holds
 * about 16,000 such values for 2,000 notes — 1 MiB of its heap (measured with a heap snapshot,
 * docs/client-benchmark.md). After each transaction, the values it added get arrays of their
 * exact length (the same values; only the spare room goes). This walks only the new structs.
 */
export function keepCompact(doc: Y.Doc): () => void {
  const after = (transaction: Y.Transaction) => {
    transaction.afterState.forEach((clock, client) => {
      const before = transaction.beforeState.get(client) ?? 0;
      if (clock <= before) return;
      const structs = doc.store.clients.get(client);
      if (!structs) return;
      for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
        const struct = structs[i]!;
        if (struct instanceof Y.Item && struct.content instanceof Y.ContentAny) struct.content.arr = struct.content.arr.slice();
      }
    });
  };
  doc.on('afterTransaction', after);
  return () => doc.off('afterTransaction', after);
}
