/**
 * A binary WebSocket message as the server puts it on the wire (RFC 6455: final, opcode 2, not
 * masked), header and payload in one Buffer — built once per frame object, however many sockets
 * it goes to. A room hands the same frame to every recipient in one loop (codec.ts `muxDocFrame`
 * keeps it the same object for mux sockets too), so the fan-out writes the same bytes to each
 * socket instead of having `ws` frame the message again for every recipient (a header, an options
 * object, two writes). Only for sockets without extensions (no permessage-deflate, which this
 * server never enables) and never while `ws` could have frames queued (it queues only while
 * compressing or reading a Blob, neither of which happens here).
 */
let lastPayload: Uint8Array | null = null;
let lastFrame: Buffer = Buffer.alloc(0);

export function wsBinaryFrame(payload: Uint8Array): Buffer {
  if (payload === lastPayload) return lastFrame;
  const length = payload.byteLength;
  const headerBytes = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerBytes + length);
  frame[0] = 0x82;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.set(payload, headerBytes);
  lastPayload = payload;
  lastFrame = frame;
  return frame;
}
