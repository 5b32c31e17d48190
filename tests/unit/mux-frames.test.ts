import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMux, encodeMux, MAX_FOLLOW_ENTRIES, MAX_RECORD_BYTES, MAX_RECORD_CHANGES, type MuxMessage, type RecordsDoc } from '../../shared/protocol/mux';

/**
 * The /mux framing (shared/protocol/mux.ts), the workshop channel's frames included: every kind
 * survives a round trip, and bytes that are not a whole frame are refused with an Error (the
 * server's handler turns that into close code 4422), never accepted half-read.
 */
const bytes = fc.uint8Array({ maxLength: 40 });
const name = fc.string({ maxLength: 60 });
/** What a record's value may be on the wire (the client validates it after decoding). */
const value = fc.oneof(
  fc.constant(undefined),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.string({ maxLength: 20 }),
  fc.dictionary(fc.string({ maxLength: 8 }).filter((key) => key !== '__proto__'), fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 6 }),
);
const recordsDoc: fc.Arbitrary<RecordsDoc> = fc.record({
  docName: name,
  full: fc.boolean(),
  version: fc.uint8Array({ maxLength: 16 }),
  changes: fc.array(fc.record({ root: fc.constantFrom('notes' as const, 'votes' as const), key: name, value }), { maxLength: 5 }),
});
const message: fc.Arbitrary<MuxMessage> = fc.oneof(
  fc.record({ kind: fc.constant('followRecords' as const), docName: name, entries: fc.array(fc.record({ docName: name, version: fc.uint8Array({ maxLength: 16 }) }), { maxLength: 5 }) }),
  fc.record({ kind: fc.constant('records' as const), docName: name, docs: fc.array(recordsDoc, { maxLength: 3 }) }),
  fc.record({ kind: fc.constant('doc' as const), docName: name, payload: bytes }),
  fc.record({ kind: fc.constant('open' as const), docName: name }),
  fc.record({ kind: fc.constant('close' as const), docName: name }),
  fc.record({ kind: fc.constant('refused' as const), docName: name, code: fc.nat(5000), reason: name }),
  fc.record({ kind: fc.constant('follow' as const), docName: name, entries: fc.array(fc.record({ docName: name, stateVector: bytes }), { maxLength: 5 }) }),
  fc.record({ kind: fc.constant('unfollow' as const), docName: name }),
  fc.record({ kind: fc.constant('following' as const), docName: name, documents: fc.nat(100_000) }),
  fc.record({ kind: fc.constant('unfollowed' as const), docName: name, code: fc.nat(5000), reason: name }),
  fc.record({ kind: fc.constant('batch' as const), docName: name, entries: fc.array(fc.record({ docName: name, payload: bytes }), { maxLength: 5 }) }),
);

describe('mux frames', () => {
  it('round-trip every kind', () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(decodeMux(encodeMux(m))).toEqual(m);
      }),
    );
  });

  it('refuse a channel frame cut short or with bytes left over', () => {
    fc.assert(
      fc.property(message, fc.nat(), (m, cut) => {
        if (m.kind === 'doc' || m.kind === 'open' || m.kind === 'close' || m.kind === 'refused' || m.kind === 'unfollow') return;
        const whole = encodeMux(m);
        expect(() => decodeMux(new Uint8Array([...whole, 0]))).toThrow();
        const at = cut % whole.length;
        // A prefix is either refused or (never) read as the same frame.
        let decoded: MuxMessage | null = null;
        try {
          decoded = decodeMux(whole.subarray(0, at));
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
        }
        if (decoded) expect(decoded).not.toEqual(m);
      }),
    );
  });

  it('refuse a follow listing more documents than any workshop has', () => {
    const entries = Array.from({ length: MAX_FOLLOW_ENTRIES + 1 }, () => ({ docName: 'x', stateVector: new Uint8Array([0]) }));
    expect(() => decodeMux(encodeMux({ kind: 'follow', docName: 'w', entries }))).toThrow(/too many/);
  });

  it('refuse records past their bounds: too many for one document, a value too large, a version too long, an unknown root', () => {
    const doc = (changes: RecordsDoc['changes'], version = new Uint8Array(0)): MuxMessage => ({ kind: 'records', docName: 'w', docs: [{ docName: 'd', full: true, version, changes }] });
    const many = Array.from({ length: MAX_RECORD_CHANGES + 1 }, (_, i) => ({ root: 'votes' as const, key: `k${i}`, value: 1 }));
    expect(() => decodeMux(encodeMux(doc(many)))).toThrow(/too many/);
    expect(() => decodeMux(encodeMux(doc([{ root: 'notes', key: 'k', value: 'x'.repeat(MAX_RECORD_BYTES) }])))).toThrow(/too large/);
    expect(() => decodeMux(encodeMux(doc([], new Uint8Array(65))))).toThrow(/version/);
    expect(() => decodeMux(encodeMux({ kind: 'followRecords', docName: 'w', entries: [{ docName: 'd', version: new Uint8Array(65) }] }))).toThrow(/version/);
    const bytes = encodeMux(doc([{ root: 'votes', key: 'k', value: 1 }]));
    // …, root 1 (votes), key "k" (length 1, 0x6b), value 1 (length 2: writeAny's integer tag 125, then 1).
    expect([...bytes.subarray(-6)]).toEqual([1, 1, 0x6b, 2, 125, 1]);
    const unknownRoot = bytes.slice();
    unknownRoot[bytes.length - 6] = 7;
    expect(() => decodeMux(unknownRoot)).toThrow(/root/);
  });

  it('never throws anything but an Error on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (random) => {
        try {
          decodeMux(random);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
        }
      }),
    );
  });
});
