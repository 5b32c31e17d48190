import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/**
 * The multiplexed endpoint `/mux?token=…`: one WebSocket per browser tab carrying every
 * document of a workshop. Each frame names its document; inside a `doc` frame travels an
 * ordinary y-websocket message, under the same per-document permissions as `/ws/<doc>`.
 *
 *   open    client → server   varUint 1, varString docName
 *   close   client → server   varUint 2, varString docName
 *   doc     both ways         varUint 0, varString docName, then the y-websocket message bytes
 *   refused server → client   varUint 3, varString docName, varUint closeCode, varString reason
 */
export const MuxFrame = { doc: 0, open: 1, close: 2, refused: 3 } as const;

export type MuxMessage =
  | { kind: 'doc'; docName: string; payload: Uint8Array }
  | { kind: 'open'; docName: string }
  | { kind: 'close'; docName: string }
  | { kind: 'refused'; docName: string; code: number; reason: string };

export function encodeMux(message: MuxMessage): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MuxFrame[message.kind]);
  encoding.writeVarString(encoder, message.docName);
  if (message.kind === 'doc') encoding.writeUint8Array(encoder, message.payload);
  if (message.kind === 'refused') {
    encoding.writeVarUint(encoder, message.code);
    encoding.writeVarString(encoder, message.reason);
  }
  return encoding.toUint8Array(encoder);
}

/** Throws on a frame that is not one of the four kinds or is cut short. */
export function decodeMux(bytes: Uint8Array): MuxMessage {
  const decoder = decoding.createDecoder(bytes);
  const kind = decoding.readVarUint(decoder);
  const docName = decoding.readVarString(decoder);
  if (docName.length > 200) throw new Error('document name too long');
  switch (kind) {
    case MuxFrame.doc:
      return { kind: 'doc', docName, payload: bytes.subarray(decoder.pos) };
    case MuxFrame.open:
      return { kind: 'open', docName };
    case MuxFrame.close:
      return { kind: 'close', docName };
    case MuxFrame.refused:
      return { kind: 'refused', docName, code: decoding.readVarUint(decoder), reason: decoding.readVarString(decoder) };
    default:
      throw new Error(`unknown mux frame kind ${kind}`);
  }
}
