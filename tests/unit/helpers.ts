import { expect } from 'vitest';
import { ArvoError, type ArvoErrorCode } from '../../shared/errors';

/** Runs `fn`, asserts it throws an ArvoError with `code`, and returns the error for more checks. */
export function expectArvoError(fn: () => unknown, code: ArvoErrorCode): ArvoError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected an ArvoError to be thrown').toBeInstanceOf(ArvoError);
  expect((thrown as ArvoError).code).toBe(code);
  return thrown as ArvoError;
}

/** Fixed, valid 16-character ids for tests. */
export const ID = {
  workshop: 'Workshop00000001',
  otherWorkshop: 'Workshop00000002',
  me: 'Participant00001',
  other: 'Participant00002',
  actorA: 'ActorA0000000001',
  actorB: 'ActorB0000000001',
} as const;

export const NOW = 1_700_000_000_000;
