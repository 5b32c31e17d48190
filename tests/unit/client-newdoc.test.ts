import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { newDoc, smiClientId } from '../../client/src/sync/newDoc';

describe("the client's documents take client ids V8 keeps unboxed", () => {
  it('draws ids below 2^30, spread over the range', () => {
    const ids = Array.from({ length: 2000 }, smiClientId);
    expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < 2 ** 30)).toBe(true);
    expect(new Set(ids).size).toBeGreaterThan(1990);
    expect(Math.max(...ids)).toBeGreaterThan(2 ** 29);
  });

  it('writes updates a document with a Yjs-drawn id reads, and the two converge', () => {
    const ours = newDoc();
    const theirs = new Y.Doc();
    expect(ours.clientID).toBeLessThan(2 ** 30);
    ours.getMap('notes').set('a', 1);
    theirs.getMap('notes').set('b', 2);
    Y.applyUpdate(theirs, Y.encodeStateAsUpdate(ours));
    Y.applyUpdate(ours, Y.encodeStateAsUpdate(theirs));
    expect(theirs.getMap('notes').toJSON()).toEqual({ a: 1, b: 2 });
    expect(ours.getMap('notes').toJSON()).toEqual(theirs.getMap('notes').toJSON());
    expect(theirs.store.clients.has(ours.clientID)).toBe(true);
  });
});
