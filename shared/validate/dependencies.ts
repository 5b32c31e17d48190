import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { invalid, missing, type Refusal } from './verdict';

export type Struct = Y.Item | Y.GC | Y.Skip;
export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

/** How an update would integrate into a document, when nothing in it is missing. */
export interface Plan {
  /** Indices into `structs` of the structs the document does not have yet, dependencies first. */
  order: number[];
  /** Per client, the indices of its structs in clock order. */
  byClient: Map<number, number[]>;
  /** Per client, the clock up to which the document plus the update cover it without a gap. */
  end: Map<number, number>;
}

/**
 * Refuses an update that Yjs could not integrate completely: one whose structs or deletions
 * depend on something neither the document nor the update itself has. Yjs would keep such
 * parts in `store.pendingStructs` / `pendingDs` — unstored, unrelayed, unbounded — and retry
 * them on every later update. The conditions mirror `integrateStructs` and `readAndApplyDeleteSet`:
 *  - each client's structs continue the document's clock for that client without a gap
 *    (a Skip over clocks the document lacks is a gap);
 *  - every origin, right origin and parent ID is in the document (below its state for that
 *    client) or in a struct of this update (not a Skip), and the update's own references form
 *    no cycle (an ID of the writer's own client must be an earlier clock);
 *  - every deleted range lies below the document's or the update's clock for its client.
 * Linear in the update's size (plus a binary search per cross-client reference).
 */
export function planIntegration(doc: Y.Doc, update: Uint8Array, decoded: DecodedUpdate): Plan | Refusal {
  const { structs } = decoded;
  const byClient = new Map<number, number[]>();
  let lastClient: number | null = null;
  for (let i = 0; i < structs.length; i++) {
    const struct = structs[i]!;
    if (struct.length < 1) return invalid('an empty struct');
    const { client } = struct.id;
    if (client !== lastClient) {
      // Yjs keeps only the last group of a client listed twice: what we checked would not be what it applies.
      if (byClient.has(client)) return invalid(`client ${client} listed twice`);
      byClient.set(client, []);
      lastClient = client;
    }
    byClient.get(client)!.push(i);
  }
  // An empty group, or a client's second group right after its first, also replaces the client's
  // structs in Yjs; honest encoders write one non-empty group per client.
  if (decoding.readVarUint(decoding.createDecoder(update)) !== byClient.size) return invalid('client groups do not match the header (a client listed twice, or an empty group)');

  const end = new Map<number, number>();
  const isNew = new Uint8Array(structs.length);
  for (const [client, indices] of byClient) {
    const known = Y.getState(doc.store, client);
    let covered = known;
    for (const i of indices) {
      const struct = structs[i]!;
      if (struct instanceof Y.Skip) continue;
      if (struct.id.clock > covered) return missing(`clock gap for client ${client} (have ${covered}, got ${struct.id.clock})`);
      covered = Math.max(covered, struct.id.clock + struct.length);
      if (struct.id.clock + struct.length > known) isNew[i] = 1;
    }
    end.set(client, covered);
  }

  const locate = (id: Y.ID): number | null => {
    const indices = byClient.get(id.client);
    if (!indices) return null;
    let low = 0;
    let high = indices.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const struct = structs[indices[mid]!]!;
      if (id.clock < struct.id.clock) high = mid - 1;
      else if (id.clock >= struct.id.clock + struct.length) low = mid + 1;
      else return struct instanceof Y.Skip ? null : indices[mid]!;
    }
    return null;
  };

  // Edges: a struct depends on the previous new struct of its client and on every struct of this
  // update that holds one of its foreign references.
  // Only new structs get an edge list: a reconnect resends many structs the document already has.
  const edges: Array<number[] | undefined> = new Array<number[] | undefined>(structs.length);
  for (const indices of byClient.values()) {
    let previous = -1;
    for (const i of indices) {
      if (!isNew[i]) continue;
      const own: number[] = (edges[i] = previous >= 0 ? [previous] : []);
      previous = i;
      const struct = structs[i]!;
      if (!(struct instanceof Y.Item)) continue;
      const parentId = struct.parent instanceof Y.ID ? struct.parent : null;
      for (const ref of [struct.origin, struct.rightOrigin, parentId]) {
        if (ref === null) continue;
        if (ref.client === struct.id.client) {
          if (ref.clock >= struct.id.clock) return invalid('a reference to a later clock of the same client');
          continue; // earlier clocks of the same client are in the document or precede it here
        }
        if (ref.clock < Y.getState(doc.store, ref.client)) continue;
        const holder = locate(ref);
        if (holder === null) return missing(`refers to ${ref.client}:${ref.clock}, which the server does not have`);
        own.push(holder);
      }
    }
  }

  const order = topologicalOrder(isNew, edges);
  if (order === null) return missing('the update refers to itself in a cycle');

  for (const [client, ranges] of decoded.ds.clients) {
    const limit = Math.max(Y.getState(doc.store, client), end.get(client) ?? 0);
    for (const range of ranges) {
      if (range.clock + range.len > limit) return missing(`deletes ${client}:${range.clock}+${range.len}, which the server does not have`);
    }
  }
  return { order, byClient, end };
}

/** Dependencies first (iterative depth-first post-order); null when the edges form a cycle. */
function topologicalOrder(isNew: Uint8Array, edges: Array<number[] | undefined>): number[] | null {
  const state = new Uint8Array(isNew.length); // 0 unseen, 1 on the path, 2 done
  const order: number[] = [];
  const stack: Array<{ node: number; next: number }> = [];
  for (let start = 0; start < isNew.length; start++) {
    if (!isNew[start] || state[start]) continue;
    stack.push({ node: start, next: 0 });
    state[start] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const targets = edges[top.node] ?? [];
      if (top.next < targets.length) {
        const target = targets[top.next++]!;
        if (state[target] === 1) return null;
        if (state[target] === 0) {
          state[target] = 1;
          stack.push({ node: target, next: 0 });
        }
        continue;
      }
      state[top.node] = 2;
      order.push(top.node);
      stack.pop();
    }
  }
  return order;
}
