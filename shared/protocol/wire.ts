/**
 * The wire protocol: y-websocket's message kinds (so a stock WebsocketProvider works) and
 * Arvo's named close codes. Every refusal has a code here, in one place, shared by both sides.
 */
export const PROTOCOL_VERSION = 1;

export const MessageType = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
} as const;

/** Close codes 4000–4999 are for applications (RFC 6455 §7.4.2). Modelled on HTTP statuses. */
export const CloseCode = {
  badRequest: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  unknownDocument: 4404,
  /** The facilitator removed this participant: the client says so and does not reconnect. */
  removed: 4410,
  tooLarge: 4413,
  unknownMessageType: 4415,
  malformedMessage: 4422,
  invalidUpdate: 4423,
  schemaTooNew: 4426,
  /** A stored document that cannot be loaded (its content is damaged); refused on its own. */
  documentUnreadable: 4427,
  rateLimited: 4429,
  internalError: 4500,
  storeUnavailable: 4503,
  shuttingDown: 4504,
} as const;
export type CloseCodeName = keyof typeof CloseCode;

/** Reasons sent with the y-protocols permission-denied message (the connection stays open). */
export const DenyReason = {
  readOnly: 'read-only: this connection may not write this document',
  documentTooLarge: 'document-too-large: the document has reached its size limit',
  wallLocked: 'wall-locked: the facilitator has locked the wall',
  quotaExceeded: 'quota-exceeded: too much written in the last minute; try again shortly',
} as const;

/** Close reasons the client recognises (beside the code) to explain a refusal in words. */
export const CloseReason = {
  removed: 'removed: the facilitator removed you from this workshop',
  tokenExpired: 'token expired: join again',
  tokenRevoked: 'token revoked: join again',
} as const;

/**
 * The reason sent when the server's content check (shared/validate) refuses an update: the
 * update breaks the document's schema, or refers to something the server does not have.
 */
export const invalidContentReason = (why: string) => `invalid-content: ${why}`;
