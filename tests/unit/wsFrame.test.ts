import { describe, expect, it } from 'vitest';
// ws's own framing, as `ws.send` would put a server's binary message on the wire.
import * as ws from 'ws';
import { wsBinaryFrame } from '../../server/relay/wsFrame';

const viaWs = (payload: Uint8Array) =>
  Buffer.concat((ws as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } }).Sender.frame(Buffer.from(payload), { fin: true, opcode: 2, mask: false, readOnly: true, rsv1: false }));

describe('wsBinaryFrame', () => {
  it.each([0, 1, 125, 126, 127, 65535, 65536, 70000])('a payload of %i bytes is framed byte for byte as ws frames it', (size) => {
    const payload = Uint8Array.from({ length: size }, (_, i) => (i * 7 + size) % 256);
    expect(Buffer.compare(wsBinaryFrame(payload), viaWs(payload))).toBe(0);
  });

  it('the same payload object is framed once; another object with the same bytes gets its own frame', () => {
    const payload = Uint8Array.of(1, 2, 3);
    const first = wsBinaryFrame(payload);
    expect(wsBinaryFrame(payload)).toBe(first);
    const copy = Uint8Array.of(1, 2, 3);
    const other = wsBinaryFrame(copy);
    expect(other).not.toBe(first);
    expect(Buffer.compare(other, first)).toBe(0);
  });
});
