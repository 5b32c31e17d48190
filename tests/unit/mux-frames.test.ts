import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMux, encodeMux, MAX_FOLLOW_ENTRIES, type MuxMessage } from '../../shared/protocol/mux';

/**
 * The /mux framing (shared/protocol/mux.ts), the workshop channel's frames included: every kind
 * survives a round trip, and bytes that are not a whole frame are refused with an Error (the
 * server's handler turns that into close code 4422), never accepted half-read.
 */
const bytes = fc.uint8Array({ maxLength: 40 });
const name = fc.string({ maxLength: 60 });
const message: fc.Arbitrary<MuxMessage> = fc.oneof(
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
        if (m.kind !== 'follow' && m.kind !== 'batch' && m.kind !== 'following' && m.kind !== 'unfollowed') return;
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
