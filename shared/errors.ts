/**
 * One error type for everything the shared model refuses. `code` is stable and machine-readable
 * (the server maps it to HTTP statuses and the client to catalogue strings); `message` is for logs.
 */
export type ArvoErrorCode =
  | 'invalid-input'
  | 'not-found'
  | 'forbidden'
  | 'conflict'
  | 'schema-too-new'
  | 'limit-exceeded';

export class ArvoError extends Error {
  readonly code: ArvoErrorCode;
  readonly details: unknown;
  constructor(code: ArvoErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'ArvoError';
    this.code = code;
    this.details = details;
  }
}

/** For `switch` statements that must handle every case: a new case fails the typecheck here. */
export function exhaustive(value: never, what: string): never {
  throw new Error(`unexpected ${what}: ${String(value)}`);
}
