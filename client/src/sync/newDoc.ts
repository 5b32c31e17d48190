import * as Y from 'yjs';

/** 2^30: V8 keeps integers below it unboxed (Smis); Yjs accepts any uint32 as a client id. */
const SMI_CLIENT_IDS = 2 ** 30;

/**
 * A document this tab writes, with a client id below 2^30. Every item a client writes carries its
 * id (Yjs picks a random uint32); at 2^30 and above, V8 boxes the number in each item's ID, which
 * every tab that loads the document then holds (12 bytes per item, about 0.25 MiB on a wall of
 * 2,000 notes). A collision between two writers of a document stays as unlikely as Yjs's own ids
 * make it (Yjs renews a colliding id itself).
 */
export function newDoc(): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = smiClientId();
  return doc;
}

export function smiClientId(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0]! % SMI_CLIENT_IDS;
}
