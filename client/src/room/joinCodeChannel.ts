/**
 * "Show the QR code large" between the facilitator's dock and the room screen opened from it: two
 * tabs of one browser, so a BroadcastChannel carries it and nothing is written to the workshop (the
 * join key is the facilitator's alone, never in the room document). The room screen answers with
 * its state, so the dock's button says what pressing it will do, whichever side changed it.
 */
export type JoinCodeMessage = { kind: 'show'; large: boolean } | { kind: 'state'; large: boolean } | { kind: 'ask' };

export interface JoinCodeChannel {
  send(message: JoinCodeMessage): void;
  close(): void;
}

export function joinCodeChannel(workshopId: string, receive: (message: JoinCodeMessage) => void): JoinCodeChannel {
  if (typeof BroadcastChannel === 'undefined') return { send: () => undefined, close: () => undefined };
  const channel = new BroadcastChannel(`arvo:join-code:${workshopId}`);
  channel.onmessage = (event: MessageEvent<JoinCodeMessage>) => receive(event.data);
  return { send: (message) => channel.postMessage(message), close: () => channel.close() };
}
