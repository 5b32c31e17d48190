import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { keepCompact } from '../../client/src/sync/compact';

/**
 * keepCompact (client/src/sync/compact.ts) gives decoded values arrays of their exact length; what
 * it saves is heap (docs/client-benchmark.md). What must hold: nothing a reader or a peer sees
 * changes — the same content, the same encoded state, and later edits (which split and merge those
 * values) still converge.
 */
function values(doc: Y.Doc): Array<unknown[]> {
  const out: Array<unknown[]> = [];
  for (const structs of doc.store.clients.values()) for (const s of structs) if (s instanceof Y.Item && s.content instanceof Y.ContentAny) out.push(s.content.arr);
  return out;
}

const json = (doc: Y.Doc) => ({ notes: doc.getMap('notes').toJSON(), list: doc.getArray('list').toJSON() });

describe('keepCompact', () => {
  it('changes nothing a reader or a peer sees, and edits after it converge', () => {
    const source = new Y.Doc();
    const compacted = new Y.Doc();
    const plain = new Y.Doc();
    const release = keepCompact(compacted);
    const relay = (update: Uint8Array, origin: unknown) => {
      if (origin === 'peer') return;
      Y.applyUpdate(compacted, update, 'peer');
      Y.applyUpdate(plain, update, 'peer');
    };
    source.on('update', relay);
    const notes = source.getMap<Y.Map<unknown>>('notes');
    const list = source.getArray<unknown>('list');
    for (let i = 0; i < 50; i++) {
      source.transact(() => {
        const note = new Y.Map<unknown>();
        notes.set(`n${i}`, note);
        note.set('text', `note ${i}`);
        note.set('x', i * 10);
        note.set('tags', ['a', { b: i }]);
      });
    }
    // Several values in one struct (an array push), then an insert in its middle: the struct splits.
    list.push([1, 2, 3, 4, 5, 6]);
    list.insert(3, ['middle']);
    notes.get('n3')!.set('x', 999);
    notes.delete('n4');

    const arrays = values(compacted);
    expect(arrays.length).toBeGreaterThan(100);
    expect(json(compacted)).toEqual(json(source));
    expect(Y.encodeStateAsUpdate(compacted)).toEqual(Y.encodeStateAsUpdate(plain));

    // The compacted replica edits too (splitting a compacted struct), and everyone converges.
    compacted.getArray<unknown>('list').insert(1, ['from the replica']);
    compacted.getMap<Y.Map<unknown>>('notes').get('n5')!.set('text', 'edited');
    Y.applyUpdate(source, Y.encodeStateAsUpdate(compacted), 'peer');
    Y.applyUpdate(plain, Y.encodeStateAsUpdate(compacted), 'peer');
    expect(json(source)).toEqual(json(compacted));
    expect(json(plain)).toEqual(json(compacted));
    expect(compacted.getArray('list').toArray()).toEqual([1, 'from the replica', 2, 3, 'middle', 4, 5, 6]);

    release();
    const before = values(compacted).length;
    source.getMap('notes').set('later', 1);
    expect(values(compacted).length).toBe(before + 1);
    expect(json(compacted)).toEqual(json(source));
  });
});
