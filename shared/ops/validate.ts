import type { z } from 'zod';
import { ArvoError } from '../errors';

/** Parses operation input or throws an ArvoError naming every problem (for 400 responses and logs). */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || what}: ${issue.message}`);
  throw new ArvoError('invalid-input', `invalid ${what}: ${problems.join('; ')}`, problems);
}
